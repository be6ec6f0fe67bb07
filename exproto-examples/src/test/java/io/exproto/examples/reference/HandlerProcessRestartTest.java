package io.exproto.examples.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.exproto.examples.echo.EchoHandlerService;
import io.exproto.examples.support.ChildProcess;
import io.exproto.examples.support.LineClient;
import io.exproto.examples.support.Ports;
import io.exproto.examples.support.Resources;
import io.exproto.gateway.Gateway;
import io.exproto.gateway.GatewayMetrics;
import io.exproto.grpc.GrpcHandler;
import io.exproto.handler.FailurePolicy;
import io.exproto.hooks.ClientContext;
import io.exproto.hooks.GatewayHooks;
import io.exproto.transport.tcp.TcpListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue acceptance: the handler service is a process of its own (the Java echo handler service in a
 * child JVM); it is stopped for 5 seconds and started again while a device keeps sending. Under
 * {@code retry} the device stays connected and every line comes back, in order; under
 * {@code close} the device is closed with reason {@code handler_error}.
 *
 * <p>The handler must come back on the same port, so its port is chosen in advance (a free port,
 * released): the gateway is told it before it starts.
 */
class HandlerProcessRestartTest {

  private static final Duration OUTAGE = Duration.ofSeconds(5);

  @RegisterExtension final Resources resources = new Resources();

  private final List<String> disconnects = new CopyOnWriteArrayList<>();
  private Gateway gateway;
  private TcpListener listener;
  private GrpcHandler grpc;
  private int handlerPort;

  private void startGateway(FailurePolicy policy) throws Exception {
    handlerPort = Ports.freeLoopbackPort();
    grpc = GrpcHandler.builder()
        .handlerAddress("http://127.0.0.1:" + handlerPort)
        .adapterBind("127.0.0.1:0")
        // A callback made while the handler is down waits for nine tenths of this, then fails as
        // not sent: retried under retry (several times in the outage), closing under close.
        .callTimeout(Duration.ofSeconds(2))
        .build();
    listener = TcpListener.builder().bind("127.0.0.1:0").build();
    gateway = resources.track(Gateway.builder()
        .listener(listener)
        .handler(grpc)
        .failurePolicy(policy)
        .retryWindow(Duration.ofSeconds(60))
        .hooks(new GatewayHooks() {
          @Override
          public void onDisconnected(ClientContext client, String reason) {
            disconnects.add(reason);
          }
        })
        .build());
    gateway.start();
  }

  private ChildProcess startHandler() {
    try {
      ChildProcess handler = ChildProcess.java(EchoHandlerService.class,
          "--host", "127.0.0.1", "--port", String.valueOf(handlerPort),
          "--adapter", "http://127.0.0.1:" + grpc.adapterPort());
      handler.awaitLine(Pattern.compile("^listening on " + handlerPort + "$"), Duration.ofSeconds(60));
      return handler;
    } catch (Exception e) {
      throw new AssertionError("the echo handler service did not start", e);
    }
  }

  @Test
  void underRetryADeviceKeepsItsConnectionAndEveryLineThroughAHandlerRestart() throws Exception {
    startGateway(FailurePolicy.RETRY);
    ChildProcess handler = startHandler();
    LineClient device = resources.track(new LineClient(listener.localAddress()));
    assertThat(device.roundTrip("before the restart")).isEqualTo("before the restart");

    handler.close();
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      sent.add("while the handler is down " + i);
      device.send(sent.get(i));
    }
    // Keep the handler down for the whole outage; by then the gateway has retried.
    long retries = gateway.metrics().get(GatewayMetrics.HANDLER_RETRIES);
    await().pollDelay(OUTAGE).atMost(OUTAGE.plusSeconds(30))
        .until(() -> gateway.metrics().get(GatewayMetrics.HANDLER_RETRIES) > retries);
    for (int i = 20; i < 25; i++) {
      sent.add("still down " + i);
      device.send(sent.get(i));
    }
    resources.track(startHandler());

    List<String> received = new ArrayList<>();
    for (int i = 0; i < sent.size(); i++) {
      received.add(device.readLine());
    }
    assertThat(received).containsExactlyElementsOf(sent);
    assertThat(device.roundTrip("after the restart")).isEqualTo("after the restart");
    assertThat(disconnects).isEmpty();
    assertThat(gateway.connectionCount()).isEqualTo(1);
    // Leave while the handler is up, so OnSocketClosed is delivered at once and the gateway stops
    // without waiting for it.
    device.close();
    await().atMost(Duration.ofSeconds(30)).until(() -> gateway.connectionCount() == 0);
  }

  @Test
  void underCloseTheDeviceIsClosedWithHandlerError() throws Exception {
    startGateway(FailurePolicy.CLOSE);
    ChildProcess handler = startHandler();
    LineClient device = resources.track(new LineClient(listener.localAddress()));
    assertThat(device.roundTrip("before the stop")).isEqualTo("before the stop");

    handler.close();
    device.send("nobody handles this");
    assertThat(device.closedByPeer()).isTrue();
    await().atMost(Duration.ofSeconds(30)).until(() -> disconnects.contains("handler_error"));
    assertThat(disconnects).containsExactly("handler_error");
    assertThat(gateway.metrics().get(GatewayMetrics.HANDLER_ERRORS)).isPositive();
  }
}
