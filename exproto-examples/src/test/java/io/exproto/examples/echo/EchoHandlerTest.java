package io.exproto.examples.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.exproto.auth.AuthResult;
import io.exproto.broker.InMemoryBroker;
import io.exproto.broker.Message;
import io.exproto.gateway.Gateway;
import io.exproto.testing.InProcessDevice;
import io.exproto.testing.InProcessListener;
import io.exproto.testing.ManualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The in-process echo handler against the real engine, with no sockets and a manual clock. */
class EchoHandlerTest {

  private final InProcessListener listener = new InProcessListener();
  private final ManualScheduler clock = new ManualScheduler();
  private final InMemoryBroker broker = new InMemoryBroker();
  private final List<Message> published = new CopyOnWriteArrayList<>();
  private Gateway gateway;

  @BeforeEach
  void startGateway() throws Exception {
    broker.subscribe("#", 0, published::add).toCompletableFuture().join();
    gateway = Gateway.builder().listener(listener).broker(broker).scheduler(clock)
        .mountpoint("site/").handler(EchoHandler::new).build();
    gateway.start();
  }

  @AfterEach
  void stopGateway() {
    gateway.close();
  }

  @Test
  void bytesTravelThroughTheBrokerAndBack() {
    InProcessDevice device = listener.connect();
    device.send("hello ");
    device.send("world");
    await().atMost(Duration.ofSeconds(10)).until(() -> device.receivedText().equals("hello world"));
    assertThat(published).extracting(Message::topic).allSatisfy(topic ->
        assertThat(topic).startsWith("site/echo/"));
    assertThat(published).extracting(Message::from).allSatisfy(from ->
        assertThat("site/echo/" + from).isEqualTo(published.get(0).topic()));
  }

  @Test
  void clientsDoNotHearEachOther() {
    InProcessDevice a = listener.connect();
    InProcessDevice b = listener.connect();
    a.send("for a");
    b.send("for b");
    await().atMost(Duration.ofSeconds(10)).until(() -> a.receivedText().equals("for a")
        && b.receivedText().equals("for b"));
  }

  @Test
  void keepaliveClosesASilentDevice() {
    InProcessDevice device = listener.connect();
    device.send("ping");
    await().atMost(Duration.ofSeconds(10)).until(() -> device.receivedText().equals("ping"));
    // Dead after 1.5 x the interval without inbound bytes.
    clock.advance(Duration.ofSeconds(EchoHandler.KEEPALIVE_SECONDS));
    assertThat(device.isClosed()).isFalse();
    clock.advance(Duration.ofSeconds(EchoHandler.KEEPALIVE_SECONDS / 2 + 1));
    await().atMost(Duration.ofSeconds(10)).until(device::isClosed);
  }

  @Test
  void aDeniedClientIsDisconnected() throws Exception {
    gateway.close();
    InProcessListener denying = new InProcessListener();
    gateway = Gateway.builder().listener(denying).scheduler(clock)
        .authenticator(request -> CompletableFuture.completedFuture(AuthResult.deny("no echo today")))
        .handler(EchoHandler::new).build();
    gateway.start();
    // Authenticate fails, so OnSocketCreated fails and the gateway closes the device.
    InProcessDevice device = denying.connect();
    await().atMost(Duration.ofSeconds(10)).until(device::isClosed);
  }
}
