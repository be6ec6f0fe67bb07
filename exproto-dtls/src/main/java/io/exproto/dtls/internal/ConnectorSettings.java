package io.exproto.dtls.internal;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.transport.policy.AccessRules;
import java.net.InetSocketAddress;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.scandium.ConnectionListener;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.SessionListener;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/**
 * Everything a DTLS listener tells Scandium, validated once when the listener is built, and the
 * translation into Scandium's {@link DtlsConnectorConfig}. Not API.
 *
 * <p>Scandium settings fixed here: server role only; a private {@link Configuration} (no
 * {@code Californium3.properties} file is read or written, nothing global is changed); client
 * certificates requested only with {@code verify_peer} ({@code NEEDED} with
 * {@code fail_if_no_peer_cert}, otherwise {@code WANTED}); cipher suites derived from the
 * credentials unless listed (Scandium's recommended AEAD suites: PSK and ECDHE-PSK with AES-CCM and
 * AES-GCM, ECDHE-ECDSA or ECDHE-RSA with AES-CCM/GCM, depending on the certificate's key); one
 * worker thread per processor (at least two).
 *
 * @param name the listener's name, used as Scandium's logging tag
 * @param bind the address to bind
 * @param maxConnections the listener's max_connections, which sizes Scandium's connection store
 * @param privateKey the listener's private key, null without certificates
 * @param certificateChain the listener's certificate chain, null without certificates
 * @param trustedCertificates the CAs client certificates must chain to, null unless verify_peer
 * @param failIfNoPeerCert whether a client without a certificate is refused (verify_peer only)
 * @param pskSecrets the pre-shared key store, null without pre-shared keys
 * @param cipherSuites the cipher suites, empty to derive them from the credentials
 * @param recbuf SO_RCVBUF of the socket, empty for the system's
 * @param sndbuf SO_SNDBUF of the socket, empty for the system's
 */
public record ConnectorSettings(
    String name,
    InetSocketAddress bind,
    int maxConnections,
    PrivateKey privateKey,
    X509Certificate[] certificateChain,
    X509Certificate[] trustedCertificates,
    boolean failIfNoPeerCert,
    PskSecrets pskSecrets,
    List<CipherSuite> cipherSuites,
    OptionalInt recbuf,
    OptionalInt sndbuf) {

  /** Room in Scandium's store for handshakes in progress and closed associations. */
  private static final int STORE_HEADROOM = 1_000;

  /**
   * Checks that the required fields are present.
   *
   * @param name not null
   * @param bind not null
   * @param maxConnections at least 1
   * @param privateKey null exactly when certificateChain is null
   * @param certificateChain see privateKey
   * @param trustedCertificates may be null
   * @param failIfNoPeerCert any
   * @param pskSecrets may be null
   * @param cipherSuites not null
   * @param recbuf not null
   * @param sndbuf not null
   */
  public ConnectorSettings {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(cipherSuites, "cipherSuites");
    Objects.requireNonNull(recbuf, "recbuf");
    Objects.requireNonNull(sndbuf, "sndbuf");
    if ((privateKey == null) != (certificateChain == null)) {
      throw new IllegalArgumentException("privateKey and certificateChain go together");
    }
    cipherSuites = List.copyOf(cipherSuites);
  }

  /**
   * Builds Scandium's configuration.
   *
   * @param connections told about established and removed associations; null for none
   * @param sessions told about handshakes; null for none
   * @param accessRules the listener's access rules, not null
   * @param metrics where the access filter counts refusals, not null
   * @return the configuration
   * @throws IllegalStateException when Scandium rejects the combination (for example a
   *     certificate whose key usage does not allow a server, or a cipher suite the credentials
   *     cannot serve)
   * @throws IllegalArgumentException when Scandium rejects a credential
   */
  public DtlsConnectorConfig connectorConfig(ConnectionListener connections, SessionListener sessions,
      AccessRules accessRules, GatewayMetrics metrics) {
    Configuration configuration = new Configuration(SystemConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
    configuration.set(DtlsConfig.DTLS_ROLE, DtlsRole.SERVER_ONLY);
    configuration.set(DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE, clientAuthentication());
    configuration.set(DtlsConfig.DTLS_MAX_CONNECTIONS,
        (int) Math.min(Integer.MAX_VALUE, (long) maxConnections + STORE_HEADROOM));
    configuration.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT,
        Math.max(2, Runtime.getRuntime().availableProcessors()));
    recbuf.ifPresent(bytes -> configuration.set(DtlsConfig.DTLS_RECEIVE_BUFFER_SIZE, bytes));
    sndbuf.ifPresent(bytes -> configuration.set(DtlsConfig.DTLS_SEND_BUFFER_SIZE, bytes));
    if (!cipherSuites.isEmpty()) {
      configuration.set(DtlsConfig.DTLS_CIPHER_SUITES, cipherSuites);
      // The host chose the suites; do not second-guess a CBC suite a legacy device needs.
      configuration.set(DtlsConfig.DTLS_RECOMMENDED_CIPHER_SUITES_ONLY, false);
    }
    DtlsConnectorConfig.Builder builder = DtlsConnectorConfig.builder(configuration)
        .setAddress(bind)
        .setLoggingTag(name)
        .setDatagramFilter(new AccessFilter(configuration, accessRules, name, metrics));
    if (privateKey != null) {
      builder.setCertificateIdentityProvider(
          new SingleCertificateProvider(privateKey, certificateChain, CertificateType.X_509));
    }
    if (trustedCertificates != null) {
      builder.setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
          .setTrustedCertificates(trustedCertificates)
          .build());
    }
    if (pskSecrets != null) {
      builder.setAdvancedPskStore(pskSecrets);
    }
    if (connections != null) {
      builder.setConnectionListener(connections);
    }
    if (sessions != null) {
      builder.setSessionListener(sessions);
    }
    return builder.build();
  }

  private CertificateAuthenticationMode clientAuthentication() {
    if (trustedCertificates == null) {
      return CertificateAuthenticationMode.NONE;
    }
    return failIfNoPeerCert ? CertificateAuthenticationMode.NEEDED : CertificateAuthenticationMode.WANTED;
  }

  /** Wipes the pre-shared keys, when the listener stops for good. Idempotent. */
  public void destroySecrets() {
    if (pskSecrets != null) {
      pskSecrets.destroy();
    }
  }

  /**
   * Describes the credentials for the log, without any secret.
   *
   * @return e.g. {@code "certificate, verify_peer, pre-shared keys"}
   */
  public String describeCredentials() {
    List<String> parts = new java.util.ArrayList<>();
    if (certificateChain != null) {
      parts.add("certificate " + certificateChain[0].getSubjectX500Principal().getName());
      parts.add(trustedCertificates == null ? "verify_none"
          : failIfNoPeerCert ? "verify_peer, client certificate required" : "verify_peer");
    }
    if (pskSecrets != null) {
      parts.add("pre-shared keys");
    }
    return String.join(", ", parts);
  }

  @Override
  public String toString() {
    // Never the key: records print every component by default.
    return "ConnectorSettings{" + name + ", certificates=" + (certificateChain != null)
        + ", verifyPeer=" + (trustedCertificates != null) + ", psk=" + (pskSecrets != null) + "}";
  }
}
