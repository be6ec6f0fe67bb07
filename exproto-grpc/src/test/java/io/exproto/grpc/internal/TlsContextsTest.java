package io.exproto.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.exproto.grpc.tls.ClientTlsOptions;
import io.exproto.grpc.tls.ServerTlsOptions;
import io.exproto.grpc.tls.TestPki;
import io.exproto.grpc.tls.Verify;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the PEM files: each error names the key at fault, and none shows key material. */
class TlsContextsTest {

  @TempDir
  static Path dir;
  private static TestPki pki;

  @BeforeAll
  static void makeCertificates() throws Exception {
    pki = TestPki.create(dir);
  }

  private static ServerTlsOptions.Builder server() {
    return ServerTlsOptions.builder().certfile(pki.serverCert).keyfile(pki.serverKey);
  }

  @Test
  void goodFilesMakeContexts() {
    assertThat(TlsContexts.forServer(pki.serverTls()).isServer()).isTrue();
    assertThat(TlsContexts.forServer(pki.mutualServerTls()).isServer()).isTrue();
    assertThat(TlsContexts.forClient(pki.mutualClientTls()).isClient()).isTrue();
    assertThat(TlsContexts.forClient(ClientTlsOptions.builder().build()).isClient()).isTrue();
  }

  @Test
  void aMissingFileIsNamedByItsKey() {
    Path missing = dir.resolve("nope.pem");
    assertThatThrownBy(() -> TlsContexts.forServer(ServerTlsOptions.builder().certfile(missing)
        .keyfile(pki.serverKey).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("server.ssl_options.certfile: file not found: " + missing);
    assertThatThrownBy(() -> TlsContexts.forServer(server().keyfile(missing).build()))
        .hasMessage("server.ssl_options.keyfile: file not found: " + missing);
    assertThatThrownBy(() -> TlsContexts.forServer(server().cacertfile(missing).verify(Verify.VERIFY_PEER).build()))
        .hasMessage("server.ssl_options.cacertfile: file not found: " + missing);
    assertThatThrownBy(() -> TlsContexts.forClient(ClientTlsOptions.builder().cacertfile(missing).build()))
        .hasMessage("handler.ssl_options.cacertfile: file not found: " + missing);
    assertThatThrownBy(() -> TlsContexts.forClient(ClientTlsOptions.builder().certfile(missing)
        .keyfile(pki.clientKey).build()))
        .hasMessage("handler.ssl_options.certfile: file not found: " + missing);
    assertThatThrownBy(() -> TlsContexts.forServer(server().certfile(dir).build()))
        .hasMessage("server.ssl_options.certfile: not a regular file: " + dir);
  }

  @Test
  void swappedFilesAreNamedByTheirKey() throws Exception {
    String keyPem = Files.readString(pki.serverKey);
    String keyBody = keyPem.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();

    assertThatThrownBy(() -> TlsContexts.forServer(server().certfile(pki.serverKey).build()))
        .hasMessageStartingWith("server.ssl_options.certfile: no valid PEM certificate in " + pki.serverKey)
        .message().doesNotContain(keyBody);
    assertThatThrownBy(() -> TlsContexts.forServer(server().keyfile(pki.serverCert).build()))
        .hasMessageStartingWith("server.ssl_options.keyfile: no PEM private key in " + pki.serverCert)
        .hasMessageContaining("openssl pkcs8 -topk8");
    assertThatThrownBy(() -> TlsContexts.forClient(ClientTlsOptions.builder().cacertfile(pki.clientKey).build()))
        .hasMessageStartingWith("handler.ssl_options.cacertfile: no valid PEM certificate")
        .message().doesNotContain(keyBody);
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused() throws Exception {
    String keyBody = Files.readString(pki.clientKey).lines().filter(l -> !l.startsWith("-----")).findFirst()
        .orElseThrow();
    assertThatThrownBy(() -> TlsContexts.forServer(server().keyfile(pki.clientKey).build()))
        .hasMessage("server.ssl_options.keyfile: the private key does not match the certificate in"
            + " server.ssl_options.certfile")
        .message().doesNotContain(keyBody);
    assertThatThrownBy(() -> TlsContexts.forClient(ClientTlsOptions.builder().certfile(pki.clientCert)
        .keyfile(pki.serverKey).build()))
        .hasMessageStartingWith("handler.ssl_options.keyfile: the private key does not match");
  }

  @Test
  void aGarbledKeyIsNamedByItsKey() throws Exception {
    Path garbled = Files.writeString(dir.resolve("garbled.key"),
        "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
    assertThatThrownBy(() -> TlsContexts.forServer(server().keyfile(garbled).build()))
        .hasMessageStartingWith("server.ssl_options.keyfile:");
  }
}
