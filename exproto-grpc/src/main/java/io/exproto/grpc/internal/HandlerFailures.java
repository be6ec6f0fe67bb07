package io.exproto.grpc.internal;

import io.exproto.handler.HandlerUnavailableException;
import io.grpc.Status;

/**
 * Maps a failed call to the handler service onto what the gateway's failure policy understands:
 * {@code UNAVAILABLE} (the handler is down, restarting, or unreachable) and
 * {@code DEADLINE_EXCEEDED} (it did not answer in time) become a
 * {@link HandlerUnavailableException}, which the {@code retry} policy retries; every other failure
 * ({@code INTERNAL} from a handler method that threw, {@code UNIMPLEMENTED} from a handler that
 * serves another service, ...) is kept as it is, and closes the connection under either policy.
 *
 * <p>Internal: not part of the public API.
 */
public final class HandlerFailures {

  private HandlerFailures() {}

  /**
   * Tells whether a status means the handler could not be reached or did not answer in time.
   *
   * @param code the status code
   * @return true for {@code UNAVAILABLE} and {@code DEADLINE_EXCEEDED}
   */
  public static boolean isUnavailable(Status.Code code) {
    return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
  }

  /**
   * Maps the failure of one callback.
   *
   * @param rpc the rpc, e.g. {@code OnReceivedBytes}, for the message
   * @param error the failure, usually an {@link io.grpc.StatusRuntimeException}
   * @return a {@link HandlerUnavailableException} caused by {@code error} when its status is
   *     {@code UNAVAILABLE} or {@code DEADLINE_EXCEEDED}; otherwise {@code error} itself
   */
  public static Throwable toCallbackFailure(String rpc, Throwable error) {
    Status status = Status.fromThrowable(error);
    if (!isUnavailable(status.getCode())) {
      return error;
    }
    String description = status.getDescription();
    return new HandlerUnavailableException(rpc + ": the handler service is unavailable (" + status.getCode()
        + (description == null ? "" : ": " + description) + ")", error);
  }

  /**
   * Maps the failure of a legacy client stream that broke under the events queued on it. Besides
   * {@code UNAVAILABLE} and {@code DEADLINE_EXCEEDED}, {@code CANCELLED} also means the handler is
   * unavailable here: a handler server that shuts down (to restart) cancels the streams it still
   * has open, where a unary call would have completed first.
   *
   * @param rpc the rpc of the stream, for the message
   * @param error the failure the stream ended with
   * @return a {@link HandlerUnavailableException} caused by {@code error}, or {@code error} itself
   *     for any other status
   */
  public static Throwable toStreamFailure(String rpc, Throwable error) {
    Status status = Status.fromThrowable(error);
    if (status.getCode() != Status.Code.CANCELLED) {
      return toCallbackFailure(rpc, error);
    }
    String description = status.getDescription();
    return new HandlerUnavailableException(rpc + ": the handler service cancelled the stream ("
        + (description == null ? "CANCELLED" : "CANCELLED: " + description) + ")", error);
  }
}
