package io.exproto.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.Result;
import io.exproto.broker.Message;
import io.exproto.gateway.Gateway;
import io.exproto.gateway.GatewayMetrics;
import io.exproto.grpc.proto.ConnInfo;
import io.exproto.grpc.sdk.AdapterClient;
import io.exproto.grpc.sdk.HandlerServer;
import io.exproto.grpc.sdk.HandlerService;
import io.exproto.grpc.testkit.Ports;
import io.exproto.grpc.testkit.Resources;
import io.exproto.grpc.testkit.TcpRelay;
import io.exproto.handler.FailurePolicy;
import io.exproto.hooks.ClientContext;
import io.exproto.hooks.GatewayHooks;
import io.exproto.testing.InProcessDevice;
import io.exproto.testing.InProcessListener;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The handler client under faults, end to end over real gRPC: a live handler too slow to answer,
 * devices arriving while the handler restarts, and a handler killed under load (its connections
 * reset, as when its process dies) under both failure policies. A callback that may have reached
 * the handler is never sent again: its device is closed with {@code handler_error}. One that never
 * reached it waits for the handler, is retried under {@code retry}, and closes its device under
 * {@code close}.
 *
 * <p>Each device sends lines {@code d<device>-<n>;}; the handler records every line it gets, per
 * connection, publishes what it got (each publish is counted by a gateway hook) and sends it back.
 */
class GrpcHandlerFaultTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  // Short, so that the tests are quick, and long enough for a cold JVM's first callback.
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(3);

  private final InProcessListener listener = new InProcessListener();

  @RegisterExtension
  final Resources resources = new Resources();

  private final Map<String, String> disconnects = new ConcurrentHashMap<>();
  // How many times each line was published.
  private final Map<String, AtomicInteger> published = new ConcurrentHashMap<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private Gateway gateway;
  private volatile AdapterClient adapter;

  @AfterEach
  void tearDown() {
    release.countDown();
  }

  /** Serves a handler; closed after the gateway, which still sends OnSocketClosed to it. */
  private HandlerServer serve(HandlerService service, String bind) throws Exception {
    HandlerServer server = resources.trackToCloseLast(new HandlerServer(service, bind));
    server.start();
    return server;
  }

  private void startGateway(String handlerAddress, FailurePolicy policy, Duration callTimeout,
      Duration retryWindow) throws Exception {
    GrpcHandler grpc = GrpcHandler.builder()
        .handlerAddress(handlerAddress)
        .adapterBind("127.0.0.1:0")
        .callTimeout(callTimeout)
        .build();
    gateway = resources.track(Gateway.builder()
        .listener(listener)
        .handler(grpc)
        .failurePolicy(policy)
        .handlerTimeout(callTimeout) // the same value, as request_timeout sets both
        .retryWindow(retryWindow)
        // A closing device's queued callbacks each wait for a handler that is down: bound that.
        .closeFlushTimeout(callTimeout)
        .idleTimeout(Duration.ZERO)
        .hooks(new GatewayHooks() {
          @Override
          public void onDisconnected(ClientContext client, String reason) {
            disconnects.put(client.conn(), reason);
          }

          @Override
          public Message onPublish(ClientContext publisher, Message message) {
            for (String line : new String(message.payload(), StandardCharsets.UTF_8).split(";")) {
              published.computeIfAbsent(line, l -> new AtomicInteger()).incrementAndGet();
            }
            return message;
          }
        })
        .build());
    gateway.start();
    adapter = AdapterClient.connect("http://127.0.0.1:" + grpc.adapterPort(), Duration.ofSeconds(10));
    resources.trackToCloseLast(adapter);
  }

  private List<InProcessDevice> connect(int count) {
    List<InProcessDevice> devices = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      devices.add(listener.connect());
    }
    return devices;
  }

  @Test
  void aSlowHandlerUnderRetryGetsTheEventOnceAndPublishesItOnce() throws Exception {
    Echo echo = new Echo("d0-slow");
    HandlerServer server = serve(echo, "127.0.0.1:0");
    startGateway(server.address(), FailurePolicy.RETRY, CALL_TIMEOUT, Duration.ofSeconds(10));

    InProcessDevice device = listener.connect();
    device.send("d0-0;");
    await().atMost(WAIT).until(() -> device.receivedText().equals("d0-0;"));
    // Published, then answered only after the deadline: the handler acted on it.
    device.send("d0-slow;");
    await().atMost(WAIT).until(device::isClosed);
    release.countDown();

    String conn = echo.connOf("d0");
    await().atMost(WAIT).until(() -> disconnects.containsKey(conn));
    assertThat(disconnects).containsEntry(conn, "handler_error");
    assertThat(echo.lines.get(conn)).containsExactly("d0-0", "d0-slow");
    assertThat(published).containsOnlyKeys("d0-0", "d0-slow");
    assertThat(published.values()).allMatch(count -> count.get() == 1);
    assertThat(gateway.metrics().get(GatewayMetrics.HANDLER_RETRIES)).isZero();
    assertThat(gateway.metrics().get(GatewayMetrics.HANDLER_ERRORS)).isPositive();
  }

  @Test
  void devicesThatArriveWhileTheHandlerRestartsWaitForItAndAreNotClosed() throws Exception {
    String bind = "127.0.0.1:" + Ports.freeLoopbackPort();
    Echo first = new Echo(null);
    HandlerServer firstServer = serve(first, bind);
    startGateway("http://" + bind, FailurePolicy.CLOSE, Duration.ofSeconds(10), Duration.ofSeconds(30));
    InProcessDevice before = listener.connect();
    await().atMost(WAIT).until(() -> first.created.size() == 1);

    firstServer.close();
    List<InProcessDevice> devices = connect(5); // while nothing listens
    Echo restarted = new Echo(null);
    serve(restarted, bind);
    devices.addAll(connect(5)); // in the first moments after the restart

    await().atMost(WAIT).until(() -> restarted.created.size() == devices.size());
    assertThat(devices).noneMatch(InProcessDevice::isClosed);
    assertThat(before.isClosed()).isFalse();
    for (int i = 0; i < devices.size(); i++) {
      devices.get(i).send("d" + i + "-0;");
    }
    for (int i = 0; i < devices.size(); i++) {
      InProcessDevice device = devices.get(i);
      String line = "d" + i + "-0;";
      await().atMost(WAIT).until(() -> device.receivedText().equals(line));
    }
    assertThat(gateway.metrics().get(GatewayMetrics.HANDLER_ERRORS)).isZero();
    assertThat(disconnects).isEmpty();
  }

  @Test
  void aHandlerKilledUnderLoadUnderCloseClosesEveryDeviceWithHandlerError() throws Exception {
    Echo echo = new Echo("d0-hold");
    HandlerServer server = serve(echo, "127.0.0.1:0");
    TcpRelay relay = resources.track(new TcpRelay(0, new InetSocketAddress("127.0.0.1", server.port())).start());
    startGateway("http://127.0.0.1:" + relay.port(), FailurePolicy.CLOSE, CALL_TIMEOUT, Duration.ofSeconds(30));
    Sender sender = new Sender(connect(8));
    sender.sendToAll(0);
    sender.awaitEchoes();

    sender.devices.get(0).send("d0-hold;");
    sender.sent.get(0).append("d0-hold;");
    await().atMost(WAIT).until(() -> echo.held.getCount() == 0);
    for (int n = 1; n <= 5; n++) {
      sender.sendToAll(n, 1);
    }
    relay.kill(); // and it stays down
    sender.sendToAll(6, 1);

    await().atMost(WAIT).until(() -> sender.devices.stream().allMatch(InProcessDevice::isClosed));
    await().atMost(WAIT).until(() -> disconnects.size() == sender.devices.size());
    assertThat(disconnects.values()).containsOnly("handler_error");
    assertThat(gateway.metrics().get(GatewayMetrics.HANDLER_ERRORS))
        .isGreaterThanOrEqualTo(sender.devices.size());
    for (int i = 0; i < sender.devices.size(); i++) {
      // Each line reached the handler at most once, in order (the one in flight at the kill may
      // or may not have; the close still flushes what was queued behind it).
      assertThat(sender.sentLines(i)).containsSubsequence(echo.linesOf("d" + i));
    }
  }

  @Test
  void aHandlerKilledUnderLoadUnderRetryLosesNothingAndSendsNothingTwice() throws Exception {
    Echo echo = new Echo("d0-hold");
    HandlerServer server = serve(echo, "127.0.0.1:0");
    TcpRelay relay = resources.track(new TcpRelay(0, new InetSocketAddress("127.0.0.1", server.port())).start());
    startGateway("http://127.0.0.1:" + relay.port(), FailurePolicy.RETRY, CALL_TIMEOUT, Duration.ofSeconds(30));
    Sender sender = new Sender(connect(8));
    sender.sendToAll(0);
    sender.awaitEchoes();

    // Device 0 has a callback at the handler when it is killed; device 1 is idle; the others are
    // busy.
    sender.devices.get(0).send("d0-hold;");
    sender.sent.get(0).append("d0-hold;");
    await().atMost(WAIT).until(() -> echo.held.getCount() == 0);
    for (int n = 1; n <= 5; n++) {
      sender.sendToAll(n, 2);
    }
    relay.kill();
    // Once the gateway has seen the connection die (the held callback failed), what devices send
    // can only wait for the handler.
    String held = echo.connOf("d0");
    await().atMost(WAIT).until(() -> disconnects.containsKey(held));
    for (int n = 6; n <= 8; n++) {
      sender.sendToAll(n, 1);
    }
    // Down for longer than a callback waits for a connection: the waiting ones are retried.
    InProcessDevice idle = sender.devices.get(1);
    String idleBefore = sender.expected(0, 1);
    await().during(CALL_TIMEOUT.plusMillis(500)).atMost(WAIT).until(() -> idle.receivedText().equals(idleBefore));
    relay.start();
    release.countDown(); // the held callback's answer goes to a connection that is gone

    await().atMost(WAIT).until(() -> {
      for (int i = 0; i < sender.devices.size(); i++) {
        if (!sender.devices.get(i).isClosed() && !sender.devices.get(i).receivedText().equals(sender.expected(i))) {
          return false;
        }
      }
      return true;
    });
    assertThat(disconnects).containsEntry(held, "handler_error");
    assertThat(echo.linesOf("d0")).containsExactly("d0-0", "d0-hold");
    assertThat(idle.isClosed()).isFalse();
    assertThat(gateway.metrics().get(GatewayMetrics.HANDLER_RETRIES)).isPositive();
    int closed = 0;
    for (int i = 0; i < sender.devices.size(); i++) {
      InProcessDevice device = sender.devices.get(i);
      List<String> got = echo.linesOf("d" + i);
      if (device.isClosed()) {
        // Its callback was on the connection when it died: not sent again, whether or not it got
        // to the handler; the close still flushes what was queued behind it.
        closed++;
        assertThat(disconnects).containsEntry(echo.connOf("d" + i), "handler_error");
        assertThat(sender.sentLines(i)).as("device %d", i).containsSubsequence(got);
      } else {
        // Nothing lost, nothing twice, in order.
        assertThat(got).as("device %d", i).containsExactlyElementsOf(sender.sentLines(i));
        assertThat(device.receivedText()).isEqualTo(sender.expected(i));
        assertThat(published).containsKeys(sender.sentLines(i).toArray(String[]::new));
      }
    }
    assertThat(gateway.metrics().get(GatewayMetrics.HANDLER_ERRORS)).isGreaterThanOrEqualTo(closed);
    // A closed device's queued lines still reach the handler (the close flushes them), but their
    // publishes are refused: no line is published twice.
    assertThat(published.values()).allMatch(count -> count.get() == 1);
  }

  /** The devices of a test and what each was sent. */
  private static final class Sender {
    final List<InProcessDevice> devices;
    final List<StringBuilder> sent = new ArrayList<>();

    Sender(List<InProcessDevice> devices) {
      this.devices = devices;
      devices.forEach(d -> sent.add(new StringBuilder()));
    }

    void sendToAll(int n) {
      sendToAll(n, 0);
    }

    /** Sends line {@code n} to every device from {@code from} on. */
    void sendToAll(int n, int from) {
      for (int i = from; i < devices.size(); i++) {
        String line = "d" + i + "-" + n + ";";
        devices.get(i).send(line);
        sent.get(i).append(line);
      }
    }

    String expected(int device) {
      return sent.get(device).toString();
    }

    /** What device {@code device} got back once its first {@code lines} lines came back. */
    String expected(int lines, int device) {
      StringBuilder text = new StringBuilder();
      for (int n = 0; n <= lines; n++) {
        text.append("d").append(device).append('-').append(n).append(';');
      }
      return text.toString();
    }

    List<String> sentLines(int device) {
      return List.of(expected(device).split(";"));
    }

    void awaitEchoes() {
      for (int i = 0; i < devices.size(); i++) {
        InProcessDevice device = devices.get(i);
        String want = expected(i);
        await().atMost(WAIT).until(() -> device.receivedText().equals(want));
      }
    }
  }

  /**
   * Authenticates each connection; records, publishes and sends back every line. The callback
   * whose bytes contain the held line publishes, then answers only once the test releases it.
   */
  private final class Echo extends HandlerService {
    final Set<String> created = ConcurrentHashMap.newKeySet();
    final Map<String, List<String>> lines = new ConcurrentHashMap<>();
    final AtomicInteger callbacks = new AtomicInteger();
    final CountDownLatch held = new CountDownLatch(1);
    private final String holdLine;

    Echo(String holdLine) {
      this.holdLine = holdLine;
    }

    /** The connection whose lines start with {@code label}, e.g. {@code d3}. */
    String connOf(String label) {
      return lines.entrySet().stream()
          .filter(e -> !e.getValue().isEmpty() && e.getValue().get(0).startsWith(label + "-"))
          .map(Map.Entry::getKey).findFirst().orElseThrow();
    }

    List<String> linesOf(String label) {
      return lines.get(connOf(label));
    }

    @Override
    protected void onSocketCreated(String conn, ConnInfo info) {
      Result result = adapter.authenticate(conn, ClientInfo.of("device-" + conn, "user"), "secret");
      if (!result.isSuccess()) {
        throw new IllegalStateException("authenticate failed: " + result);
      }
      created.add(conn);
    }

    @Override
    protected void onReceivedBytes(String conn, byte[] bytes) throws InterruptedException {
      String text = new String(bytes, StandardCharsets.UTF_8);
      List<String> got = lines.computeIfAbsent(conn, c -> new CopyOnWriteArrayList<>());
      for (String line : text.split(";")) {
        if (!line.isEmpty()) {
          got.add(line);
        }
      }
      callbacks.incrementAndGet();
      adapter.publish(conn, "lines/" + conn, 0, bytes);
      if (holdLine != null && text.contains(holdLine)) {
        held.countDown();
        release.await();
      }
      adapter.send(conn, bytes); // fails once the gateway has closed the connection
    }
  }
}
