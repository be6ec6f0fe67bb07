package io.exproto.transport.udp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.exproto.adapter.Result;
import io.exproto.adapter.ResultCode;
import io.exproto.gateway.GatewayMetrics;
import io.exproto.handler.SocketCreated;
import io.exproto.listener.Address;
import io.exproto.listener.Connection;
import io.exproto.listener.ConnectionAcceptor;
import io.exproto.listener.ConnectionEvents;
import io.exproto.listener.SocketType;
import io.exproto.transport.internal.NettyLeakCheck;
import io.exproto.transport.testkit.EchoGateway;
import io.exproto.transport.testkit.StandardError;
import io.netty.channel.Channel;
import java.io.IOException;
import java.net.BindException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The UDP listener over real datagram sockets with a gateway and an echo protocol. */
@ExtendWith(NettyLeakCheck.class)
@Timeout(60)
class UdpListenerTest {

  private final List<UdpPeer> peers = new ArrayList<>();
  private final List<UdpListener> listeners = new ArrayList<>();
  private UdpListener listener;
  private EchoGateway gateway;

  @AfterEach
  void tearDown() {
    peers.forEach(UdpPeer::close);
    if (gateway != null) {
      gateway.close();
    }
    listeners.forEach(UdpListener::stop);
  }

  private void start(UdpListener.Builder builder) throws Exception {
    start(builder, settings -> {});
  }

  private void start(UdpListener.Builder builder, Consumer<io.exproto.gateway.Gateway.Builder> settings)
      throws Exception {
    listener = builder.name("udp:test").bind("127.0.0.1:0").build();
    gateway = EchoGateway.start(listener, settings);
  }

  private UdpPeer peer() throws IOException {
    UdpPeer peer = new UdpPeer(listener.localAddress());
    peers.add(peer);
    return peer;
  }

  @Test
  void echoesForTwoPeersWithOneConnectionEach() throws Exception {
    start(UdpListener.builder());
    UdpPeer first = peer();
    UdpPeer second = peer();

    assertThat(first.roundTrip("from one")).isEqualTo("from one");
    assertThat(second.roundTrip("from two")).isEqualTo("from two");
    assertThat(first.roundTrip("again one")).isEqualTo("again one");

    List<SocketCreated> created = gateway.handler().created();
    assertThat(created).hasSize(2);
    assertThat(created).extracting(c -> c.info().socketType()).containsOnly(SocketType.UDP);
    assertThat(created).extracting(c -> c.info().peer())
        .containsExactly(new Address("127.0.0.1", first.port()), new Address("127.0.0.1", second.port()));
    assertThat(created.get(0).info().local()).isEqualTo(new Address("127.0.0.1", listener.localAddress().getPort()));
    assertThat(new String(gateway.handler().received(created.get(0).conn()), UTF_8)).isEqualTo("from oneagain one");
    assertThat(listener.peerCount()).isEqualTo(2);
  }

  @Test
  void eachDatagramIsOneCallbackAndEachSendOneDatagram() throws Exception {
    start(UdpListener.builder());
    UdpPeer device = peer();

    device.send("a");
    assertThat(device.receive()).isEqualTo("a");
    device.send("bb");
    device.send("ccc");

    assertThat(device.receive()).isEqualTo("bb");
    assertThat(device.receive()).isEqualTo("ccc");
    assertThat(gateway.handler().bytesCallbacks()).isEqualTo(3);
  }

  @Test
  void aSendWhileTheSocketsQueueIsFullIsRefusedAndCounted() throws Exception {
    start(UdpListener.builder());
    UdpPeer device = peer();
    assertThat(device.roundTrip("hi")).isEqualTo("hi");
    String conn = gateway.conn(0);
    Channel channel = listener.channel();
    // As when more than SEND_QUEUE_LIMIT bytes wait for the system: the channel is not writable.
    setWritable(channel, false);

    Result refused = gateway.handler().adapter().send(conn, "lost".getBytes(UTF_8))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(refused.code()).isEqualTo(ResultCode.UNKNOWN);
    assertThat(refused.message()).isEqualTo("bytes: not sent: the listener's socket has over "
        + UdpListener.SEND_QUEUE_LIMIT + " bytes queued for sending (the network is not keeping up)");
    assertThat(gateway.counter("udp:test.dropped.writes")).isEqualTo(1);
    setWritable(channel, true);
    assertThat(device.roundTrip("again")).as("the peer is served once the queue drains")
        .isEqualTo("again");
  }

  private static void setWritable(Channel channel, boolean writable) throws Exception {
    channel.eventLoop().submit(() ->
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, writable)).get();
  }

  @Test
  void aClosedPeerComesBackWithANewConnectionAndTheSocketSurvives() throws Exception {
    start(UdpListener.builder());
    UdpPeer leaving = peer();
    UdpPeer staying = peer();
    assertThat(leaving.roundTrip("hi")).isEqualTo("hi");
    assertThat(staying.roundTrip("hi")).isEqualTo("hi");
    String first = gateway.conn(0);

    leaving.send("quit\n");

    await().until(() -> gateway.handler().closeReason(first).isPresent());
    assertThat(gateway.handler().closeReason(first)).contains("normal");
    await().until(() -> listener.peerCount() == 1);
    assertThat(listener.socketOpen()).isTrue();
    assertThat(staying.roundTrip("still served")).isEqualTo("still served");

    assertThat(leaving.roundTrip("back")).isEqualTo("back");
    String second = gateway.conn(2);
    assertThat(second).isNotEqualTo(first);
    assertThat(gateway.handler().created().get(2).info().peer()).isEqualTo(new Address("127.0.0.1", leaving.port()));
    assertThat(new String(gateway.handler().received(second), UTF_8)).isEqualTo("back");
  }

  @Test
  void theGatewaysIdleTimeoutClosesASilentPeer() throws Exception {
    start(UdpListener.builder(), settings -> settings.idleTimeout(Duration.ofMillis(300)));
    UdpPeer device = peer();
    assertThat(device.roundTrip("ping")).isEqualTo("ping");
    String conn = gateway.conn(0);

    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.handler().closeReason(conn).isPresent());

    assertThat(gateway.handler().closeReason(conn)).contains("idle_timeout");
    await().until(() -> listener.peerCount() == 0);
    assertThat(device.roundTrip("pong")).isEqualTo("pong");
    assertThat(gateway.conn(1)).isNotEqualTo(conn);
  }

  @Test
  void maxConnectionsCountsPeers() throws Exception {
    start(UdpListener.builder().maxConnections(2));
    UdpPeer first = peer();
    UdpPeer second = peer();
    UdpPeer third = peer();
    assertThat(first.roundTrip("1")).isEqualTo("1");
    assertThat(second.roundTrip("2")).isEqualTo("2");

    third.send("3");

    await().until(() -> gateway.counter("udp:test.refused.max_connections") == 1);
    assertThat(gateway.handler().created()).hasSize(2);
    assertThat(first.roundTrip("1 again")).isEqualTo("1 again");

    first.send("quit\n");
    await().until(() -> listener.peerCount() == 1);
    assertThat(third.roundTrip("3 again")).isEqualTo("3 again");
  }

  @Test
  void accessRulesApplyToNewPeers() throws Exception {
    start(UdpListener.builder().accessRules(List.of("deny 127.0.0.1")));
    UdpPeer denied = peer();

    denied.send("let me in");

    await().until(() -> gateway.counter("udp:test.refused.access_rules") == 1);
    assertThat(gateway.handler().created()).isEmpty();
    assertThat(gateway.counter(GatewayMetrics.CONNECTIONS_ACCEPTED)).isZero();
  }

  @Test
  void maxConnRateAppliesToNewPeers() throws Exception {
    AtomicLong clock = new AtomicLong();
    start(UdpListener.builder().maxConnRate(1).nanoClock(clock::get));
    UdpPeer first = peer();
    UdpPeer second = peer();
    assertThat(first.roundTrip("first")).isEqualTo("first");

    second.send("too soon");
    await().until(() -> gateway.counter("udp:test.refused.max_conn_rate") == 1);
    assertThat(first.roundTrip("known peers are not rate limited")).isEqualTo("known peers are not rate limited");

    clock.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(second.roundTrip("now")).isEqualTo("now");
    assertThat(gateway.handler().created()).hasSize(2);
  }

  @Test
  void aDatagramThatCannotBeSentIsDroppedAndCountedAndThePeerIsStillServed() throws Exception {
    start(UdpListener.builder());
    UdpPeer device = peer();
    assertThat(device.roundTrip("hello")).isEqualTo("hello");
    String conn = gateway.conn(0);

    // More than an IPv4 datagram can carry (65,507 bytes of payload): the system refuses to send it.
    gateway.handler().adapter().send(conn, new byte[70_000]).toCompletableFuture().get(5, TimeUnit.SECONDS);

    await().until(() -> gateway.counter("udp:test.dropped.writes") == 1);
    assertThat(device.roundTrip("still here")).isEqualTo("still here");
    assertThat(gateway.counter("udp:test.dropped.writes")).isEqualTo(1);
  }

  @Test
  void aPausedPeersDatagramsAreDroppedAndCountedUntilResumed() throws Exception {
    start(UdpListener.builder(), settings -> settings.queueCapacity(2).handlerTimeout(Duration.ofSeconds(30)));
    gateway.handler().recordOnly();
    gateway.handler().stall();
    UdpPeer device = peer();

    for (int i = 0; i < 20; i++) {
      device.send("burst " + i);
    }

    await().until(() -> gateway.counter("udp:test.dropped.backpressure") > 0);
    gateway.handler().release();
    String conn = gateway.conn(0);
    await().until(() -> {
      device.send("after");
      return new String(gateway.handler().received(conn), UTF_8).endsWith("after");
    });
    assertThat(gateway.handler().closeReason(conn)).isEmpty();
  }

  @Test
  void removingTheListenerClosesEveryPeerWithUdpClosed() throws Exception {
    start(UdpListener.builder());
    UdpPeer first = peer();
    UdpPeer second = peer();
    assertThat(first.roundTrip("a")).isEqualTo("a");
    assertThat(second.roundTrip("b")).isEqualTo("b");
    String one = gateway.conn(0);
    String two = gateway.conn(1);

    assertThat(gateway.gateway().removeListener("udp:test")).isTrue();

    await().until(() -> gateway.handler().closedCount() == 2);
    assertThat(gateway.handler().closeReason(one)).contains("udp_closed");
    assertThat(gateway.handler().closeReason(two)).contains("udp_closed");
    assertThat(listener.socketOpen()).isFalse();
    await().until(() -> gateway.gateway().connectionCount() == 0);
  }

  @Test
  void aListenerCanBeAddedToARunningGateway() throws Exception {
    start(UdpListener.builder());
    UdpListener extra = UdpListener.builder().name("udp:extra").bind("127.0.0.1:0").build();
    listeners.add(extra);

    gateway.gateway().addListener(extra);
    UdpPeer device = new UdpPeer(extra.localAddress());
    peers.add(device);

    assertThat(device.roundTrip("extra")).isEqualTo("extra");
    assertThat(gateway.handler().created().get(0).info().listenerName()).isEqualTo("udp:extra");
  }

  @Test
  void failedAcceptsAreLoggedOncePerPeriod() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    GatewayMetrics metrics = new GatewayMetrics();
    ConnectionAcceptor failing = new ConnectionAcceptor() {
      @Override
      public ConnectionEvents accept(Connection connection) {
        attempts.incrementAndGet();
        throw new IllegalStateException("the gateway is broken");
      }

      @Override
      public GatewayMetrics metrics() {
        return metrics;
      }
    };
    listener = UdpListener.builder().name("udp:test").bind("127.0.0.1:0").build();
    listeners.add(listener);

    String text = StandardError.capture(() -> {
      listener.start(failing);
      for (int i = 0; i < 4; i++) {
        peer().send("new peer " + i);
      }
      await().until(() -> attempts.get() == 4);
      listener.stop();
    });

    assertThat(StandardError.linesContaining(text, "failed to accept the peer")).as(text)
        .isEqualTo(1);
  }

  @Test
  void defaultsAndValidation() throws Exception {
    UdpListener defaults = UdpListener.builder().build();
    assertThat(defaults.name()).isEqualTo("udp:default");
    assertThat(defaults.toString()).contains("0.0.0.0:7993");
    assertThat(UdpListener.builder().mountpoint("udp/").build().mountpoint()).contains("udp/");
    assertThatThrownBy(() -> UdpListener.builder().maxDatagramSize(0)).hasMessageStartingWith("maxDatagramSize");
    assertThatThrownBy(() -> UdpListener.builder().maxConnections(0)).hasMessageContaining("max_connections");
    assertThatThrownBy(() -> UdpListener.builder().bind("nowhere:x")).hasMessageStartingWith("bind");

    start(UdpListener.builder());
    UdpListener clash = UdpListener.builder().name("udp:clash")
        .bind("127.0.0.1:" + listener.localAddress().getPort()).build();
    listeners.add(clash);
    assertThatThrownBy(() -> clash.start(gatewayAcceptor()))
        .isInstanceOf(BindException.class).hasMessageContaining("udp:clash");
    assertThatThrownBy(() -> listener.start(gatewayAcceptor())).isInstanceOf(IllegalStateException.class);
  }

  private static io.exproto.listener.ConnectionAcceptor gatewayAcceptor() {
    GatewayMetrics metrics = new GatewayMetrics();
    return new io.exproto.listener.ConnectionAcceptor() {
      @Override
      public io.exproto.listener.ConnectionEvents accept(io.exproto.listener.Connection connection) {
        throw new UnsupportedOperationException();
      }

      @Override
      public GatewayMetrics metrics() {
        return metrics;
      }
    };
  }
}
