package io.exproto.grpc.sdk;

import io.exproto.adapter.Result;
import java.util.Objects;

/**
 * An adapter call answered with a result other than {@code SUCCESS} where the handler needed a
 * success; made by {@link AdapterClient#requireSuccess(Result)}. Thrown from (or failing the stage
 * of) a {@link HandlerService} method, it fails the callback with {@code INTERNAL} and this
 * message, so the gateway closes the device.
 */
public final class AdapterCallException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Result result;

  /**
   * Creates the exception.
   *
   * @param result the result that was not a success, not null
   */
  public AdapterCallException(Result result) {
    super(Objects.requireNonNull(result, "result").code() + ": " + result.message());
    this.result = result;
  }

  /**
   * Returns the gateway's result.
   *
   * @return the result, not a success
   */
  public Result result() {
    return result;
  }
}
