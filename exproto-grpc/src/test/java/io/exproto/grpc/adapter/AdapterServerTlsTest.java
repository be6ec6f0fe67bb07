package io.exproto.grpc.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.exproto.adapter.Adapter;
import io.exproto.gateway.Gateway;
import io.exproto.grpc.sdk.AdapterClient;
import io.exproto.grpc.testkit.Resources;
import io.exproto.grpc.tls.ClientTlsOptions;
import io.exproto.grpc.tls.ServerTlsOptions;
import io.exproto.grpc.tls.TestPki;
import io.exproto.grpc.tls.Verify;
import io.exproto.testing.InProcessListener;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ConnectionAdapter server over TLS and mutual TLS, with certificates made at test time, and
 * the SDK's AdapterClient over TLS as its client.
 */
class AdapterServerTlsTest {

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  @TempDir
  static Path certificates;
  private static TestPki pki;

  @RegisterExtension
  final Resources resources = new Resources();

  private Adapter adapter;

  @BeforeAll
  static void makeCertificates() throws Exception {
    pki = TestPki.create(certificates);
  }

  @BeforeEach
  void startGateway() throws Exception {
    Gateway gateway = resources.track(Gateway.builder().listener(new InProcessListener())
        .handler(a -> new NoopHandler()).build());
    gateway.start();
    adapter = gateway.adapter();
  }

  private AdapterServer serve(ServerTlsOptions tls) throws Exception {
    AdapterServer server = resources.track(new AdapterServer(adapter, "127.0.0.1:0", tls));
    server.start();
    return server;
  }

  private AdapterClient client(AdapterServer server, ClientTlsOptions tls) {
    return resources.track(AdapterClient.connect("https://127.0.0.1:" + server.port(), tls, CALL_TIMEOUT));
  }

  private static void assertWorks(AdapterClient client) {
    assertThat(client.rawPublish("t", 0, new byte[] {1}).isSuccess()).isTrue();
  }

  private static void assertRefused(AdapterClient client) {
    assertThatThrownBy(() -> client.rawPublish("t", 0, new byte[] {1}))
        .isInstanceOf(StatusRuntimeException.class)
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
            .isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void aClientTrustingTheCaCallsATlsAdapter() throws Exception {
    AdapterServer server = serve(pki.serverTls());
    assertThat(server.isTls()).isTrue();
    assertWorks(client(server, pki.clientTls()));
    // A client certificate is not asked for, but presenting one does no harm.
    assertWorks(client(server, pki.mutualClientTls()));
  }

  @Test
  void aPlaintextClientCannotCallATlsAdapter() throws Exception {
    AdapterServer server = serve(pki.serverTls());
    AdapterClient plaintext =
        resources.track(AdapterClient.connect("http://127.0.0.1:" + server.port(), CALL_TIMEOUT));
    assertThatThrownBy(() -> plaintext.rawPublish("t", 0, new byte[0])).isInstanceOf(StatusRuntimeException.class);
  }

  @Test
  void aClientThatDoesNotTrustTheServersCaIsRefused() throws Exception {
    AdapterServer server = serve(pki.serverTls());
    assertRefused(client(server, ClientTlsOptions.builder().cacertfile(pki.otherCaCert)
        .serverNameIndication(TestPki.SERVER_NAME).build()));
    // Without a CA file the JDK's CAs are trusted, and they did not sign a test certificate either.
    assertRefused(client(server, ClientTlsOptions.builder().serverNameIndication(TestPki.SERVER_NAME).build()));
  }

  @Test
  void theServerNameIsCheckedUnlessVerifyNone() throws Exception {
    AdapterServer server = serve(pki.serverTls());
    // 127.0.0.1 is not in the certificate: without the SNI override the name check fails.
    assertRefused(client(server, ClientTlsOptions.builder().cacertfile(pki.caCert).build()));
    assertWorks(client(server, ClientTlsOptions.builder().verify(Verify.VERIFY_NONE).build()));
  }

  @Test
  void mutualTlsRefusesAClientWithoutACertificate() throws Exception {
    AdapterServer server = serve(pki.mutualServerTls());
    assertRefused(client(server, pki.clientTls()));
  }

  @Test
  void mutualTlsRefusesACertificateFromAnotherCa() throws Exception {
    AdapterServer server = serve(pki.mutualServerTls());
    assertRefused(client(server, ClientTlsOptions.builder().cacertfile(pki.caCert)
        .serverNameIndication(TestPki.SERVER_NAME)
        .certfile(pki.otherClientCert).keyfile(pki.otherClientKey).build()));
  }

  @Test
  void mutualTlsAcceptsACertificateSignedByTheCa() throws Exception {
    AdapterServer server = serve(pki.mutualServerTls());
    AdapterClient client = client(server, pki.mutualClientTls());
    assertWorks(client);
    assertThat(client.send("no-such-conn", new byte[] {1}).code())
        .isEqualTo(io.exproto.adapter.ResultCode.CONN_PROCESS_NOT_ALIVE);
  }

  @Test
  void verifyPeerWithoutFailIfNoPeerCertMakesTheCertificateOptional() throws Exception {
    AdapterServer server = serve(ServerTlsOptions.builder().certfile(pki.serverCert).keyfile(pki.serverKey)
        .cacertfile(pki.caCert).verify(Verify.VERIFY_PEER).build());
    assertWorks(client(server, pki.clientTls()));
    assertWorks(client(server, pki.mutualClientTls()));
    // The server names the CAs it accepts; a client whose certificate comes from another CA does
    // not present it, and is then an anonymous client, which this mode lets in.
    assertWorks(client(server, ClientTlsOptions.builder().cacertfile(pki.caCert)
        .serverNameIndication(TestPki.SERVER_NAME)
        .certfile(pki.otherClientCert).keyfile(pki.otherClientKey).build()));
  }
}
