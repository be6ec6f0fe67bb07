package io.exproto.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.exproto.gateway.Gateway;
import io.exproto.gateway.GatewayMetrics;
import io.exproto.grpc.proto.ConnInfo;
import io.exproto.grpc.sdk.AdapterClient;
import io.exproto.grpc.sdk.HandlerServer;
import io.exproto.grpc.sdk.HandlerService;
import io.exproto.grpc.testkit.InterleavedEcho;
import io.exproto.grpc.testkit.Ports;
import io.exproto.handler.FailurePolicy;
import io.exproto.testing.InProcessDevice;
import io.exproto.testing.InProcessListener;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway with {@code handler.service_name = ConnectionHandler}: device events travel on the
 * five legacy client streams to a Java handler served as the legacy service.
 */
class GrpcHandlerStreamingEndToEndTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final InProcessListener listener = new InProcessListener();
  // Closed in this order: the gateway (it still sends OnSocketClosed), the handler servers, the
  // handlers' adapter client.
  private final List<AutoCloseable> gateways = new ArrayList<>();
  private final List<AutoCloseable> handlers = new ArrayList<>();
  private final List<AutoCloseable> clients = new ArrayList<>();
  private AdapterClient adapter;

  @AfterEach
  void tearDown() throws Exception {
    for (List<AutoCloseable> group : List.of(gateways, handlers, clients)) {
      for (AutoCloseable resource : group) {
        resource.close();
      }
    }
  }

  private HandlerServer serveLegacy(HandlerService service, String bind) throws IOException {
    HandlerServer server = HandlerServer.builder(service).bind(bind).serviceName(ServiceName.STREAMING).build();
    handlers.add(server);
    server.start();
    return server;
  }

  private Gateway startGateway(String handlerAddress, ServiceName serviceName, FailurePolicy policy)
      throws Exception {
    GrpcHandler grpc = GrpcHandler.builder()
        .handlerAddress(handlerAddress)
        .serviceName(serviceName)
        .adapterBind("127.0.0.1:0")
        // An event waits for its stream for nine tenths of this, within the handler deadline.
        .callTimeout(Duration.ofSeconds(2))
        .build();
    assertThat(grpc.serviceName()).isEqualTo(serviceName);
    Gateway gateway = Gateway.builder().listener(listener).handler(grpc).failurePolicy(policy)
        .handlerTimeout(Duration.ofSeconds(5)).retryWindow(Duration.ofSeconds(30)).build();
    gateways.add(gateway);
    gateway.start();
    adapter = AdapterClient.connect("http://127.0.0.1:" + grpc.adapterPort(), Duration.ofSeconds(10));
    clients.add(adapter);
    return gateway;
  }

  @Test
  void bytesComeBackInOrderForSeveralDevicesThroughALegacyHandler() throws Exception {
    EchoService echo = new EchoService();
    HandlerServer handlerServer = serveLegacy(echo, "127.0.0.1:0");
    startGateway(handlerServer.address(), ServiceName.STREAMING, FailurePolicy.CLOSE);

    int devices = 4;
    List<InProcessDevice> connected = InterleavedEcho.run(listener, devices, 25, WAIT);
    await().atMost(WAIT).until(() -> echo.created.size() == devices);

    connected.forEach(InProcessDevice::disconnect);
    await().atMost(WAIT).until(() -> echo.closed.size() == devices);
    assertThat(echo.closed.values()).containsOnly("tcp_closed");
    assertThat(echo.failures).isEmpty();
  }

  @Test
  void aRestartedLegacyHandlerGetsTheEventsSentWhileItWasDown() throws Exception {
    int port = Ports.freeLoopbackPort();
    String bind = "127.0.0.1:" + port;
    EchoService echo = new EchoService();
    HandlerServer first = serveLegacy(echo, bind);
    Gateway gateway = startGateway(first.address(), ServiceName.STREAMING, FailurePolicy.RETRY);

    InProcessDevice device = listener.connect();
    device.send("before;");
    await().atMost(WAIT).until(() -> device.receivedText().equals("before;"));

    first.close();
    // The legacy protocol delivers at most once: a message written in the instant between the
    // server's shutdown and the gateway reading the end of the stream would be lost. Give the
    // gateway a moment to see its streams end before the device sends again.
    await().pollDelay(Duration.ofMillis(500)).atMost(WAIT).until(() -> true);
    StringBuilder expected = new StringBuilder("before;");
    for (int i = 0; i < 10; i++) {
      String chunk = "down-" + i + ";";
      device.send(chunk);
      expected.append(chunk);
    }
    await().atMost(WAIT).until(() -> gateway.metrics().get(GatewayMetrics.HANDLER_RETRIES) > 0);

    serveLegacy(new EchoService(), bind);
    device.send("after;");
    expected.append("after;");
    await().atMost(WAIT).until(() -> device.receivedText().length() >= expected.length());
    assertThat(device.receivedText()).isEqualTo(expected.toString());
    assertThat(device.isClosed()).isFalse();
  }

  @Test
  void aUnaryGatewayAgainstALegacyOnlyHandlerClosesTheDevice() throws Exception {
    EchoService echo = new EchoService();
    HandlerServer handlerServer = serveLegacy(echo, "127.0.0.1:0");
    Gateway gateway = startGateway(handlerServer.address(), ServiceName.UNARY, FailurePolicy.RETRY);

    InProcessDevice device = listener.connect();
    // UNIMPLEMENTED is not retried, even under the retry policy.
    await().atMost(WAIT).until(device::isClosed);
    assertThat(gateway.metrics().get(GatewayMetrics.HANDLER_ERRORS)).isPositive();
    assertThat(echo.created).isEmpty();
  }

  /** Sends every byte straight back to its device; records connections opened and closed. */
  private final class EchoService extends HandlerService {
    final List<String> created = new CopyOnWriteArrayList<>();
    final Map<String, String> closed = new ConcurrentHashMap<>();
    final List<String> failures = new CopyOnWriteArrayList<>();

    @Override
    protected void onSocketCreated(String conn, ConnInfo info) {
      created.add(conn);
    }

    @Override
    protected void onReceivedBytes(String conn, byte[] bytes) {
      var result = adapter.send(conn, bytes);
      if (!result.isSuccess()) {
        failures.add(result.toString());
      }
    }

    @Override
    protected void onSocketClosed(String conn, String reason) {
      closed.put(conn, reason);
    }
  }
}
