package io.exproto.transport.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.transport.testkit.ProxyHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NettyLeakCheck.class)
class ProxyProtocolHandlerTest {

  private static final String COUNTER = "tcp:test.refused.proxy_protocol";

  private final GatewayMetrics metrics = new GatewayMetrics();
  private final LifecycleRecorder behind = new LifecycleRecorder();
  private EmbeddedChannel channel;

  @BeforeEach
  void setUp() {
    channel = EmbeddedChannel.builder()
        .handlers(new HAProxyMessageDecoder(),
            new ProxyProtocolHandler("tcp:test", Duration.ofSeconds(3), metrics,
                new ProxyProtocolHandler.Refusals()), behind)
        .build();
    channel.freezeTime();
  }

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
  }

  private static ByteBuf pooled(byte[] bytes) {
    ByteBuf buf = ByteBufAllocator.DEFAULT.directBuffer(bytes.length);
    buf.writeBytes(bytes);
    return buf;
  }

  @Test
  void holdsTheConnectionBackUntilTheHeader() {
    assertThat(behind.active).isZero();

    channel.writeInbound(pooled(ProxyHeaders.v1("203.0.113.7", 56324, "192.0.2.1", 7993)));

    assertThat(behind.active).isEqualTo(1);
    assertThat(behind.peerWhenActive).isEqualTo(new InetSocketAddress("203.0.113.7", 56324));
    assertThat(behind.localWhenActive).isEqualTo(new InetSocketAddress("192.0.2.1", 7993));
    assertThat(channel.pipeline().get(HAProxyMessageDecoder.class)).as("the decoder left").isNull();
    assertThat(channel.pipeline().get(ProxyProtocolHandler.class)).as("the handler left").isNull();
  }

  @Test
  void bytesAfterAV1HeaderInTheSameReadFollowTheActivation() {
    channel.writeInbound(pooled(ProxyHeaders.concat(
        ProxyHeaders.v1("2001:db8::7", 40000, "2001:db8::1", 7993), "hello".getBytes(UTF_8))));
    channel.writeInbound(pooled(" world".getBytes(UTF_8)));

    assertThat(behind.active).isEqualTo(1);
    assertThat(behind.peerWhenActive).isEqualTo(new InetSocketAddress("2001:db8::7", 40000));
    assertThat(behind.bytes.toString(UTF_8)).isEqualTo("hello world");
  }

  @Test
  void aHeaderSplitAcrossReadsIsReassembled() {
    byte[] header = ProxyHeaders.v1("198.51.100.9", 1234, "192.0.2.1", 7993);
    channel.writeInbound(pooled(java.util.Arrays.copyOfRange(header, 0, 10)));
    assertThat(behind.active).isZero();

    channel.writeInbound(pooled(java.util.Arrays.copyOfRange(header, 10, header.length)));

    assertThat(behind.active).isEqualTo(1);
    assertThat(behind.peerWhenActive).isEqualTo(new InetSocketAddress("198.51.100.9", 1234));
  }

  @Test
  void readsV2BinaryHeaders() throws Exception {
    channel.writeInbound(pooled(ProxyHeaders.concat(
        ProxyHeaders.v2("203.0.113.8", 50000, "192.0.2.2", 7993), "data".getBytes(UTF_8))));

    assertThat(behind.active).isEqualTo(1);
    assertThat(behind.peerWhenActive).isEqualTo(new InetSocketAddress("203.0.113.8", 50000));
    assertThat(behind.localWhenActive).isEqualTo(new InetSocketAddress("192.0.2.2", 7993));
    assertThat(behind.bytes.toString(UTF_8)).isEqualTo("data");
  }

  @Test
  void aV2LocalCommandKeepsTheSocketAddresses() {
    channel.writeInbound(pooled(ProxyHeaders.v2Local()));

    assertThat(behind.active).isEqualTo(1);
    assertThat(behind.peerWhenActive).isEqualTo(channel.remoteAddress());
    assertThat(channel.attr(ChannelAttributes.PEER).get()).isNull();
  }

  @Test
  void garbageClosesTheChannelAndIsCounted() {
    channel.writeInbound(pooled("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(US_ASCII)));
    channel.runPendingTasks();

    assertThat(channel.isOpen()).isFalse();
    assertThat(behind.active).isZero();
    assertThat(behind.inactive).isZero();
    assertThat(behind.bytes.size()).isZero();
    assertThat(behind.failures).isEmpty();
    assertThat(metrics.get(COUNTER)).isEqualTo(1);
  }

  @Test
  void anOversizedV1LineIsRefused() {
    channel.writeInbound(pooled("PROXY ".concat("x".repeat(200)).getBytes(US_ASCII)));
    channel.runPendingTasks();

    assertThat(channel.isOpen()).isFalse();
    assertThat(behind.active).isZero();
    assertThat(metrics.get(COUNTER)).isEqualTo(1);
  }

  @Test
  void aMissingHeaderTimesOut() {
    channel.writeInbound(pooled("PROX".getBytes(US_ASCII)));
    channel.advanceTimeBy(2900, TimeUnit.MILLISECONDS);
    channel.runScheduledPendingTasks();
    assertThat(channel.isOpen()).isTrue();

    channel.advanceTimeBy(200, TimeUnit.MILLISECONDS);
    channel.runScheduledPendingTasks();

    assertThat(channel.isOpen()).isFalse();
    assertThat(behind.active).isZero();
    assertThat(behind.inactive).isZero();
    assertThat(metrics.get(COUNTER)).isEqualTo(1);
  }

  @Test
  void aHeaderInTimeCancelsTheTimer() {
    channel.writeInbound(pooled(ProxyHeaders.v1("203.0.113.7", 1, "192.0.2.1", 2)));
    channel.advanceTimeBy(10, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();

    assertThat(channel.isOpen()).isTrue();
    assertThat(metrics.get(COUNTER)).isZero();
  }
}
