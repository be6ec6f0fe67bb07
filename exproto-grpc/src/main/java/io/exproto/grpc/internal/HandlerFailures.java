package io.exproto.grpc.internal;

import io.exproto.handler.HandlerUnavailableException;
import io.grpc.Status;

/**
 * Maps a failed call to the handler service onto what the gateway's failure policy understands:
 * a failure of what provably never reached the handler becomes a
 * {@link HandlerUnavailableException}, which the {@code retry} policy sends again; every other
 * failure may have reached a live handler (an error answer such as {@code INTERNAL} or
 * {@code UNIMPLEMENTED}, {@code DEADLINE_EXCEEDED} after the call was sent, a connection that broke
 * with the call on it) and is kept as it is: it closes the connection under either policy, since
 * sending it again could make the handler act on it twice.
 *
 * <p>Internal: not part of the public API.
 */
public final class HandlerFailures {

  private HandlerFailures() {}

  /**
   * Maps the failure of one unary callback.
   *
   * @param rpc the rpc, e.g. {@code OnReceivedBytes}, for the message
   * @param error the failure: a {@link NotSentException} for a call that never reached the
   *     handler, usually an {@link io.grpc.StatusRuntimeException} otherwise
   * @return a {@link HandlerUnavailableException} caused by the call's status exception for a
   *     {@link NotSentException}; otherwise {@code error} itself
   */
  public static Throwable toCallbackFailure(String rpc, Throwable error) {
    if (!(error instanceof NotSentException notSent)) {
      return error;
    }
    return new HandlerUnavailableException(rpc + ": not sent, the handler service is unreachable ("
        + describe(notSent.status().getStatus()) + ")", notSent.status());
  }

  /**
   * Maps the failure of a legacy client stream for the events still waiting to be written on it,
   * which never reached the handler. A stream that ended because the handler is down or
   * restarting ({@code UNAVAILABLE}, {@code DEADLINE_EXCEEDED}, or {@code CANCELLED}: a handler
   * server that shuts down cancels the streams it still has open) gives a
   * {@link HandlerUnavailableException}; any other status (a handler that does not serve the
   * legacy service, say) is kept, since sending the events again would fail the same way.
   *
   * @param rpc the rpc of the stream, for the message
   * @param error the failure the stream ended with
   * @return a {@link HandlerUnavailableException} caused by {@code error}, or {@code error} itself
   *     for any other status
   */
  public static Throwable toStreamFailure(String rpc, Throwable error) {
    Status status = Status.fromThrowable(error);
    Status.Code code = status.getCode();
    if (code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED && code != Status.Code.CANCELLED) {
      return error;
    }
    return new HandlerUnavailableException(rpc + ": not written, the stream to the handler service ended ("
        + describe(status) + ")", error);
  }

  private static String describe(Status status) {
    String description = status.getDescription();
    return status.getCode() + (description == null ? "" : ": " + description);
  }
}
