package io.exproto.handler;

/** What the gateway does when a handler callback fails. */
public enum FailurePolicy {
  /** Close the connection with reason {@code handler_error} (EMQX's behaviour). The default. */
  CLOSE,
  /**
   * Send the same callback again, with backoff and in order, when it provably never reached the
   * handler (it failed with a {@link HandlerUnavailableException}: the handler was unreachable), for
   * as long as the retry window and the connection's queue allow; then close with
   * {@code handler_error} and count the loss. A callback that may have reached the handler is never
   * sent again, because the handler may have acted on it (published, answered the device): an
   * error answer, or no answer within the gateway's handler deadline or the remote call's timeout,
   * closes the connection with {@code handler_error} at once, as under {@link #CLOSE}.
   */
  RETRY
}
