package io.exproto.handler;

/**
 * A handler callback failed because the handler could not be reached or did not answer in time
 * (for a remote handler: gRPC UNAVAILABLE or DEADLINE_EXCEEDED). Under the {@code retry} failure
 * policy such a callback is retried; any other failure closes the connection.
 */
public class HandlerUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened
   * @param cause the underlying failure, may be null
   */
  public HandlerUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
