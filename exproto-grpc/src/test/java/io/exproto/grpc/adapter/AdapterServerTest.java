package io.exproto.grpc.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.exproto.adapter.ResultCode;
import io.exproto.gateway.Gateway;
import io.exproto.grpc.sdk.AdapterClient;
import io.exproto.testing.InProcessListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ConnectionAdapter server's lifecycle and bind address, over real loopback sockets. */
class AdapterServerTest {

  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private <T extends AutoCloseable> T track(T resource) {
    resources.add(resource);
    return resource;
  }

  private Gateway gateway() throws Exception {
    Gateway gateway = track(Gateway.builder().listener(new InProcessListener())
        .handler(a -> new NoopHandler()).build());
    gateway.start();
    return gateway;
  }

  @Test
  void servesTheAdapterOnAnEphemeralLoopbackPort() throws Exception {
    AdapterServer server = track(new AdapterServer(gateway().adapter(), "127.0.0.1:0"));
    server.start();
    server.start(); // idempotent
    assertThat(server.port()).isPositive();
    AdapterClient client = track(AdapterClient.connect("http://127.0.0.1:" + server.port()));
    assertThat(client.send("no-such-conn", new byte[] {1}).code()).isEqualTo(ResultCode.CONN_PROCESS_NOT_ALIVE);
    assertThat(client.rawPublish("t", 0, new byte[0]).isSuccess()).isTrue();
  }

  @Test
  void aPortAloneBindsEveryInterface() throws Exception {
    AdapterServer server = track(new AdapterServer(gateway().adapter(), "0"));
    assertThat(server.bind()).isEqualTo("0.0.0.0:0");
    server.start();
    AdapterClient client = track(AdapterClient.connect("http://localhost:" + server.port()));
    assertThat(client.rawPublish("t", 0, new byte[0]).isSuccess()).isTrue();
  }

  @Test
  void theDefaultBindIsEmqxs() throws Exception {
    AdapterServer server = track(new AdapterServer(gateway().adapter()));
    assertThat(server.bind()).isEqualTo("0.0.0.0:9100");
  }

  @Test
  void closeIsIdempotentAndFinal() throws Exception {
    AdapterServer server = new AdapterServer(gateway().adapter(), "127.0.0.1:0");
    server.close(); // before start
    server.close();
    assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class);

    AdapterServer started = new AdapterServer(gateway().adapter(), "127.0.0.1:0");
    started.start();
    started.close();
    started.close();
    assertThatThrownBy(started::port).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void portBeforeStartIsAnError() throws Exception {
    AdapterServer server = track(new AdapterServer(gateway().adapter(), "127.0.0.1:0"));
    assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class).hasMessageContaining("not started");
  }

  @Test
  void aPortInUseIsAnIoErrorNamingTheAddress() throws Exception {
    AdapterServer first = track(new AdapterServer(gateway().adapter(), "127.0.0.1:0"));
    first.start();
    AdapterServer second = track(new AdapterServer(gateway().adapter(), "127.0.0.1:" + first.port()));
    assertThatThrownBy(second::start).isInstanceOf(IOException.class)
        .hasMessageContaining("127.0.0.1:" + first.port());
  }

  @Test
  void malformedBindAddressesNameTheField() throws Exception {
    var adapter = gateway().adapter();
    for (String bad : new String[] {"", " ", "abc", "host:", ":9100", "127.0.0.1:70000", "127.0.0.1:-1",
        "::1:9100", "[::1]", "[nope]:1", "a b:1", "1.2.3.4:9100x"}) {
      assertThatThrownBy(() -> new AdapterServer(adapter, bad))
          .as("bind %s", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("server.bind:");
    }
    assertThatThrownBy(() -> new AdapterServer(adapter, null)).hasMessageStartingWith("server.bind:");
  }

  @Test
  void ipv6BindAddressesAreAccepted() throws Exception {
    AdapterServer server = track(new AdapterServer(gateway().adapter(), "[::1]:0"));
    assertThat(server.bind()).isEqualTo("[::1]:0");
  }

  /** A handler that answers every callback at once. */
  private static final class NoopHandler implements io.exproto.handler.ConnectionHandler {
    @Override
    public CompletableFuture<Void> onSocketCreated(io.exproto.handler.SocketCreated event) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> onReceivedBytes(io.exproto.handler.ReceivedBytes event) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> onTimerTimeout(io.exproto.handler.TimerTimeout event) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> onReceivedMessages(io.exproto.handler.ReceivedMessages event) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> onSocketClosed(io.exproto.handler.SocketClosed event) {
      return CompletableFuture.completedFuture(null);
    }
  }
}
