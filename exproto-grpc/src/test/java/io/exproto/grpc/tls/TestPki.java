package io.exproto.grpc.tls;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Certificates made at test time and written as PEM files to a directory: a CA, a server
 * certificate for {@link #SERVER_NAME} and a client certificate it signed, and a second, unrelated
 * CA with its own client certificate. Nothing secret is committed.
 */
public final class TestPki {

  /** The only name in the server certificate: clients reach 127.0.0.1 and override SNI with it. */
  public static final String SERVER_NAME = "exproto.test";

  /** The CA that signs the server and client certificates. */
  public final Path caCert;
  /** The server certificate, for {@link #SERVER_NAME} only. */
  public final Path serverCert;
  /** The server certificate's key. */
  public final Path serverKey;
  /** A client certificate signed by the CA. */
  public final Path clientCert;
  /** The client certificate's key. */
  public final Path clientKey;
  /** Another CA, which signed neither certificate above. */
  public final Path otherCaCert;
  /** A client certificate signed by the other CA. */
  public final Path otherClientCert;
  /** Its key. */
  public final Path otherClientKey;

  private TestPki(Path dir) throws Exception {
    Instant now = Instant.now();
    CertificateBuilder base = new CertificateBuilder()
        .notBefore(now.minus(1, ChronoUnit.HOURS))
        .notAfter(now.plus(1, ChronoUnit.DAYS))
        .ecp256();
    X509Bundle ca = base.copy().subject("CN=exproto test CA").setIsCertificateAuthority(true).buildSelfSigned();
    X509Bundle server = base.copy().subject("CN=" + SERVER_NAME).addSanDnsName(SERVER_NAME)
        .addExtendedKeyUsageServerAuth().buildIssuedBy(ca);
    X509Bundle client = base.copy().subject("CN=handler-1,O=exproto tests").addExtendedKeyUsageClientAuth()
        .buildIssuedBy(ca);
    X509Bundle otherCa = base.copy().subject("CN=unrelated CA").setIsCertificateAuthority(true).buildSelfSigned();
    X509Bundle otherClient = base.copy().subject("CN=intruder").addExtendedKeyUsageClientAuth()
        .buildIssuedBy(otherCa);
    caCert = write(dir, "ca.pem", ca.getCertificatePEM());
    serverCert = write(dir, "server.pem", server.getCertificatePEM());
    serverKey = write(dir, "server.key", server.getPrivateKeyPEM());
    clientCert = write(dir, "client.pem", client.getCertificatePEM());
    clientKey = write(dir, "client.key", client.getPrivateKeyPEM());
    otherCaCert = write(dir, "other-ca.pem", otherCa.getCertificatePEM());
    otherClientCert = write(dir, "other-client.pem", otherClient.getCertificatePEM());
    otherClientKey = write(dir, "other-client.key", otherClient.getPrivateKeyPEM());
  }

  /**
   * Generates the certificates and writes them to {@code dir}.
   *
   * @param dir a writable directory, e.g. a JUnit {@code @TempDir}
   * @return the files
   * @throws Exception when generation fails
   */
  public static TestPki create(Path dir) throws Exception {
    return new TestPki(dir);
  }

  private static Path write(Path dir, String name, String pem) throws Exception {
    return Files.writeString(dir.resolve(name), pem, StandardCharsets.US_ASCII);
  }

  /**
   * Server options: TLS with no client certificate asked for.
   *
   * @return the options
   */
  public ServerTlsOptions serverTls() {
    return ServerTlsOptions.builder().certfile(serverCert).keyfile(serverKey).build();
  }

  /**
   * Server options for mutual TLS: a client certificate signed by the CA is required.
   *
   * @return the options
   */
  public ServerTlsOptions mutualServerTls() {
    return ServerTlsOptions.builder().certfile(serverCert).keyfile(serverKey).cacertfile(caCert)
        .verify(Verify.VERIFY_PEER).failIfNoPeerCert(true).build();
  }

  /**
   * Client options trusting the CA, sending {@link #SERVER_NAME}, with no client certificate.
   *
   * @return the options
   */
  public ClientTlsOptions clientTls() {
    return ClientTlsOptions.builder().cacertfile(caCert).serverNameIndication(SERVER_NAME).build();
  }

  /**
   * Client options for mutual TLS: trusting the CA, sending {@link #SERVER_NAME}, presenting the
   * client certificate.
   *
   * @return the options
   */
  public ClientTlsOptions mutualClientTls() {
    return ClientTlsOptions.builder().cacertfile(caCert).serverNameIndication(SERVER_NAME)
        .certfile(clientCert).keyfile(clientKey).build();
  }
}
