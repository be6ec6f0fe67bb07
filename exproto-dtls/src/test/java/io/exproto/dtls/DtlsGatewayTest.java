package io.exproto.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.exproto.gateway.Gateway;
import io.exproto.gateway.GatewayMetrics;
import io.exproto.handler.SocketCreated;
import io.exproto.listener.Address;
import io.exproto.listener.CertificateInfo;
import io.exproto.listener.SocketType;
import io.exproto.transport.ListenerCounters;
import io.netty.pkitesting.X509Bundle;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real gateway with the DTLS listener and an in-process echo protocol, over real DTLS on
 * 127.0.0.1, with Scandium clients as devices.
 */
@Timeout(90)
class DtlsGatewayTest extends EchoGatewayTestSupport {

  private static final byte[] SECRET = "correct horse battery staple".getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path dir;

  private final List<DtlsTestClient> clients = new ArrayList<>();

  @AfterEach
  void closeClients() {
    for (DtlsTestClient client : clients) {
      client.close();
    }
  }

  // ---- pre-shared keys ----

  @Test
  void echoesWithAPreSharedKeyAndShowsTheIdentity() throws Exception {
    startGateway(DtlsListener.builder().psk("sensor-1", SECRET));
    DtlsTestClient client = pskClient("sensor-1", SECRET);

    assertThat(client.echo("hello")).isEqualTo("hello");
    assertThat(client.echo("world")).isEqualTo("world");

    SocketCreated created = created(0);
    assertThat(created.info().socketType()).isEqualTo(SocketType.DTLS);
    assertThat(created.info().peer()).isEqualTo(Address.of(client.localAddress()));
    assertThat(created.info().local())
        .isEqualTo(new Address("127.0.0.1", listener.localAddress().getPort()));
    assertThat(created.info().peerCertificate()).contains(new CertificateInfo("sensor-1", ""));
    assertThat(created.info().listenerName()).isEqualTo("dtls:default");
    assertThat(handler().received()).containsExactly("hello", "world");
    assertThat(handler().created()).hasSize(1);
  }

  @Test
  void aPskResolverServesIdentitiesThatAreNotListed() throws Exception {
    startGateway(DtlsListener.builder()
        .psk("listed", SECRET)
        .pskResolver(identity -> identity.equals("from-vault") ? Optional.of(SECRET.clone()) : Optional.empty()));
    DtlsTestClient resolved = pskClient("from-vault", SECRET);
    DtlsTestClient listed = pskClient("listed", SECRET);

    assertThat(resolved.echo("one")).isEqualTo("one");
    assertThat(listed.echo("two")).isEqualTo("two");

    assertThat(handler().created()).extracting(c -> c.info().peerCertificate().orElseThrow().cn())
        .containsExactlyInAnyOrder("from-vault", "listed");
  }

  @Test
  void aWrongPreSharedKeyCreatesNoConnectionAndIsCounted() throws Exception {
    startGateway(DtlsListener.builder().psk("sensor-1", SECRET));
    DtlsTestClient wrongKey = pskClient("sensor-1", "not the secret".getBytes(StandardCharsets.UTF_8));
    DtlsTestClient unknownIdentity = pskClient("stranger", SECRET);

    wrongKey.send("let me in");
    unknownIdentity.send("me too");

    await().until(() -> counter(DtlsListener.REFUSED_DTLS_HANDSHAKE) >= 2);
    await().until(() -> !wrongKey.errors().isEmpty() && !unknownIdentity.errors().isEmpty());
    assertThat(handler().created()).isEmpty();
    assertThat(handler().received()).isEmpty();
    assertThat(gateway.metrics().get(GatewayMetrics.CONNECTIONS_ACCEPTED)).isZero();

    // The listener still serves devices with the right key.
    assertThat(pskClient("sensor-1", SECRET).echo("hello")).isEqualTo("hello");
    assertThat(handler().created()).hasSize(1);
  }

  @Test
  void secretsNeverReachTheLog() throws Exception {
    String secretText = "s3cr3t-that-must-never-be-logged";
    byte[] secret = secretText.getBytes(StandardCharsets.UTF_8);
    String text = standardError(() -> {
      startGateway(DtlsListener.builder()
          .psk("sensor-1", secret)
          .pskResolver(identity -> {
            throw new IllegalStateException("the vault says " + secretText);
          }));
      assertThat(pskClient("sensor-1", secret).echo("hello")).isEqualTo("hello");
      pskClient("sensor-1", ("wrong " + secretText).getBytes(StandardCharsets.UTF_8)).send("hello");
      pskClient("stranger", secret).send("hello");
      await().until(() -> counter(DtlsListener.REFUSED_DTLS_HANDSHAKE) >= 2);
      gateway.stop();
    });

    assertThat(text).contains("refused a DTLS handshake").contains("PSK resolver failed");
    assertThat(text).doesNotContain(secretText)
        .doesNotContainIgnoringCase(HexFormat.of().formatHex(secret))
        .doesNotContain(Base64.getEncoder().encodeToString(secret));
    assertThat(listener.toString()).doesNotContain(secretText);
  }

  @Test
  void failedHandshakesAndResolverFailuresAreLoggedOncePerPeriodAndAllCounted() throws Exception {
    String text = standardError(() -> {
      startGateway(DtlsListener.builder()
          .psk("sensor-1", SECRET)
          .pskResolver(identity -> {
            throw new IllegalStateException("vault down");
          }));
      List<DtlsTestClient> failing = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        failing.add(pskClient("stranger-" + i, SECRET));
      }
      failing.forEach(client -> client.send("let me in"));
      await().until(() -> counter(DtlsListener.REFUSED_DTLS_HANDSHAKE) >= 4);
      gateway.stop();
    });

    assertThat(countLines(text, "refused a DTLS handshake")).as(text).isEqualTo(1);
    assertThat(countLines(text, "PSK resolver failed")).as(text).isEqualTo(1);
  }

  // ---- certificates ----

  @Test
  void echoesWithCertificatesAndShowsTheClientSubject() throws Exception {
    TestPki pki = TestPki.create(dir);
    startGateway(certificateListener(pki).verify(DtlsListener.Verify.VERIFY_PEER).failIfNoPeerCert(true));
    X509Bundle device = TestPki.client("CN=device-1, O=Acme", pki.ca);
    DtlsTestClient client = certificateClient(pki, device);

    assertThat(client.echo("hello")).isEqualTo("hello");

    SocketCreated created = created(0);
    assertThat(created.info().socketType()).isEqualTo(SocketType.DTLS);
    assertThat(created.info().peer()).isEqualTo(Address.of(client.localAddress()));
    assertThat(created.info().peerCertificate()).contains(new CertificateInfo("device-1", "CN=device-1,O=Acme"));
  }

  @Test
  void withoutVerifyPeerNoClientCertificateIsAskedFor() throws Exception {
    TestPki pki = TestPki.create(dir);
    startGateway(certificateListener(pki));
    DtlsTestClient client = certificateClient(pki, null);

    assertThat(client.echo("hello")).isEqualTo("hello");

    assertThat(created(0).info().peerCertificate()).isEmpty();
  }

  @Test
  void verifyPeerWithoutFailIfNoPeerCertAdmitsAClientWithoutCertificate() throws Exception {
    TestPki pki = TestPki.create(dir);
    startGateway(certificateListener(pki).verify(DtlsListener.Verify.VERIFY_PEER));
    DtlsTestClient anonymous = certificateClient(pki, null);
    DtlsTestClient device = certificateClient(pki, TestPki.client("CN=device-2", pki.ca));

    assertThat(anonymous.echo("anonymous")).isEqualTo("anonymous");
    assertThat(device.echo("device")).isEqualTo("device");

    assertThat(handler().created()).extracting(c -> c.info().peerCertificate())
        .containsExactlyInAnyOrder(Optional.empty(), Optional.of(new CertificateInfo("device-2", "CN=device-2")));
  }

  @Test
  void anUntrustedOrMissingClientCertificateCreatesNoConnection() throws Exception {
    TestPki pki = TestPki.create(dir);
    startGateway(certificateListener(pki).verify(DtlsListener.Verify.VERIFY_PEER).failIfNoPeerCert(true));
    DtlsTestClient untrusted = certificateClient(pki, TestPki.client("CN=intruder", TestPki.otherCa()));
    DtlsTestClient missing = certificateClient(pki, null);

    untrusted.send("let me in");
    missing.send("me too");

    await().until(() -> counter(DtlsListener.REFUSED_DTLS_HANDSHAKE) >= 2);
    assertThat(handler().created()).isEmpty();
    assertThat(certificateClient(pki, TestPki.client("CN=device-3", pki.ca)).echo("ok")).isEqualTo("ok");
  }

  @Test
  void anRsaListenerCertificateWorks() throws Exception {
    TestPki pki = TestPki.create(dir, true);
    startGateway(certificateListener(pki).verify(DtlsListener.Verify.VERIFY_PEER));

    DtlsTestClient client = certificateClient(pki, TestPki.client("CN=device-4", pki.ca));

    assertThat(client.echo("over rsa")).isEqualTo("over rsa");
    assertThat(created(0).info().peerCertificate()).contains(new CertificateInfo("device-4", "CN=device-4"));
  }

  @Test
  void oneListenerServesCertificatesAndPreSharedKeys() throws Exception {
    TestPki pki = TestPki.create(dir);
    startGateway(certificateListener(pki).psk("sensor-1", SECRET));

    assertThat(certificateClient(pki, null).echo("by certificate")).isEqualTo("by certificate");
    assertThat(pskClient("sensor-1", SECRET).echo("by key")).isEqualTo("by key");
    assertThat(handler().created()).hasSize(2);
  }

  // ---- peers ----

  @Test
  void twoPeersAtOnceHaveTheirOwnConnections() throws Exception {
    startGateway(DtlsListener.builder().psk("a", SECRET).psk("b", SECRET));
    DtlsTestClient a = pskClient("a", SECRET);
    DtlsTestClient b = pskClient("b", SECRET);

    a.send("from a 1");
    b.send("from b 1");
    a.send("from a 2");
    b.send("from b 2");

    assertThat(List.of(a.receive(), a.receive())).containsExactlyInAnyOrder("from a 1", "from a 2");
    assertThat(List.of(b.receive(), b.receive())).containsExactlyInAnyOrder("from b 1", "from b 2");
    List<SocketCreated> created = handler().created();
    assertThat(created).hasSize(2);
    assertThat(created).extracting(c -> c.info().peer())
        .containsExactlyInAnyOrder(Address.of(a.localAddress()), Address.of(b.localAddress()));
    assertThat(created.get(0).conn()).isNotEqualTo(created.get(1).conn());
    assertThat(gateway.connectionCount()).isEqualTo(2);
  }

  @Test
  void aConnectionClosedByTheHandlerLeavesTheOthersAndTheSocket() throws Exception {
    startGateway(DtlsListener.builder().psk("a", SECRET).psk("b", SECRET));
    DtlsTestClient a = pskClient("a", SECRET);
    DtlsTestClient b = pskClient("b", SECRET);
    assertThat(a.echo("hello")).isEqualTo("hello");
    assertThat(b.echo("hello")).isEqualTo("hello");
    String connA = connOf(a);

    a.send("quit");

    await().until(() -> handler().closeReason(connA).isPresent());
    assertThat(handler().closeReason(connA)).contains("normal");
    assertThat(b.echo("still here")).isEqualTo("still here");
    await().until(() -> listener.openConnections() == 1);

    // The closed peer comes back with a new handshake, as a new connection.
    assertThat(a.echo("back again")).isEqualTo("back again");
    assertThat(handler().created()).hasSize(3);
    SocketCreated returned = handler().created().get(2);
    assertThat(returned.info().peer()).isEqualTo(Address.of(a.localAddress()));
    assertThat(returned.conn()).isNotEqualTo(connA);
    assertThat(handler().closed()).hasSize(1);
  }

  @Test
  void aPeerSendingCloseNotifyEndsItsConnectionWithUdpClosed() throws Exception {
    startGateway(DtlsListener.builder().psk("a", SECRET));
    DtlsTestClient client = pskClient("a", SECRET);
    assertThat(client.echo("hello")).isEqualTo("hello");
    String conn = connOf(client);

    client.closeNotify();

    await().until(() -> handler().closeReason(conn).isPresent());
    assertThat(handler().closeReason(conn)).contains("udp_closed");
    await().until(() -> gateway.connectionCount() == 0 && listener.openConnections() == 0);
  }

  @Test
  void anIdlePeerIsClosedByTheGatewayAndComesBackAsANewConnection() throws Exception {
    startGateway(DtlsListener.builder().psk("a", SECRET), Gateway.builder().idleTimeout(Duration.ofSeconds(1)));
    DtlsTestClient client = pskClient("a", SECRET);
    assertThat(client.echo("hello")).isEqualTo("hello");
    String conn = connOf(client);

    await().atMost(Duration.ofSeconds(30)).until(() -> handler().closeReason(conn).isPresent());
    assertThat(handler().closeReason(conn)).contains("idle_timeout");

    assertThat(client.echo("back")).isEqualTo("back");
    assertThat(handler().created()).hasSize(2);
    assertThat(handler().created().get(1).conn()).isNotEqualTo(conn);
  }

  // ---- admission ----

  @Test
  void accessRulesDenyingTheClientCreateNoConnection() throws Exception {
    startGateway(DtlsListener.builder().psk("a", SECRET).accessRules(List.of("allow 10.0.0.0/8", "deny all")));
    DtlsTestClient client = pskClient("a", SECRET);

    client.send("hello");

    await().until(() -> counter(ListenerCounters.REFUSED_ACCESS_RULES) >= 1);
    assertThat(counter(DtlsListener.REFUSED_DTLS_HANDSHAKE)).isZero();
    assertThat(handler().created()).isEmpty();
    assertThat(gateway.metrics().get(GatewayMetrics.CONNECTIONS_ACCEPTED)).isZero();
  }

  @Test
  void accessRulesAllowingTheClientLetItIn() throws Exception {
    startGateway(DtlsListener.builder().psk("a", SECRET).accessRules(List.of("deny 10.0.0.1", "allow 127.0.0.0/8", "deny all")));

    assertThat(pskClient("a", SECRET).echo("hello")).isEqualTo("hello");
    assertThat(counter(ListenerCounters.REFUSED_ACCESS_RULES)).isZero();
  }

  @Test
  void maxConnectionsRefusesTheNextPeerUntilOneLeaves() throws Exception {
    startGateway(DtlsListener.builder().name("dtls:small").psk("a", SECRET).psk("b", SECRET).maxConnections(1));
    DtlsTestClient a = pskClient("a", SECRET);
    DtlsTestClient b = pskClient("b", SECRET);
    assertThat(a.echo("first")).isEqualTo("first");

    b.send("second");

    await().until(() -> gateway.metrics().get("dtls:small.refused.max_connections") >= 1);
    assertThat(handler().created()).hasSize(1);
    assertThat(b.pending()).isEmpty();

    a.send("quit");
    await().until(() -> listener.openConnections() == 0);
    assertThat(b.echo("now")).isEqualTo("now");
    assertThat(handler().created()).hasSize(2);
  }

  @Test
  void maxConnRateRefusesNewPeersBeyondTheRate() throws Exception {
    AtomicLong nanos = new AtomicLong();
    startGateway(DtlsListener.builder().psk("a", SECRET).psk("b", SECRET).maxConnRate(1).nanoClock(nanos::get));
    DtlsTestClient a = pskClient("a", SECRET);
    DtlsTestClient b = pskClient("b", SECRET);
    assertThat(a.echo("first")).isEqualTo("first");

    b.send("too soon");

    await().until(() -> counter(ListenerCounters.REFUSED_MAX_CONN_RATE) >= 1);
    assertThat(handler().created()).hasSize(1);

    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(b.echo("later")).isEqualTo("later");
    assertThat(handler().created()).hasSize(2);
  }

  // ---- backpressure ----

  @Test
  void aPausedPeerHasItsDatagramsDroppedAndCounted() throws Exception {
    startGateway(DtlsListener.builder().psk("a", SECRET), Gateway.builder().queueCapacity(2));
    DtlsTestClient client = pskClient("a", SECRET);
    assertThat(client.echo("warm up")).isEqualTo("warm up");
    handler().stall();

    for (int i = 1; i <= 6; i++) {
      client.send("burst " + i);
    }

    await().until(() -> counter(ListenerCounters.DROPPED_BACKPRESSURE) >= 1);
    handler().release();
    // Reading resumes once the queue drains: the next datagram is echoed again.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      client.send("after");
      assertThat(receivedWithin(client, "after", Duration.ofSeconds(1))).isTrue();
    });
    assertThat(handler().received()).filteredOn(text -> text.startsWith("burst")).hasSizeLessThan(6);
  }

  // ---- stopping ----

  @Test
  void removingTheListenerClosesEveryPeerWithUdpClosed() throws Exception {
    startGateway(DtlsListener.builder().psk("a", SECRET).psk("b", SECRET));
    DtlsTestClient a = pskClient("a", SECRET);
    DtlsTestClient b = pskClient("b", SECRET);
    assertThat(a.echo("hello")).isEqualTo("hello");
    assertThat(b.echo("hello")).isEqualTo("hello");

    assertThat(gateway.removeListener(listener.name())).isTrue();

    await().until(() -> handler().closed().size() == 2);
    assertThat(handler().closed()).extracting(c -> c.reason()).containsOnly("udp_closed");
    await().until(() -> gateway.connectionCount() == 0);
  }

  @Test
  void stoppingTheGatewayClosesPeersWithGatewayStopped() throws Exception {
    startGateway(DtlsListener.builder().psk("a", SECRET));
    DtlsTestClient client = pskClient("a", SECRET);
    assertThat(client.echo("hello")).isEqualTo("hello");
    String conn = connOf(client);

    gateway.stop();

    assertThat(handler().closeReason(conn)).contains("gateway_stopped");
    assertThat(handler().closed()).hasSize(1);
  }

  // ---- helpers ----

  private DtlsListener.Builder certificateListener(TestPki pki) throws Exception {
    return DtlsListener.builder()
        .certfile(pki.serverCertfile())
        .keyfile(pki.serverKeyfile())
        .cacertfile(pki.cacertfile());
  }

  private DtlsTestClient pskClient(String identity, byte[] secret) throws Exception {
    DtlsTestClient client = DtlsTestClient.psk(listener.localAddress(), identity, secret);
    clients.add(client);
    return client;
  }

  private DtlsTestClient certificateClient(TestPki pki, X509Bundle device) throws Exception {
    DtlsTestClient client = DtlsTestClient.certificate(listener.localAddress(), pki.ca.getCertificate(),
        device == null ? null : device.getKeyPair().getPrivate(),
        device == null ? null : device.getCertificatePath());
    clients.add(client);
    return client;
  }

  private SocketCreated created(int n) {
    await().until(() -> handler().created().size() > n);
    return handler().created().get(n);
  }

  /** The conn id of the newest connection of a client. */
  private String connOf(DtlsTestClient client) {
    Address peer = Address.of(client.localAddress());
    await().until(() -> handler().created().stream().anyMatch(c -> c.info().peer().equals(peer)));
    List<SocketCreated> mine = handler().created().stream().filter(c -> c.info().peer().equals(peer)).toList();
    return mine.get(mine.size() - 1).conn();
  }

  /** An action whose log the test reads. */
  private interface Logging {
    void run() throws Exception;
  }

  /** Runs the action with System.err (slf4j-simple's output) captured; echoes and returns it. */
  private static String standardError(Logging action) throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream original = System.err;
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
      original.print(log.toString(StandardCharsets.UTF_8));
    }
    return log.toString(StandardCharsets.UTF_8);
  }

  private static long countLines(String text, String part) {
    return text.lines().filter(line -> line.contains(part)).count();
  }

  private long counter(String suffix) {
    return gateway.metrics().get(ListenerCounters.name(listener.name(), suffix));
  }

  /** Receives datagrams until {@code text} comes; false when none arrives within {@code wait}. */
  private static boolean receivedWithin(DtlsTestClient client, String text, Duration wait)
      throws InterruptedException {
    String next;
    while ((next = client.poll(wait)) != null) {
      if (next.equals(text)) {
        return true;
      }
    }
    return false;
  }
}
