package io.exproto.dtls;

import io.exproto.gateway.Gateway;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * What the end-to-end tests share: a real gateway with one DTLS listener on 127.0.0.1 (an
 * ephemeral port) and the in-process echo protocol, stopped after each test (after the test's own
 * {@code @AfterEach}, which closes its devices).
 */
abstract class EchoGatewayTestSupport {

  /** The listener of the running gateway. */
  protected DtlsListener listener;
  /** The running gateway, or null before {@link #startGateway}. */
  protected Gateway gateway;

  private final AtomicReference<EchoHandler> handler = new AtomicReference<>();

  @BeforeAll
  static void patience() {
    // Two cores shared with other builds: handshakes can take seconds under load.
    Awaitility.setDefaultTimeout(Duration.ofSeconds(30));
  }

  @AfterEach
  void stopGateway() {
    if (gateway != null) {
      gateway.stop();
    }
  }

  /** Starts the gateway with default settings. */
  protected void startGateway(DtlsListener.Builder listenerBuilder) throws Exception {
    startGateway(listenerBuilder, Gateway.builder());
  }

  /** Starts the gateway: the listener bound to 127.0.0.1 on an ephemeral port, the echo protocol. */
  protected void startGateway(DtlsListener.Builder listenerBuilder, Gateway.Builder gatewayBuilder)
      throws Exception {
    listener = listenerBuilder.bind("127.0.0.1:0").build();
    gateway = gatewayBuilder
        .listener(listener)
        .handler(adapter -> {
          EchoHandler echo = new EchoHandler(adapter);
          handler.set(echo);
          return echo;
        })
        .build();
    gateway.start();
  }

  /** The echo protocol's handler, once the gateway created it. */
  protected EchoHandler handler() {
    return handler.get();
  }
}
