package io.exproto.transport.tcp;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.handler.SocketCreated;
import io.exproto.listener.Address;
import io.exproto.transport.internal.NettyLeakCheck;
import io.exproto.transport.testkit.DeviceClient;
import io.exproto.transport.testkit.EchoGateway;
import io.exproto.transport.testkit.ProxyHeaders;
import io.exproto.transport.testkit.StandardError;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** PROXY protocol v1 and v2 on the TCP listener, over real sockets. */
@ExtendWith(NettyLeakCheck.class)
@Timeout(60)
class ProxyProtocolTest {

  private static final String REFUSED = "tcp:proxied.refused.proxy_protocol";

  private final List<DeviceClient> clients = new ArrayList<>();
  private TcpListener listener;
  private EchoGateway gateway;

  @AfterEach
  void tearDown() throws IOException {
    for (DeviceClient client : clients) {
      client.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  private void start(TcpListener.Builder builder) throws Exception {
    listener = builder.name("tcp:proxied").bind("127.0.0.1:0").proxyProtocol(true).build();
    gateway = EchoGateway.start(listener);
  }

  private DeviceClient connect() throws IOException {
    DeviceClient client = new DeviceClient(listener.localAddress());
    clients.add(client);
    return client;
  }

  @Test
  void aV1HeaderSetsTheOriginalClientAndTheSocketIsCreatedOnlyAfterIt() throws Exception {
    start(TcpListener.builder());
    DeviceClient client = connect();
    await().until(() -> listener.openChannels().size() == 1);
    assertThat(gateway.handler().created()).as("nothing before the header").isEmpty();

    client.send(ProxyHeaders.concat(ProxyHeaders.v1("203.0.113.7", 56324, "192.0.2.1", 7993),
        "hello\n".getBytes(US_ASCII)));

    assertThat(client.read("hello\n")).isEqualTo("hello\n");
    SocketCreated created = gateway.handler().created().get(0);
    assertThat(created.info().peer()).isEqualTo(new Address("203.0.113.7", 56324));
    assertThat(created.info().local()).isEqualTo(new Address("192.0.2.1", 7993));
    assertThat(new String(gateway.handler().received(created.conn()), US_ASCII))
        .as("the header never reaches the handler").isEqualTo("hello\n");
  }

  @Test
  void aV2BinaryHeaderSetsTheOriginalClient() throws Exception {
    start(TcpListener.builder());
    DeviceClient ipv4 = connect();
    DeviceClient ipv6 = connect();

    ipv4.send(ProxyHeaders.v2("198.51.100.20", 40001, "192.0.2.1", 7993));
    ipv4.send("four\n");
    ipv6.send(ProxyHeaders.concat(ProxyHeaders.v2("2001:db8::20", 40002, "2001:db8::1", 7993),
        "six\n".getBytes(US_ASCII)));

    assertThat(ipv4.read("four\n")).isEqualTo("four\n");
    assertThat(ipv6.read("six\n")).isEqualTo("six\n");
    assertThat(gateway.handler().created()).extracting(c -> c.info().peer())
        .containsExactlyInAnyOrder(new Address("198.51.100.20", 40001), new Address("2001:db8:0:0:0:0:0:20", 40002));
  }

  @Test
  void garbageInsteadOfAHeaderClosesWithNothingReachingTheHandler() throws Exception {
    start(TcpListener.builder());
    DeviceClient client = connect();

    client.send("GET / HTTP/1.1\r\nHost: gateway\r\n\r\n");

    assertThat(client.closedByServer()).isTrue();
    await().until(() -> gateway.counter(REFUSED) == 1);
    assertThat(gateway.handler().created()).isEmpty();
    assertThat(gateway.handler().bytesCallbacks()).isZero();
    assertThat(gateway.counter(GatewayMetrics.CONNECTIONS_ACCEPTED)).isZero();
  }

  @Test
  void aMissingHeaderTimesOut() throws Exception {
    start(TcpListener.builder().proxyProtocolTimeout(Duration.ofMillis(300)));
    DeviceClient silent = connect();
    DeviceClient partial = connect();
    partial.send("PROXY TCP4 ");

    assertThat(silent.closedByServer()).isTrue();
    assertThat(partial.closedByServer()).isTrue();
    await().until(() -> gateway.counter(REFUSED) == 2);
    assertThat(gateway.handler().created()).isEmpty();
  }

  @Test
  void refusalsAreLoggedOncePerPeriodAndCauseAndAllCounted() throws Exception {
    String text = StandardError.capture(() -> {
      start(TcpListener.builder().proxyProtocolTimeout(Duration.ofMillis(300)));
      for (int i = 0; i < 5; i++) {
        DeviceClient garbage = connect();
        garbage.send("GET / HTTP/1.1\r\n\r\n");
        assertThat(garbage.closedByServer()).isTrue();
      }
      await().until(() -> gateway.counter(REFUSED) == 5);
      for (int i = 0; i < 3; i++) {
        assertThat(connect().closedByServer()).isTrue();
      }
      await().until(() -> gateway.counter(REFUSED) == 8);
    });

    assertThat(StandardError.linesContaining(text, "refused a connection from"))
        .as("one line per cause: " + text).isEqualTo(2);
    assertThat(StandardError.linesContaining(text, "no PROXY protocol header within 300 ms"))
        .as(text).isEqualTo(1);
  }

  @Test
  void accessRulesApplyToTheOriginalClient() throws Exception {
    start(TcpListener.builder().accessRules(List.of("deny 203.0.113.0/24", "allow all")));
    DeviceClient denied = connect();
    DeviceClient allowed = connect();

    denied.send(ProxyHeaders.v1("203.0.113.9", 1000, "192.0.2.1", 7993));
    allowed.send(ProxyHeaders.v1("198.51.100.9", 1000, "192.0.2.1", 7993));
    allowed.send("in\n");

    assertThat(denied.closedByServer()).isTrue();
    assertThat(allowed.read("in\n")).isEqualTo("in\n");
    assertThat(gateway.counter("tcp:proxied.refused.access_rules")).isEqualTo(1);
    assertThat(gateway.handler().created()).extracting(c -> c.info().peer())
        .containsExactly(new Address("198.51.100.9", 1000));
  }
}
