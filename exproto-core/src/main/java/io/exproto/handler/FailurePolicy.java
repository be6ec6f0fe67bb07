package io.exproto.handler;

/** What the gateway does when a handler callback fails. */
public enum FailurePolicy {
  /** Close the connection with reason {@code handler_error} (EMQX's behaviour). The default. */
  CLOSE,
  /**
   * Retry the same callback with backoff, in order, when the handler was unreachable or too slow
   * ({@link HandlerUnavailableException}, or the gateway's own deadline), for as long as the retry
   * window and the connection's queue allow; then close with {@code handler_error} and count the
   * loss. Other failures close the connection at once.
   */
  RETRY
}
