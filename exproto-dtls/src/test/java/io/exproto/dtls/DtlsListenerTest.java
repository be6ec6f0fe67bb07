package io.exproto.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.listener.Connection;
import io.exproto.listener.ConnectionAcceptor;
import io.exproto.listener.ConnectionEvents;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The listener on its own: builder validation, defaults, lifecycle and resources. */
@Timeout(60)
class DtlsListenerTest {

  @BeforeAll
  static void patience() {
    // Two cores shared with other builds: handshakes can take seconds under load.
    Awaitility.setDefaultTimeout(Duration.ofSeconds(30));
  }

  private static final byte[] SECRET = "0123456789abcdef".getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path dir;

  @Test
  void defaultsFollowEmqx() {
    DtlsListener listener = DtlsListener.builder().psk("a", SECRET).build();

    assertThat(listener.name()).isEqualTo("dtls:default");
    assertThat(listener.mountpoint()).isEmpty();
    assertThat(listener.toString()).contains("dtls:default", "0.0.0.0:7995");
    assertThatThrownBy(listener::localAddress).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("has not started");
  }

  @Test
  void commonSettingsComeFromTheListenerBuilder() {
    DtlsListener listener = DtlsListener.builder()
        .name("dtls:devices").bind(5684).mountpoint("dtls/${clientid}/").psk("a", SECRET).build();

    assertThat(listener.name()).isEqualTo("dtls:devices");
    assertThat(listener.mountpoint()).contains("dtls/${clientid}/");
    assertThat(listener.toString()).contains("0.0.0.0:5684");
  }

  @Test
  void credentialsAreRequired() {
    assertThatThrownBy(() -> DtlsListener.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no credentials");
  }

  @Test
  void settingsThatDoNotFitTogetherAreRefusedWithTheKeyName() throws Exception {
    TestPki pki = TestPki.create(dir);
    Path cert = pki.serverCertfile();
    Path key = pki.serverKeyfile();

    assertThatThrownBy(() -> DtlsListener.builder().certfile(cert).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("keyfile");
    assertThatThrownBy(() -> DtlsListener.builder().keyfile(key).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("certfile");
    assertThatThrownBy(() -> DtlsListener.builder().certfile(cert).keyfile(key)
        .verify(DtlsListener.Verify.VERIFY_PEER).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("cacertfile");
    assertThatThrownBy(() -> DtlsListener.builder().psk("a", SECRET).cacertfile(pki.cacertfile())
        .verify(DtlsListener.Verify.VERIFY_PEER).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("certfile");
    assertThatThrownBy(() -> DtlsListener.builder().certfile(cert).keyfile(key).failIfNoPeerCert(true).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("fail_if_no_peer_cert");
  }

  @Test
  void unreadableOrWrongFilesAreRefusedWithTheKeyName() throws Exception {
    TestPki pki = TestPki.create(dir);
    Path cert = pki.serverCertfile();
    Path key = pki.serverKeyfile();
    Path missing = dir.resolve("missing.pem");
    Path garbage = pki.write("garbage.pem", "this is not PEM\n");

    assertThatThrownBy(() -> DtlsListener.builder().certfile(missing).keyfile(key).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("certfile: cannot read");
    assertThatThrownBy(() -> DtlsListener.builder().certfile(cert).keyfile(cert).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("keyfile:");
    assertThatThrownBy(() -> DtlsListener.builder().certfile(garbage).keyfile(key).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("certfile:");
    assertThatThrownBy(() -> DtlsListener.builder().certfile(cert).keyfile(key).cacertfile(garbage)
        .verify(DtlsListener.Verify.VERIFY_PEER).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("cacertfile:");
  }

  @Test
  void pkcs1AndEncryptedKeysAreRefusedWithTheConversionCommand() throws Exception {
    TestPki pki = TestPki.create(dir);
    Path cert = pki.serverCertfile();
    Path pkcs1 = pki.write("pkcs1.key", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    Path encrypted = pki.write("enc.key", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");

    assertThatThrownBy(() -> DtlsListener.builder().certfile(cert).keyfile(pkcs1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("keyfile:").hasMessageContaining("PKCS#1").hasMessageContaining("openssl pkcs8");
    assertThatThrownBy(() -> DtlsListener.builder().certfile(cert).keyfile(encrypted).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("keyfile:").hasMessageContaining("encrypted");
  }

  @Test
  void aKeyThatDoesNotMatchTheCertificateIsRefused() throws Exception {
    TestPki pki = TestPki.create(dir);
    Path otherKey = pki.write("other.key", TestPki.otherCa().getPrivateKeyPEM());

    assertThatThrownBy(() -> DtlsListener.builder().certfile(pki.serverCertfile()).keyfile(otherKey).build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void cipherSuitesAreCheckedByName() {
    assertThatThrownBy(() -> DtlsListener.builder().psk("a", SECRET).cipherSuites(List.of("TLS_NO_SUCH_SUITE")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TLS_NO_SUCH_SUITE")
        .hasMessageContaining("TLS_PSK_WITH_AES_128_CCM_8");
    assertThatThrownBy(() -> DtlsListener.builder().psk("a", SECRET)
        .cipherSuites(List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not usable");

    DtlsListener listener = DtlsListener.builder().psk("a", SECRET)
        .cipherSuites(List.of("TLS_PSK_WITH_AES_128_CCM_8", "TLS_PSK_WITH_AES_128_GCM_SHA256")).build();
    assertThat(listener.name()).isEqualTo("dtls:default");
  }

  @Test
  void preSharedKeysMustNotBeEmpty() {
    assertThatThrownBy(() -> DtlsListener.builder().psk("", SECRET))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("identity");
    assertThatThrownBy(() -> DtlsListener.builder().psk("a", new byte[0]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("secret");
  }

  @Test
  void aPortInUseFailsStartWithABindExceptionNamingTheListener() throws Exception {
    DtlsListener first = DtlsListener.builder().name("dtls:first").psk("a", SECRET).bind("127.0.0.1:0").build();
    first.start(new NoConnections());
    try {
      int port = first.localAddress().getPort();
      DtlsListener second = DtlsListener.builder().name("dtls:second").psk("a", SECRET)
          .bind("127.0.0.1:" + port).build();

      assertThatThrownBy(() -> second.start(new NoConnections()))
          .isInstanceOf(BindException.class)
          .hasMessageContaining("dtls:second")
          .hasMessageContaining("127.0.0.1:" + port);
      assertThatThrownBy(() -> second.start(new NoConnections()))
          .isInstanceOf(IllegalStateException.class);
      second.stop();
    } finally {
      first.stop();
    }
  }

  @Test
  void startOnceStopAnyNumberOfTimesAndReleaseEveryThread() throws Exception {
    DtlsListener listener = DtlsListener.builder().psk("a", SECRET).bind("127.0.0.1:0").build();
    listener.start(new NoConnections());
    int port = listener.localAddress().getPort();
    assertThat(port).isPositive();
    assertThat(threadsOf(port)).isNotEmpty();
    assertThatThrownBy(() -> listener.start(new NoConnections()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already started");

    listener.stop();
    listener.stop();

    await().until(() -> threadsOf(port).isEmpty()
        && Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("exproto-dtls-default-reports")));
    assertThatThrownBy(() -> listener.start(new NoConnections()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("stopped");
  }

  @Test
  void aListenerStoppedBeforeStartNeverStarts() {
    DtlsListener listener = DtlsListener.builder().psk("a", SECRET).bind("127.0.0.1:0").build();
    listener.stop();

    assertThatThrownBy(() -> listener.start(new NoConnections())).isInstanceOf(IllegalStateException.class);
  }

  private static List<String> threadsOf(int port) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.contains(":" + port))
        .toList();
  }

  /** An acceptor for listeners no device connects to. */
  private static final class NoConnections implements ConnectionAcceptor {
    private final GatewayMetrics metrics = new GatewayMetrics();

    @Override
    public ConnectionEvents accept(Connection connection) {
      throw new AssertionError("no device connects in this test: " + connection);
    }

    @Override
    public GatewayMetrics metrics() {
      return metrics;
    }
  }
}
