package io.exproto.grpc.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.Result;
import io.exproto.adapter.ResultCode;
import io.exproto.gateway.Gateway;
import io.exproto.gateway.GatewayMetrics;
import io.exproto.grpc.GrpcHandler;
import io.exproto.grpc.ServiceName;
import io.exproto.grpc.proto.ConnInfo;
import io.exproto.grpc.proto.Message;
import io.exproto.grpc.testkit.InterleavedEcho;
import io.exproto.grpc.testkit.Resources;
import io.exproto.testing.InProcessDevice;
import io.exproto.testing.InProcessListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The SDK's non-blocking style over the whole stack: a {@link HandlerService} that declares
 * {@link HandlerService#isNonBlocking()}, overrides the {@code ...Async} callbacks and composes
 * {@link AdapterClient}'s {@code ...Async} calls, behind a real gateway on loopback gRPC.
 */
class NonBlockingHandlerServiceTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private final InProcessListener listener = new InProcessListener();

  @RegisterExtension
  final Resources resources = new Resources();

  /** EMQX's example path, non-blocking; records events, callback threads and adapter results. */
  private static class AsyncEcho extends HandlerService {
    volatile AdapterClient adapter;
    final Map<String, List<String>> events = new ConcurrentHashMap<>();
    final List<String> threads = new CopyOnWriteArrayList<>();
    final List<Result> results = new CopyOnWriteArrayList<>();

    @Override
    public boolean isNonBlocking() {
      return true;
    }

    void record(String conn, String event) {
      threads.add(Thread.currentThread().getName());
      events.computeIfAbsent(conn, c -> Collections.synchronizedList(new ArrayList<>())).add(event);
    }

    private CompletionStage<Result> kept(CompletionStage<Result> stage) {
      return stage.thenApply(result -> {
        results.add(result);
        return result;
      }).thenCompose(AdapterClient::requireSuccess);
    }

    @Override
    protected CompletionStage<?> onSocketCreatedAsync(String conn, ConnInfo info) {
      record(conn, "created");
      return kept(adapter.authenticateAsync(conn, ClientInfo.of("id-" + conn, ""), ""))
          .thenCompose(ok -> kept(adapter.subscribeAsync(conn, "echo/" + conn, 1)))
          .thenCompose(ok -> kept(adapter.startTimerAsync(conn, 60)));
    }

    @Override
    protected CompletionStage<?> onReceivedBytesAsync(String conn, ByteString bytes) {
      record(conn, "bytes");
      return kept(adapter.publishAsync(conn, "echo/" + conn, 1, bytes.toByteArray()));
    }

    @Override
    protected CompletionStage<?> onReceivedMessagesAsync(String conn, List<Message> messages) {
      record(conn, "messages");
      CompletionStage<Result> chain = CompletableFuture.completedFuture(Result.success());
      for (Message message : messages) {
        chain = chain.thenCompose(ok -> kept(adapter.sendAsync(conn, message.getPayload())));
      }
      return chain;
    }

    @Override
    protected CompletionStage<?> onSocketClosedAsync(String conn, String reason) {
      record(conn, "closed " + reason);
      return CompletableFuture.completedFuture(null);
    }
  }

  private AsyncEcho start(HandlerService service, AsyncEcho echo, ServiceName serviceName) throws Exception {
    return start(service, echo, serviceName, null);
  }

  private AsyncEcho start(HandlerService service, AsyncEcho echo, ServiceName serviceName,
      java.util.concurrent.Executor adapterExecutor) throws Exception {
    HandlerServer server = resources.track(HandlerServer.builder(service).bind("127.0.0.1:0")
        .serviceName(serviceName).build());
    server.start();
    GrpcHandler.Builder builder = GrpcHandler.builder()
        .handlerAddress(server.address())
        .serviceName(serviceName)
        .adapterBind("127.0.0.1:0")
        .callTimeout(Duration.ofSeconds(10));
    if (adapterExecutor != null) {
      builder.adapterExecutor(adapterExecutor);
    }
    GrpcHandler grpc = builder.build();
    Gateway gateway = Gateway.builder().listener(listener).handler(grpc).build();
    resources.track(gateway);
    gateway.start();
    this.gateway = gateway;
    AdapterClient client = AdapterClient.connect("http://127.0.0.1:" + grpc.adapterPort());
    resources.trackToCloseLast(client);
    echo.adapter = client;
    return echo;
  }

  private Gateway gateway;

  @Test
  void anEchoViaTheBrokerKeepsEachDevicesOrderWithoutBlocking() throws Exception {
    AsyncEcho echo = new AsyncEcho();
    start(echo, echo, ServiceName.UNARY);

    int devices = 4;
    List<InProcessDevice> connected = InterleavedEcho.run(listener, devices, 25, WAIT);
    connected.forEach(InProcessDevice::disconnect);
    await().atMost(WAIT).until(() -> echo.events.values().stream()
        .filter(e -> e.contains("closed tcp_closed")).count() == devices);

    echo.events.forEach((conn, events) -> {
      assertThat(events.get(0)).as(conn).isEqualTo("created");
      assertThat(events.get(events.size() - 1)).as(conn).isEqualTo("closed tcp_closed");
      assertThat(events).as(conn).contains("bytes", "messages");
    });
    assertThat(echo.results).isNotEmpty().allMatch(Result::isSuccess);
    // Run on the server's network threads, not handed to gRPC's default executor.
    assertThat(echo.threads).isNotEmpty().noneMatch(name -> name.startsWith("grpc-default-executor"));
    assertThat(gateway.metrics().get(GatewayMetrics.HANDLER_ERRORS)).isZero();
  }

  @Test
  void theLegacyStreamingServiceRunsTheAsyncMethodsOneAtATime() throws Exception {
    AsyncEcho echo = new AsyncEcho();
    start(echo, echo, ServiceName.STREAMING);

    InProcessDevice device = listener.connect();
    await().atMost(WAIT).until(() -> echo.events.values().stream().anyMatch(e -> e.contains("created")));
    // OnSocketCreated's stage subscribes; wait for it before publishing through the echo.
    await().atMost(WAIT).until(() -> echo.results.size() == 3);
    device.send("one;");
    device.send("two;");
    await().atMost(WAIT).until(() -> device.receivedText().equals("one;two;"));
  }

  @Test
  void aResultThatIsNotASuccessFailsTheCallbackAndClosesTheDevice() throws Exception {
    AsyncEcho echo = new AsyncEcho() {
      @Override
      protected CompletionStage<?> onReceivedBytesAsync(String conn, ByteString bytes) {
        // An unknown connection: CONN_PROCESS_NOT_ALIVE.
        return adapter.publishAsync("no-such-conn", "t", 0, bytes.toByteArray())
            .thenCompose(AdapterClient::requireSuccess);
      }
    };
    start(echo, echo, ServiceName.UNARY);

    InProcessDevice device = listener.connect();
    device.send("x");
    await().atMost(WAIT).until(device::isClosed);
    await().atMost(WAIT).until(() -> echo.events.values().stream().anyMatch(e -> e.contains("closed handler_error")));
    assertThat(gateway.metrics().get(GatewayMetrics.HANDLER_ERRORS)).isEqualTo(1);
  }

  @Test
  void aDeliveryToAnIdleConnectionFromInsideAPublishReachesItsHandler() throws Exception {
    // Each device's bytes go to a shared room: the other, idle device's OnReceivedMessages is then
    // dispatched from inside the gateway's Publish call and must outlive it.
    AsyncEcho echo = new AsyncEcho() {
      @Override
      protected CompletionStage<?> onSocketCreatedAsync(String conn, ConnInfo info) {
        return adapter.authenticateAsync(conn, ClientInfo.of("id-" + conn, ""), "")
            .thenCompose(AdapterClient::requireSuccess)
            .thenCompose(ok -> adapter.subscribeAsync(conn, "room", 0))
            .thenCompose(AdapterClient::requireSuccess)
            .thenAccept(ok -> record(conn, "ready"));
      }

      @Override
      protected CompletionStage<?> onReceivedBytesAsync(String conn, ByteString bytes) {
        return adapter.publishAsync(conn, "room", 0, bytes.toByteArray()).thenCompose(AdapterClient::requireSuccess);
      }
    };
    start(echo, echo, ServiceName.UNARY);

    InProcessDevice first = listener.connect();
    InProcessDevice second = listener.connect();
    await().atMost(WAIT).until(() -> echo.events.size() == 2);
    for (int i = 0; i < 20; i++) {
      first.send("a" + i + ";");
    }
    StringBuilder want = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      want.append("a").append(i).append(';');
    }
    await().atMost(WAIT).until(() -> second.receivedText().length() >= want.length());
    assertThat(second.receivedText()).isEqualTo(want.toString());
    assertThat(second.isClosed()).isFalse();
    assertThat(gateway.metrics().get(GatewayMetrics.HANDLER_ERRORS)).isZero();
  }

  @Test
  void anAdapterExecutorRunsTheAdapterOperations() throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
    resources.trackToCloseLast(pool::shutdownNow);
    AsyncEcho echo = new AsyncEcho();
    start(echo, echo, ServiceName.UNARY, task -> {
      ran.incrementAndGet();
      pool.execute(task);
    });

    InterleavedEcho.run(listener, 2, 10, WAIT);
    // Per device: Authenticate, Subscribe, StartTimer, then a Publish and a Send per chunk.
    assertThat(ran.get()).isGreaterThanOrEqualTo(2 * (3 + 10 + 10));
    assertThat(echo.results).allMatch(Result::isSuccess);
  }

  @Test
  void requireSuccessCarriesTheResult() {
    Result denied = Result.of(ResultCode.PERMISSION_DENY, "conn: the connection must Authenticate first");
    CompletableFuture<Result> failed = AdapterClient.requireSuccess(denied).toCompletableFuture();
    assertThat(failed).isCompletedExceptionally();
    assertThat(failed.handle((r, e) -> e).join())
        .isInstanceOf(AdapterCallException.class)
        .hasMessage("PERMISSION_DENY: conn: the connection must Authenticate first")
        .satisfies(e -> assertThat(((AdapterCallException) e).result()).isEqualTo(denied));
    assertThat(AdapterClient.requireSuccess(Result.success()).toCompletableFuture().join()).isEqualTo(Result.success());
  }
}
