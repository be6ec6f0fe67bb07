package io.exproto.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.listener.Connection;
import io.exproto.listener.ConnectionAcceptor;
import io.exproto.listener.ConnectionEvents;
import io.exproto.transport.internal.NettyLeakCheck;
import io.exproto.transport.testkit.DeviceClient;
import io.exproto.transport.testkit.EchoHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The listener on its own: settings, binding, lifecycle and event loop ownership. */
@ExtendWith(NettyLeakCheck.class)
@Timeout(30)
class TcpListenerTest {

  private final List<TcpListener> listeners = new ArrayList<>();
  private final List<EventLoopGroup> groups = new ArrayList<>();
  private final List<DeviceClient> clients = new ArrayList<>();

  @AfterEach
  void tearDown() throws IOException {
    for (DeviceClient client : clients) {
      client.close();
    }
    listeners.forEach(TcpListener::stop);
    for (EventLoopGroup group : groups) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** Accepts everything and records what the connections report. */
  private static final class StubAcceptor implements ConnectionAcceptor {
    final GatewayMetrics metrics = new GatewayMetrics();
    final List<Connection> accepted = new CopyOnWriteArrayList<>();
    final List<String> closes = new CopyOnWriteArrayList<>();

    @Override
    public ConnectionEvents accept(Connection connection) {
      accepted.add(connection);
      return new ConnectionEvents() {
        @Override
        public void onBytes(byte[] bytes) {}

        @Override
        public void onClosed(String reason) {
          closes.add(reason);
        }
      };
    }

    @Override
    public GatewayMetrics metrics() {
      return metrics;
    }
  }

  private TcpListener started(TcpListener.Builder builder, ConnectionAcceptor acceptor) throws IOException {
    TcpListener listener = builder.build();
    listeners.add(listener);
    listener.start(acceptor);
    return listener;
  }

  private DeviceClient connect(TcpListener listener) throws IOException {
    DeviceClient client = new DeviceClient(listener.localAddress());
    clients.add(client);
    return client;
  }

  @Test
  void defaultsFollowEmqx() {
    TcpListener listener = TcpListener.builder().build();

    assertThat(listener.name()).isEqualTo("tcp:default");
    assertThat(listener.mountpoint()).isEmpty();
    assertThat(listener.toString()).contains("0.0.0.0:7993");
  }

  @Test
  void mountpointAndNameAreKept() {
    TcpListener listener = TcpListener.builder().name("tcp:devices").mountpoint("dev/${clientid}/").build();

    assertThat(listener.name()).isEqualTo("tcp:devices");
    assertThat(listener.mountpoint()).contains("dev/${clientid}/");
  }

  @Test
  void parsesBindInEmqxSyntax() throws Exception {
    assertThat(TcpListener.Builder.parseBind("7993"))
        .isEqualTo(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 7993));
    assertThat(TcpListener.Builder.parseBind("127.0.0.1:0"))
        .isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    assertThat(TcpListener.Builder.parseBind("[::1]:7993"))
        .isEqualTo(new InetSocketAddress(InetAddress.getByName("::1"), 7993));
    assertThat(TcpListener.Builder.parseBind(" 10.0.0.1:65535 ").getPort()).isEqualTo(65535);
  }

  @Test
  void rejectsBadBindValuesNamingTheSetting() {
    for (String bad : List.of("", "abc", "::1:7993", "[::1]", "[::1]7993", ":7993", "127.0.0.1:",
        "127.0.0.1:70000", "127.0.0.1:-1")) {
      assertThatThrownBy(() -> TcpListener.builder().bind(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("bind");
    }
    assertThatThrownBy(() -> TcpListener.builder().bind(70000)).hasMessageStartingWith("bind");
    assertThatThrownBy(() -> TcpListener.builder().bind(InetSocketAddress.createUnresolved("nowhere.invalid", 1)))
        .hasMessageStartingWith("bind");
  }

  @Test
  void rejectsBadSettingsNamingThem() {
    assertThatThrownBy(() -> TcpListener.builder().name("")).hasMessageContaining("name");
    assertThatThrownBy(() -> TcpListener.builder().maxConnections(0)).hasMessageContaining("maxConnections");
    assertThatThrownBy(() -> TcpListener.builder().backlog(0)).hasMessageContaining("backlog");
    assertThatThrownBy(() -> TcpListener.builder().recbuf(0)).hasMessageContaining("recbuf");
    assertThatThrownBy(() -> TcpListener.builder().sndbuf(-1)).hasMessageContaining("sndbuf");
  }

  @Test
  void rejectsEventLoopsThatCannotRunNio() {
    EventLoopGroup local = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
    groups.add(local);

    assertThatThrownBy(() -> TcpListener.builder().eventLoopGroups(local, local))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("eventLoopGroups");
  }

  @Test
  void reportsTheBoundAddressAfterStart() throws Exception {
    TcpListener listener = TcpListener.builder().bind("127.0.0.1:0").build();
    listeners.add(listener);
    assertThatThrownBy(listener::localAddress).isInstanceOf(IllegalStateException.class);

    listener.start(new StubAcceptor());

    assertThat(listener.localAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    assertThat(listener.localAddress().getPort()).isPositive();
  }

  @Test
  void aBindFailureNamesTheAddress() throws Exception {
    TcpListener first = started(TcpListener.builder().name("tcp:first").bind("127.0.0.1:0"), new StubAcceptor());
    int port = first.localAddress().getPort();
    TcpListener second = TcpListener.builder().name("tcp:second").bind("127.0.0.1:" + port).build();
    listeners.add(second);

    assertThatThrownBy(() -> second.start(new StubAcceptor()))
        .isInstanceOf(BindException.class)
        .hasMessageContaining("tcp:second")
        .hasMessageContaining("127.0.0.1:" + port);
    assertThat(ownedThreads("tcp-second")).as("owned event loops of a failed start are shut down").isEmpty();
  }

  @Test
  void startsOnlyOnce() throws Exception {
    TcpListener listener = started(TcpListener.builder().bind("127.0.0.1:0"), new StubAcceptor());

    assertThatThrownBy(() -> listener.start(new StubAcceptor())).isInstanceOf(IllegalStateException.class);
    listener.stop();
    assertThatThrownBy(() -> listener.start(new StubAcceptor())).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void stopIsIdempotentAndWorksBeforeStart() {
    TcpListener listener = TcpListener.builder().bind("127.0.0.1:0").build();

    listener.stop();
    listener.stop();

    assertThatThrownBy(() -> listener.start(new StubAcceptor())).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void stopClosesOpenConnectionsAndOwnedEventLoops() throws Exception {
    StubAcceptor acceptor = new StubAcceptor();
    TcpListener listener = started(TcpListener.builder().name("tcp:owned").bind("127.0.0.1:0"), acceptor);
    DeviceClient client = connect(listener);
    await().until(() -> acceptor.accepted.size() == 1);
    assertThat(ownedThreads("tcp-owned")).isNotEmpty();

    listener.stop();
    listener.stop();

    assertThat(client.closedByServer()).isTrue();
    await().until(() -> acceptor.closes.equals(List.of("tcp_closed")));
    assertThat(listener.openChannels()).isEmpty();
    await().atMost(Duration.ofSeconds(5)).until(() -> ownedThreads("tcp-owned").isEmpty());
  }

  @Test
  void sharedEventLoopsAreUsedAndNotShutDown() throws Exception {
    EventLoopGroup shared = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    groups.add(shared);
    StubAcceptor acceptor = new StubAcceptor();
    TcpListener listener = started(TcpListener.builder().name("tcp:shared").bind("127.0.0.1:0")
        .eventLoopGroups(shared, shared), acceptor);
    connect(listener);
    await().until(() -> acceptor.accepted.size() == 1);

    assertThat(ownedThreads("tcp-shared")).isEmpty();
    listener.stop();

    assertThat(shared.isShuttingDown()).isFalse();
    assertThat(clients.get(0).closedByServer()).isTrue();
  }

  @Test
  void appliesSocketOptions() throws Exception {
    StubAcceptor acceptor = new StubAcceptor();
    TcpListener listener = started(TcpListener.builder().bind("127.0.0.1:0").nodelay(false)
        .recbuf(32 * 1024).sndbuf(32 * 1024).backlog(16), acceptor);
    connect(listener);
    await().until(() -> listener.openChannels().size() == 1);

    var config = (io.netty.channel.socket.SocketChannelConfig) listener.openChannels().get(0).config();
    assertThat(config.isTcpNoDelay()).isFalse();
    // The kernel may round the sizes (Linux doubles them); they are no longer the defaults.
    assertThat(config.getReceiveBufferSize()).isBetween(32 * 1024, 2 * 32 * 1024);
    assertThat(config.getSendBufferSize()).isBetween(32 * 1024, 2 * 32 * 1024);
  }

  private static List<String> ownedThreads(String listenerPart) {
    List<String> names = new ArrayList<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.isAlive() && thread.getName().startsWith("exproto-" + listenerPart + "-")) {
        names.add(thread.getName());
      }
    }
    return names;
  }
}
