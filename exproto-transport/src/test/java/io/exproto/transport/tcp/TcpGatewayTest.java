package io.exproto.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.exproto.gateway.Gateway;
import io.exproto.gateway.GatewayMetrics;
import io.exproto.handler.SocketCreated;
import io.exproto.listener.Address;
import io.exproto.listener.SocketType;
import io.exproto.transport.internal.NettyLeakCheck;
import io.exproto.transport.testkit.DeviceClient;
import io.exproto.transport.testkit.EchoHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A real gateway with the TCP listener and an in-process echo protocol, over real sockets. */
@ExtendWith(NettyLeakCheck.class)
@Timeout(30)
class TcpGatewayTest {

  private final AtomicReference<EchoHandler> handler = new AtomicReference<>();
  private final List<DeviceClient> clients = new ArrayList<>();
  private TcpListener listener;
  private Gateway gateway;

  @AfterEach
  void tearDown() throws IOException {
    for (DeviceClient client : clients) {
      client.close();
    }
    if (gateway != null) {
      gateway.stop();
    }
  }

  private void startGateway(TcpListener.Builder listenerBuilder) throws Exception {
    listener = listenerBuilder.bind("127.0.0.1:0").build();
    gateway = Gateway.builder()
        .listener(listener)
        .handler(adapter -> {
          EchoHandler echo = new EchoHandler(adapter);
          handler.set(echo);
          return echo;
        })
        .build();
    gateway.start();
  }

  private DeviceClient connect() throws IOException {
    DeviceClient client = new DeviceClient(listener.localAddress());
    clients.add(client);
    return client;
  }

  private EchoHandler handler() {
    return handler.get();
  }

  /** The conn id of the n-th connection the handler saw, once it has seen it. */
  private String conn(int n) {
    await().until(() -> handler().created().size() > n);
    return handler().created().get(n).conn();
  }

  @Test
  void echoesLines() throws Exception {
    startGateway(TcpListener.builder());
    DeviceClient client = connect();

    client.send("hello\n");
    assertThat(client.read("hello\n")).isEqualTo("hello\n");
    client.send("world\n");
    assertThat(client.read("world\n")).isEqualTo("world\n");

    assertThat(new String(handler().received(conn(0)), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("hello\nworld\n");
  }

  @Test
  void connInfoDescribesTheSocket() throws Exception {
    startGateway(TcpListener.builder().name("tcp:devices"));
    DeviceClient client = connect();
    conn(0);

    SocketCreated created = handler().created().get(0);
    InetSocketAddress clientAddress = (InetSocketAddress) client.socket().getLocalSocketAddress();
    assertThat(created.info().socketType()).isEqualTo(SocketType.TCP);
    assertThat(created.info().peer()).isEqualTo(new Address("127.0.0.1", clientAddress.getPort()));
    assertThat(created.info().local()).isEqualTo(new Address("127.0.0.1", listener.localAddress().getPort()));
    assertThat(created.info().peerCertificate()).isEmpty();
    assertThat(created.info().listenerName()).isEqualTo("tcp:devices");
  }

  @Test
  void aPeerCloseGivesTcpClosed() throws Exception {
    startGateway(TcpListener.builder());
    DeviceClient client = connect();
    String conn = conn(0);

    client.close();

    await().until(() -> handler().closeReason(conn).isPresent());
    assertThat(handler().closeReason(conn)).contains("tcp_closed");
    assertThat(handler().closedCount()).isEqualTo(1);
    await().until(() -> gateway.connectionCount() == 0 && listener.openChannels().isEmpty());
  }

  @Test
  void adapterCloseFromTheHandlerClosesTheDeviceSocket() throws Exception {
    startGateway(TcpListener.builder());
    DeviceClient client = connect();
    String conn = conn(0);

    client.send("quit\n");

    assertThat(client.closedByServer()).isTrue();
    await().until(() -> handler().closeReason(conn).isPresent());
    assertThat(handler().closeReason(conn)).contains("normal");
    assertThat(handler().closedCount()).isEqualTo(1);
    await().until(() -> listener.openChannels().isEmpty());
  }

  @Test
  void refusesConnectionsBeyondMaxConnections() throws Exception {
    startGateway(TcpListener.builder().name("tcp:small").maxConnections(2));
    DeviceClient first = connect();
    DeviceClient second = connect();
    conn(1);

    DeviceClient third = connect();

    assertThat(third.closedByServer()).isTrue();
    assertThat(gateway.metrics().get("tcp:small.refused.max_connections")).isEqualTo(1);
    assertThat(gateway.metrics().get(GatewayMetrics.CONNECTIONS_ACCEPTED)).isEqualTo(2);
    assertThat(handler().created()).hasSize(2);
    first.send("one\n");
    second.send("two\n");
    assertThat(first.read("one\n")).isEqualTo("one\n");
    assertThat(second.read("two\n")).isEqualTo("two\n");

    first.close();
    await().until(() -> listener.admittedConnections() == 1);
    DeviceClient fourth = connect();
    fourth.send("four\n");
    assertThat(fourth.read("four\n")).isEqualTo("four\n");
  }

  @Test
  void stoppingTheGatewayClosesDeviceSockets() throws Exception {
    startGateway(TcpListener.builder());
    DeviceClient client = connect();
    String conn = conn(0);

    gateway.stop();

    assertThat(client.closedByServer()).isTrue();
    assertThat(handler().closeReason(conn)).contains("gateway_stopped");
  }

  @Test
  void manyConnectionsEchoIndependently() throws Exception {
    startGateway(TcpListener.builder());
    List<DeviceClient> many = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      many.add(connect());
    }
    for (int i = 0; i < many.size(); i++) {
      many.get(i).send("device " + i + "\n");
    }
    for (int i = 0; i < many.size(); i++) {
      assertThat(many.get(i).read("device " + i + "\n")).isEqualTo("device " + i + "\n");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> gateway.connectionCount() == 20);
  }
}
