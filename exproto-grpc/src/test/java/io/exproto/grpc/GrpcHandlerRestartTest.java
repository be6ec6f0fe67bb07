package io.exproto.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.exproto.gateway.Gateway;
import io.exproto.gateway.GatewayMetrics;
import io.exproto.grpc.sdk.AdapterClient;
import io.exproto.grpc.sdk.HandlerServer;
import io.exproto.grpc.sdk.HandlerService;
import io.exproto.grpc.testkit.Ports;
import io.exproto.handler.FailurePolicy;
import io.exproto.transport.tcp.TcpListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A handler restart over real TCP and real gRPC: a device on a TCP socket sends numbered lines
 * through an echo handler service that is stopped and started again on the same port. Under the
 * retry policy the device stays connected and gets every line back, in order; under the close
 * policy it is disconnected.
 */
class GrpcHandlerRestartTest {

  private static final Duration WAIT = Duration.ofSeconds(40);

  // Closed in this order: devices, then the gateway (it still sends OnSocketClosed), then the
  // handler servers, then the handlers' adapter client.
  private final List<AutoCloseable> devices = new ArrayList<>();
  private final List<AutoCloseable> gateways = new ArrayList<>();
  private final List<AutoCloseable> handlers = new ArrayList<>();
  private final List<AutoCloseable> clients = new ArrayList<>();
  private final AtomicInteger linesWritten = new AtomicInteger();
  private String handlerBind;
  private AdapterClient adapter;

  @AfterEach
  void tearDown() throws Exception {
    for (List<AutoCloseable> group : List.of(devices, gateways, handlers, clients)) {
      for (AutoCloseable resource : group) {
        resource.close();
      }
    }
  }

  private static <T extends AutoCloseable> T track(List<AutoCloseable> group, T resource) {
    group.add(resource);
    return resource;
  }

  private HandlerServer startHandler() throws IOException {
    HandlerServer server = track(handlers, new HandlerServer(new EchoService(), handlerBind));
    server.start();
    return server;
  }

  private Gateway startGateway(TcpListener tcp, FailurePolicy policy) throws Exception {
    handlerBind = "127.0.0.1:" + Ports.freeLoopbackPort();
    GrpcHandler grpc = GrpcHandler.builder()
        .handlerAddress("http://" + handlerBind)
        .adapterBind("127.0.0.1:0")
        // A callback made while the handler is down waits for nine tenths of this, then fails as
        // not sent (retried under retry, closing the device under close).
        .callTimeout(Duration.ofSeconds(2))
        .build();
    Gateway gateway = track(gateways, Gateway.builder()
        .listener(tcp)
        .handler(grpc)
        .failurePolicy(policy)
        .retryWindow(Duration.ofSeconds(30))
        .handlerTimeout(Duration.ofSeconds(15))
        .idleTimeout(Duration.ZERO)
        .build());
    gateway.start();
    adapter = track(clients, AdapterClient.connect("http://127.0.0.1:" + grpc.adapterPort(), Duration.ofSeconds(5)));
    return gateway;
  }

  private Device connect(TcpListener tcp) throws IOException {
    InetSocketAddress address = tcp.localAddress();
    return track(devices, new Device(new Socket(address.getAddress(), address.getPort())));
  }

  private void writeLine(Device device) throws IOException {
    device.write(String.format("%04d%n", linesWritten.getAndIncrement()));
  }

  private String expectedText() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < linesWritten.get(); i++) {
      text.append(String.format("%04d%n", i));
    }
    return text.toString();
  }

  @Test
  void underRetryTheDeviceStaysConnectedAndEveryLineComesBackInOrder() throws Exception {
    TcpListener tcp = TcpListener.builder().bind("127.0.0.1:0").build();
    Gateway gateway = startGateway(tcp, FailurePolicy.RETRY);
    HandlerServer handler = startHandler();
    Device device = connect(tcp);

    for (int i = 0; i < 10; i++) {
      writeLine(device);
    }
    await().atMost(WAIT).until(() -> device.text().equals(expectedText()));

    handler.close();
    // The device keeps sending while the handler is down, and the handler stays down until the
    // gateway has retried several times (backoff 100 ms, 200 ms, 400 ms, ...).
    for (int i = 0; i < 50; i++) {
      writeLine(device);
    }
    await().atMost(WAIT).until(() -> gateway.metrics().get(GatewayMetrics.HANDLER_RETRIES) >= 4);
    writeLine(device);
    assertThat(device.text()).hasSizeLessThan(expectedText().length());
    assertThat(gateway.metrics().get(GatewayMetrics.HANDLER_RETRIES)).isPositive();

    startHandler();
    for (int i = 0; i < 10; i++) {
      writeLine(device);
    }
    await().atMost(WAIT).until(() -> device.text().length() >= expectedText().length());
    assertThat(device.text()).isEqualTo(expectedText());
    assertThat(device.isClosedByGateway()).isFalse();
    assertThat(gateway.connectionCount()).isEqualTo(1);
    assertThat(gateway.metrics().get(GatewayMetrics.HANDLER_ERRORS)).isZero();
  }

  @Test
  void underCloseTheDeviceIsDisconnected() throws Exception {
    TcpListener tcp = TcpListener.builder().bind("127.0.0.1:0").build();
    Gateway gateway = startGateway(tcp, FailurePolicy.CLOSE);
    HandlerServer handler = startHandler();
    Device device = connect(tcp);
    writeLine(device);
    await().atMost(WAIT).until(() -> device.text().equals(expectedText()));

    handler.close();
    writeLine(device);
    await().atMost(WAIT).until(device::isClosedByGateway);
    assertThat(gateway.metrics().get(GatewayMetrics.HANDLER_ERRORS)).isPositive();
    await().atMost(WAIT).until(() -> gateway.connectionCount() == 0);
  }

  /** Sends every byte straight back to its device. */
  private final class EchoService extends HandlerService {
    @Override
    protected void onReceivedBytes(String conn, byte[] bytes) {
      if (!adapter.send(conn, bytes).isSuccess()) {
        throw new IllegalStateException("send failed");
      }
    }
  }

  /** A device on a TCP socket; a thread collects what the gateway sends back. */
  private static final class Device implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final Thread reader;
    private volatile boolean eof;

    Device(Socket socket) throws IOException {
      this.socket = socket;
      this.out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      this.reader = new Thread(() -> {
        byte[] buffer = new byte[4096];
        try {
          int n;
          while ((n = in.read(buffer)) >= 0) {
            synchronized (received) {
              received.write(buffer, 0, n);
            }
          }
          eof = true;
        } catch (IOException e) {
          // closed by the test
        }
      }, "device-reader");
      reader.setDaemon(true);
      reader.start();
    }

    void write(String text) throws IOException {
      out.write(text.getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }

    String text() {
      synchronized (received) {
        return received.toString(StandardCharsets.US_ASCII);
      }
    }

    /** True once a read returned -1: the gateway closed the connection. */
    boolean isClosedByGateway() {
      return eof;
    }

    @Override
    public void close() throws IOException {
      socket.close();
      try {
        reader.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
