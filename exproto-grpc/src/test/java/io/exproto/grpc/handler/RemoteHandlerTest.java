package io.exproto.grpc.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.exproto.adapter.TimerType;
import io.exproto.broker.Message;
import io.exproto.grpc.proto.ConnInfo;
import io.exproto.grpc.sdk.HandlerServer;
import io.exproto.grpc.sdk.HandlerService;
import io.exproto.grpc.testkit.Ports;
import io.exproto.grpc.testkit.Resources;
import io.exproto.grpc.testkit.TcpRelay;
import io.exproto.handler.HandlerUnavailableException;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.ReceivedMessages;
import io.exproto.handler.SocketClosed;
import io.exproto.handler.SocketCreated;
import io.exproto.handler.TimerTimeout;
import io.exproto.listener.Address;
import io.exproto.listener.CertificateInfo;
import io.exproto.listener.ConnectionInfo;
import io.exproto.listener.SocketType;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The remote handler client against a real handler server on loopback, and its address parsing. */
class RemoteHandlerTest {

  private final RecordingService service = new RecordingService();

  @RegisterExtension
  final Resources resources = new Resources();

  private HandlerServer server;

  @BeforeEach
  void setUp() throws Exception {
    server = resources.track(new HandlerServer(service, "127.0.0.1:0"));
    server.start();
  }

  private RemoteHandler handler() {
    return resources.track(new RemoteHandler("http://127.0.0.1:" + server.port(), Duration.ofSeconds(10)));
  }

  private static <T> T get(CompletableFuture<T> future) throws Exception {
    return future.get(10, TimeUnit.SECONDS);
  }

  @Test
  void anAnswerCompletesTheCallbackOnTheChannelsNetworkThread() throws Exception {
    service.block = new java.util.concurrent.CountDownLatch(1);
    CompletableFuture<Void> answered = handler().onReceivedBytes(new ReceivedBytes("c0", new byte[] {1}));
    CompletableFuture<String> thread = answered.thenApply(ignored -> Thread.currentThread().getName());
    service.block.countDown();

    // Not handed to grpc-java's default executor: the gateway continues on the thread that read it.
    assertThat(get(thread)).startsWith("grpc-nio-worker");
  }

  @Test
  void socketCreatedCarriesTheConnInfoWithoutACertificate() throws Exception {
    ConnectionInfo info = ConnectionInfo.of(SocketType.UDP, new Address("10.0.0.7", 5683),
        new Address("0.0.0.0", 7993), "udp:default");
    get(handler().onSocketCreated(new SocketCreated("c1", info)));

    assertThat(service.events).containsExactly("created c1");
    ConnInfo sent = service.connInfo;
    assertThat(sent.getSocktype()).isEqualTo(io.exproto.grpc.proto.SocketType.UDP);
    assertThat(sent.getPeername().getHost()).isEqualTo("10.0.0.7");
    assertThat(sent.getPeername().getPort()).isEqualTo(5683);
    assertThat(sent.getSockname().getHost()).isEqualTo("0.0.0.0");
    assertThat(sent.getSockname().getPort()).isEqualTo(7993);
    assertThat(sent.hasPeercert()).isFalse();
  }

  @Test
  void socketCreatedCarriesThePeerCertificateWhenPresent() throws Exception {
    ConnectionInfo info = new ConnectionInfo(SocketType.DTLS, new Address("::1", 40000), new Address("::1", 7995),
        Optional.of(new CertificateInfo("device-1", "CN=device-1,O=Acme")), "dtls:default");
    get(handler().onSocketCreated(new SocketCreated("c2", info)));

    ConnInfo sent = service.connInfo;
    assertThat(sent.getSocktype()).isEqualTo(io.exproto.grpc.proto.SocketType.DTLS);
    assertThat(sent.hasPeercert()).isTrue();
    assertThat(sent.getPeercert().getCn()).isEqualTo("device-1");
    assertThat(sent.getPeercert().getDn()).isEqualTo("CN=device-1,O=Acme");
  }

  @Test
  void bytesTimerAndCloseArriveAsSent() throws Exception {
    RemoteHandler handler = handler();
    get(handler.onReceivedBytes(new ReceivedBytes("c3", new byte[] {0, 1, (byte) 0xff})));
    get(handler.onTimerTimeout(new TimerTimeout("c3", TimerType.KEEPALIVE)));
    get(handler.onSocketClosed(new SocketClosed("c3", "keepalive_timeout")));

    assertThat(service.events).containsExactly("bytes c3 [0, 1, -1]", "timer c3 KEEPALIVE",
        "closed c3 keepalive_timeout");
  }

  @Test
  void receivedMessagesCarryEveryField() throws Exception {
    Message first = new Message("0123456789abcdef0123456789abcdef", "pub-1", "room/1", 1,
        "hello".getBytes(StandardCharsets.UTF_8), 1_767_225_600_123L);
    Message second = new Message("fedcba9876543210fedcba9876543210", "exproto", "room/2", 0, new byte[0], 42L);
    get(handler().onReceivedMessages(new ReceivedMessages("c4", "exproto@10.0.0.1", List.of(first, second))));

    assertThat(service.events).containsExactly("messages c4 2");
    io.exproto.grpc.proto.Message sent = service.messages.get(0);
    assertThat(sent.getNode()).isEqualTo("exproto@10.0.0.1");
    assertThat(sent.getId()).isEqualTo("0123456789abcdef0123456789abcdef");
    assertThat(sent.getQos()).isEqualTo(1);
    assertThat(sent.getFrom()).isEqualTo("pub-1");
    assertThat(sent.getTopic()).isEqualTo("room/1");
    assertThat(sent.getPayload().toStringUtf8()).isEqualTo("hello");
    assertThat(sent.getTimestamp()).isEqualTo(1_767_225_600_123L);
    assertThat(service.messages.get(1).getFrom()).isEqualTo("exproto");
    assertThat(service.messages.get(1).getNode()).isEqualTo("exproto@10.0.0.1");
  }

  @Test
  void aFailingHandlerMethodFailsTheFutureWithInternal() throws Exception {
    service.failWith = new IllegalStateException("protocol violation");
    CompletableFuture<Void> answer = handler().onReceivedBytes(new ReceivedBytes("c5", new byte[] {1}));
    assertThatThrownBy(() -> get(answer)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(StatusRuntimeException.class) // not a HandlerUnavailableException: not retried
        .satisfies(e -> {
          Status status = ((StatusRuntimeException) e).getStatus();
          assertThat(status.getCode()).isEqualTo(Status.Code.INTERNAL);
          assertThat(status.getDescription()).contains("protocol violation");
        });
  }

  @Test
  void aCallToAHandlerThatStaysDownFailsAsNotSentWhenItsWaitIsOver() throws Exception {
    int port = server.port();
    server.close();
    RemoteHandler handler = resources.track(new RemoteHandler("http://127.0.0.1:" + port, Duration.ofMillis(500)));
    CompletableFuture<Void> answer = handler.onSocketClosed(new SocketClosed("c6", "tcp_closed"));
    // Never sent, so safe to send again: the retry policy retries exactly these.
    assertThatThrownBy(() -> get(answer)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(HandlerUnavailableException.class)
        .hasMessageContaining("OnSocketClosed")
        .hasMessageContaining("not sent")
        .cause().isInstanceOf(StatusRuntimeException.class)
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
            .isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void aCallMadeWhileTheHandlerIsDownIsSentWhenItComesBack() throws Exception {
    int port = Ports.freeLoopbackPort();
    String bind = "127.0.0.1:" + port;
    HandlerServer first = resources.track(new HandlerServer(service, bind));
    first.start();
    RemoteHandler handler = resources.track(new RemoteHandler("http://" + bind, Duration.ofSeconds(20)));
    get(handler.onSocketCreated(new SocketCreated("c12", ConnectionInfo.of(SocketType.TCP,
        new Address("10.0.0.1", 1), new Address("0.0.0.0", 2), "tcp:default")))); // connected
    first.close();

    // Made while nothing listens: it waits for the channel to reconnect instead of failing.
    CompletableFuture<Void> waiting = handler.onReceivedBytes(new ReceivedBytes("c12", new byte[] {4}));
    org.awaitility.Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10))
        .until(() -> !waiting.isDone());
    RecordingService restarted = new RecordingService();
    resources.track(new HandlerServer(restarted, bind)).start();
    get(waiting);
    assertThat(restarted.events).containsExactly("bytes c12 [4]");
  }

  @Test
  void aLiveHandlerPastTheCallTimeoutFailsTheFutureAsAHandlerError() throws Exception {
    service.block = new java.util.concurrent.CountDownLatch(1);
    try {
      RemoteHandler handler =
          resources.track(new RemoteHandler("http://127.0.0.1:" + server.port(), Duration.ofMillis(200)));
      CompletableFuture<Void> answer = handler.onReceivedBytes(new ReceivedBytes("c10", new byte[] {1}));
      // The handler has it and may act on it after the deadline: sending it again is not safe.
      assertThatThrownBy(() -> get(answer)).isInstanceOf(ExecutionException.class)
          .cause().isNotInstanceOf(HandlerUnavailableException.class)
          .isInstanceOf(StatusRuntimeException.class)
          .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
              .isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    } finally {
      service.block.countDown();
    }
  }

  @Test
  void aHandlerKilledWhileTheCallIsInFlightFailsItAsAHandlerError() throws Exception {
    service.block = new java.util.concurrent.CountDownLatch(1);
    try {
      TcpRelay relay = resources.track(new TcpRelay(0, new java.net.InetSocketAddress("127.0.0.1", server.port())))
          .start();
      RemoteHandler handler = resources.track(new RemoteHandler("http://127.0.0.1:" + relay.port(),
          Duration.ofSeconds(20)));
      CompletableFuture<Void> answer = handler.onReceivedBytes(new ReceivedBytes("c13", new byte[] {1}));
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> service.blocked.get() == 1);
      relay.kill();
      // It reached the handler, which may have acted on it: not safe to send again.
      assertThatThrownBy(() -> get(answer)).isInstanceOf(ExecutionException.class)
          .cause().isNotInstanceOf(HandlerUnavailableException.class)
          .isInstanceOf(StatusRuntimeException.class)
          .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
              .isEqualTo(Status.Code.UNAVAILABLE));
    } finally {
      service.block.countDown();
    }
  }

  @Test
  void theDeadlineCancelsTheCallAtTheHandlerServiceAndSendsNoTimeoutHeader() throws Exception {
    java.util.concurrent.atomic.AtomicReference<io.grpc.Context> context = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicReference<String> timeoutHeader = new java.util.concurrent.atomic.AtomicReference<>("unset");
    HandlerService never = new HandlerService() {
      @Override
      public boolean isNonBlocking() {
        return true;
      }

      @Override
      protected java.util.concurrent.CompletionStage<?> onReceivedBytesAsync(String conn,
          com.google.protobuf.ByteString bytes) {
        context.set(io.grpc.Context.current());
        return new CompletableFuture<Void>(); // never answers
      }
    };
    io.grpc.Metadata.Key<String> grpcTimeout = io.grpc.Metadata.Key.of("grpc-timeout", io.grpc.Metadata.ASCII_STRING_MARSHALLER);
    io.grpc.Server hung = resources.track(new ServerCloser(io.grpc.netty.NettyServerBuilder
        .forAddress(new java.net.InetSocketAddress("127.0.0.1", 0), io.grpc.InsecureServerCredentials.create())
        .addService(io.grpc.ServerInterceptors.intercept(never, new io.grpc.ServerInterceptor() {
          @Override
          public <ReqT, RespT> io.grpc.ServerCall.Listener<ReqT> interceptCall(io.grpc.ServerCall<ReqT, RespT> call,
              io.grpc.Metadata headers, io.grpc.ServerCallHandler<ReqT, RespT> next) {
            String value = headers.get(grpcTimeout);
            timeoutHeader.set(value == null ? "absent" : value);
            return next.startCall(call, headers);
          }
        }))
        .build().start())).server();
    RemoteHandler handler = resources.track(new RemoteHandler("http://127.0.0.1:" + hung.getPort(), Duration.ofMillis(200)));
    CompletableFuture<Void> answer = handler.onReceivedBytes(new ReceivedBytes("c11", new byte[] {1}));
    assertThatThrownBy(() -> get(answer)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(StatusRuntimeException.class)
        .hasMessageContaining("OnReceivedBytes")
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
            .isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> context.get() != null && context.get().isCancelled());
    assertThat(timeoutHeader.get()).isEqualTo("absent");
  }

  @Test
  void theHandlerDeclaresItselfNonBlocking() {
    assertThat(handler().isNonBlocking()).isTrue();
  }

  /** Shuts a plain gRPC server down when the test ends. */
  private record ServerCloser(io.grpc.Server server) implements AutoCloseable {
    @Override
    public void close() throws InterruptedException {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void callsAfterCloseFail() throws Exception {
    RemoteHandler handler = handler();
    handler.close();
    handler.close(); // idempotent
    CompletableFuture<Void> answer = handler.onSocketClosed(new SocketClosed("c7", "normal"));
    assertThatThrownBy(() -> get(answer)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  @Test
  void aHostnameWorks() throws Exception {
    RemoteHandler handler = resources.track(new RemoteHandler("http://localhost:" + server.port()));
    assertThat(handler.address()).isEqualTo("http://localhost:" + server.port());
    assertThat(handler.callTimeout()).isEqualTo(Duration.ofSeconds(30));
    get(handler.onSocketClosed(new SocketClosed("c8", "normal")));
    assertThat(service.events).containsExactly("closed c8 normal");
  }

  @Test
  void aTrailingSlashAndUpperCaseSchemeAreAccepted() throws Exception {
    RemoteHandler handler = resources.track(new RemoteHandler("HTTP://127.0.0.1:" + server.port() + "/"));
    get(handler.onSocketClosed(new SocketClosed("c9", "normal")));
    assertThat(service.events).containsExactly("closed c9 normal");
  }

  @Test
  void aMissingSchemeIsAClearError() {
    assertThatThrownBy(() -> new RemoteHandler("127.0.0.1:9001"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("handler.address:")
        .hasMessageContaining("no scheme")
        .hasMessageContaining("http://host:port");
    assertThatThrownBy(() -> new RemoteHandler("localhost:9001"))
        .hasMessageStartingWith("handler.address:").hasMessageContaining("no scheme");
  }

  @Test
  void httpsIsAccepted() {
    RemoteHandler handler = resources.track(new RemoteHandler("https://handler.example:9001"));
    assertThat(handler.address()).isEqualTo("https://handler.example:9001");
  }

  @Test
  void aMissingPortIsAClearError() {
    for (String bad : new String[] {"http://127.0.0.1", "http://localhost", "http://localhost:", "http://[::1]"}) {
      assertThatThrownBy(() -> new RemoteHandler(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("handler.address:")
          .hasMessageContaining("no port");
    }
  }

  @Test
  void garbageIsAClearError() {
    for (String bad : new String[] {"", "   ", "garbage", "http://", "http://:9001", "ftp://127.0.0.1:9001",
        "http://127.0.0.1:99999", "http://127.0.0.1:abc", "http://127.0.0.1:9001/path", "http://user@host:1",
        "http://ho st:1", "http://::1:9001", "http://[::1:9001", "://127.0.0.1:9001"}) {
      assertThatThrownBy(() -> new RemoteHandler(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("handler.address:");
    }
    assertThatThrownBy(() -> new RemoteHandler(null)).hasMessageStartingWith("handler.address:");
  }

  @Test
  void aNonPositiveCallTimeoutIsRejected() {
    assertThatThrownBy(() -> new RemoteHandler("http://127.0.0.1:9001", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("callTimeout");
    assertThatThrownBy(() -> new RemoteHandler("http://127.0.0.1:9001", Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("callTimeout");
  }

  @Test
  void ipv6LiteralsAreAccepted() throws Exception {
    RemoteHandler handler = resources.track(new RemoteHandler("http://[::1]:9001"));
    assertThat(handler.address()).isEqualTo("http://[::1]:9001");
  }

  /** Records what arrives; can be told to fail. */
  private static final class RecordingService extends HandlerService {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<io.exproto.grpc.proto.Message> messages = new CopyOnWriteArrayList<>();
    volatile ConnInfo connInfo;
    volatile RuntimeException failWith;
    volatile java.util.concurrent.CountDownLatch block;
    final java.util.concurrent.atomic.AtomicInteger blocked = new java.util.concurrent.atomic.AtomicInteger();

    private void maybeFail() {
      if (failWith != null) {
        throw failWith;
      }
    }

    @Override
    protected void onSocketCreated(String conn, ConnInfo info) {
      maybeFail();
      connInfo = info;
      events.add("created " + conn);
    }

    @Override
    protected void onReceivedBytes(String conn, byte[] bytes) throws InterruptedException {
      maybeFail();
      if (block != null) {
        blocked.incrementAndGet();
        block.await();
      }
      events.add("bytes " + conn + " " + java.util.Arrays.toString(bytes));
    }

    @Override
    protected void onTimerTimeout(String conn, io.exproto.grpc.proto.TimerType type) {
      maybeFail();
      events.add("timer " + conn + " " + type);
    }

    @Override
    protected void onReceivedMessages(String conn, List<io.exproto.grpc.proto.Message> received) {
      maybeFail();
      messages.addAll(received);
      events.add("messages " + conn + " " + received.size());
    }

    @Override
    protected void onSocketClosed(String conn, String reason) {
      maybeFail();
      events.add("closed " + conn + " " + reason);
    }
  }
}
