package io.exproto.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.exproto.handler.HandlerUnavailableException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

/** Which handler failures the retry policy retries. */
class HandlerFailuresTest {

  private static StatusRuntimeException status(Status status) {
    return status.withDescription("details").asRuntimeException();
  }

  @Test
  void unavailableAndDeadlineExceededBecomeHandlerUnavailable() {
    for (Status status : new Status[] {Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED}) {
      StatusRuntimeException error = status(status);
      Throwable mapped = HandlerFailures.toCallbackFailure("OnReceivedBytes", error);
      assertThat(mapped).as(status.getCode().name()).isInstanceOf(HandlerUnavailableException.class)
          .hasCause(error)
          .hasMessageContaining("OnReceivedBytes")
          .hasMessageContaining(status.getCode().name() + ": details");
      assertThat(HandlerFailures.toStreamFailure("OnReceivedBytes", error))
          .isInstanceOf(HandlerUnavailableException.class).hasCause(error);
    }
  }

  @Test
  void otherStatusesAreKeptAsTheyAre() {
    for (Status status : new Status[] {Status.INTERNAL, Status.UNIMPLEMENTED, Status.UNKNOWN,
        Status.PERMISSION_DENIED, Status.CANCELLED}) {
      StatusRuntimeException error = status(status);
      assertThat(HandlerFailures.toCallbackFailure("OnSocketCreated", error)).as(status.getCode().name())
          .isSameAs(error);
    }
    IllegalStateException notGrpc = new IllegalStateException("boom");
    assertThat(HandlerFailures.toCallbackFailure("OnSocketCreated", notGrpc)).isSameAs(notGrpc);
    assertThat(HandlerFailures.isUnavailable(Status.Code.INTERNAL)).isFalse();
    assertThat(HandlerFailures.isUnavailable(Status.Code.UNAVAILABLE)).isTrue();
  }

  @Test
  void aCancelledStreamMeansTheHandlerWentAway() {
    StatusRuntimeException error = status(Status.CANCELLED);
    assertThat(HandlerFailures.toStreamFailure("OnSocketClosed", error))
        .isInstanceOf(HandlerUnavailableException.class).hasCause(error).hasMessageContaining("CANCELLED");
    StatusRuntimeException internal = status(Status.INTERNAL);
    assertThat(HandlerFailures.toStreamFailure("OnSocketClosed", internal)).isSameAs(internal);
  }
}
