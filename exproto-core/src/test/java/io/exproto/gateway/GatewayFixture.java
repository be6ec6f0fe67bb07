package io.exproto.gateway;

import io.exproto.adapter.Adapter;
import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.Result;
import io.exproto.broker.InMemoryBroker;
import io.exproto.listener.Address;
import io.exproto.listener.ConnectionInfo;
import io.exproto.listener.SocketType;
import io.exproto.testing.InProcessDevice;
import io.exproto.testing.InProcessListener;
import io.exproto.testing.ManualScheduler;
import java.util.function.Consumer;

/** A started gateway on an in-process listener, a manual clock and (by default) a same-thread executor. */
final class GatewayFixture implements AutoCloseable {

  final ManualScheduler clock = new ManualScheduler();
  final InMemoryBroker broker = new InMemoryBroker();
  final InProcessListener listener;
  final RecordingHandler handler = new RecordingHandler();
  final Gateway gateway;

  GatewayFixture(Consumer<Gateway.Builder> customize) {
    this(new InProcessListener(), customize);
  }

  GatewayFixture(InProcessListener listener, Consumer<Gateway.Builder> customize) {
    this.listener = listener;
    Gateway.Builder builder = Gateway.builder()
        .listener(listener)
        .broker(broker)
        .scheduler(clock)
        .executor(Runnable::run)
        .handler(handler::attach);
    customize.accept(builder);
    gateway = builder.build();
    try {
      gateway.start();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  GatewayFixture() {
    this(b -> {});
  }

  Adapter adapter() {
    return gateway.adapter();
  }

  /** Connects a device and returns it with its conn id. */
  Connected connect() {
    int before = handler.connCount();
    InProcessDevice device = listener.connect();
    String conn = handler.conn(before);
    return new Connected(device, conn);
  }

  /** Connects a device over the given transport and returns it with its conn id. */
  Connected connect(SocketType transport) {
    int before = handler.connCount();
    InProcessDevice device = listener.connect(ConnectionInfo.of(transport,
        new Address("127.0.0.1", 30000 + before), new Address("127.0.0.1", 7993), listener.name()));
    return new Connected(device, handler.conn(before));
  }

  /** Connects and authenticates a device with a client id. */
  Connected connectAs(String clientId, String username) {
    return authenticate(connect(), clientId, username);
  }

  /** Connects a device over the given transport and authenticates it with a client id. */
  Connected connectAs(String clientId, SocketType transport) {
    return authenticate(connect(transport), clientId, "");
  }

  private Connected authenticate(Connected c, String clientId, String username) {
    Result r = call(adapter().authenticate(c.conn(), ClientInfo.of(clientId, username), "secret"));
    if (!r.isSuccess()) {
      throw new IllegalStateException("authenticate failed: " + r);
    }
    return c;
  }

  static Result call(java.util.concurrent.CompletionStage<Result> stage) {
    return stage.toCompletableFuture().join();
  }

  record Connected(InProcessDevice device, String conn) {}

  @Override
  public void close() {
    gateway.close();
  }
}
