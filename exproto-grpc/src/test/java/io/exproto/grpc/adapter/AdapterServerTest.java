package io.exproto.grpc.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.exproto.adapter.Adapter;
import io.exproto.adapter.Result;
import io.exproto.adapter.ResultCode;
import io.exproto.gateway.Gateway;
import io.exproto.grpc.sdk.AdapterClient;
import io.exproto.grpc.testkit.Resources;
import io.exproto.testing.InProcessListener;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The ConnectionAdapter server's lifecycle and bind address, over real loopback sockets. */
class AdapterServerTest {

  @RegisterExtension
  final Resources resources = new Resources();

  private Gateway gateway() throws Exception {
    Gateway gateway = resources.track(Gateway.builder().listener(new InProcessListener())
        .handler(a -> new NoopHandler()).build());
    gateway.start();
    return gateway;
  }

  @Test
  void servesTheAdapterOnAnEphemeralLoopbackPort() throws Exception {
    AdapterServer server = resources.track(new AdapterServer(gateway().adapter(), "127.0.0.1:0"));
    server.start();
    server.start(); // idempotent
    assertThat(server.port()).isPositive();
    AdapterClient client = resources.track(AdapterClient.connect("http://127.0.0.1:" + server.port()));
    assertThat(client.send("no-such-conn", new byte[] {1}).code()).isEqualTo(ResultCode.CONN_PROCESS_NOT_ALIVE);
    assertThat(client.rawPublish("t", 0, new byte[0]).isSuccess()).isTrue();
  }

  @Test
  void theClientsAsyncAnswerCompletesOnItsChannelsNetworkThread() throws Exception {
    Adapter real = gateway().adapter();
    CompletableFuture<Result> held = new CompletableFuture<>();
    Adapter holding = (Adapter) Proxy.newProxyInstance(Adapter.class.getClassLoader(), new Class<?>[] {Adapter.class},
        (proxy, method, args) -> method.getName().equals("rawPublish") ? held : method.invoke(real, args));
    AdapterServer server = resources.track(new AdapterServer(holding, "127.0.0.1:0"));
    server.start();
    AdapterClient client = resources.track(AdapterClient.connect("http://127.0.0.1:" + server.port()));

    CompletableFuture<String> thread = client.rawPublishAsync("t", 0, new byte[0])
        .thenApply(result -> Thread.currentThread().getName());
    held.complete(Result.success());

    // Not handed to grpc-java's default executor (see ClientChannels.open).
    assertThat(thread.get(10, TimeUnit.SECONDS)).startsWith("grpc-nio-worker");
  }

  @Test
  void aPortAloneBindsEveryInterface() throws Exception {
    AdapterServer server = resources.track(new AdapterServer(gateway().adapter(), "0"));
    assertThat(server.bind()).isEqualTo("0.0.0.0:0");
    server.start();
    AdapterClient client = resources.track(AdapterClient.connect("http://localhost:" + server.port()));
    assertThat(client.rawPublish("t", 0, new byte[0]).isSuccess()).isTrue();
  }

  @Test
  void theDefaultBindIsEmqxs() throws Exception {
    AdapterServer server = resources.track(new AdapterServer(gateway().adapter()));
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
    AdapterServer server = resources.track(new AdapterServer(gateway().adapter(), "127.0.0.1:0"));
    assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class).hasMessageContaining("not started");
  }

  @Test
  void aPortInUseIsAnIoErrorNamingTheAddress() throws Exception {
    AdapterServer first = resources.track(new AdapterServer(gateway().adapter(), "127.0.0.1:0"));
    first.start();
    AdapterServer second = resources.track(new AdapterServer(gateway().adapter(), "127.0.0.1:" + first.port()));
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
    AdapterServer server = resources.track(new AdapterServer(gateway().adapter(), "[::1]:0"));
    assertThat(server.bind()).isEqualTo("[::1]:0");
  }
}
