package io.exproto.transport.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.logging.RateLimitedLogger;
import io.exproto.transport.testkit.StandardError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NettyLeakCheck.class)
class SendTimeoutHandlerTest {

  private static final String COUNTER = "tcp:test.send_timeout";

  private final GatewayMetrics metrics = new GatewayMetrics();
  private final StuckSocket socket = new StuckSocket();
  private EmbeddedChannel channel;

  private void start(boolean close) {
    channel = EmbeddedChannel.builder()
        .handlers(socket, new SendTimeoutHandler("tcp:test", Duration.ofSeconds(15), close, metrics,
            SendTimeoutHandler.newTimeoutLog()))
        .build();
    channel.freezeTime();
  }

  @AfterEach
  void tearDown() {
    socket.releaseAll();
    if (channel != null) {
      channel.finishAndReleaseAll();
    }
  }

  private ChannelFuture write(String text) {
    ByteBuf buf = Unpooled.copiedBuffer(text, UTF_8);
    return channel.writeAndFlush(buf);
  }

  private void advanceSeconds(long seconds) {
    channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    channel.runPendingTasks();
  }

  @Test
  void writesThatMakeNoProgressCloseTheChannel() {
    start(true);
    write("one");
    write("two");

    advanceSeconds(14);
    assertThat(channel.isOpen()).isTrue();
    advanceSeconds(2);

    assertThat(channel.isOpen()).isFalse();
    assertThat(metrics.get(COUNTER)).isEqualTo(1);
    assertThat(channel.attr(ChannelAttributes.CLOSE_REASON).get())
        .as("the reason the gateway is told").isEqualTo("send_timeout");
  }

  @Test
  void aDeviceThatKeepsReadingIsNotCutOff() {
    start(true);
    for (int i = 0; i < 5; i++) {
      write("chunk " + i);
    }
    for (int i = 0; i < 5; i++) {
      advanceSeconds(10);
      socket.completeOne();
    }
    advanceSeconds(10);

    assertThat(channel.isOpen()).isTrue();
    assertThat(metrics.get(COUNTER)).isZero();
  }

  @Test
  void noPendingWritesNoTimeout() {
    start(true);
    write("done");
    socket.completeOne();

    advanceSeconds(60);

    assertThat(channel.isOpen()).isTrue();
    assertThat(metrics.get(COUNTER)).isZero();
  }

  @Test
  void withoutCloseTheTimeoutIsCountedAndTheConnectionKept() {
    start(false);
    write("stuck");

    advanceSeconds(16);
    assertThat(channel.isOpen()).isTrue();
    assertThat(metrics.get(COUNTER)).isEqualTo(1);

    advanceSeconds(16);
    assertThat(metrics.get(COUNTER)).as("counted again after another timeout").isEqualTo(2);
  }

  @Test
  void timeoutsOfTheListenersChannelsAreLoggedOncePerPeriodAndAllCounted() throws Exception {
    RateLimitedLogger listenerLog = SendTimeoutHandler.newTimeoutLog();
    StuckSocket[] sockets = {new StuckSocket(), new StuckSocket(), new StuckSocket()};
    EmbeddedChannel[] channels = new EmbeddedChannel[sockets.length];
    String text;
    try {
      text = StandardError.capture(() -> {
        for (int i = 0; i < sockets.length; i++) {
          channels[i] = EmbeddedChannel.builder().handlers(sockets[i], new SendTimeoutHandler(
              "tcp:test", Duration.ofSeconds(15), true, metrics, listenerLog)).build();
          channels[i].freezeTime();
          channels[i].writeAndFlush(Unpooled.copiedBuffer("stuck", UTF_8));
          channels[i].advanceTimeBy(16, TimeUnit.SECONDS);
          channels[i].runScheduledPendingTasks();
          assertThat(channels[i].isOpen()).as("channel %d timed out", i).isFalse();
        }
      });
    } finally {
      for (int i = 0; i < sockets.length; i++) {
        sockets[i].releaseAll();
        if (channels[i] != null) {
          channels[i].finishAndReleaseAll();
        }
      }
    }

    assertThat(metrics.get(COUNTER)).isEqualTo(3);
    assertThat(StandardError.linesContaining(text, "(send_timeout)")).as(text).isEqualTo(1);
  }
}
