package io.exproto.examples.support;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A small PKI made at test time with netty-pkitesting: a CA, a server certificate for
 * {@code localhost} / {@code 127.0.0.1} and a client certificate, both issued by the CA, written as
 * the PEM files a configuration file points at.
 */
public final class TestCertificates {

  /** The subject of the client certificate. */
  public static final String CLIENT_SUBJECT = "CN=device-1,O=Acme";

  private final X509Bundle ca;
  private final X509Bundle server;
  private final X509Bundle client;

  private TestCertificates() throws Exception {
    Instant now = Instant.now();
    CertificateBuilder base = new CertificateBuilder()
        .notBefore(now.minus(1, ChronoUnit.HOURS))
        .notAfter(now.plus(1, ChronoUnit.DAYS))
        .ecp256();
    ca = base.copy().subject("CN=Config Test CA").setIsCertificateAuthority(true).buildSelfSigned();
    server = base.copy().subject("CN=localhost").addSanDnsName("localhost").addSanIpAddress("127.0.0.1")
        .addExtendedKeyUsageServerAuth().buildIssuedBy(ca);
    client = base.copy().subject(CLIENT_SUBJECT).addExtendedKeyUsageClientAuth().buildIssuedBy(ca);
  }

  /**
   * Generates a fresh set of keys and certificates.
   *
   * @return the certificates
   * @throws Exception when generation fails
   */
  public static TestCertificates generate() throws Exception {
    return new TestCertificates();
  }

  /** Writes {@code ca.pem}, {@code server.pem}, {@code server.key}, {@code client.pem}, {@code client.key} into a directory. */
  public void writeAll(Path dir) throws IOException {
    write(dir.resolve("ca.pem"), ca.getCertificatePEM());
    write(dir.resolve("server.pem"), server.getCertificatePEM());
    write(dir.resolve("server.key"), keyPem(server.getKeyPair().getPrivate()));
    write(dir.resolve("client.pem"), client.getCertificatePEM());
    write(dir.resolve("client.key"), keyPem(client.getKeyPair().getPrivate()));
  }

  /**
   * Writes the server's key encrypted with a password (PKCS#8, PBE with SHA-1 and triple DES, which
   * the JDK decrypts without extra libraries).
   *
   * @param file where to write
   * @param password the password
   * @return the file
   */
  public Path writeEncryptedServerKey(Path file, String password) throws IOException, GeneralSecurityException {
    String algorithm = "PBEWithSHA1AndDESede";
    byte[] salt = new byte[8];
    new SecureRandom().nextBytes(salt);
    PBEParameterSpec parameters = new PBEParameterSpec(salt, 2048);
    SecretKey key = SecretKeyFactory.getInstance(algorithm).generateSecret(new PBEKeySpec(password.toCharArray()));
    Cipher cipher = Cipher.getInstance(algorithm);
    cipher.init(Cipher.ENCRYPT_MODE, key, parameters);
    byte[] encrypted = cipher.doFinal(server.getKeyPair().getPrivate().getEncoded());
    AlgorithmParameters params = AlgorithmParameters.getInstance(algorithm);
    params.init(parameters);
    byte[] der = new EncryptedPrivateKeyInfo(params, encrypted).getEncoded();
    return write(file, pem("ENCRYPTED PRIVATE KEY", der));
  }

  /** Returns the CA certificate. */
  public X509Certificate caCertificate() {
    return ca.getCertificate();
  }

  /**
   * Makes a TLS server context with the server certificate (for {@code localhost} and
   * {@code 127.0.0.1}, issued by the CA), for a test's own HTTPS server.
   *
   * @return the context
   * @throws GeneralSecurityException when the key cannot be used
   */
  public SSLContext serverSslContext() throws GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(server.toKeyManagerFactory().getKeyManagers(), null, null);
    return context;
  }

  /** Returns the client certificate's chain (the client's certificate, then the CA's). */
  public X509Certificate[] clientChain() {
    return new X509Certificate[] {client.getCertificate(), ca.getCertificate()};
  }

  /** Returns the client certificate's private key. */
  public PrivateKey clientKey() {
    return client.getKeyPair().getPrivate();
  }

  /**
   * Connects a TLS client that trusts the CA.
   *
   * @param server the server address
   * @param withClientCertificate whether to present the client certificate
   * @param protocols the TLS versions the client offers (e.g. {@code TLSv1.3}), none for the default
   * @return the socket, handshake done
   */
  public SSLSocket connect(InetSocketAddress server, boolean withClientCertificate, String... protocols)
      throws Exception {
    KeyManager[] keys = withClientCertificate ? client.toKeyManagerFactory().getKeyManagers() : null;
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys, ca.toTrustManagerFactory().getTrustManagers(), null);
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
    if (protocols.length > 0) {
      socket.setEnabledProtocols(protocols);
    }
    socket.setSoTimeout(20_000);
    socket.connect(new InetSocketAddress("127.0.0.1", server.getPort()), 10_000);
    try {
      socket.startHandshake();
      // With TLS 1.3 the server's verdict on the client certificate comes after the handshake:
      // a read makes it arrive (or times out quietly when the server accepted it).
    } catch (IOException e) {
      socket.close();
      throw e;
    }
    return socket;
  }

  private static String keyPem(PrivateKey key) {
    return pem("PRIVATE KEY", key.getEncoded());
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static Path write(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.US_ASCII);
    return file;
  }
}
