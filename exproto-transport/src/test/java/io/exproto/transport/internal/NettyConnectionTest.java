package io.exproto.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.exproto.listener.SocketType;
import io.exproto.listener.WriteResult;
import io.exproto.transport.testkit.StandardError;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The bounded backlog of a stream connection, over a socket whose writes the test completes. */
@ExtendWith(NettyLeakCheck.class)
class NettyConnectionTest {

  private static final int HIGH = 10;

  private final RecordingAcceptor acceptor = new RecordingAcceptor();
  private final StuckSocket socket = new StuckSocket();
  private EmbeddedChannel channel;
  private NettyConnection connection;

  @BeforeEach
  void setUp() {
    OutputLimits limits = new OutputLimits("tcp:test", HIGH, acceptor.metrics);
    channel = new EmbeddedChannel(socket,
        new ForwardingHandler(acceptor, SocketType.TCP, "tcp:test", "tcp_closed", limits));
    connection = (NettyConnection) acceptor.connections.get(0);
  }

  @AfterEach
  void tearDown() {
    socket.releaseAll();
    channel.finishAndReleaseAll();
  }

  @Test
  void aBacklogOverTheMarkRefusesWritesAndPausesReadingUntilHalfOfIt() {
    assertThat(connection.write(new byte[6]).accepted()).isTrue();
    assertThat(channel.config().isAutoRead()).isTrue();
    assertThat(connection.write(new byte[6]).accepted()).as("under the mark before it").isTrue();
    assertThat(channel.config().isAutoRead()).as("over the mark: reading stops").isFalse();

    WriteResult refused = connection.write(new byte[1]);

    assertThat(refused.accepted()).isFalse();
    assertThat(refused.reason()).isEqualTo("the connection's send backlog is over its high-water"
        + " mark of 10 bytes (the device is not reading)");
    assertThat(acceptor.metrics.get("tcp:test.dropped.writes")).isEqualTo(1);
    assertThat(connection.backlog()).as("the refused write is not queued").isEqualTo(12);
    assertThat(socket.messages).hasSize(2);

    socket.completeOne();
    assertThat(connection.backlog()).isEqualTo(6);
    assertThat(connection.write(new byte[1]).accepted()).as("under the mark again").isTrue();
    assertThat(channel.config().isAutoRead()).as("still over the low-water mark (5)").isFalse();
    socket.completeOne();
    socket.completeOne();
    assertThat(connection.backlog()).isZero();
    assertThat(channel.config().isAutoRead()).isTrue();
  }

  @Test
  void readingResumesOnlyWhenNeitherTheGatewayNorTheBacklogWantsItPaused() {
    connection.pauseReading();
    connection.write(new byte[HIGH + 1]);
    connection.resumeReading();
    assertThat(channel.config().isAutoRead()).as("the backlog still holds it").isFalse();
    socket.completeOne();
    assertThat(channel.config().isAutoRead()).isTrue();

    connection.write(new byte[HIGH + 1]);
    connection.pauseReading();
    socket.completeOne();
    assertThat(channel.config().isAutoRead()).as("the gateway still holds it").isFalse();
    connection.resumeReading();
    assertThat(channel.config().isAutoRead()).isTrue();
  }

  @Test
  void aWriteFailingForLackOfMemoryIsAnErrorAndClosesOnlyItsConnection() throws Exception {
    String log = StandardError.capture(() -> {
      connection.write(new byte[4]);
      socket.failOne(new OutOfMemoryError("Cannot reserve 4 bytes of direct buffer memory"));
    });

    assertThat(log).contains("ERROR").contains("tcp:test: a write of 4 bytes")
        .contains("OutOfMemoryError");
    assertThat(channel.isOpen()).isFalse();
    assertThat(connection.backlog()).isZero();
    assertThat(acceptor.closeReasons).containsExactly("tcp_closed");
  }

  @Test
  void aWriteFailingOnABrokenSocketIsNoError() throws Exception {
    String log = StandardError.capture(() -> {
      connection.write(new byte[4]);
      socket.failOne(new IOException("Connection reset by peer"));
    });

    assertThat(log).doesNotContain("ERROR");
    assertThat(channel.isOpen()).isFalse();
  }
}
