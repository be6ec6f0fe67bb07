package io.exproto.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.Result;
import io.exproto.gateway.Gateway;
import io.exproto.grpc.proto.ConnInfo;
import io.exproto.grpc.proto.Message;
import io.exproto.grpc.sdk.AdapterClient;
import io.exproto.grpc.sdk.HandlerServer;
import io.exproto.grpc.sdk.HandlerService;
import io.exproto.grpc.testkit.InterleavedEcho;
import io.exproto.grpc.testkit.Resources;
import io.exproto.testing.InProcessDevice;
import io.exproto.testing.InProcessListener;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole stack over real gRPC on loopback: devices on an in-process listener, a gateway with the
 * gRPC binding, and a Java handler service that calls the adapter back, blocking, from inside its
 * callbacks, as EMQX's example handlers do.
 */
class GrpcHandlerEndToEndTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private final InProcessListener listener = new InProcessListener();

  @RegisterExtension
  final Resources resources = new Resources();

  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void tearDown() {
    release.countDown();
  }

  private HandlerServer serve(HandlerService service) throws Exception {
    HandlerServer server = resources.track(new HandlerServer(service, "127.0.0.1:0"));
    server.start();
    return server;
  }

  /** Starts a gateway whose gRPC binding points at {@code handlerAddress}; it is closed first. */
  private GrpcHandler startGateway(String handlerAddress, Duration callTimeout) throws Exception {
    GrpcHandler grpc = GrpcHandler.builder()
        .handlerAddress(handlerAddress)
        .adapterBind("127.0.0.1:0")
        .callTimeout(callTimeout)
        .build();
    Gateway gateway = Gateway.builder().listener(listener).handler(grpc).build();
    // Tracked after the handler server, so it is closed before it: OnSocketClosed still gets answered.
    resources.track(gateway);
    gateway.start();
    return grpc;
  }

  /** Serves an {@link EchoService}, starts a gateway that calls it, and hands it an adapter client. */
  private EchoService startEcho() throws Exception {
    EchoService echo = new EchoService();
    HandlerServer handlerServer = serve(echo);
    GrpcHandler grpc = startGateway(handlerServer.address(), Duration.ofSeconds(10));
    AdapterClient client = AdapterClient.connect("http://127.0.0.1:" + grpc.adapterPort());
    echo.adapter = client;
    // The client must outlive the gateway's last callback: close it after the gateway.
    resources.trackToCloseLast(client);
    return echo;
  }

  @Test
  void bytesComeBackInOrderForSeveralDevicesAtOnce() throws Exception {
    EchoService echo = startEcho();

    int devices = 4;
    List<InProcessDevice> connected = InterleavedEcho.run(listener, devices, 25, WAIT);

    connected.forEach(InProcessDevice::disconnect);
    await().atMost(WAIT).until(() -> echo.closedCount() == devices);
    assertThat(echo.events).hasSize(devices);
    echo.events.forEach((conn, events) -> {
      assertThat(events.get(0)).as(conn).isEqualTo("created");
      assertThat(events.get(events.size() - 1)).as(conn).isEqualTo("closed tcp_closed");
      assertThat(events.stream().filter(e -> e.startsWith("closed"))).as(conn).hasSize(1);
      assertThat(events).as(conn).contains("bytes", "messages");
    });
    assertThat(echo.failures).isEmpty();
  }

  @Test
  void aBlockingAdapterCallInsideACallbackDoesNotDeadlock() throws Exception {
    EchoService echo = startEcho();

    InProcessDevice device = listener.connect();
    // OnSocketCreated made three blocking adapter calls for its own connection before answering.
    await().atMost(WAIT).until(() -> echo.events.values().stream().anyMatch(e -> e.contains("created")));
    device.send("ping");
    await().atMost(WAIT).until(() -> device.receivedText().equals("ping"));
    assertThat(echo.failures).isEmpty();
  }

  @Test
  void aHandlerThatNeverAnswersGetsTheDeviceClosed() throws Exception {
    Map<String, String> closed = new ConcurrentHashMap<>();
    HandlerService hung = new HandlerService() {
      @Override
      protected void onReceivedBytes(String conn, byte[] bytes) throws InterruptedException {
        release.await(); // never answers while the test runs
      }

      @Override
      protected void onSocketClosed(String conn, String reason) {
        closed.put(conn, reason);
      }
    };
    HandlerServer handlerServer = serve(hung);
    startGateway(handlerServer.address(), Duration.ofMillis(300));

    InProcessDevice device = listener.connect();
    device.send("anyone there?");
    await().atMost(WAIT).until(device::isClosed);
    await().atMost(WAIT).until(() -> !closed.isEmpty());
    assertThat(closed.values()).containsExactly("handler_error");
  }

  @Test
  void anUnreachableHandlerGetsTheDeviceClosed() throws Exception {
    HandlerServer gone = new HandlerServer(new HandlerService() {}, "127.0.0.1:0");
    gone.start();
    String address = gone.address();
    gone.close();
    startGateway(address, Duration.ofSeconds(5));

    InProcessDevice device = listener.connect();
    await().atMost(WAIT).until(device::isClosed);
  }

  @Test
  void stoppingTheGatewayStopsTheAdapterServer() throws Exception {
    HandlerServer handlerServer = serve(new HandlerService() {});
    GrpcHandler grpc = GrpcHandler.builder()
        .handlerAddress(handlerServer.address())
        .adapterBind("127.0.0.1:0")
        .build();
    assertThatThrownBy(grpc::adapterPort).isInstanceOf(IllegalStateException.class);
    Gateway gateway = resources.track(Gateway.builder().listener(listener).handler(grpc).build());
    gateway.start();
    AdapterClient client = resources.track(AdapterClient.connect("http://127.0.0.1:" + grpc.adapterPort(),
        Duration.ofSeconds(5)));
    assertThat(client.rawPublish("t", 0, new byte[0]).isSuccess()).isTrue();

    gateway.close();
    assertThatThrownBy(grpc::adapterPort).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> client.rawPublish("t", 0, new byte[0])).isInstanceOf(StatusRuntimeException.class);
  }

  @Test
  void aBusyAdapterPortFailsTheGatewayStart() throws Exception {
    HandlerServer handlerServer = serve(new HandlerService() {});
    GrpcHandler first = startGateway(handlerServer.address(), Duration.ofSeconds(5));
    GrpcHandler second = GrpcHandler.builder()
        .handlerAddress(handlerServer.address())
        .adapterBind("127.0.0.1:" + first.adapterPort())
        .build();
    Gateway gateway = resources.track(Gateway.builder().listener(new InProcessListener()).handler(second).build());
    assertThatThrownBy(gateway::start).isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("127.0.0.1:" + first.adapterPort());
  }

  /**
   * Echo over the broker: each device is authenticated and subscribed to its own topic when it
   * connects; its bytes are published there, and what arrives there is sent back to it.
   */
  private static final class EchoService extends HandlerService {
    volatile AdapterClient adapter;
    final Map<String, List<String>> events = new ConcurrentHashMap<>();
    final List<String> failures = new CopyOnWriteArrayList<>();

    long closedCount() {
      return events.values().stream().filter(e -> e.stream().anyMatch(s -> s.startsWith("closed"))).count();
    }

    private void record(String conn, String event) {
      events.computeIfAbsent(conn, c -> new CopyOnWriteArrayList<>()).add(event);
    }

    private void check(String what, Result result) {
      if (!result.isSuccess()) {
        failures.add(what + ": " + result);
        throw new IllegalStateException(what + " failed: " + result);
      }
    }

    @Override
    protected void onSocketCreated(String conn, ConnInfo info) {
      record(conn, "created");
      check("authenticate", adapter.authenticate(conn, ClientInfo.of("device-" + conn, "user"), "secret"));
      check("subscribe", adapter.subscribe(conn, "echo/" + conn, 1));
      check("startTimer", adapter.startTimer(conn, 60));
    }

    @Override
    protected void onReceivedBytes(String conn, byte[] bytes) {
      record(conn, "bytes");
      check("publish", adapter.publish(conn, "echo/" + conn, 1, bytes));
    }

    @Override
    protected void onReceivedMessages(String conn, List<Message> messages) {
      record(conn, "messages");
      for (Message message : messages) {
        check("send", adapter.send(conn, message.getPayload().toByteArray()));
      }
    }

    @Override
    protected void onSocketClosed(String conn, String reason) {
      record(conn, "closed " + reason);
    }
  }
}
