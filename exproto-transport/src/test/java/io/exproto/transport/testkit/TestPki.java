package io.exproto.transport.testkit;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Certificates made at test time with netty-pkitesting: a CA, a server certificate it issued, a
 * client certificate it issued, and a client certificate from another CA no one trusts. Writes the
 * PEM files an EMQX-style {@code ssl_options} block points at.
 */
public final class TestPki {

  /** The subject of the trusted client certificate. */
  public static final String CLIENT_SUBJECT = "CN=device-42,OU=Sensors,O=Acme,C=DE";

  private final X509Bundle ca;
  private final X509Bundle server;
  private final X509Bundle client;
  private final X509Bundle rogue;
  private final X509Bundle deep;

  private TestPki() throws Exception {
    Instant now = Instant.now();
    CertificateBuilder template = new CertificateBuilder()
        .notBefore(now.minus(1, ChronoUnit.DAYS))
        .notAfter(now.plus(1, ChronoUnit.DAYS))
        .ecp256();
    ca = template.copy().subject("CN=Test CA,O=Acme").setIsCertificateAuthority(true).buildSelfSigned();
    server = template.copy().subject("CN=localhost,O=Acme").addSanDnsName("localhost")
        .addSanIpAddress("127.0.0.1").addExtendedKeyUsageServerAuth().buildIssuedBy(ca);
    client = template.copy().subject(CLIENT_SUBJECT).addExtendedKeyUsageClientAuth().buildIssuedBy(ca);
    X509Bundle intermediate = template.copy().subject("CN=Test Intermediate CA,O=Acme")
        .setIsCertificateAuthority(true).buildIssuedBy(ca);
    deep = template.copy().subject("CN=deep-device,O=Acme").addExtendedKeyUsageClientAuth().buildIssuedBy(intermediate);
    X509Bundle rogueCa = template.copy().subject("CN=Rogue CA").setIsCertificateAuthority(true).buildSelfSigned();
    rogue = template.copy().subject("CN=rogue").addExtendedKeyUsageClientAuth().buildIssuedBy(rogueCa);
  }

  /** Generates a fresh set. */
  public static TestPki generate() throws Exception {
    return new TestPki();
  }

  /** Writes the server's certificate PEM into {@code dir} and returns its path. */
  public Path writeServerCert(Path dir) throws IOException {
    return write(dir.resolve("server.pem"), server.getCertificatePEM());
  }

  /** Writes the server's private key as PEM PKCS#8 into {@code dir} and returns its path. */
  public Path writeServerKey(Path dir) throws IOException {
    return write(dir.resolve("server.key"), pkcs8Pem(server));
  }

  /** Writes the CA certificate PEM into {@code dir} and returns its path. */
  public Path writeCaCert(Path dir) throws IOException {
    return write(dir.resolve("ca.pem"), ca.getCertificatePEM());
  }

  /** Connects a TLS client that trusts the CA, presenting the trusted client certificate. */
  public Socket connectWithClientCertificate(InetSocketAddress server) throws Exception {
    return connect(server, client.toKeyManagerFactory().getKeyManagers());
  }

  /** Connects a TLS client that trusts the CA, presenting the untrusted rogue certificate. */
  public Socket connectWithRogueCertificate(InetSocketAddress server) throws Exception {
    X509ExtendedKeyManager keys = (X509ExtendedKeyManager) rogue.toKeyManagerFactory().getKeyManagers()[0];
    return connect(server, new KeyManager[] {new PresentAnyway(keys)});
  }

  /**
   * Presents the client certificate even when the server's list of accepted issuers does not
   * name its CA (the JDK client would otherwise send none).
   */
  private static final class PresentAnyway extends X509ExtendedKeyManager {
    private final X509ExtendedKeyManager delegate;

    PresentAnyway(X509ExtendedKeyManager delegate) {
      this.delegate = delegate;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return delegate.getClientAliases(keyType, null);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return delegate.chooseClientAlias(keyType, null, socket);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return delegate.getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return delegate.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return delegate.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return delegate.getPrivateKey(alias);
    }
  }

  /** Connects a TLS client presenting a certificate issued by an intermediate CA under the CA. */
  public Socket connectWithIntermediateIssuedCertificate(InetSocketAddress server) throws Exception {
    X509ExtendedKeyManager keys = (X509ExtendedKeyManager) deep.toKeyManagerFactory().getKeyManagers()[0];
    return connect(server, new KeyManager[] {new PresentAnyway(keys)});
  }

  /** Connects a TLS client that trusts the CA and has no certificate. */
  public Socket connectWithoutCertificate(InetSocketAddress server) throws Exception {
    return connect(server, null);
  }

  /** Wraps an already connected plain socket (e.g. after a PROXY header) in a TLS client with the certificate. */
  public SSLSocket layerWithClientCertificate(Socket plain) throws Exception {
    SSLContext context = context(client.toKeyManagerFactory().getKeyManagers());
    return (SSLSocket) context.getSocketFactory().createSocket(plain, "localhost", plain.getPort(), true);
  }

  /** A client context trusting the CA, with the given key managers (null for no certificate). */
  public SSLContext context(KeyManager[] keyManagers) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers, ca.toTrustManagerFactory().getTrustManagers(), null);
    return context;
  }

  private Socket connect(InetSocketAddress server, KeyManager[] keyManagers) throws Exception {
    SSLSocket socket = (SSLSocket) context(keyManagers).getSocketFactory().createSocket();
    socket.setSoTimeout(10_000);
    socket.connect(server, 10_000);
    return socket;
  }

  private static String pkcs8Pem(X509Bundle bundle) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(bundle.getKeyPair().getPrivate().getEncoded());
    return "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n";
  }

  private static Path write(Path file, String pem) throws IOException {
    Files.writeString(file, pem, StandardCharsets.US_ASCII);
    return file;
  }
}
