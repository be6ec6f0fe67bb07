package io.exproto.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.exproto.adapter.Adapter;
import io.exproto.adapter.Result;
import io.exproto.adapter.ResultCode;
import io.exproto.gateway.Gateway;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.SocketClosed;
import io.exproto.handler.SocketCreated;
import io.exproto.transport.internal.NettyLeakCheck;
import io.exproto.transport.testkit.DeviceClient;
import io.exproto.transport.testkit.IdleHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A device that sends but never reads, behind an echo protocol: its output backlog stays bounded
 * by the listener's high-water mark, the gateway stops reading it, a Send over the mark is refused
 * and counted, a healthy device beside it is served throughout, and the backlog is released when
 * the slow device goes away.
 */
@ExtendWith(NettyLeakCheck.class)
@Timeout(60)
class TcpOutputBoundTest {

  /** EMQX's default tcp_options.high_watermark, which the listener uses unless told. */
  private static final int HIGH_WATERMARK = 1024 * 1024;
  /** The largest single echo write: one read of the gateway is at most 64 KiB. */
  private static final int LARGEST_WRITE = 64 * 1024;
  /** Netty's per-write bookkeeping counted in the outbound buffer's pending size. */
  private static final int BOOKKEEPING = 16 * 1024;
  private static final int SMALL_BUFFER = 16 * 1024;

  private final ExecutorService writerThread = Executors.newSingleThreadExecutor();
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();
  private Gateway gateway;

  /** Echoes every chunk with Send and records the results that were not SUCCESS. */
  private static final class Echo extends IdleHandler {
    final Adapter adapter;
    final List<String> conns = new CopyOnWriteArrayList<>();
    final Map<String, String> closed = new ConcurrentHashMap<>();
    final List<Result> refusals = new CopyOnWriteArrayList<>();
    final AtomicInteger echoed = new AtomicInteger();

    Echo(Adapter adapter) {
      this.adapter = adapter;
    }

    @Override
    public CompletionStage<Void> onSocketCreated(SocketCreated event) {
      conns.add(event.conn());
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> onReceivedBytes(ReceivedBytes event) {
      return adapter.send(event.conn(), event.bytes()).thenAccept(result -> {
        if (result.isSuccess()) {
          echoed.incrementAndGet();
        } else {
          refusals.add(result);
        }
      });
    }

    @Override
    public CompletionStage<Void> onSocketClosed(SocketClosed event) {
      closed.put(event.conn(), event.reason());
      return CompletableFuture.completedFuture(null);
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    writerThread.shutdownNow();
    writerThread.awaitTermination(10, TimeUnit.SECONDS);
    if (gateway != null) {
      gateway.stop();
    }
  }

  @Test
  void aDeviceThatNeverReadsIsBoundedAndDoesNotHurtItsNeighbour() throws Exception {
    TcpListener listener = TcpListener.builder().name("tcp:test").bind("127.0.0.1:0")
        .sndbuf(SMALL_BUFFER).sendTimeout(Duration.ZERO).build();
    CompletableFuture<Echo> handler = new CompletableFuture<>();
    gateway = Gateway.builder().listener(listener).idleTimeout(Duration.ZERO)
        .handler(adapter -> {
          Echo echo = new Echo(adapter);
          handler.complete(echo);
          return echo;
        })
        .build();
    gateway.start();
    Echo echo = handler.get();

    DeviceClient healthy = new DeviceClient(listener.localAddress());
    closeables.add(healthy);
    assertServed(healthy, "before");
    Socket slow = DeviceClient.connect(listener.localAddress(), 0, SMALL_BUFFER);
    closeables.add(slow);
    Channel slowChannel =
        await().until(() -> channelOf(listener, slow), channel -> channel != null);
    String slowConn = await().until(() -> echo.conns.size() == 2 ? echo.conns.get(1) : null,
        conn -> conn != null);

    writerThread.submit(() -> {
      byte[] chunk = new byte[SMALL_BUFFER];
      OutputStream out = slow.getOutputStream();
      while (true) {
        out.write(chunk); // blocks once the gateway stops reading; ends when the socket closes
      }
    });

    // The echo fills the backlog; past the high-water mark the gateway stops reading the device.
    await().atMost(Duration.ofSeconds(20))
        .until(() -> pending(slowChannel) > HIGH_WATERMARK / 2);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
        slowChannel.config().isAutoRead()).as("reading of the slow device is paused").isFalse());
    assertThat(pending(slowChannel)).as("the backlog stays under the mark plus one write")
        .isLessThanOrEqualTo(HIGH_WATERMARK + LARGEST_WRITE + BOOKKEEPING);
    assertServed(healthy, "while the slow device is paused");

    Result refused = echo.adapter.send(slowConn, new byte[256 * 1024]).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    assertThat(refused.code()).as(refused.toString()).isEqualTo(ResultCode.UNKNOWN);
    assertThat(refused.message()).contains("bytes: not sent")
        .contains("high-water mark of " + HIGH_WATERMARK + " bytes");
    assertThat(gateway.metrics().get("tcp:test.dropped.writes")).isPositive();
    assertThat(pending(slowChannel)).as("a refused Send is not queued")
        .isLessThanOrEqualTo(HIGH_WATERMARK + LARGEST_WRITE + BOOKKEEPING);
    assertServed(healthy, "after the refusal");

    // The device goes away (a reset): its backlog is released.
    ChannelOutboundBuffer backlog = slowChannel.unsafe().outboundBuffer();
    slow.setSoLinger(true, 0);
    slow.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> echo.closed.containsKey(slowConn));
    assertThat(echo.closed.get(slowConn)).isEqualTo("tcp_closed");
    await().until(() -> !slowChannel.isOpen());
    assertThat(totalPendingSize(backlog)).as("pending bytes after the close").isZero();
    assertThat(slowChannel.unsafe().outboundBuffer()).isNull();
    assertServed(healthy, "after the slow device left");
  }

  private static void assertServed(DeviceClient client, String when) throws IOException {
    for (int i = 0; i < 5; i++) {
      String line = "ping " + i + " " + when + "\n";
      client.send(line);
      assertThat(client.read(line)).as("the healthy device is echoed " + when).isEqualTo(line);
    }
  }

  /** The bytes queued in the channel and not yet written to the socket. */
  private static long pending(Channel channel) throws ReflectiveOperationException {
    ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
    return buffer == null ? 0 : totalPendingSize(buffer);
  }

  /** Netty keeps the count private; bytesBeforeUnwritable() alone cannot show it. */
  private static long totalPendingSize(ChannelOutboundBuffer buffer)
      throws ReflectiveOperationException {
    Field field = ChannelOutboundBuffer.class.getDeclaredField("totalPendingSize");
    field.setAccessible(true);
    return field.getLong(buffer);
  }

  private static Channel channelOf(TcpListener listener, Socket device) {
    for (Channel channel : listener.openChannels()) {
      InetSocketAddress remote = (InetSocketAddress) channel.remoteAddress();
      if (remote != null && remote.getPort() == device.getLocalPort()) {
        return channel;
      }
    }
    return null;
  }
}
