package io.exproto.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.exproto.handler.FailurePolicy;
import io.exproto.handler.HandlerUnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The retry failure policy: a callback that never reached the handler is retried, so an
 * unreachable handler loses no byte while it comes back in time; one that may have reached it is
 * not.
 */
class RetryPolicyTest {

  @Test
  void unavailableCallbacksAreRetriedInOrderUntilTheHandlerIsBack() {
    AtomicBoolean down = new AtomicBoolean(true);
    try (GatewayFixture f = new GatewayFixture(b -> b.failurePolicy(FailurePolicy.RETRY)
        .retryWindow(Duration.ofSeconds(60)))) {
      GatewayFixture.Connected c = f.connect();
      f.handler.onBytes = e -> down.get()
          ? CompletableFuture.failedFuture(new HandlerUnavailableException("handler restarting", null))
          : RecordingHandler.done();
      c.device().send("1");
      c.device().send("2");
      c.device().send("3");
      f.clock.advance(Duration.ofSeconds(5));
      assertThat(c.device().isClosed()).isFalse();
      down.set(false);
      f.clock.advance(Duration.ofSeconds(5));
      // Each attempt of "1" is recorded; what matters is that 1, 2, 3 complete in order.
      assertThat(f.handler.of(c.conn()).stream().distinct().toList())
          .containsExactly("created", "bytes:1", "bytes:2", "bytes:3");
      assertThat(f.gateway.metrics().get(GatewayMetrics.HANDLER_RETRIES)).isPositive();
      assertThat(c.device().isClosed()).isFalse();
    }
  }

  @Test
  void pastTheRetryWindowTheConnectionIsClosedWithHandlerError() {
    try (GatewayFixture f = new GatewayFixture(b -> b.failurePolicy(FailurePolicy.RETRY)
        .retryWindow(Duration.ofSeconds(10)))) {
      GatewayFixture.Connected c = f.connect();
      f.handler.onBytes = e -> CompletableFuture.failedFuture(new HandlerUnavailableException("down", null));
      c.device().send("x");
      f.clock.advance(Duration.ofSeconds(9));
      assertThat(c.device().isClosed()).isFalse();
      f.clock.advance(Duration.ofSeconds(6));
      assertThat(c.device().isClosed()).isTrue();
      assertThat(f.handler.of(c.conn())).last().isEqualTo("closed:handler_error");
    }
  }

  @Test
  void aFullQueueWhileTheHandlerIsAwayClosesWithHandlerErrorAndCountsTheLoss() {
    try (GatewayFixture f = new GatewayFixture(b -> b.failurePolicy(FailurePolicy.RETRY)
        .retryWindow(Duration.ofSeconds(60)).queueCapacity(3).maxBatchSize(1))) {
      GatewayFixture.Connected c = f.connectAs("c1", "");
      assertThat(GatewayFixture.call(f.adapter().subscribe(c.conn(), "t", 0)).isSuccess()).isTrue();
      f.handler.onBytes = e -> CompletableFuture.failedFuture(new HandlerUnavailableException("down", null));
      c.device().send("x");
      // "x" waits for the handler; two deliveries fill the queue of 3 and are kept.
      for (int i = 0; i < 2; i++) {
        GatewayFixture.call(f.adapter().rawPublish("t", 0, new byte[] {(byte) i}));
      }
      assertThat(c.device().isClosed()).isFalse();
      assertThat(f.gateway.metrics().get(GatewayMetrics.MESSAGES_DROPPED)).isZero();
      // The next one does not fit: rather than lose messages for as long as the handler stays
      // away, the connection ends.
      GatewayFixture.call(f.adapter().rawPublish("t", 0, new byte[] {9}));
      assertThat(c.device().isClosed()).isTrue();
      assertThat(f.gateway.metrics().get(GatewayMetrics.MESSAGES_DROPPED)).isEqualTo(1);
      // OnSocketClosed cannot reach the handler either: past the close flush timeout what is still
      // queued is dropped and counted.
      f.clock.advance(Duration.ofSeconds(60));
      assertThat(f.gateway.metrics().get(GatewayMetrics.EVENTS_DROPPED)).isPositive();
      assertThat(f.gateway.connectionCount()).isZero();
    }
  }

  @Test
  void aNonRetryableFailureClosesAtOnceEvenUnderRetry() {
    try (GatewayFixture f = new GatewayFixture(b -> b.failurePolicy(FailurePolicy.RETRY))) {
      GatewayFixture.Connected c = f.connect();
      f.handler.onBytes = e -> CompletableFuture.failedFuture(new IllegalArgumentException("bad frame"));
      c.device().send("x");
      assertThat(f.handler.of(c.conn())).containsExactly("created", "bytes:x", "closed:handler_error");
    }
  }

  @Test
  void theGatewaysOwnDeadlineIsNotRetriedEvenUnderRetry() {
    try (GatewayFixture f = new GatewayFixture(b -> b.failurePolicy(FailurePolicy.RETRY)
        .handlerTimeout(Duration.ofSeconds(1)))) {
      GatewayFixture.Connected c = f.connect();
      CompletableFuture<Void> hung = new CompletableFuture<>();
      f.handler.onBytes = e -> hung;
      c.device().send("x");
      // The handler has the callback and may have acted on it (published, say): sending it again
      // could do that twice, so a missed deadline is a handler error under either policy.
      f.clock.advance(Duration.ofSeconds(1));
      f.handler.onBytes = e -> RecordingHandler.done();
      f.clock.advance(Duration.ofSeconds(10));
      assertThat(f.handler.of(c.conn())).containsExactly("created", "bytes:x", "closed:handler_error");
      assertThat(c.device().isClosed()).isTrue();
      assertThat(f.gateway.metrics().get(GatewayMetrics.HANDLER_RETRIES)).isZero();
      assertThat(f.gateway.metrics().get(GatewayMetrics.HANDLER_ERRORS)).isEqualTo(1);
    }
  }
}
