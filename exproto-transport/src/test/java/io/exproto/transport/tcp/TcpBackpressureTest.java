package io.exproto.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.exproto.gateway.Gateway;
import io.exproto.gateway.GatewayMetrics;
import io.exproto.transport.internal.NettyLeakCheck;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A handler that stops answering makes the gateway stop reading the device's socket (TCP flow
 * control then stops the device), and once the handler answers again every byte arrives, in order.
 */
@ExtendWith(NettyLeakCheck.class)
@Timeout(60)
class TcpBackpressureTest {

  private static final int TOTAL = 4 * 1024 * 1024;
  private static final int CHUNK = 16 * 1024;
  private static final int SMALL_BUFFER = 64 * 1024;

  private final AtomicReference<EchoHandler> handler = new AtomicReference<>();
  private final ExecutorService writerThread = Executors.newSingleThreadExecutor();
  private DeviceClient client;
  private Gateway gateway;

  @AfterEach
  void tearDown() throws Exception {
    if (handler.get() != null) {
      handler.get().release();
    }
    if (client != null) {
      client.close();
    }
    writerThread.shutdownNow();
    writerThread.awaitTermination(10, TimeUnit.SECONDS);
    if (gateway != null) {
      gateway.stop();
    }
  }

  @Test
  void aStalledHandlerPausesReadingAndLosesNoByte() throws Exception {
    TcpListener listener = TcpListener.builder().bind("127.0.0.1:0").recbuf(SMALL_BUFFER).build();
    gateway = Gateway.builder()
        .listener(listener)
        .queueCapacity(8)
        .idleTimeout(Duration.ZERO)
        .handlerTimeout(Duration.ofSeconds(60))
        .handler(adapter -> {
          EchoHandler recorder = new EchoHandler(adapter);
          recorder.recordOnly();
          recorder.stall();
          handler.set(recorder);
          return recorder;
        })
        .build();
    gateway.start();
    EchoHandler recorder = handler.get();

    byte[] data = new byte[TOTAL];
    new Random(7993).nextBytes(data);
    client = new DeviceClient(listener.localAddress(), SMALL_BUFFER);
    AtomicLong written = new AtomicLong();
    Future<?> writer = writerThread.submit(() -> {
      OutputStream out = client.socket().getOutputStream();
      for (int offset = 0; offset < TOTAL; offset += CHUNK) {
        out.write(data, offset, Math.min(CHUNK, TOTAL - offset));
        written.addAndGet(Math.min(CHUNK, TOTAL - offset));
      }
      out.flush();
      return null;
    });

    // The first OnReceivedBytes is stuck, the queue fills, and the gateway turns auto-read off.
    await().atMost(Duration.ofSeconds(10)).until(() -> deviceChannel(listener) != null
        && !deviceChannel(listener).config().isAutoRead());
    // With the socket unread, the kernel buffers fill and the device's writes stop progressing.
    AtomicLong lastSeen = new AtomicLong(-1);
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
        .until(() -> written.get() == lastSeen.getAndSet(written.get()));
    assertThat(written.get()).isLessThan(TOTAL);
    assertThat(writer.isDone()).isFalse();
    assertThat(recorder.bytesCallbacks()).as("only the stalled callback was called").isEqualTo(1);
    assertThat(gateway.metrics().get(GatewayMetrics.CONNECTIONS_CLOSED)).isZero();

    recorder.release();

    writer.get(30, TimeUnit.SECONDS);
    String conn = recorder.created().get(0).conn();
    await().atMost(Duration.ofSeconds(30)).until(() -> recorder.receivedCount(conn) == TOTAL);
    assertThat(recorder.received(conn)).as("every byte, in order").isEqualTo(data);
    await().until(() -> deviceChannel(listener).config().isAutoRead());
    assertThat(recorder.closeReason(conn)).isEmpty();
    assertThat(gateway.metrics().get(GatewayMetrics.HANDLER_ERRORS)).isZero();
  }

  private static Channel deviceChannel(TcpListener listener) {
    var channels = listener.openChannels();
    return channels.isEmpty() ? null : channels.get(0);
  }
}
