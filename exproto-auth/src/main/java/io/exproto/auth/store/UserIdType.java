package io.exproto.auth.store;

/** Which field of a client names its user in a {@link UserStore} (EMQX's {@code user_id_type}). */
public enum UserIdType {
  /** The client's username (EMQX's default). */
  USERNAME,
  /** The client's client id. */
  CLIENTID
}
