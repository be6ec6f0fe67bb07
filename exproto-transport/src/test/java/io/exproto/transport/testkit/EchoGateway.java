package io.exproto.transport.testkit;

import static org.awaitility.Awaitility.await;

import io.exproto.gateway.Gateway;
import io.exproto.listener.Listener;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** A started gateway with one listener and an {@link EchoHandler}, for the socket tests. */
public final class EchoGateway implements AutoCloseable {

  private final Gateway gateway;
  private final EchoHandler handler;

  private EchoGateway(Gateway gateway, EchoHandler handler) {
    this.gateway = gateway;
    this.handler = handler;
  }

  /** Starts a gateway with default settings. */
  public static EchoGateway start(Listener listener) throws Exception {
    return start(listener, builder -> {});
  }

  /** Starts a gateway after letting the test adjust its builder. */
  public static EchoGateway start(Listener listener, Consumer<Gateway.Builder> settings) throws Exception {
    AtomicReference<EchoHandler> echo = new AtomicReference<>();
    Gateway.Builder builder = Gateway.builder()
        .listener(listener)
        .handler(adapter -> {
          EchoHandler created = new EchoHandler(adapter);
          echo.set(created);
          return created;
        });
    settings.accept(builder);
    Gateway gateway = builder.build();
    gateway.start();
    return new EchoGateway(gateway, echo.get());
  }

  public Gateway gateway() {
    return gateway;
  }

  public EchoHandler handler() {
    return handler;
  }

  /** The conn id of the n-th connection the handler saw, once it has seen it. */
  public String conn(int n) {
    await().until(() -> handler.created().size() > n);
    return handler.created().get(n).conn();
  }

  /** Reads one of the gateway's counters. */
  public long counter(String name) {
    return gateway.metrics().get(name);
  }

  @Override
  public void close() {
    gateway.stop();
  }
}
