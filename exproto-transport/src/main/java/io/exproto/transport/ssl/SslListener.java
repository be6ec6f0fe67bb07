package io.exproto.transport.ssl;

import io.exproto.handler.CloseReasons;
import io.exproto.listener.Listener;
import io.exproto.listener.SocketType;
import io.exproto.transport.StreamListenerBuilder;
import io.exproto.transport.internal.StreamListenerBase;
import io.exproto.transport.internal.StreamServer;
import io.netty.channel.Channel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.Function;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A TLS-over-TCP device listener (EMQX's {@code listeners.ssl}): every accepted socket whose TLS
 * handshake completes becomes one gateway connection with socket type {@link SocketType#SSL}; the
 * device closing its socket closes the connection with reason {@code ssl_closed}.
 *
 * <pre>{@code
 * SslListener listener = SslListener.builder()
 *     .bind("0.0.0.0:7994")
 *     .certfile("/etc/exproto/server.pem")
 *     .keyfile("/etc/exproto/server.key")
 *     .cacertfile("/etc/exproto/ca.pem")
 *     .verify(SslListener.Verify.VERIFY_PEER)
 *     .failIfNoPeerCert(true)
 *     .build();
 * }</pre>
 *
 * <p>The handler gets OnSocketCreated only after the handshake has completed; when the client
 * presented a certificate, its subject's CN and RFC 2253 DN are in
 * {@code ConnectionInfo.peerCertificate}. A failed handshake (no certificate while
 * {@code fail_if_no_peer_cert}, an untrusted one, a protocol version not allowed, a timeout, bytes
 * that are not TLS) never reaches the gateway; it is counted as
 * {@code <name>.refused.tls_handshake}.
 *
 * <p>The pipeline is the TCP listener's (see {@link io.exproto.transport.tcp.TcpListener}: send
 * timeout, access rules, connection rate and limit, optional PROXY protocol header, which comes
 * before the TLS handshake) with two stages added in front of the gateway:
 *
 * <pre>
 *   ... connection-limit | [proxy-decoder | proxy-protocol] | [access-rules]
 *         |
 *   +-----v--------------------+
 *   | tls                      |  Netty's SslHandler (JDK provider): decrypts and encrypts
 *   | tls-handshake            |  holds channelActive back until the handshake completed; records
 *   |                          |  the client certificate's subject; a failure closes and counts
 *   +--------------------------+
 *   | forwarding               |  OnSocketCreated, bytes, onClosed("ssl_closed")
 *   +-----+--------------------+
 *         v
 *   gateway engine
 * </pre>
 *
 * <p>Certificates are read when {@link Builder#build()} runs, so a bad file fails there, naming
 * the setting. Private keys must be PEM PKCS#8 ({@code BEGIN PRIVATE KEY}, optionally encrypted
 * with {@link Builder#password}); a PKCS#1 {@code BEGIN RSA PRIVATE KEY} file needs converting
 * ({@code openssl pkcs8 -topk8 -nocrypt}) unless Bouncy Castle's PKIX library is on the class path.
 *
 * <p>Event loops and lifecycle are the TCP listener's. Thread-safe.
 */
public final class SslListener extends StreamListenerBase implements Listener {

  /** EMQX's {@code verify}: whether the listener asks clients for a certificate and checks it. */
  public enum Verify {
    /** {@code verify_none}: clients are not asked for a certificate. */
    VERIFY_NONE,
    /**
     * {@code verify_peer}: clients are asked for a certificate, and one they present must be
     * trusted (issued by a certificate of {@code cacertfile}, or of the JDK's trust store when no
     * {@code cacertfile} is set). A client without one is accepted unless
     * {@code fail_if_no_peer_cert}.
     */
    VERIFY_PEER;

    /**
     * Parses EMQX's spelling.
     *
     * @param text {@code verify_none} or {@code verify_peer}
     * @return the mode
     * @throws IllegalArgumentException for anything else; the message names {@code verify}
     */
    public static Verify parse(String text) {
      if ("verify_none".equals(text)) {
        return VERIFY_NONE;
      }
      if ("verify_peer".equals(text)) {
        return VERIFY_PEER;
      }
      throw new IllegalArgumentException("verify must be verify_none or verify_peer, got '" + text + "'");
    }
  }

  private static final Map<String, String> PROTOCOLS = Map.of(
      "tlsv1.3", "TLSv1.3",
      "tlsv1.2", "TLSv1.2",
      "tlsv1.1", "TLSv1.1",
      "tlsv1", "TLSv1");

  private final SslContext sslContext;

  private SslListener(StreamServer server, SslContext sslContext) {
    super(server);
    this.sslContext = sslContext;
  }

  /**
   * Starts a builder with EMQX's defaults: name {@code ssl:default}, bind {@code 0.0.0.0:7994},
   * verify_none, fail_if_no_peer_cert false, versions tlsv1.3 and tlsv1.2, handshake_timeout 15 s,
   * and the TCP listener's defaults for everything else. {@code certfile} and {@code keyfile} are
   * required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the TLS settings in Netty's form, for diagnostics.
   *
   * @return the server context
   */
  public SslContext sslContext() {
    return sslContext;
  }

  /**
   * Returns the channels of the listener's open connections, for tests in this package.
   *
   * @return a snapshot
   */
  List<Channel> openChannels() {
    return server().openChannels();
  }

  /**
   * Configures an {@link SslListener}: the common listener settings, the TCP ones, and EMQX's
   * {@code ssl_options}. Each setter validates at once; {@link #build()} reads the certificate
   * files and reports a bad one naming the setting. Not thread-safe.
   */
  public static final class Builder extends StreamListenerBuilder<Builder> {

    private Path certfile;
    private Path keyfile;
    private String password;
    private Path cacertfile;
    private Verify verify = Verify.VERIFY_NONE;
    private boolean failIfNoPeerCert;
    private List<String> versions = List.of("tlsv1.3", "tlsv1.2");
    private OptionalInt depth = OptionalInt.empty();
    private Duration handshakeTimeout = Duration.ofSeconds(15);

    private Builder() {
      super("ssl:default", "0.0.0.0:7994");
    }

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * Sets the PEM file with the server's certificate, followed by any intermediate CA
     * certificates. Required.
     *
     * @param path the file, not empty
     * @return this builder
     */
    public Builder certfile(String path) {
      this.certfile = path("certfile", path);
      return this;
    }

    /**
     * Sets the PEM file with the server's private key (PKCS#8). Required.
     *
     * @param path the file, not empty
     * @return this builder
     */
    public Builder keyfile(String path) {
      this.keyfile = path("keyfile", path);
      return this;
    }

    /**
     * Sets the password of an encrypted {@code keyfile}. Default: the key is not encrypted.
     *
     * @param password the password, not null
     * @return this builder
     */
    public Builder password(String password) {
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /**
     * Sets the PEM file with the CA certificates client certificates must be issued by (with
     * {@link Verify#VERIFY_PEER}). Default: the JDK's trust store.
     *
     * @param path the file, not empty
     * @return this builder
     */
    public Builder cacertfile(String path) {
      this.cacertfile = path("cacertfile", path);
      return this;
    }

    /**
     * Sets whether clients are asked for a certificate. Default {@link Verify#VERIFY_NONE}.
     *
     * @param verify the mode, not null
     * @return this builder
     */
    public Builder verify(Verify verify) {
      this.verify = Objects.requireNonNull(verify, "verify");
      return this;
    }

    /**
     * Sets whether clients are asked for a certificate, in EMQX's spelling.
     *
     * @param verify {@code verify_none} or {@code verify_peer}
     * @return this builder
     * @throws IllegalArgumentException for another value; the message names {@code verify}
     */
    public Builder verify(String verify) {
      this.verify = Verify.parse(verify);
      return this;
    }

    /**
     * Sets whether a client without a certificate fails the handshake (needs
     * {@link Verify#VERIFY_PEER}). Default false.
     *
     * @param fail whether the certificate is required
     * @return this builder
     */
    public Builder failIfNoPeerCert(boolean fail) {
      this.failIfNoPeerCert = fail;
      return this;
    }

    /**
     * Sets the TLS versions allowed, in EMQX's spelling: {@code tlsv1.3}, {@code tlsv1.2},
     * {@code tlsv1.1}, {@code tlsv1} (the last two only where the JDK still enables them).
     * Default {@code ["tlsv1.3", "tlsv1.2"]}.
     *
     * @param versions not empty
     * @return this builder
     * @throws IllegalArgumentException for an unknown version; the message names {@code versions}
     */
    public Builder versions(List<String> versions) {
      Objects.requireNonNull(versions, "versions");
      if (versions.isEmpty()) {
        throw new IllegalArgumentException("versions must name at least one TLS version, e.g. tlsv1.3");
      }
      for (String version : versions) {
        if (version == null || !PROTOCOLS.containsKey(version.toLowerCase(Locale.ROOT))) {
          throw new IllegalArgumentException("versions: unknown TLS version '" + version
              + "'; use tlsv1.3, tlsv1.2, tlsv1.1 or tlsv1");
        }
      }
      this.versions = List.copyOf(versions);
      return this;
    }

    /**
     * Sets the most intermediate CA certificates a client's chain may hold after the client's
     * own (OpenSSL's {@code depth}; 0: issued by a trusted root directly). Default: the JDK's
     * path validation without an extra limit.
     *
     * @param depth at least 0
     * @return this builder
     */
    public Builder depth(int depth) {
      if (depth < 0) {
        throw new IllegalArgumentException("depth must not be negative, got " + depth);
      }
      this.depth = OptionalInt.of(depth);
      return this;
    }

    /**
     * Sets how long a client may take to complete the handshake; a slower one is closed and
     * counted as a failed handshake. Default 15 s.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder handshakeTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("handshakeTimeout (handshake_timeout) must be positive");
      }
      this.handshakeTimeout = timeout;
      return this;
    }

    /**
     * Reads the certificate files and builds the listener; it binds nothing until the gateway
     * starts it.
     *
     * @return the listener
     * @throws IllegalStateException when {@code certfile} or {@code keyfile} is missing, or
     *     {@code failIfNoPeerCert} is set without {@code verify_peer}
     * @throws IllegalArgumentException when a file cannot be read or holds no usable certificate
     *     or key; the message starts with the setting's name
     */
    public SslListener build() {
      if (certfile == null) {
        throw new IllegalStateException("certfile is required: the PEM file of the server certificate");
      }
      if (keyfile == null) {
        throw new IllegalStateException("keyfile is required: the PEM file of the server's private key");
      }
      if (failIfNoPeerCert && verify != Verify.VERIFY_PEER) {
        throw new IllegalStateException("failIfNoPeerCert (fail_if_no_peer_cert) needs verify = verify_peer");
      }
      SslContext context = sslContext();
      long handshakeMillis = handshakeTimeout.toMillis();
      Function<Channel, SslHandler> tls = channel -> {
        SslHandler handler = context.newHandler(channel.alloc());
        handler.setHandshakeTimeoutMillis(handshakeMillis);
        return handler;
      };
      StreamServer server = new StreamServer(listenerOptions(), streamOptions(), bossGroup().orElse(null),
          workerGroup().orElse(null), SocketType.SSL, CloseReasons.SSL_CLOSED, tls);
      return new SslListener(server, context);
    }

    private SslContext sslContext() {
      // Read here only to report a bad certfile clearly; Netty reads it again.
      readCertificates("certfile", certfile);
      List<X509Certificate> authorities = verify == Verify.VERIFY_PEER && cacertfile != null
          ? readCertificates("cacertfile", cacertfile) : List.of();
      try {
        SslContextBuilder.forServer(certfile.toFile(), keyfile.toFile(), password)
            .sslProvider(SslProvider.JDK).build();
      } catch (SSLException | IllegalArgumentException e) {
        throw new IllegalArgumentException("keyfile: cannot use the private key in " + keyfile
            + " with the certificate in " + certfile + " (a PEM PKCS#8 key is expected): " + rootMessage(e), e);
      }
      List<String> protocols = new ArrayList<>();
      for (String version : versions) {
        protocols.add(PROTOCOLS.get(version.toLowerCase(Locale.ROOT)));
      }
      SslContextBuilder builder = SslContextBuilder.forServer(certfile.toFile(), keyfile.toFile(), password)
          .sslProvider(SslProvider.JDK)
          .protocols(protocols);
      if (verify == Verify.VERIFY_PEER) {
        builder.trustManager(trustManager(authorities))
            .clientAuth(failIfNoPeerCert ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
      } else {
        builder.clientAuth(ClientAuth.NONE);
      }
      try {
        return builder.build();
      } catch (SSLException | IllegalArgumentException e) {
        throw new IllegalArgumentException("ssl_options: cannot set up TLS with certfile " + certfile
            + ": " + rootMessage(e), e);
      }
    }

    private TrustManager trustManager(List<X509Certificate> authorities) {
      try {
        KeyStore store = null;
        if (!authorities.isEmpty()) {
          store = KeyStore.getInstance(KeyStore.getDefaultType());
          store.load(null, null);
          for (int i = 0; i < authorities.size(); i++) {
            store.setCertificateEntry("ca-" + i, authorities.get(i));
          }
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager manager : factory.getTrustManagers()) {
          if (manager instanceof X509ExtendedTrustManager x509) {
            return depth.isPresent() ? new DepthLimitedTrustManager(x509, depth.getAsInt()) : x509;
          }
        }
        throw new IllegalStateException("the JDK offers no X.509 trust manager");
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalArgumentException("cacertfile: cannot build a trust store from " + cacertfile
            + ": " + rootMessage(e), e);
      }
    }

    private static List<X509Certificate> readCertificates(String setting, Path file) {
      Collection<? extends Certificate> read;
      try (InputStream in = Files.newInputStream(file)) {
        read = CertificateFactory.getInstance("X.509").generateCertificates(in);
      } catch (IOException e) {
        throw new IllegalArgumentException(setting + ": cannot read " + file + ": " + rootMessage(e), e);
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException(setting + ": " + file + " holds no valid PEM certificate: "
            + rootMessage(e), e);
      }
      List<X509Certificate> certificates = new ArrayList<>();
      for (Certificate certificate : read) {
        if (certificate instanceof X509Certificate x509) {
          certificates.add(x509);
        }
      }
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException(setting + ": " + file + " holds no PEM certificate");
      }
      return certificates;
    }

    private static Path path(String setting, String path) {
      if (path == null || path.isBlank()) {
        throw new IllegalArgumentException(setting + " must name a file");
      }
      return Path.of(path);
    }

    private static String rootMessage(Throwable e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
    }
  }
}
