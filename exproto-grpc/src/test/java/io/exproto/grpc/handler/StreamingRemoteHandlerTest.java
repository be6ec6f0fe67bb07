package io.exproto.grpc.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.exproto.adapter.TimerType;
import io.exproto.broker.Message;
import io.exproto.grpc.ServiceName;
import io.exproto.grpc.proto.ConnInfo;
import io.exproto.grpc.sdk.HandlerServer;
import io.exproto.grpc.sdk.HandlerService;
import io.exproto.grpc.testkit.Ports;
import io.exproto.grpc.testkit.Resources;
import io.exproto.handler.HandlerUnavailableException;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.ReceivedMessages;
import io.exproto.handler.SocketClosed;
import io.exproto.handler.SocketCreated;
import io.exproto.handler.TimerTimeout;
import io.exproto.listener.Address;
import io.exproto.listener.ConnectionInfo;
import io.exproto.listener.SocketType;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The legacy streaming client against the SDK's legacy handler server on loopback. */
class StreamingRemoteHandlerTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private final RecordingService service = new RecordingService();

  @RegisterExtension
  final Resources resources = new Resources();

  @AfterEach
  void tearDown() {
    service.release.countDown();
  }

  private HandlerServer serve(HandlerService handlerService, String bind, ServiceName name) throws Exception {
    HandlerServer server = resources.track(HandlerServer.builder(handlerService).bind(bind).serviceName(name).build());
    server.start();
    return server;
  }

  private static <T> T get(CompletableFuture<T> future) throws Exception {
    return future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private static ReceivedBytes bytes(String conn, String text) {
    return new ReceivedBytes(conn, text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void everyEventTravelsOnItsStream() throws Exception {
    HandlerServer server = serve(service, "127.0.0.1:0", ServiceName.STREAMING);
    StreamingRemoteHandler handler = resources.track(new StreamingRemoteHandler(server.address()));
    assertThat(handler.address()).isEqualTo(server.address());
    ConnectionInfo info = ConnectionInfo.of(SocketType.TCP, new Address("10.0.0.7", 4000),
        new Address("0.0.0.0", 7993), "tcp:default");

    get(handler.onSocketCreated(new SocketCreated("c1", info)));
    get(handler.onReceivedBytes(bytes("c1", "ab")));
    get(handler.onTimerTimeout(new TimerTimeout("c1", TimerType.KEEPALIVE)));
    get(handler.onReceivedMessages(new ReceivedMessages("c1", "node@host",
        List.of(new Message("0123456789abcdef0123456789abcdef", "pub", "t/1", 1, new byte[] {7}, 5L)))));
    get(handler.onSocketClosed(new SocketClosed("c1", "keepalive_timeout")));

    await().atMost(WAIT).until(() -> service.events.size() == 5);
    assertThat(service.events).containsExactlyInAnyOrder("created c1 10.0.0.7", "bytes c1 ab",
        "timer c1 KEEPALIVE", "messages c1 t/1@node@host", "closed c1 keepalive_timeout");
  }

  @Test
  void theEventsOfOneStreamArriveInOrder() throws Exception {
    HandlerServer server = serve(service, "127.0.0.1:0", ServiceName.STREAMING);
    StreamingRemoteHandler handler = resources.track(new StreamingRemoteHandler(server.address()));
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String conn = "c" + (i % 4);
      get(handler.onReceivedBytes(bytes(conn, Integer.toString(i))));
      expected.add("bytes " + conn + " " + i);
    }
    await().atMost(WAIT).until(() -> service.events.size() == expected.size());
    assertThat(service.events).containsExactlyElementsOf(expected);
  }

  @Test
  void aSlowHandlerHoldsEventsBackInsteadOfBufferingThem() throws Exception {
    service.blockBytes = true;
    HandlerServer server = serve(service, "127.0.0.1:0", ServiceName.STREAMING);
    StreamingRemoteHandler handler = resources.track(new StreamingRemoteHandler(server.address()));
    String chunk = "x".repeat(256 * 1024);
    int count = 100;
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      futures.add(handler.onReceivedBytes(bytes("c" + i, chunk)));
    }
    // 25 MiB for a handler stuck in its first event: flow control stops the stream long before.
    await().atMost(WAIT).until(() -> service.entered.getCount() == 0);
    // ... and keeps it stopped: more than half the events stay unanswered for a whole second.
    await().during(Duration.ofSeconds(1)).atMost(WAIT)
        .until(() -> futures.stream().filter(f -> !f.isDone()).count() > count / 2);
    assertThat(futures.stream().filter(CompletableFuture::isCompletedExceptionally)).isEmpty();

    // The gateway gives up on a waiting event and sends it again: the first copy is dropped.
    int last = count - 1;
    CompletableFuture<Void> abandoned = futures.get(last);
    assertThat(abandoned).isNotDone();
    CompletableFuture<Void> again = handler.onReceivedBytes(bytes("c" + last, "again"));
    assertThatThrownBy(() -> get(abandoned)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(HandlerUnavailableException.class).hasMessageContaining("abandoned");

    service.release.countDown();
    for (int i = 0; i < last; i++) {
      get(futures.get(i));
    }
    get(again);
    await().atMost(WAIT).until(() -> service.events.size() == count);
    assertThat(service.events.stream().filter(e -> e.startsWith("bytes c" + last + " ")))
        .containsExactly("bytes c" + last + " again");
  }

  @Test
  void everyEventToAnUnreachableHandlerFailsAsNotWrittenWhenItsWaitIsOver() throws Exception {
    int port = Ports.freeLoopbackPort();
    StreamingRemoteHandler handler = resources.track(
        new StreamingRemoteHandler("http://127.0.0.1:" + port, Duration.ofMillis(300)));

    // Each waits for the stream (the channel keeps failing to connect), none stays queued, and
    // each fails as never sent, so the retry policy may send it again.
    for (int i = 0; i < 3; i++) {
      CompletableFuture<Void> event = handler.onReceivedBytes(bytes("c1", "event " + i));
      assertThatThrownBy(() -> event.get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(HandlerUnavailableException.class)
          .hasMessageContaining("not written");
    }
  }

  @Test
  void anEventMadeWhileTheHandlerIsDownIsWrittenWhenItComesUp() throws Exception {
    String bind = "127.0.0.1:" + Ports.freeLoopbackPort();
    StreamingRemoteHandler handler = resources.track(
        new StreamingRemoteHandler("http://" + bind, Duration.ofSeconds(20)));

    // Nothing listens yet: the stream waits for the channel to connect instead of failing.
    CompletableFuture<Void> waiting = handler.onReceivedBytes(bytes("c1", "early"));
    await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> !waiting.isDone());
    serve(service, bind, ServiceName.STREAMING);
    get(waiting);
    await().atMost(WAIT).until(() -> service.events.contains("bytes c1 early"));
    handler.close(); // before the server, which would otherwise wait for the streams to end
  }

  @Test
  void aBrokenStreamFailsAsUnavailableAndIsReopenedWhenTheHandlerIsBack() throws Exception {
    String bind = "127.0.0.1:" + Ports.freeLoopbackPort();
    HandlerServer first = serve(service, bind, ServiceName.STREAMING);
    StreamingRemoteHandler handler = resources.track(
        new StreamingRemoteHandler(first.address(), Duration.ofMillis(500)));
    get(handler.onReceivedBytes(bytes("c1", "before")));

    first.close();
    await().atMost(WAIT).untilAsserted(() ->
        assertThatThrownBy(() -> get(handler.onReceivedBytes(bytes("c1", "while down"))))
            .isInstanceOf(ExecutionException.class)
            .cause().isInstanceOf(HandlerUnavailableException.class));

    RecordingService restarted = new RecordingService();
    serve(restarted, bind, ServiceName.STREAMING);
    await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
      CompletableFuture<Void> attempt = handler.onReceivedBytes(bytes("c1", "after"));
      try {
        get(attempt);
        return true;
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(HandlerUnavailableException.class);
        return false;
      }
    });
    await().atMost(WAIT).until(() -> restarted.events.contains("bytes c1 after"));
    assertThat(service.events).contains("bytes c1 before").doesNotContain("bytes c1 after");
  }

  @Test
  void aHandlerWithoutTheLegacyServiceFailsTheEventAsUnimplemented() throws Exception {
    HandlerServer server = serve(service, "127.0.0.1:0", ServiceName.UNARY);
    StreamingRemoteHandler handler = resources.track(new StreamingRemoteHandler(server.address()));
    // The refusal arrives after the first message was written: that one is lost (legacy protocol).
    await().atMost(WAIT).untilAsserted(() ->
        assertThatThrownBy(() -> get(handler.onReceivedBytes(bytes("c1", "hi"))))
            .isInstanceOf(ExecutionException.class)
            .cause().isInstanceOf(StatusRuntimeException.class) // not retried: the address is misconfigured
            .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
                .isEqualTo(Status.Code.UNIMPLEMENTED)));
    // While the stream waits to be reopened, events fail at once with the same status.
    assertThatThrownBy(() -> get(handler.onReceivedBytes(bytes("c2", "hi"))))
        .cause().isInstanceOf(StatusRuntimeException.class).hasMessageContaining("UNIMPLEMENTED");
  }

  @Test
  void closeEndsTheStreamsAndLaterEventsFail() throws Exception {
    HandlerServer server = serve(service, "127.0.0.1:0", ServiceName.STREAMING);
    StreamingRemoteHandler handler = new StreamingRemoteHandler(server.address());
    get(handler.onReceivedBytes(bytes("c1", "hi")));
    handler.close();
    handler.close(); // idempotent
    assertThatThrownBy(() -> get(handler.onSocketClosed(new SocketClosed("c1", "normal"))))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  @Test
  void badAddressesNameTheField() {
    assertThatThrownBy(() -> new StreamingRemoteHandler("127.0.0.1:9001"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("handler.address:");
  }

  /** Records what arrives; can be told to hold the first OnReceivedBytes until released. */
  static final class RecordingService extends HandlerService {
    final List<String> events = new CopyOnWriteArrayList<>();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile boolean blockBytes;

    @Override
    protected void onSocketCreated(String conn, ConnInfo info) {
      events.add("created " + conn + " " + info.getPeername().getHost());
    }

    @Override
    protected void onReceivedBytes(String conn, byte[] bytes) throws InterruptedException {
      if (blockBytes) {
        entered.countDown();
        release.await();
      }
      String text = new String(bytes, StandardCharsets.UTF_8);
      events.add("bytes " + conn + " " + (text.length() > 16 ? "(" + text.length() + " bytes)" : text));
    }

    @Override
    protected void onTimerTimeout(String conn, io.exproto.grpc.proto.TimerType type) {
      events.add("timer " + conn + " " + type);
    }

    @Override
    protected void onReceivedMessages(String conn, List<io.exproto.grpc.proto.Message> messages) {
      for (io.exproto.grpc.proto.Message message : messages) {
        events.add("messages " + conn + " " + message.getTopic() + "@" + message.getNode());
      }
    }

    @Override
    protected void onSocketClosed(String conn, String reason) {
      events.add("closed " + conn + " " + reason);
    }
  }
}
