package io.exproto.auth;

/** An authorizer's answer. */
public enum AuthzResult {
  /** The action is allowed; the chain stops. */
  ALLOW,
  /** The action is denied; the chain stops. */
  DENY,
  /** No rule matched; the next authorizer decides, and after the last one the gateway's default. */
  NO_MATCH
}
