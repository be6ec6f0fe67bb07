package io.exproto.transport.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.listener.Address;
import io.exproto.listener.SocketType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NettyLeakCheck.class)
class ForwardingHandlerTest {

  private RecordingAcceptor acceptor;
  private EmbeddedChannel channel;

  @BeforeEach
  void setUp() {
    acceptor = new RecordingAcceptor();
    channel = new EmbeddedChannel(new ForwardingHandler(acceptor, SocketType.TCP, "tcp:test", "tcp_closed", limits()));
  }

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
  }

  private static OutputLimits limits() {
    return new OutputLimits("tcp:test", 1024 * 1024, new GatewayMetrics());
  }

  private NettyConnection connection() {
    return (NettyConnection) acceptor.connections.get(0);
  }

  private static ByteBuf pooled(String text) {
    ByteBuf buf = ByteBufAllocator.DEFAULT.directBuffer();
    buf.writeCharSequence(text, UTF_8);
    return buf;
  }

  @Test
  void acceptsTheChannelWhenItBecomesActive() {
    assertThat(acceptor.connections).hasSize(1);
    var info = connection().info();
    assertThat(info.socketType()).isEqualTo(SocketType.TCP);
    assertThat(info.listenerName()).isEqualTo("tcp:test");
    assertThat(info.peerCertificate()).isEmpty();
    // An embedded channel has no IP address: the handler reports an unknown one.
    assertThat(info.peer()).isEqualTo(new Address("", 0));
    assertThat(connection().channel()).isSameAs(channel);
  }

  @Test
  void copiesInboundBytesAndReleasesTheBuffer() {
    ByteBuf first = pooled("hello ");
    ByteBuf second = pooled("world");

    channel.writeInbound(first, second);

    assertThat(first.refCnt()).isZero();
    assertThat(second.refCnt()).isZero();
    assertThat(acceptor.chunks).hasSize(2);
    assertThat(new String(acceptor.received(), UTF_8)).isEqualTo("hello world");
    assertThat(channel.<Object>readInbound()).as("nothing passes the forwarding handler").isNull();
  }

  @Test
  void forwardsOnlyTheReadableBytes() {
    ByteBuf buf = pooled("skipped|kept");
    buf.skipBytes("skipped|".length());

    channel.writeInbound(buf);

    assertThat(buf.refCnt()).isZero();
    assertThat(new String(acceptor.received(), UTF_8)).isEqualTo("kept");
  }

  @Test
  void dropsEmptyBuffersButReleasesThem() {
    ByteBuf empty = ByteBufAllocator.DEFAULT.directBuffer();

    channel.writeInbound(empty);

    assertThat(empty.refCnt()).isZero();
    assertThat(acceptor.chunks).isEmpty();
  }

  @Test
  void releasesMessagesThatAreNotBytes() {
    DefaultByteBufHolder holder = new DefaultByteBufHolder(pooled("not a plain buffer"));

    channel.writeInbound(holder);

    assertThat(holder.refCnt()).isZero();
    assertThat(acceptor.chunks).isEmpty();
  }

  @Test
  void reportsThePeerCloseExactlyOnce() {
    channel.close();
    channel.close();
    channel.pipeline().fireChannelInactive();

    assertThat(acceptor.closeReasons).containsExactly("tcp_closed");
  }

  @Test
  void doesNotReportACloseTheGatewayAskedFor() {
    connection().close();
    channel.runPendingTasks();

    assertThat(channel.isOpen()).isFalse();
    assertThat(acceptor.closeReasons).isEmpty();
  }

  @Test
  void writesWrapTheBytesAndFlush() {
    connection().write("pong".getBytes(UTF_8));
    channel.runPendingTasks();

    ByteBuf out = channel.readOutbound();
    try {
      assertThat(out.toString(UTF_8)).isEqualTo("pong");
    } finally {
      out.release();
    }
  }

  @Test
  void writesAfterCloseAreIgnored() {
    channel.close();

    connection().write("late".getBytes(UTF_8));
    channel.runPendingTasks();

    assertThat(channel.<Object>readOutbound()).isNull();
  }

  @Test
  void pauseAndResumeToggleAutoRead() {
    connection().pauseReading();
    assertThat(channel.config().isAutoRead()).isFalse();

    connection().resumeReading();
    assertThat(channel.config().isAutoRead()).isTrue();
  }

  @Test
  void anExceptionClosesTheChannelAndReportsTheClose() {
    channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
    channel.runPendingTasks();

    assertThat(channel.isOpen()).isFalse();
    assertThat(acceptor.closeReasons).containsExactly("tcp_closed");
  }

  @Test
  void anAcceptorFailureClosesTheChannelWithoutEvents() {
    RecordingAcceptor failing = new RecordingAcceptor();
    failing.failure = new IllegalStateException("gateway broken");
    EmbeddedChannel refused = new EmbeddedChannel(
        new ForwardingHandler(failing, SocketType.TCP, "tcp:test", "tcp_closed", limits()));
    try {
      refused.runPendingTasks();

      assertThat(refused.isOpen()).isFalse();
      assertThat(failing.connections).isEmpty();
      assertThat(failing.closeReasons).isEmpty();
    } finally {
      refused.finishAndReleaseAll();
    }
  }
  @Test
  void connInfoTakesWhatTheHandlersInFrontLearnt() {
    RecordingAcceptor recording = new RecordingAcceptor();
    io.netty.channel.ChannelInboundHandlerAdapter learnt = new io.netty.channel.ChannelInboundHandlerAdapter() {
      @Override
      public void channelActive(io.netty.channel.ChannelHandlerContext ctx) {
        ctx.channel().attr(ChannelAttributes.PEER).set(new java.net.InetSocketAddress("203.0.113.7", 56324));
        ctx.channel().attr(ChannelAttributes.LOCAL).set(new java.net.InetSocketAddress("192.0.2.1", 7994));
        ctx.channel().attr(ChannelAttributes.PEER_CERTIFICATE)
            .set(new io.exproto.listener.CertificateInfo("device-1", "CN=device-1,O=Acme"));
        ctx.fireChannelActive();
      }
    };
    EmbeddedChannel tls = new EmbeddedChannel(learnt,
        new ForwardingHandler(recording, SocketType.SSL, "ssl:test", "ssl_closed", limits()));
    try {
      var info = recording.connections.get(0).info();
      assertThat(info.socketType()).isEqualTo(SocketType.SSL);
      assertThat(info.peer()).isEqualTo(new Address("203.0.113.7", 56324));
      assertThat(info.local()).isEqualTo(new Address("192.0.2.1", 7994));
      assertThat(info.peerCertificate()).contains(new io.exproto.listener.CertificateInfo("device-1", "CN=device-1,O=Acme"));

      tls.close();
      assertThat(recording.closeReasons).containsExactly("ssl_closed");
    } finally {
      tls.finishAndReleaseAll();
    }
  }
}
