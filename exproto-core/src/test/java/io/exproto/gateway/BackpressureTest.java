package io.exproto.gateway;

import static io.exproto.gateway.GatewayFixture.call;
import static org.assertj.core.api.Assertions.assertThat;

import io.exproto.handler.ReceivedMessages;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The bounded per-connection queue: pausing the socket, batching deliveries, counting drops. */
class BackpressureTest {

  @Test
  void aFullQueuePausesReadingAndDrainingResumesIt() {
    try (GatewayFixture f = new GatewayFixture(b -> b.queueCapacity(4))) {
      CompletableFuture<Void> stall = new CompletableFuture<>();
      f.handler.onBytes = e -> stall;
      GatewayFixture.Connected c = f.connect();
      for (int i = 0; i < 5; i++) {
        c.device().send(String.valueOf(i));
      }
      // "0" is in flight; 1..4 fill the queue of 4.
      assertThat(c.device().isReadingPaused()).isTrue();
      f.handler.onBytes = e -> RecordingHandler.done();
      stall.complete(null);
      assertThat(c.device().isReadingPaused()).isFalse();
      assertThat(c.device().pauseCount()).isEqualTo(1);
      assertThat(f.handler.of(c.conn()))
          .containsExactly("created", "bytes:0", "bytes:1", "bytes:2", "bytes:3", "bytes:4");
    }
  }

  @Test
  void aTransportThatIgnoresThePauseIsClosedWithBackpressureOverflow() {
    try (GatewayFixture f = new GatewayFixture(b -> b.queueCapacity(4))) {
      CompletableFuture<Void> stall = new CompletableFuture<>();
      f.handler.onBytes = e -> stall;
      GatewayFixture.Connected c = f.connect();
      for (int i = 0; i < 10; i++) {
        c.device().send(String.valueOf(i));
      }
      assertThat(c.device().isClosed()).isTrue();
      assertThat(f.gateway.connectionCount()).isEqualTo(1); // OnSocketClosed still queued behind the stall
      stall.complete(null);
      // 0 in flight, 1..8 queued (twice the capacity), 9 refused: the connection closed instead.
      assertThat(f.handler.of(c.conn())).last().isEqualTo("closed:backpressure_overflow");
      assertThat(f.handler.of(c.conn())).contains("bytes:8").doesNotContain("bytes:9");
    }
  }

  @Test
  void deliveriesAreBatchedWhileACallbackIsInFlight() {
    try (GatewayFixture f = new GatewayFixture(b -> b.maxBatchSize(10))) {
      CompletableFuture<Void> stall = new CompletableFuture<>();
      f.handler.onBytes = e -> stall;
      GatewayFixture.Connected c = f.connectAs("c", "");
      call(f.adapter().subscribe(c.conn(), "t", 0));
      c.device().send("x");
      for (int i = 0; i < 25; i++) {
        call(f.adapter().rawPublish("t", 0, String.valueOf(i).getBytes()));
      }
      stall.complete(null);
      List<ReceivedMessages> batches = f.handler.batches;
      assertThat(batches).extracting(b -> b.messages().size()).containsExactly(10, 10, 5);
      assertThat(batches.stream().flatMap(b -> b.messages().stream())
          .map(m -> new String(m.payload())).toList())
          .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 25).mapToObj(String::valueOf).toList());
    }
  }

  @Test
  void deliveriesBeyondAFullQueueAreDroppedAndCounted() {
    try (GatewayFixture f = new GatewayFixture(b -> b.queueCapacity(3).maxBatchSize(1))) {
      CompletableFuture<Void> stall = new CompletableFuture<>();
      f.handler.onBytes = e -> stall;
      GatewayFixture.Connected c = f.connectAs("c", "");
      call(f.adapter().subscribe(c.conn(), "t", 0));
      c.device().send("x");
      for (int i = 0; i < 5; i++) {
        call(f.adapter().rawPublish("t", 0, new byte[] {(byte) i}));
      }
      assertThat(f.gateway.metrics().get(GatewayMetrics.MESSAGES_DROPPED)).isEqualTo(2);
      stall.complete(null);
      assertThat(f.handler.batches).hasSize(3);
    }
  }
}
