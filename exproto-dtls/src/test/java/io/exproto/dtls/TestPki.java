package io.exproto.dtls;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Certificates generated for one test: a CA, a listener certificate for 127.0.0.1 issued by it, and
 * client certificates, all EC P-256. Nothing secret is committed; the PEM files go to a temporary
 * directory.
 */
final class TestPki {

  final X509Bundle ca;
  final X509Bundle server;
  final Path dir;

  private TestPki(X509Bundle ca, X509Bundle server, Path dir) {
    this.ca = ca;
    this.server = server;
    this.dir = dir;
  }

  static TestPki create(Path dir) throws Exception {
    return create(dir, false);
  }

  /** With {@code rsa}, the listener's certificate has an RSA 2048 key (issued by the EC CA). */
  static TestPki create(Path dir, boolean rsa) throws Exception {
    X509Bundle ca = base()
        .subject("CN=exproto test CA, O=exproto")
        .setIsCertificateAuthority(true)
        .setKeyUsage(true, CertificateBuilder.KeyUsage.keyCertSign, CertificateBuilder.KeyUsage.cRLSign)
        .buildSelfSigned();
    CertificateBuilder serverBuilder = base();
    if (rsa) {
      serverBuilder.rsa2048();
    }
    X509Bundle server = serverBuilder
        .subject("CN=gateway, O=exproto")
        .addSanIpAddress("127.0.0.1")
        .addSanDnsName("localhost")
        .setKeyUsage(true, CertificateBuilder.KeyUsage.digitalSignature)
        .addExtendedKeyUsageServerAuth()
        .buildIssuedBy(ca);
    return new TestPki(ca, server, dir);
  }

  /** A client certificate with the given subject, issued by {@code issuer}. */
  static X509Bundle client(String subject, X509Bundle issuer) throws Exception {
    return base()
        .subject(subject)
        .setKeyUsage(true, CertificateBuilder.KeyUsage.digitalSignature)
        .addExtendedKeyUsageClientAuth()
        .buildIssuedBy(issuer);
  }

  /** A self-signed CA no listener trusts. */
  static X509Bundle otherCa() throws Exception {
    return base()
        .subject("CN=someone else's CA")
        .setIsCertificateAuthority(true)
        .setKeyUsage(true, CertificateBuilder.KeyUsage.keyCertSign)
        .buildSelfSigned();
  }

  Path serverCertfile() throws IOException {
    return write("server.pem", server.getCertificatePEM());
  }

  Path serverKeyfile() throws IOException {
    return write("server.key", server.getPrivateKeyPEM());
  }

  Path cacertfile() throws IOException {
    return write("ca.pem", ca.getCertificatePEM());
  }

  Path write(String name, String pem) throws IOException {
    return Files.writeString(dir.resolve(name), pem, StandardCharsets.US_ASCII);
  }

  private static CertificateBuilder base() {
    Instant now = Instant.now();
    return new CertificateBuilder()
        .ecp256()
        .notBefore(now.minus(1, ChronoUnit.HOURS))
        .notAfter(now.plus(1, ChronoUnit.DAYS));
  }
}
