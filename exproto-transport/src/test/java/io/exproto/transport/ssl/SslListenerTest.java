package io.exproto.transport.ssl;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.handler.SocketCreated;
import io.exproto.listener.Address;
import io.exproto.listener.CertificateInfo;
import io.exproto.listener.SocketType;
import io.exproto.transport.internal.NettyLeakCheck;
import io.exproto.transport.testkit.DeviceClient;
import io.exproto.transport.testkit.EchoGateway;
import io.exproto.transport.testkit.ProxyHeaders;
import io.exproto.transport.testkit.StandardError;
import io.exproto.transport.testkit.TestPki;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The TLS listener over real sockets, with certificates generated for the test. */
@ExtendWith(NettyLeakCheck.class)
@Timeout(60)
class SslListenerTest {

  private static final String REFUSED = "ssl:test.refused.tls_handshake";

  private static TestPki pki;

  @TempDir
  Path dir;

  private final List<DeviceClient> clients = new ArrayList<>();
  private String certfile;
  private String keyfile;
  private String cacertfile;
  private SslListener listener;
  private EchoGateway gateway;

  @BeforeAll
  static void generateCertificates() throws Exception {
    pki = TestPki.generate();
  }

  @BeforeEach
  void writePemFiles() throws IOException {
    certfile = pki.writeServerCert(dir).toString();
    keyfile = pki.writeServerKey(dir).toString();
    cacertfile = pki.writeCaCert(dir).toString();
  }

  @AfterEach
  void tearDown() throws IOException {
    for (DeviceClient client : clients) {
      client.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  private SslListener.Builder builder() {
    return SslListener.builder().name("ssl:test").bind("127.0.0.1:0")
        .certfile(certfile).keyfile(keyfile).cacertfile(cacertfile);
  }

  private void start(SslListener.Builder builder) throws Exception {
    listener = builder.build();
    gateway = EchoGateway.start(listener);
  }

  private DeviceClient device(Socket socket) throws IOException {
    DeviceClient client = new DeviceClient(socket);
    clients.add(client);
    return client;
  }

  @Test
  void echoesForAClientWithACertificateAndReportsItsSubject() throws Exception {
    start(builder().verify(SslListener.Verify.VERIFY_PEER).failIfNoPeerCert(true));
    DeviceClient client = device(pki.connectWithClientCertificate(listener.localAddress()));

    client.send("hello\n");

    assertThat(client.read("hello\n")).isEqualTo("hello\n");
    SocketCreated created = gateway.handler().created().get(0);
    assertThat(created.info().socketType()).isEqualTo(SocketType.SSL);
    assertThat(created.info().listenerName()).isEqualTo("ssl:test");
    assertThat(created.info().peer().host()).isEqualTo("127.0.0.1");
    assertThat(created.info().peerCertificate())
        .contains(new CertificateInfo("device-42", TestPki.CLIENT_SUBJECT));
    assertThat(new String(gateway.handler().received(created.conn()), US_ASCII)).isEqualTo("hello\n");

    client.close();
    await().until(() -> gateway.handler().closeReason(created.conn()).isPresent());
    assertThat(gateway.handler().closeReason(created.conn())).contains("ssl_closed");
    assertThat(gateway.counter(REFUSED)).isZero();
  }

  @Test
  void theHandlerClosingTheConnectionClosesTheTlsSocket() throws Exception {
    start(builder());
    DeviceClient client = device(pki.connectWithoutCertificate(listener.localAddress()));
    client.send("ping\n");
    assertThat(client.read("ping\n")).isEqualTo("ping\n");
    String conn = gateway.conn(0);

    client.send("quit\n");

    assertThat(client.closedByServer()).isTrue();
    await().until(() -> gateway.handler().closeReason(conn).isPresent());
    assertThat(gateway.handler().closeReason(conn)).contains("normal");
    assertThat(gateway.handler().created().get(0).info().peerCertificate())
        .as("verify_none asks for no certificate").isEmpty();
  }

  @Test
  void aClientWithoutCertificateIsRefusedWhenOneIsRequired() throws Exception {
    start(builder().verify("verify_peer").failIfNoPeerCert(true));
    DeviceClient client = device(pki.connectWithoutCertificate(listener.localAddress()));

    assertThat(client.closedByServer()).isTrue();
    await().until(() -> gateway.counter(REFUSED) == 1);
    assertThat(gateway.handler().created()).as("no OnSocketCreated").isEmpty();
    assertThat(gateway.counter(GatewayMetrics.CONNECTIONS_ACCEPTED)).isZero();
  }

  @Test
  void aClientWithoutCertificateIsAcceptedWhenItIsOptional() throws Exception {
    start(builder().verify(SslListener.Verify.VERIFY_PEER));
    DeviceClient client = device(pki.connectWithoutCertificate(listener.localAddress()));

    client.send("anonymous\n");

    assertThat(client.read("anonymous\n")).isEqualTo("anonymous\n");
    assertThat(gateway.handler().created().get(0).info().peerCertificate()).isEmpty();
  }

  @Test
  void anUntrustedCertificateFailsTheHandshake() throws Exception {
    start(builder().verify(SslListener.Verify.VERIFY_PEER));
    DeviceClient client = device(pki.connectWithRogueCertificate(listener.localAddress()));

    assertThat(client.closedByServer()).isTrue();
    await().until(() -> gateway.counter(REFUSED) == 1);
    assertThat(gateway.handler().created()).isEmpty();
  }

  @Test
  void plainTextOnTheTlsPortIsAFailedHandshake() throws Exception {
    start(builder());
    DeviceClient plain = device(DeviceClient.connect(listener.localAddress(), 0, 0));

    plain.send("hello, I do not speak TLS\n");

    assertThat(plain.closedByServer()).isTrue();
    await().until(() -> gateway.counter(REFUSED) == 1);
    assertThat(gateway.handler().created()).isEmpty();
    await().until(() -> listener.openChannels().isEmpty());
  }

  @Test
  void failedHandshakesAreLoggedOncePerPeriodAndAllCounted() throws Exception {
    String text = StandardError.capture(() -> {
      start(builder());
      for (int i = 0; i < 5; i++) {
        DeviceClient plain = device(DeviceClient.connect(listener.localAddress(), 0, 0));
        plain.send("scanner " + i + "\n");
        assertThat(plain.closedByServer()).isTrue();
      }
      await().until(() -> gateway.counter(REFUSED) == 5);
    });

    assertThat(StandardError.linesContaining(text, "TLS handshake with")).as(text).isEqualTo(1);
    assertThat(text).as("the device's bytes are not logged").doesNotContain("scanner");
  }

  @Test
  void aVersionTheListenerDoesNotAllowFailsTheHandshake() throws Exception {
    start(builder().versions(List.of("tlsv1.3")));
    SSLSocket old = (SSLSocket) pki.connectWithoutCertificate(listener.localAddress());
    old.setEnabledProtocols(new String[] {"TLSv1.2"});
    DeviceClient client = device(old);

    assertThat(client.closedByServer()).isTrue();
    await().until(() -> gateway.counter(REFUSED) == 1);
    assertThat(gateway.handler().created()).isEmpty();
  }

  @Test
  void theProxyProtocolHeaderComesBeforeTheHandshake() throws Exception {
    start(builder().verify(SslListener.Verify.VERIFY_PEER).proxyProtocol(true));
    Socket plain = DeviceClient.connect(listener.localAddress(), 0, 0);
    plain.getOutputStream().write(ProxyHeaders.v1("203.0.113.50", 61000, "192.0.2.1", 7994));
    plain.getOutputStream().flush();
    DeviceClient client = device(pki.layerWithClientCertificate(plain));

    client.send("via proxy\n");

    assertThat(client.read("via proxy\n")).isEqualTo("via proxy\n");
    SocketCreated created = gateway.handler().created().get(0);
    assertThat(created.info().peer()).isEqualTo(new Address("203.0.113.50", 61000));
    assertThat(created.info().peerCertificate().map(CertificateInfo::cn)).contains("device-42");
  }

  @Test
  void aDepthOfZeroAcceptsAClientIssuedByTheRoot() throws Exception {
    start(builder().verify(SslListener.Verify.VERIFY_PEER).depth(0));
    DeviceClient client = device(pki.connectWithClientCertificate(listener.localAddress()));

    client.send("shallow\n");

    assertThat(client.read("shallow\n")).isEqualTo("shallow\n");
  }

  @Test
  void depthLimitsTheIntermediatesOfTheClientChain() throws Exception {
    start(builder().name("ssl:test").verify(SslListener.Verify.VERIFY_PEER).depth(0));
    DeviceClient tooDeep = device(pki.connectWithIntermediateIssuedCertificate(listener.localAddress()));

    assertThat(tooDeep.closedByServer()).isTrue();
    await().until(() -> gateway.counter(REFUSED) == 1);
    assertThat(gateway.handler().created()).isEmpty();
  }

  @Test
  void aDepthOfOneAcceptsOneIntermediate() throws Exception {
    start(builder().verify(SslListener.Verify.VERIFY_PEER).depth(1));
    DeviceClient client = device(pki.connectWithIntermediateIssuedCertificate(listener.localAddress()));

    client.send("one level\n");

    assertThat(client.read("one level\n")).isEqualTo("one level\n");
    assertThat(gateway.handler().created().get(0).info().peerCertificate().map(CertificateInfo::cn))
        .contains("deep-device");
  }

  @Test
  void requiresTheServerCertificateAndKey() {
    assertThatThrownBy(() -> SslListener.builder().keyfile(keyfile).build())
        .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("certfile");
    assertThatThrownBy(() -> SslListener.builder().certfile(certfile).build())
        .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("keyfile");
  }

  @Test
  void badFilesAreReportedNamingTheSetting() throws Exception {
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a PEM file\n");
    String missing = dir.resolve("missing.pem").toString();

    assertThatThrownBy(() -> builder().certfile(missing).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("certfile").hasMessageContaining("missing.pem");
    assertThatThrownBy(() -> builder().certfile(garbage.toString()).build())
        .hasMessageStartingWith("certfile");
    assertThatThrownBy(() -> builder().keyfile(garbage.toString()).build())
        .hasMessageStartingWith("keyfile");
    assertThatThrownBy(() -> builder().keyfile(certfile).build())
        .hasMessageStartingWith("keyfile");
    assertThatThrownBy(() -> builder().verify("verify_peer").cacertfile(garbage.toString()).build())
        .hasMessageStartingWith("cacertfile");
  }

  @Test
  void rejectsInconsistentOrUnknownSettings() {
    assertThatThrownBy(() -> builder().failIfNoPeerCert(true).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("fail_if_no_peer_cert")
        .hasMessageContaining("verify_peer");
    assertThatThrownBy(() -> builder().verify("verify_all")).hasMessageStartingWith("verify");
    assertThatThrownBy(() -> builder().versions(List.of("tlsv1.3", "sslv3"))).hasMessageStartingWith("versions")
        .hasMessageContaining("sslv3");
    assertThatThrownBy(() -> builder().versions(List.of())).hasMessageStartingWith("versions");
    assertThatThrownBy(() -> builder().depth(-1)).hasMessageStartingWith("depth");
    assertThatThrownBy(() -> builder().certfile(" ")).hasMessageStartingWith("certfile");
    assertThatThrownBy(() -> builder().handshakeTimeout(java.time.Duration.ZERO))
        .hasMessageContaining("handshake_timeout");
  }

  @Test
  void defaultsFollowEmqx() {
    SslListener built = builder().name("ssl:default").build();

    assertThat(built.name()).isEqualTo("ssl:default");
    assertThat(built.mountpoint()).isEmpty();
    assertThat(built.sslContext().isServer()).isTrue();
    assertThat(SslListener.builder().certfile(certfile).keyfile(keyfile).build().toString())
        .contains("0.0.0.0:7994");
  }
}
