package io.exproto.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.exproto.gateway.Gateway;
import io.exproto.gateway.GatewayMetrics;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.SocketClosed;
import io.exproto.transport.internal.NettyLeakCheck;
import io.exproto.transport.testkit.DeviceClient;
import io.exproto.transport.testkit.IdleHandler;
import io.netty.channel.Channel;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A handler that stops answering makes the gateway stop reading the device's socket (TCP flow
 * control then stops the device, and the gateway's queue stays bounded), and once the handler
 * answers again every byte of a 50 MB stream arrives, in order: both ends keep a running CRC-32
 * and a count instead of the bytes.
 */
@ExtendWith(NettyLeakCheck.class)
@Timeout(60)
class TcpBackpressureTest {

  private static final long TOTAL = 50L * 1024 * 1024;
  private static final int CHUNK = 64 * 1024;
  private static final int SMALL_BUFFER = 64 * 1024;
  private static final int QUEUE_CAPACITY = 8;

  private final AtomicReference<ChecksumHandler> handler = new AtomicReference<>();
  private final ExecutorService writerThread = Executors.newSingleThreadExecutor();
  private DeviceClient client;
  private Gateway gateway;

  /** Keeps a running checksum of each connection's bytes; can hold its callbacks back. */
  private static final class ChecksumHandler extends IdleHandler {
    private final CRC32 crc = new CRC32();
    private long received;
    private int callbacks;
    private volatile CompletableFuture<Void> gate = new CompletableFuture<>();
    volatile String closeReason;

    @Override
    public CompletionStage<Void> onReceivedBytes(ReceivedBytes event) {
      synchronized (this) {
        crc.update(event.bytes());
        received += event.bytes().length;
        callbacks++;
      }
      return gate;
    }

    @Override
    public CompletionStage<Void> onSocketClosed(SocketClosed event) {
      closeReason = event.reason();
      return CompletableFuture.completedFuture(null);
    }

    void release() {
      CompletableFuture<Void> stalled = gate;
      gate = CompletableFuture.completedFuture(null);
      stalled.complete(null);
    }

    synchronized long received() {
      return received;
    }

    synchronized long checksum() {
      return crc.getValue();
    }

    synchronized int callbacks() {
      return callbacks;
    }
  }

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
        .queueCapacity(QUEUE_CAPACITY)
        .idleTimeout(Duration.ZERO)
        .handlerTimeout(Duration.ofSeconds(60))
        .handler(adapter -> {
          ChecksumHandler checksums = new ChecksumHandler();
          handler.set(checksums);
          return checksums;
        })
        .build();
    gateway.start();
    ChecksumHandler recorder = handler.get();

    client = new DeviceClient(listener.localAddress(), SMALL_BUFFER);
    AtomicLong written = new AtomicLong();
    CRC32 sent = new CRC32();
    Future<?> writer = writerThread.submit(() -> {
      Random random = new Random(7993);
      byte[] chunk = new byte[CHUNK];
      OutputStream out = client.socket().getOutputStream();
      for (long offset = 0; offset < TOTAL; offset += CHUNK) {
        random.nextBytes(chunk);
        sent.update(chunk);
        out.write(chunk);
        written.addAndGet(CHUNK);
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
    assertThat(writer.isDone()).isFalse();
    assertThat(recorder.callbacks()).as("only the stalled callback was called").isEqualTo(1);
    // What the device got rid of sits in the kernel's buffers and the gateway's bounded queue
    // (QUEUE_CAPACITY reads of at most 64 KiB): a small part of the stream, not all of it.
    assertThat(written.get()).isLessThan(8L * 1024 * 1024);
    assertThat(gateway.metrics().get(GatewayMetrics.CONNECTIONS_CLOSED)).isZero();

    recorder.release();

    writer.get(40, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(40)).until(() -> recorder.received() == TOTAL);
    assertThat(recorder.checksum()).as("every byte, in order").isEqualTo(sent.getValue());
    await().until(() -> deviceChannel(listener).config().isAutoRead());
    assertThat(recorder.closeReason).isNull();
    assertThat(gateway.metrics().get(GatewayMetrics.HANDLER_ERRORS)).isZero();
  }

  private static Channel deviceChannel(TcpListener listener) {
    var channels = listener.openChannels();
    return channels.isEmpty() ? null : channels.get(0);
  }
}
