package io.exproto.handler;

/**
 * A handler callback failed without reaching the handler: the handler provably never received it,
 * so sending it again cannot make the handler act on it twice. For a remote handler: the call was
 * never handed to a connection to the handler service (the connection was refused or could not be
 * set up, or none came up within the wait the call allows), or, for the legacy streaming service,
 * the event was never written to its stream.
 *
 * <p>Under the {@code retry} failure policy such a callback is sent again; every other failure (an
 * error answer, no answer within a deadline, a connection lost while the call was in flight) may
 * have reached the handler and closes the connection with {@code handler_error} under either
 * policy. A handler throws it (or completes a callback's stage with it) only when it knows the
 * event was not processed.
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
