package io.exproto.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.exproto.adapter.Adapter;
import io.exproto.gateway.Gateway;
import io.exproto.gateway.GatewayMetrics;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.SocketClosed;
import io.exproto.transport.internal.NettyLeakCheck;
import io.exproto.transport.testkit.DeviceClient;
import io.exproto.transport.testkit.EchoGateway;
import io.exproto.transport.testkit.IdleHandler;
import io.exproto.transport.testkit.StandardError;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Access rules, max_conn_rate and send_timeout of the TCP listener, over real sockets. */
@ExtendWith(NettyLeakCheck.class)
@Timeout(60)
class TcpPolicyTest {

  private final List<DeviceClient> clients = new ArrayList<>();
  private final List<AutoCloseable> gateways = new ArrayList<>();
  private TcpListener listener;

  @AfterEach
  void tearDown() throws Exception {
    for (DeviceClient client : clients) {
      client.close();
    }
    for (AutoCloseable gateway : gateways) {
      gateway.close();
    }
  }

  private EchoGateway start(TcpListener.Builder builder) throws Exception {
    listener = builder.name("tcp:test").bind("127.0.0.1:0").build();
    EchoGateway gateway = EchoGateway.start(listener);
    gateways.add(gateway);
    return gateway;
  }

  private DeviceClient connect() throws IOException {
    DeviceClient client = new DeviceClient(listener.localAddress());
    clients.add(client);
    return client;
  }

  @Test
  void aDeniedAddressIsRefusedBeforeTheGatewaySeesIt() throws Exception {
    EchoGateway gateway = start(TcpListener.builder().accessRules(List.of("deny 127.0.0.1", "allow all")));

    DeviceClient denied = connect();

    assertThat(denied.closedByServer()).isTrue();
    await().until(() -> gateway.counter("tcp:test.refused.access_rules") == 1);
    assertThat(gateway.handler().created()).as("no OnSocketCreated").isEmpty();
    assertThat(gateway.counter(GatewayMetrics.CONNECTIONS_ACCEPTED)).isZero();
  }

  @Test
  void anAllowRulePassesTheDevice() throws Exception {
    EchoGateway gateway = start(TcpListener.builder().accessRules(List.of("allow 127.0.0.0/8", "deny all")));

    DeviceClient allowed = connect();
    allowed.send("hello\n");

    assertThat(allowed.read("hello\n")).isEqualTo("hello\n");
    assertThat(gateway.counter("tcp:test.refused.access_rules")).isZero();
  }

  @Test
  void maxConnRateDelaysTheExcessInsteadOfClosingIt() throws Exception {
    AtomicLong clock = new AtomicLong();
    EchoGateway gateway = start(TcpListener.builder().maxConnRate(2).nanoClock(clock::get));
    DeviceClient first = connect();
    DeviceClient second = connect();
    gateway.conn(1);

    DeviceClient third = connect();
    third.send("three\n");

    await().until(() -> gateway.counter("tcp:test.delayed.max_conn_rate") == 1);
    assertThat(gateway.handler().created()).as("the third waits for a token").hasSize(2);
    first.send("one\n");
    second.send("two\n");
    assertThat(first.read("one\n")).isEqualTo("one\n");
    assertThat(second.read("two\n")).isEqualTo("two\n");

    clock.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(third.read("three\n")).as("served once a token is back").isEqualTo("three\n");
    assertThat(gateway.handler().created()).hasSize(3);
    DeviceClient later = connect();
    later.send("later\n");
    assertThat(later.read("later\n")).isEqualTo("later\n");
    assertThat(gateway.counter("tcp:test.refused.max_conn_rate")).isZero();
    assertThat(gateway.handler().closedCount()).isZero();
  }

  @Test
  void maxConnRateServesABurstOverTheRateLater() throws Exception {
    EchoGateway gateway = start(TcpListener.builder().maxConnRate(4));
    List<DeviceClient> burst = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      burst.add(connect());
    }

    for (int i = 0; i < burst.size(); i++) {
      burst.get(i).send("device " + i + "\n");
    }
    for (int i = 0; i < burst.size(); i++) {
      assertThat(burst.get(i).read("device " + i + "\n")).isEqualTo("device " + i + "\n");
    }
    assertThat(gateway.handler().created()).hasSize(10);
    assertThat(gateway.counter("tcp:test.delayed.max_conn_rate")).isPositive();
    assertThat(gateway.counter("tcp:test.refused.max_conn_rate")).isZero();
    assertThat(gateway.handler().closedCount()).isZero();
  }

  @Test
  void maxConnectionsAndMaxConnRateTogether() throws Exception {
    EchoGateway gateway = start(TcpListener.builder().maxConnections(1).maxConnRate(100));
    DeviceClient first = connect();
    gateway.conn(0);

    DeviceClient second = connect();

    assertThat(second.closedByServer()).isTrue();
    assertThat(gateway.counter("tcp:test.refused.max_connections")).isEqualTo(1);
    first.send("still here\n");
    assertThat(first.read("still here\n")).isEqualTo("still here\n");
  }

  /** Answers the first bytes of a connection with far more data than any socket buffer holds. */
  private static final class FloodHandler extends IdleHandler {
    private final Adapter adapter;
    final Map<String, String> closed = new ConcurrentHashMap<>();

    FloodHandler(Adapter adapter) {
      this.adapter = adapter;
    }

    @Override
    public CompletionStage<Void> onReceivedBytes(ReceivedBytes event) {
      byte[] chunk = new byte[64 * 1024];
      for (int i = 0; i < 128; i++) {
        adapter.send(event.conn(), chunk.clone());
      }
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> onSocketClosed(SocketClosed event) {
      closed.put(event.conn(), event.reason());
      return CompletableFuture.completedFuture(null);
    }
  }

  @Test
  void sendTimeoutClosesADeviceThatDoesNotRead() throws Exception {
    listener = TcpListener.builder().name("tcp:test").bind("127.0.0.1:0")
        .sndbuf(16 * 1024).sendTimeout(Duration.ofMillis(500)).build();
    List<FloodHandler> handler = new ArrayList<>();
    Gateway gateway = Gateway.builder().listener(listener)
        .handler(adapter -> {
          FloodHandler flood = new FloodHandler(adapter);
          handler.add(flood);
          return flood;
        })
        .build();
    gateways.add(gateway);
    gateway.start();
    DeviceClient device = new DeviceClient(DeviceClient.connect(listener.localAddress(), 0, 16 * 1024));
    clients.add(device);

    device.send("give me everything\n");

    await().atMost(Duration.ofSeconds(20)).until(() -> gateway.metrics().get("tcp:test.send_timeout") == 1);
    await().until(() -> handler.get(0).closed.size() == 1);
    assertThat(handler.get(0).closed.values()).containsExactly("send_timeout");
    await().until(() -> listener.openChannels().isEmpty());
  }

  @Test
  void refusalsAreLoggedOncePerPeriodAndAllCounted() throws Exception {
    String text = StandardError.capture(() -> {
      EchoGateway gateway = start(TcpListener.builder()
          .accessRules(List.of("deny 127.0.0.1", "allow all")));
      for (int i = 0; i < 5; i++) {
        assertThat(connect().closedByServer()).isTrue();
      }
      await().until(() -> gateway.counter("tcp:test.refused.access_rules") == 5);
    });

    assertThat(StandardError.linesContaining(text, "denied by access_rules")).as(text).isEqualTo(1);
  }

  @Test
  void maxConnectionsRefusalsAreLoggedOncePerPeriod() throws Exception {
    String text = StandardError.capture(() -> {
      EchoGateway gateway = start(TcpListener.builder().maxConnections(1));
      connect();
      gateway.conn(0);
      for (int i = 0; i < 5; i++) {
        assertThat(connect().closedByServer()).isTrue();
      }
      await().until(() -> gateway.counter("tcp:test.refused.max_connections") == 5);
    });

    assertThat(StandardError.linesContaining(text, "max_connections (1) reached")).as(text).isEqualTo(1);
  }

  @Test
  void maxConnRateDelaysAreLoggedOncePerPeriod() throws Exception {
    AtomicLong clock = new AtomicLong();
    String text = StandardError.capture(() -> {
      EchoGateway gateway = start(TcpListener.builder().maxConnRate(1).nanoClock(clock::get));
      connect();
      gateway.conn(0);
      for (int i = 0; i < 3; i++) {
        connect();
        long delayed = i + 1;
        await().until(() -> gateway.counter("tcp:test.delayed.max_conn_rate") >= delayed);
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        gateway.conn(i + 1);
      }
    });

    assertThat(StandardError.linesContaining(text, "max_conn_rate")).as(text).isEqualTo(1);
  }

  @Test
  void rejectsBadPolicySettingsNamingThem() {
    assertThatThrownBy(() -> TcpListener.builder().maxConnRate(0))
        .hasMessageContaining("maxConnRate").hasMessageContaining("max_conn_rate");
    assertThatThrownBy(() -> TcpListener.builder().accessRules(List.of("allow everyone")))
        .hasMessageStartingWith("access_rules").hasMessageContaining("'allow everyone'");
    assertThatThrownBy(() -> TcpListener.builder().sendTimeout(Duration.ofSeconds(-1)))
        .hasMessageContaining("send_timeout");
    assertThatThrownBy(() -> TcpListener.builder().proxyProtocolTimeout(Duration.ZERO))
        .hasMessageContaining("proxy_protocol_timeout");
    assertThatThrownBy(() -> TcpListener.builder().backlog(0))
        .hasMessageContaining("tcp_options.backlog");
  }
}
