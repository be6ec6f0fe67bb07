package io.exproto.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.exproto.handler.HandlerUnavailableException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

/** Which handler failures the retry policy retries: only what never reached the handler. */
class HandlerFailuresTest {

  private static StatusRuntimeException status(Status status) {
    return status.withDescription("details").asRuntimeException();
  }

  @Test
  void aCallThatWasNeverSentBecomesHandlerUnavailable() {
    StatusRuntimeException error = status(Status.UNAVAILABLE);
    Throwable mapped = HandlerFailures.toCallbackFailure("OnReceivedBytes", new NotSentException(error));
    assertThat(mapped).isInstanceOf(HandlerUnavailableException.class)
        .hasCause(error)
        .hasMessageContaining("OnReceivedBytes")
        .hasMessageContaining("not sent")
        .hasMessageContaining("UNAVAILABLE: details");
  }

  @Test
  void everyFailureOfASentCallIsKeptAsItIs() {
    // DEADLINE_EXCEEDED and UNAVAILABLE too: the handler may have acted on the call.
    for (Status status : new Status[] {Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED, Status.INTERNAL,
        Status.UNIMPLEMENTED, Status.UNKNOWN, Status.PERMISSION_DENIED, Status.CANCELLED}) {
      StatusRuntimeException error = status(status);
      assertThat(HandlerFailures.toCallbackFailure("OnSocketCreated", error)).as(status.getCode().name())
          .isSameAs(error);
    }
    IllegalStateException notGrpc = new IllegalStateException("boom");
    assertThat(HandlerFailures.toCallbackFailure("OnSocketCreated", notGrpc)).isSameAs(notGrpc);
  }

  @Test
  void eventsLeftUnwrittenOnAStreamThatEndedWithTheHandlerAreUnavailable() {
    for (Status status : new Status[] {Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED, Status.CANCELLED}) {
      StatusRuntimeException error = status(status);
      assertThat(HandlerFailures.toStreamFailure("OnSocketClosed", error)).as(status.getCode().name())
          .isInstanceOf(HandlerUnavailableException.class).hasCause(error)
          .hasMessageContaining("not written").hasMessageContaining(status.getCode().name());
    }
    StatusRuntimeException internal = status(Status.INTERNAL);
    assertThat(HandlerFailures.toStreamFailure("OnSocketClosed", internal)).isSameAs(internal);
  }
}
