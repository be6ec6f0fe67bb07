package io.exproto.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.exproto.gateway.Gateway;
import io.exproto.gateway.GatewayMetrics;
import io.exproto.grpc.proto.ConnInfo;
import io.exproto.grpc.sdk.AdapterClient;
import io.exproto.grpc.sdk.HandlerServer;
import io.exproto.grpc.sdk.HandlerService;
import io.exproto.grpc.testkit.Resources;
import io.exproto.grpc.tls.ClientTlsOptions;
import io.exproto.grpc.tls.ServerTlsOptions;
import io.exproto.grpc.tls.TestPki;
import io.exproto.testing.InProcessDevice;
import io.exproto.testing.InProcessListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both gRPC links over mutual TLS, end to end: the gateway calls an {@code https://} handler that
 * requires client certificates, and the handler calls the gateway's adapter, which requires them
 * too. Certificates are made at test time; the server certificate names only
 * {@link TestPki#SERVER_NAME}, so every client reaches 127.0.0.1 with an SNI override.
 */
class GrpcHandlerTlsEndToEndTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  static Path certificates;
  private static TestPki pki;

  private final InProcessListener listener = new InProcessListener();

  @RegisterExtension
  final Resources resources = new Resources();

  @BeforeAll
  static void makeCertificates() throws Exception {
    pki = TestPki.create(certificates);
  }

  private HandlerServer serveMutualTls(HandlerService service) throws Exception {
    HandlerServer server = resources.track(HandlerServer.builder(service).bind("127.0.0.1:0").tls(pki.mutualServerTls())
        .build());
    server.start();
    return server;
  }

  private Gateway startGateway(GrpcHandler grpc) throws Exception {
    Gateway gateway = resources.track(Gateway.builder().listener(listener).handler(grpc).build());
    gateway.start();
    return gateway;
  }

  @Test
  void echoWorksOverMutualTlsBothWays() throws Exception {
    EchoService echo = new EchoService();
    HandlerServer handlerServer = serveMutualTls(echo);
    assertThat(handlerServer.address()).startsWith("https://127.0.0.1:");
    GrpcHandler grpc = GrpcHandler.builder()
        .handlerAddress(handlerServer.address())
        .handlerTls(pki.mutualClientTls())
        .adapterBind("127.0.0.1:0")
        .adapterTls(pki.mutualServerTls())
        .callTimeout(Duration.ofSeconds(10))
        .build();
    startGateway(grpc);
    echo.adapter = AdapterClient.connect("https://127.0.0.1:" + grpc.adapterPort(), pki.mutualClientTls(),
        Duration.ofSeconds(10));
    // Closed after the gateway, which still sends OnSocketClosed.
    resources.trackToCloseLast(echo.adapter);

    InProcessDevice first = listener.connect();
    InProcessDevice second = listener.connect();
    first.send("hello ");
    second.send("bonjour ");
    first.send("over TLS");
    second.send("sur TLS");
    await().atMost(WAIT).until(() -> first.receivedText().equals("hello over TLS"));
    await().atMost(WAIT).until(() -> second.receivedText().equals("bonjour sur TLS"));
    assertThat(echo.created).hasSize(2);

    first.disconnect();
    await().atMost(WAIT).until(() -> echo.closed.contains("tcp_closed"));
  }

  @Test
  void aGatewayThatDoesNotTrustTheHandlersCaGetsTheDeviceClosed() throws Exception {
    EchoService echo = new EchoService();
    HandlerServer handlerServer = serveMutualTls(echo);
    GrpcHandler grpc = GrpcHandler.builder()
        .handlerAddress(handlerServer.address())
        .handlerTls(ClientTlsOptions.builder().cacertfile(pki.otherCaCert)
            .serverNameIndication(TestPki.SERVER_NAME)
            .certfile(pki.clientCert).keyfile(pki.clientKey).build())
        .adapterBind("127.0.0.1:0")
        // A call waits for a connection for nine tenths of this, then the device is closed.
        .callTimeout(Duration.ofSeconds(1))
        .build();
    Gateway gateway = startGateway(grpc); // failure policy: close (the default)

    InProcessDevice device = listener.connect();
    await().atMost(WAIT).until(device::isClosed);
    assertThat(gateway.metrics().get(GatewayMetrics.HANDLER_ERRORS)).isPositive();
    assertThat(echo.created).isEmpty();
  }

  @Test
  void aGatewayWithoutAClientCertificateIsRefusedByAMutualTlsHandler() throws Exception {
    EchoService echo = new EchoService();
    HandlerServer handlerServer = serveMutualTls(echo);
    GrpcHandler grpc = GrpcHandler.builder()
        .handlerAddress(handlerServer.address())
        .handlerTls(pki.clientTls())
        .adapterBind("127.0.0.1:0")
        .callTimeout(Duration.ofSeconds(1))
        .build();
    Gateway gateway = startGateway(grpc);

    InProcessDevice device = listener.connect();
    await().atMost(WAIT).until(device::isClosed);
    assertThat(gateway.metrics().get(GatewayMetrics.HANDLER_ERRORS)).isPositive();
    assertThat(echo.created).isEmpty();
  }

  @Test
  void aMissingCertificateFileFailsTheGatewayStartNamingTheKey() throws Exception {
    Path missing = certificates.resolve("missing.pem");
    GrpcHandler grpc = GrpcHandler.builder()
        .adapterBind("127.0.0.1:0")
        .adapterTls(ServerTlsOptions.builder().certfile(missing).keyfile(pki.serverKey).build())
        .build();
    Gateway gateway = resources.track(Gateway.builder().listener(listener).handler(grpc).build());
    assertThatThrownBy(gateway::start).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("server.ssl_options.certfile: file not found: " + missing);

    GrpcHandler client = GrpcHandler.builder()
        .handlerAddress("https://127.0.0.1:9001")
        .handlerTls(ClientTlsOptions.builder().cacertfile(missing).build())
        .adapterBind("127.0.0.1:0")
        .build();
    Gateway other = resources.track(Gateway.builder().listener(new InProcessListener()).handler(client).build());
    assertThatThrownBy(other::start).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("handler.ssl_options.cacertfile: file not found: " + missing);
  }

  /** Sends every byte straight back through the adapter. */
  private static final class EchoService extends HandlerService {
    volatile AdapterClient adapter;
    final List<String> created = new CopyOnWriteArrayList<>();
    final List<String> closed = new CopyOnWriteArrayList<>();

    @Override
    protected void onSocketCreated(String conn, ConnInfo info) {
      created.add(conn);
    }

    @Override
    protected void onReceivedBytes(String conn, byte[] bytes) {
      if (!adapter.send(conn, bytes).isSuccess()) {
        throw new IllegalStateException("send failed");
      }
    }

    @Override
    protected void onSocketClosed(String conn, String reason) {
      closed.add(reason);
    }
  }
}
