package io.exproto.gateway;

import static io.exproto.gateway.GatewayFixture.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.exproto.broker.Message;
import io.exproto.handler.ReceivedMessages;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** OnReceivedMessages batches are bounded in bytes as well as in messages. */
class BatchLimitsTest {

  private static final int MIB = 1024 * 1024;
  // The largest protobuf message a gRPC handler accepts by default.
  private static final int GRPC_DEFAULT_INBOUND_LIMIT = 4 * MIB;

  private static byte[] payload(int size, int tag) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, (byte) ('a' + tag));
    return bytes;
  }

  private static long payloadAndTopicBytes(ReceivedMessages batch) {
    return batch.messages().stream()
        .mapToLong(m -> m.payload().length + m.topic().getBytes(StandardCharsets.UTF_8).length)
        .sum();
  }

  /** Holds the first OnReceivedMessages so the next deliveries are batched behind it. */
  private static CompletableFuture<Void> holdFirstBatch(GatewayFixture f) {
    CompletableFuture<Void> held = new CompletableFuture<>();
    f.handler.onMessages = e -> f.handler.batches.size() == 1 ? held : RecordingHandler.done();
    return held;
  }

  @Test
  void sevenOneMebibyteMessagesAreSplitIntoBatchesAGrpcHandlerAccepts() {
    try (GatewayFixture f = new GatewayFixture()) {
      GatewayFixture.Connected c = f.connectAs("sub", "");
      call(f.adapter().subscribe(c.conn(), "big", 0));
      CompletableFuture<Void> held = holdFirstBatch(f);
      call(f.adapter().rawPublish("big", 0, "first".getBytes()));
      for (int i = 0; i < 7; i++) {
        assertThat(call(f.adapter().rawPublish("big", 0, payload(MIB, i))).isSuccess()).isTrue();
      }
      held.complete(null);

      List<ReceivedMessages> batches = f.handler.batches;
      assertThat(batches).allSatisfy(b -> assertThat(payloadAndTopicBytes(b))
          .as("bytes of a batch of %d messages", b.messages().size())
          .isLessThanOrEqualTo(2 * MIB) // the default maxBatchBytes
          .isLessThan(GRPC_DEFAULT_INBOUND_LIMIT));
      assertThat(batches.stream().flatMap(b -> b.messages().stream()).map(m -> m.payload()[0]).toList())
          .as("every message, in order")
          .containsExactly((byte) 'f', (byte) 'a', (byte) 'b', (byte) 'c', (byte) 'd', (byte) 'e',
              (byte) 'f', (byte) 'g');
      assertThat(c.device().isClosed()).isFalse();
      assertThat(f.gateway.metrics().get(GatewayMetrics.MESSAGES_DELIVERED)).isEqualTo(8);
    }
  }

  @Test
  void smallMessagesStillBatchUpToTheMessageCount() {
    try (GatewayFixture f = new GatewayFixture(b -> b.maxBatchSize(4))) {
      GatewayFixture.Connected c = f.connectAs("sub", "");
      call(f.adapter().subscribe(c.conn(), "t", 0));
      CompletableFuture<Void> held = holdFirstBatch(f);
      for (int i = 0; i < 9; i++) {
        call(f.adapter().rawPublish("t", 0, payload(10, i)));
      }
      held.complete(null);
      assertThat(f.handler.batches).extracting(b -> b.messages().size()).containsExactly(1, 4, 4);
    }
  }

  @Test
  void aMessageBiggerThanTheByteLimitOnItsOwnIsDroppedAndCountedAndTheDeviceStays() {
    try (GatewayFixture f = new GatewayFixture()) {
      GatewayFixture.Connected c = f.connectAs("sub", "");
      call(f.adapter().subscribe(c.conn(), "t", 0));
      CompletableFuture<Void> held = holdFirstBatch(f);
      call(f.adapter().rawPublish("t", 0, "before".getBytes()));
      // Another publisher of the host's broker is not bound by the gateway's maxPayloadBytes.
      f.broker.publish(new Message("0123456789abcdef0123456789abcdef", "elsewhere", "t", 0,
          payload(3 * MIB, 0), 0)).toCompletableFuture().join();
      call(f.adapter().rawPublish("t", 0, "after".getBytes()));
      held.complete(null);

      assertThat(f.handler.batches).flatExtracting(ReceivedMessages::messages)
          .extracting(m -> m.payload().length > 100 ? m.payload().length + " bytes" : new String(m.payload()))
          .containsExactly("before", "after");
      assertThat(f.gateway.metrics().get(GatewayMetrics.MESSAGES_DROPPED_TOO_LARGE)).isEqualTo(1);
      assertThat(f.gateway.metrics().get(GatewayMetrics.MESSAGES_DELIVERED)).isEqualTo(2);
      assertThat(c.device().isClosed()).isFalse();
    }
  }

  @Test
  void theByteLimitCountsTopicsAndIsConfigurable() {
    try (GatewayFixture f = new GatewayFixture(b -> b.maxBatchBytes(64 * 1024)
        .maxPayloadBytes(16 * 1024).maxTopicLength(1024))) {
      GatewayFixture.Connected c = f.connectAs("sub", "");
      String topic = "t/" + "x".repeat(1000);
      call(f.adapter().subscribe(c.conn(), topic, 0));
      CompletableFuture<Void> held = holdFirstBatch(f);
      call(f.adapter().rawPublish(topic, 0, new byte[0]));
      // 16 KB payload + 1 KB topic + overhead: three fit in 64 KB, four do not.
      for (int i = 0; i < 8; i++) {
        call(f.adapter().rawPublish(topic, 0, payload(16 * 1024, i)));
      }
      held.complete(null);
      assertThat(f.handler.batches).extracting(b -> b.messages().size()).containsExactly(1, 3, 3, 2);
    }
  }

  @Test
  void theBuilderRefusesAByteLimitTheLargestAcceptedMessageDoesNotFit() {
    assertThatThrownBy(() -> Gateway.builder().maxBatchBytes(100)).hasMessageContaining("maxBatchBytes");
    assertThatThrownBy(() -> Gateway.builder().handler(a -> null)
        .maxPayloadBytes(2 * MIB).maxBatchBytes(2 * MIB).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("maxBatchBytes")
        .hasMessageContaining("maxPayloadBytes");
  }
}
