package io.exproto.dtls;

import io.exproto.dtls.internal.BindingDtlsConnector;
import io.exproto.dtls.internal.ConnectorSettings;
import io.exproto.dtls.internal.HandshakeFailures;
import io.exproto.dtls.internal.PeerTable;
import io.exproto.dtls.internal.PemFiles;
import io.exproto.dtls.internal.PskSecrets;
import io.exproto.gateway.GatewayMetrics;
import io.exproto.handler.CloseReasons;
import io.exproto.listener.CertificateInfo;
import io.exproto.listener.ConnectionAcceptor;
import io.exproto.listener.Listener;
import io.exproto.listener.SocketType;
import io.exproto.transport.ListenerBuilder;
import io.exproto.transport.ListenerCounters;
import io.exproto.transport.ListenerOptions;
import io.exproto.transport.internal.ListenerLifecycle;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.eclipse.californium.elements.RelaxedDtlsEndpointContextMatcher;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DTLS 1.2 device listener (EMQX's {@code listeners.dtls}), on Eclipse Scandium. One UDP socket
 * serves every device; each DTLS association (one completed handshake with one peer
 * {@code ip:port}) is one gateway connection with socket type {@link SocketType#DTLS}.
 *
 * <pre>{@code
 * DtlsListener listener = DtlsListener.builder()
 *     .bind("0.0.0.0:7995")
 *     .certfile(Path.of("server.pem")).keyfile(Path.of("server.key"))      // certificates,
 *     .cacertfile(Path.of("ca.pem")).verify(DtlsListener.Verify.VERIFY_PEER)
 *     .psk("sensor-17", secretBytes)                                      // and/or pre-shared keys
 *     .build();
 * Gateway gateway = Gateway.builder().listener(listener).handler(adapter -> ...).build();
 * }</pre>
 *
 * <p>What a device goes through:
 *
 * <ul>
 *   <li><b>Access rules</b> are applied to every datagram before Scandium sees it: a denied address
 *       gets no handshake at all. Each dropped datagram counts as
 *       {@code <name>.refused.access_rules}.</li>
 *   <li><b>Handshake</b>: with certificates and/or pre-shared keys. A handshake that fails (unknown
 *       PSK identity, wrong key, missing or untrusted client certificate, no common cipher suite)
 *       creates no connection and counts as {@code <name>.refused.dtls_handshake} ({@link
 *       #REFUSED_DTLS_HANDSHAKE}), logged at INFO with the peer and the alert (at most one line
 *       per 10 s for the listener; every failure is counted). An unknown PSK
 *       identity fails exactly like a wrong key (a {@code decrypt_error} alert after the client's
 *       Finished), so clients cannot probe which identities exist. A client that abandons a
 *       handshake is counted once the listener's retransmissions give up on it (about half a
 *       minute).</li>
 *   <li><b>OnSocketCreated</b> comes with the association's first application datagram (EMQX's
 *       behaviour for UDP and DTLS), after {@code max_conn_rate} and {@code max_connections}
 *       admitted it; a refused association is sent close_notify and counted as
 *       {@code <name>.refused.max_conn_rate} or {@code <name>.refused.max_connections}.</li>
 *   <li><b>ConnInfo</b>: socktype DTLS; peername the device's {@code ip:port}; sockname the
 *       listener's bound address; {@code peercert} ({@link CertificateInfo}) for a client
 *       certificate: {@code cn} its subject's common name and {@code dn} its subject in RFC 2253
 *       form, e.g. {@code CN=device-1,O=Acme}; <b>for a pre-shared key: {@code cn} the PSK
 *       identity and {@code dn} empty</b> (a certificate's subject is never empty, so an empty
 *       {@code dn} marks a PSK client); none when the client did not authenticate (certificate not
 *       requested or not sent).</li>
 *   <li><b>Bytes</b>: each application datagram is one OnReceivedBytes; each write is one DTLS
 *       record to that association only. A write is refused at once (the handler's Send answers
 *       UNKNOWN with the reason) while the connection has more than
 *       {@link io.exproto.dtls.internal.DtlsConnection#SEND_QUEUE_LIMIT} bytes (1 MiB) of records
 *       not yet sent, or when Scandium turns it down (larger than a record can carry, 16384
 *       bytes; Scandium's outbound queue full). A write that fails later (a socket error, the
 *       association gone) is dropped. Refused and failed writes count as
 *       {@code <name>.dropped.writes} ({@link #DROPPED_WRITES}).</li>
 *   <li><b>Backpressure</b>: while the gateway has paused a connection, its datagrams are dropped
 *       and counted as {@code <name>.dropped.backpressure} (UDP has no flow control).</li>
 *   <li><b>Close</b>: closing a connection (handler Close, idle or keepalive timeout, kick) sends
 *       that peer close_notify; the shared socket and the other peers stay. The peer's next
 *       datagram needs a new handshake and makes a new connection (datagrams still in flight on the
 *       closed association are dropped). The peer sending close_notify, completing a new
 *       handshake from the same address (a restarted device, a session resumption), or its
 *       association being dropped by Scandium closes the connection with {@code udp_closed}. {@link #stop()} closes every
 *       connection with {@code udp_closed} (when the whole gateway stops, it closes them first
 *       with {@code gateway_stopped}).</li>
 * </ul>
 *
 * <p>Not supported: DTLS Connection IDs (RFC 9146; a device whose address changes needs a new
 * handshake), raw public keys, encrypted key files, DTLS 1.3, and renegotiation.
 *
 * <p>Secrets: pre-shared keys and the private key are never logged; PSK secrets are wiped when the
 * listener stops. Threads: Scandium's (one worker per processor, at least two, a receiver and a
 * timer) plus one that reports closes, all created by {@link #start} and ended by {@link #stop}.
 * Lifecycle: {@link #start} once, {@link #stop} any number of times; a stopped listener cannot
 * start again. Thread-safe.
 */
public final class DtlsListener implements Listener {

  /** The counter suffix of failed DTLS handshakes: {@code <name>.refused.dtls_handshake}. */
  public static final String REFUSED_DTLS_HANDSHAKE = "refused.dtls_handshake";
  /** The counter suffix of writes that could not be sent: {@code <name>.dropped.writes}. */
  public static final String DROPPED_WRITES = ListenerCounters.DROPPED_WRITES;

  private static final Logger log = LoggerFactory.getLogger(DtlsListener.class);

  /** EMQX's {@code listeners.dtls.default}. */
  private static final String DEFAULT_NAME = "dtls:default";
  private static final String DEFAULT_BIND = "0.0.0.0:7995";
  private final ListenerOptions options;
  private final ConnectorSettings settings;
  private final ListenerLifecycle lifecycle;
  private final Function<DtlsConnectorConfig, DTLSConnector> connectors;

  // Guarded by this.
  private DTLSConnector connector;
  private PeerTable peers;
  private ExecutorService reports;

  private DtlsListener(ListenerOptions options, ConnectorSettings settings,
      Function<DtlsConnectorConfig, DTLSConnector> connectors) {
    this.options = options;
    this.settings = settings;
    this.connectors = connectors;
    this.lifecycle = new ListenerLifecycle(options);
  }

  /**
   * Starts a builder with EMQX's defaults: name {@code dtls:default}, bind {@code 0.0.0.0:7995},
   * max_connections 1024000, no max_conn_rate, no access rules, {@code verify_none}. Credentials
   * (certificates, pre-shared keys or both) are required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the listener's name.
   *
   * @return the name, e.g. {@code dtls:default}
   */
  @Override
  public String name() {
    return options.name();
  }

  /**
   * Returns the mountpoint configured for this listener.
   *
   * @return the mountpoint template, or empty to use the gateway's
   */
  @Override
  public Optional<String> mountpoint() {
    return options.mountpoint();
  }

  /**
   * Binds the UDP socket and starts serving handshakes; returns once bound.
   *
   * @param acceptor where new connections go, not null
   * @throws IOException when the address cannot be bound (a {@link BindException} when the port
   *     is in use or the address is not local); the message names the listener and the address
   * @throws IllegalStateException when the listener was already started or stopped
   */
  @Override
  public synchronized void start(ConnectionAcceptor acceptor) throws IOException {
    Objects.requireNonNull(acceptor, "acceptor");
    lifecycle.checkStartable();
    GatewayMetrics metrics = acceptor.metrics();
    String threadName = "exproto-" + name().replace(':', '-') + "-reports";
    reports = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, threadName);
      thread.setDaemon(true);
      return thread;
    });
    peers = new PeerTable(name(), acceptor, options.maxConnections(),
        options.newRateLimiter().orElse(null), reports, DROPPED_WRITES);
    PeerTable table = peers;
    DtlsConnectorConfig config = settings.connectorConfig(table,
        new HandshakeFailures(name(), metrics, ListenerCounters.name(name(), REFUSED_DTLS_HANDSHAKE), table::closing),
        options.accessRules(), metrics);
    DTLSConnector dtls = connectors.apply(config);
    dtls.setRawDataReceiver(table);
    dtls.setAlertHandler(table);
    // A write reaches the association it was made for, never a newer one of the same address.
    dtls.setEndpointContextMatcher(new RelaxedDtlsEndpointContextMatcher());
    table.attach(dtls);
    try {
      dtls.start();
    } catch (IOException | RuntimeException e) {
      IOException failure = lifecycle.startFailed(e);
      table.closeAll(CloseReasons.UDP_CLOSED);
      dtls.destroy();
      reports.shutdownNow();
      settings.destroySecrets();
      throw failure;
    }
    connector = dtls;
    InetSocketAddress boundAddress = dtls.getAddress();
    lifecycle.started(boundAddress);
    log.info("Listener {} bound to {} (DTLS, {})", name(), ListenerOptions.describe(boundAddress),
        settings.describeCredentials());
  }

  /**
   * Closes every connection of this listener with {@code udp_closed} (those the gateway closed
   * first are not reported again), then closes the socket and ends the listener's threads
   * (waiting up to a few seconds). Idempotent; before {@link #start} it only prevents a later
   * start.
   */
  @Override
  public void stop() {
    DTLSConnector dtls;
    PeerTable table;
    ExecutorService executor;
    synchronized (this) {
      if (lifecycle.isStopped()) {
        return;
      }
      if (!lifecycle.stop()) {
        settings.destroySecrets();
        return;
      }
      dtls = connector;
      table = peers;
      executor = reports;
    }
    table.closeAll(CloseReasons.UDP_CLOSED);
    dtls.destroy();
    // A datagram being delivered while the socket closed may have admitted one more.
    table.closeAll(CloseReasons.UDP_CLOSED);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(ListenerLifecycle.STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
    settings.destroySecrets();
    log.info("Listener {} stopped", name());
  }

  /**
   * Returns the address the listener is bound to; with port 0 configured, this has the port the
   * system chose.
   *
   * @return the bound address
   * @throws IllegalStateException before the listener started
   */
  public InetSocketAddress localAddress() {
    return lifecycle.localAddress();
  }

  /** The number of connections open on this listener, for tests in this package. */
  synchronized int openConnections() {
    return peers == null ? 0 : peers.openConnections();
  }

  /** The bytes of records handed to Scandium and not yet sent, for tests in this package. */
  synchronized long sendBacklog() {
    return peers == null ? 0 : peers.sendBacklog();
  }

  @Override
  public String toString() {
    return "DtlsListener{" + name() + ", " + lifecycle.describeAddress() + "}";
  }

  /**
   * Whether the listener asks DTLS clients for a certificate and verifies it (EMQX's
   * {@code dtls_options.verify}).
   */
  public enum Verify {
    /** Clients are not asked for a certificate (EMQX's default). */
    VERIFY_NONE,
    /**
     * Clients are asked for a certificate, which must chain to a {@code cacertfile} CA; whether a
     * client without one is refused is {@link Builder#failIfNoPeerCert}.
     */
    VERIFY_PEER
  }

  /**
   * Configures a {@link DtlsListener}: the common listener settings of {@link ListenerBuilder}
   * plus EMQX's {@code dtls_options} and pre-shared keys. Files are read by {@link #build()}, which
   * reports every problem with the setting's name. Not thread-safe.
   *
   * <p>At least one kind of credential is required: a certificate ({@link #certfile} and
   * {@link #keyfile}) or pre-shared keys ({@link #psk} or {@link #pskResolver}); with both, the
   * client chooses through the cipher suites it offers.
   */
  public static final class Builder extends ListenerBuilder<Builder> {

    private Path certfile;
    private Path keyfile;
    private Path cacertfile;
    private Verify verify = Verify.VERIFY_NONE;
    private boolean failIfNoPeerCert;
    private final Map<String, byte[]> pskSecrets = new LinkedHashMap<>();
    private PskResolver pskResolver;
    private final List<String> cipherSuites = new ArrayList<>();
    private Function<DtlsConnectorConfig, DTLSConnector> connectors = BindingDtlsConnector::new;

    private Builder() {
      super(DEFAULT_NAME, DEFAULT_BIND);
    }

    /**
     * Returns this builder.
     *
     * @return {@code this}
     */
    @Override
    protected Builder self() {
      return this;
    }

    /**
     * Sets the listener's certificate chain ({@code dtls_options.certfile}): a PEM file with the
     * listener's certificate first, then its intermediates. EC (P-256, P-384) and RSA keys work;
     * the cipher suites follow the key. Requires {@link #keyfile}.
     *
     * @param certfile the PEM file, not null
     * @return this builder
     */
    public Builder certfile(Path certfile) {
      this.certfile = Objects.requireNonNull(certfile, "certfile");
      return this;
    }

    /**
     * Sets the listener's private key ({@code dtls_options.keyfile}): a PEM file with an
     * unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}) key.
     * Requires {@link #certfile}.
     *
     * @param keyfile the PEM file, not null
     * @return this builder
     */
    public Builder keyfile(Path keyfile) {
      this.keyfile = Objects.requireNonNull(keyfile, "keyfile");
      return this;
    }

    /**
     * Sets the CAs that client certificates must chain to ({@code dtls_options.cacertfile}): a
     * PEM file of one or more certificates. Used with {@link Verify#VERIFY_PEER} only.
     *
     * @param cacertfile the PEM file, not null
     * @return this builder
     */
    public Builder cacertfile(Path cacertfile) {
      this.cacertfile = Objects.requireNonNull(cacertfile, "cacertfile");
      return this;
    }

    /**
     * Sets whether clients are asked for a certificate ({@code dtls_options.verify}). Default
     * {@link Verify#VERIFY_NONE}. {@link Verify#VERIFY_PEER} requires {@link #certfile} and
     * {@link #cacertfile}.
     *
     * @param verify the mode, not null
     * @return this builder
     */
    public Builder verify(Verify verify) {
      this.verify = Objects.requireNonNull(verify, "verify");
      return this;
    }

    /**
     * Sets whether a client that sends no certificate is refused
     * ({@code dtls_options.fail_if_no_peer_cert}); otherwise it connects without a peercert
     * (or with its PSK identity). Default false. Requires {@link Verify#VERIFY_PEER}.
     *
     * @param fail whether a certificate is required
     * @return this builder
     */
    public Builder failIfNoPeerCert(boolean fail) {
      this.failIfNoPeerCert = fail;
      return this;
    }

    /**
     * Adds a pre-shared key. The listener copies the secret and wipes its copy when it stops; it
     * never logs it.
     *
     * @param identity the PSK identity clients send, not empty, at most 65535 bytes in UTF-8;
     *     the handler sees it as the peercert's {@code cn}
     * @param secret the key, not empty (the caller may wipe the array afterwards)
     * @return this builder
     * @throws IllegalArgumentException when the identity or the secret is empty or the identity is
     *     too long
     */
    public Builder psk(String identity, byte[] secret) {
      if (identity == null || identity.isEmpty()) {
        throw new IllegalArgumentException("psk: the identity must not be empty");
      }
      if (identity.getBytes(StandardCharsets.UTF_8).length > 65535) {
        throw new IllegalArgumentException("psk: the identity '" + identity.substring(0, 32)
            + "...' is longer than 65535 bytes");
      }
      if (secret == null || secret.length == 0) {
        throw new IllegalArgumentException("psk: the secret of identity '" + identity + "' must not be empty");
      }
      byte[] previous = pskSecrets.put(identity, secret.clone());
      if (previous != null) {
        Arrays.fill(previous, (byte) 0);
      }
      return this;
    }

    /**
     * Sets where secrets of identities not listed with {@link #psk} come from, for hosts with
     * their own key store.
     *
     * @param resolver the resolver, not null; the listener does not own it
     * @return this builder
     */
    public Builder pskResolver(PskResolver resolver) {
      this.pskResolver = Objects.requireNonNull(resolver, "pskResolver");
      return this;
    }

    /**
     * Restricts the cipher suites, by IANA name, in order of preference, e.g.
     * {@code TLS_PSK_WITH_AES_128_CCM_8}, {@code TLS_PSK_WITH_AES_128_GCM_SHA256},
     * {@code TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}, {@code TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}.
     * Default: Scandium's recommended AEAD suites for the configured credentials (AES-CCM and
     * AES-GCM with PSK, ECDHE-PSK, and ECDHE-ECDSA or ECDHE-RSA after the certificate's key). A
     * suite listed here is used even if not recommended (CBC suites, for old devices).
     *
     * @param names the suite names, not null, not empty
     * @return this builder
     * @throws IllegalArgumentException when a name is not a suite Scandium supports; the message
     *     lists the supported ones
     */
    public Builder cipherSuites(List<String> names) {
      Objects.requireNonNull(names, "cipherSuites");
      if (names.isEmpty()) {
        throw new IllegalArgumentException("cipherSuites must not be empty; leave it unset for the default");
      }
      for (String name : names) {
        cipherSuite(name);
      }
      cipherSuites.clear();
      cipherSuites.addAll(names);
      return this;
    }

    /**
     * Replaces the Scandium connector the listener creates at each start, for tests in this
     * package (a connector whose socket can be held up, for example). Not API.
     *
     * @param factory makes the connector from the listener's configuration, not null
     * @return this builder
     */
    Builder connectorFactory(Function<DtlsConnectorConfig, DTLSConnector> factory) {
      this.connectors = Objects.requireNonNull(factory, "connectorFactory");
      return this;
    }

    /**
     * Builds the listener: reads the PEM files and checks the combination of settings. Binds
     * nothing until the gateway starts it.
     *
     * @return the listener
     * @throws IllegalArgumentException when a file cannot be read or parsed, or Scandium rejects a
     *     credential; the message names the setting
     * @throws IllegalStateException when the settings do not fit together (no credentials, a
     *     certfile without keyfile, verify_peer without cacertfile, ...)
     */
    public DtlsListener build() {
      ListenerOptions options = listenerOptions();
      if (certfile == null && keyfile != null) {
        throw new IllegalStateException("keyfile is set but certfile is not; set both (dtls_options)");
      }
      if (certfile != null && keyfile == null) {
        throw new IllegalStateException("certfile is set but keyfile is not; set both (dtls_options)");
      }
      if (certfile == null && pskSecrets.isEmpty() && pskResolver == null) {
        throw new IllegalStateException("listener " + options.name() + " has no credentials: set certfile"
            + " and keyfile (dtls_options), or pre-shared keys with psk(...) or pskResolver(...)");
      }
      if (verify == Verify.VERIFY_PEER && certfile == null) {
        throw new IllegalStateException("verify = verify_peer needs a server certificate: set certfile and"
            + " keyfile (client certificates are only requested in certificate handshakes)");
      }
      if (verify == Verify.VERIFY_PEER && cacertfile == null) {
        throw new IllegalStateException("verify = verify_peer needs cacertfile, the CAs client"
            + " certificates must chain to");
      }
      if (failIfNoPeerCert && verify != Verify.VERIFY_PEER) {
        throw new IllegalStateException("failIfNoPeerCert (fail_if_no_peer_cert) needs verify = verify_peer");
      }
      PrivateKey privateKey = keyfile == null ? null : PemFiles.privateKey(keyfile);
      X509Certificate[] chain = certfile == null ? null : PemFiles.certificateChain(certfile);
      X509Certificate[] trusted = verify == Verify.VERIFY_PEER ? PemFiles.trustedCertificates(cacertfile) : null;
      PskSecrets psk = pskSecrets.isEmpty() && pskResolver == null ? null : new PskSecrets(pskSecrets, pskResolver);
      List<CipherSuite> suites = cipherSuites.stream().map(Builder::cipherSuite).toList();
      ConnectorSettings settings = new ConnectorSettings(options.name(), options.bind(),
          options.maxConnections(), privateKey, chain, trusted, failIfNoPeerCert, psk, suites,
          options.recbuf(), options.sndbuf());
      try {
        // Scandium checks the combination (key usage, suites against credentials) when it builds
        // its configuration: do it now, so a bad setting fails here rather than at start.
        settings.connectorConfig(null, null, options.accessRules(), new GatewayMetrics());
      } catch (IllegalStateException | IllegalArgumentException e) {
        throw new IllegalArgumentException("listener " + options.name() + ": the DTLS settings are not"
            + " usable: " + e.getMessage(), e);
      }
      return new DtlsListener(options, settings, connectors);
    }

    private static CipherSuite cipherSuite(String name) {
      CipherSuite suite = name == null ? null : CipherSuite.getTypeByName(name);
      if (suite == null || !suite.isSupported() || !suite.isValidForNegotiation()) {
        List<String> supported = Arrays.stream(CipherSuite.getCipherSuites(false, true))
            .map(CipherSuite::name).toList();
        throw new IllegalArgumentException("cipherSuites: '" + name + "' is not a cipher suite this"
            + " listener supports; supported: " + String.join(", ", supported));
      }
      return suite;
    }
  }
}
