package io.exproto.grpc.internal;

import io.grpc.StatusRuntimeException;

/**
 * A call failed before it was handed to any connection to its server: the server never saw it, so
 * it is safe to make again. Its cause is the call's {@link StatusRuntimeException}, usually
 * {@code UNAVAILABLE}.
 *
 * <p>Internal: not part of the public API.
 */
public final class NotSentException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * Wraps the failure of a call that was never sent.
   *
   * @param cause the call's failure
   */
  public NotSentException(StatusRuntimeException cause) {
    super(cause.getMessage(), cause, false, false);
  }

  /**
   * Returns the call's failure.
   *
   * @return the status exception
   */
  public StatusRuntimeException status() {
    return (StatusRuntimeException) getCause();
  }
}
