package io.exproto.auth;

/** What a client asks to do with a topic, as seen by an {@link Authorizer}. */
public enum Action {
  /** Publish to a topic name. */
  PUBLISH,
  /** Subscribe with a topic filter. */
  SUBSCRIBE
}
