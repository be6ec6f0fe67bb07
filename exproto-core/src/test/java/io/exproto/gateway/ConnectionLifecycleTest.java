package io.exproto.gateway;

import static io.exproto.gateway.GatewayFixture.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.ResultCode;
import io.exproto.adapter.TimerType;
import io.exproto.broker.Message;
import io.exproto.testing.InProcessListener;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ConnectionLifecycleTest {

  @Test
  void createdIsFirstAndClosedIsLastExactlyOnce() {
    try (GatewayFixture f = new GatewayFixture()) {
      GatewayFixture.Connected c = f.connect();
      c.device().send("a");
      c.device().send("b");
      c.device().disconnect();
      c.device().disconnect();
      assertThat(f.handler.of(c.conn())).containsExactly("created", "bytes:a", "bytes:b", "closed:tcp_closed");
      assertThat(call(f.adapter().close(c.conn())).code()).isEqualTo(ResultCode.CONN_PROCESS_NOT_ALIVE);
      assertThat(f.gateway.connectionCount()).isZero();
    }
  }

  @Test
  void closeFromTheHandlerClosesTheDeviceWithReasonNormal() {
    try (GatewayFixture f = new GatewayFixture()) {
      GatewayFixture.Connected c = f.connect();
      assertThat(call(f.adapter().close(c.conn())).isSuccess()).isTrue();
      assertThat(c.device().isClosed()).isTrue();
      c.device().send("late"); // a transport racing the close: ignored
      assertThat(f.handler.of(c.conn())).containsExactly("created", "closed:normal");
    }
  }

  @Test
  void sendWritesToTheDevice() {
    try (GatewayFixture f = new GatewayFixture()) {
      GatewayFixture.Connected c = f.connect();
      assertThat(call(f.adapter().send(c.conn(), "hello".getBytes())).isSuccess()).isTrue();
      assertThat(c.device().receivedText()).isEqualTo("hello");
    }
  }

  @Test
  void connIdsAreOpaqueUniqueAndUnguessable() {
    try (GatewayFixture f = new GatewayFixture()) {
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < 500; i++) {
        ids.add(f.connect().conn());
      }
      assertThat(ids).hasSize(500);
      // 20 bytes (96 random bits + a 64-bit sequence) in URL-safe base64 without padding.
      assertThat(ids).allMatch(id -> id.matches("[A-Za-z0-9_-]{27}"));
      assertThat(ids.stream().map(id -> id.substring(0, 16)).distinct().count()).isEqualTo(500);
    }
  }

  @Test
  void takeoverClosesTheOlderConnectionWithDiscarded() {
    try (GatewayFixture f = new GatewayFixture()) {
      GatewayFixture.Connected first = f.connectAs("device-1", "");
      GatewayFixture.Connected second = f.connectAs("device-1", "");
      assertThat(first.device().isClosed()).isTrue();
      assertThat(f.handler.of(first.conn())).last().isEqualTo("closed:discarded");
      assertThat(second.device().isClosed()).isFalse();
      // The newest connection owns the client id: kicking it closes the second one.
      assertThat(f.gateway.kick("device-1")).isTrue();
      assertThat(f.handler.of(second.conn())).last().isEqualTo("closed:kicked");
    }
  }

  @Test
  void subscriptionsDieWithTheConnection() {
    try (GatewayFixture f = new GatewayFixture()) {
      GatewayFixture.Connected c = f.connectAs("c1", "");
      call(f.adapter().subscribe(c.conn(), "a/#", 1));
      call(f.adapter().subscribe(c.conn(), "$share/g/b", 1));
      assertThat(f.broker.subscriptionCount()).isEqualTo(2);
      c.device().disconnect();
      assertThat(f.broker.subscriptionCount()).isZero();
    }
  }

  @Test
  void deliveredMessagesCarryNodeIdPublisherAndTimestamp() {
    try (GatewayFixture f = new GatewayFixture(b -> b.nodeName("gw1@10.0.0.1"))) {
      GatewayFixture.Connected sub = f.connectAs("sub", "");
      GatewayFixture.Connected pub = f.connectAs("pub", "");
      call(f.adapter().subscribe(sub.conn(), "t/+", 2));
      assertThat(call(f.adapter().publish(pub.conn(), "t/1", 1, "x".getBytes())).isSuccess()).isTrue();
      assertThat(f.handler.batches).hasSize(1);
      assertThat(f.handler.batches.get(0).node()).isEqualTo("gw1@10.0.0.1");
      Message m = f.handler.batches.get(0).messages().get(0);
      assertThat(m.id()).matches("[0-9a-f]{32}");
      assertThat(m.from()).isEqualTo("pub");
      assertThat(m.qos()).isEqualTo(1);
      assertThat(m.timestamp()).isEqualTo(f.clock.nowMillis());
    }
  }

  @Test
  void resubscribingUpdatesQosAndUnknownUnsubscribeSucceeds() {
    try (GatewayFixture f = new GatewayFixture()) {
      GatewayFixture.Connected c = f.connectAs("c1", "");
      call(f.adapter().subscribe(c.conn(), "t", 0));
      call(f.adapter().subscribe(c.conn(), "t", 2));
      call(f.adapter().rawPublish("t", 2, new byte[0]));
      assertThat(f.handler.batches.get(0).messages().get(0).qos()).isEqualTo(2);
      assertThat(call(f.adapter().unsubscribe(c.conn(), "never/subscribed")).isSuccess()).isTrue();
      assertThat(call(f.adapter().unsubscribe(c.conn(), "t")).isSuccess()).isTrue();
      call(f.adapter().rawPublish("t", 2, new byte[0]));
      assertThat(f.handler.batches).hasSize(1);
    }
  }

  @Test
  void aFailedCallbackClosesTheConnectionWithHandlerError() {
    try (GatewayFixture f = new GatewayFixture()) {
      f.handler.onBytes = e -> CompletableFuture.failedFuture(new IllegalStateException("parse error"));
      GatewayFixture.Connected c = f.connect();
      c.device().send("x");
      assertThat(c.device().isClosed()).isTrue();
      assertThat(f.handler.of(c.conn())).containsExactly("created", "bytes:x", "closed:handler_error");
      assertThat(f.gateway.metrics().get(GatewayMetrics.HANDLER_ERRORS)).isEqualTo(1);
    }
  }

  @Test
  void aThrowingCallbackIsAHandlerErrorToo() {
    try (GatewayFixture f = new GatewayFixture()) {
      f.handler.onBytes = e -> {
        throw new IllegalStateException("bug in the handler");
      };
      GatewayFixture.Connected c = f.connect();
      c.device().send("x");
      assertThat(f.handler.of(c.conn())).last().isEqualTo("closed:handler_error");
    }
  }

  @Test
  void aCallbackPastItsDeadlineIsAHandlerError() {
    try (GatewayFixture f = new GatewayFixture(b -> b.handlerTimeout(Duration.ofSeconds(5)))) {
      f.handler.onBytes = e -> new CompletableFuture<>(); // never answers
      GatewayFixture.Connected c = f.connect();
      c.device().send("x");
      f.clock.advance(Duration.ofMillis(4999));
      assertThat(c.device().isClosed()).isFalse();
      f.clock.advance(Duration.ofMillis(1));
      assertThat(c.device().isClosed()).isTrue();
      assertThat(f.handler.of(c.conn())).containsExactly("created", "bytes:x", "closed:handler_error");
    }
  }

  @Test
  void queuedCallbacksAreFlushedBeforeClosedAndDroppedAfterTheFlushTimeout() {
    try (GatewayFixture f = new GatewayFixture(b -> b.closeFlushTimeout(Duration.ofSeconds(15))
        .handlerTimeout(Duration.ofSeconds(60)))) {
      CompletableFuture<Void> stall = new CompletableFuture<>();
      f.handler.onBytes = e -> stall;
      GatewayFixture.Connected c = f.connect();
      c.device().send("1");
      c.device().send("2");
      c.device().disconnect();
      // "2" waits behind the stalled "1"; after 15 s it is dropped (counted), then OnSocketClosed follows.
      f.clock.advance(Duration.ofSeconds(15));
      f.handler.onBytes = e -> RecordingHandler.done();
      stall.complete(null);
      assertThat(f.handler.of(c.conn())).containsExactly("created", "bytes:1", "closed:tcp_closed");
      assertThat(f.gateway.metrics().get(GatewayMetrics.EVENTS_DROPPED)).isEqualTo(1);
    }
  }

  @Test
  void stoppingTheGatewayClosesEveryConnectionWithGatewayStopped() throws Exception {
    GatewayFixture f = new GatewayFixture();
    GatewayFixture.Connected a = f.connect();
    GatewayFixture.Connected b = f.connect();
    f.gateway.stop();
    f.gateway.stop();
    assertThat(f.handler.of(a.conn())).last().isEqualTo("closed:gateway_stopped");
    assertThat(f.handler.of(b.conn())).last().isEqualTo("closed:gateway_stopped");
    assertThat(a.device().isClosed()).isTrue();
    assertThatThrownBy(f.gateway::start).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot start again");
  }

  @Test
  void twoGatewaysInOneJvmDoNotSeeEachOther() {
    try (GatewayFixture one = new GatewayFixture(); GatewayFixture two = new GatewayFixture()) {
      GatewayFixture.Connected a = one.connectAs("same-client", "");
      GatewayFixture.Connected b = two.connectAs("same-client", "");
      assertThat(a.device().isClosed()).isFalse();
      assertThat(b.device().isClosed()).isFalse();
      assertThat(call(two.adapter().send(a.conn(), new byte[] {1})).code())
          .isEqualTo(ResultCode.CONN_PROCESS_NOT_ALIVE);
    }
  }

  @Test
  void gatewaysBuiltFromOneBuilderShareNoBrokerAndIgnoreLaterBuilderChanges() throws Exception {
    RecordingHandler handler = new RecordingHandler();
    Gateway.Builder builder = Gateway.builder().executor(Runnable::run).handler(handler::attach);
    Gateway one = builder.build();
    builder.mountpoint("changed/");
    Gateway two = builder.build();
    try (one; two) {
      one.start();
      two.start();
      InProcessListener listener = new InProcessListener();
      one.addListener(listener);
      listener.connect();
      String conn = handler.conn(0);
      call(one.adapter().authenticate(conn, ClientInfo.of("c", ""), ""));
      call(one.adapter().subscribe(conn, "t", 0));
      call(two.adapter().rawPublish("t", 0, "from two".getBytes()));
      call(one.adapter().rawPublish("t", 0, "from one".getBytes()));
      // The default broker is per gateway, and the mountpoint set after build() did not reach "one".
      assertThat(handler.of(conn)).containsExactly("created", "messages:t=from one");
    }
  }

  @Test
  void listenerMountpointOverridesTheGatewayMountpoint() {
    InProcessListener listener = new InProcessListener("inprocess:mounted", "l/${clientid}/");
    try (GatewayFixture f = new GatewayFixture(listener, b -> b.mountpoint("g/"))) {
      InMemoryBrokerInbox inbox = InMemoryBrokerInbox.on(f, "#");
      GatewayFixture.Connected c = f.connectAs("c9", "");
      call(f.adapter().publish(c.conn(), "up", 0, new byte[0]));
      assertThat(inbox.topics()).containsExactly("l/c9/up");
    }
  }

  @Test
  void builderValidationSaysWhatToFix() {
    assertThatThrownBy(() -> Gateway.builder().build()).hasMessageContaining("handler(");
    assertThatThrownBy(() -> Gateway.builder().handler(a -> null)
        .listener(new InProcessListener()).listener(new InProcessListener()).build())
        .hasMessageContaining("inprocess:default");
    assertThatThrownBy(() -> Gateway.builder().queueCapacity(1)).hasMessageContaining("queueCapacity");
    assertThatThrownBy(() -> Gateway.builder().handlerTimeout(Duration.ZERO)).hasMessageContaining("handlerTimeout");
  }

  @Test
  void aHandlerFactoryThatFailsStopsTheStart() {
    InProcessListener listener = new InProcessListener();
    Gateway gateway = Gateway.builder().listener(listener).handler(a -> {
      throw new IllegalStateException("handler service unreachable");
    }).build();
    assertThatThrownBy(gateway::start).hasMessageContaining("handler service unreachable");
    assertThatThrownBy(listener::connect).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void startTimerBeforeAuthenticateIsAllowed() {
    try (GatewayFixture f = new GatewayFixture()) {
      GatewayFixture.Connected c = f.connect();
      assertThat(call(f.adapter().startTimer(c.conn(), TimerType.KEEPALIVE, 10)).isSuccess()).isTrue();
      assertThat(call(f.adapter().authenticate(c.conn(), ClientInfo.of("x", ""), "")).isSuccess()).isTrue();
    }
  }

  /** Subscribes a recording subscriber directly on the fixture's broker. */
  record InMemoryBrokerInbox(List<Message> messages) {
    static InMemoryBrokerInbox on(GatewayFixture f, String filter) {
      InMemoryBrokerInbox inbox = new InMemoryBrokerInbox(new java.util.concurrent.CopyOnWriteArrayList<>());
      f.broker.subscribe(filter, 2, inbox.messages::add);
      return inbox;
    }

    List<String> topics() {
      return messages.stream().map(Message::topic).toList();
    }
  }
}
