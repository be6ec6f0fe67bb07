package io.exproto.examples.support;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/** A DTLS device on Eclipse Scandium: sends text datagrams and reads the replies. */
public final class DtlsClient implements AutoCloseable {

  private final DTLSConnector connector;
  private final InetSocketAddress server;
  private final BlockingQueue<String> received = new LinkedBlockingQueue<>();

  private DtlsClient(DtlsConnectorConfig config, InetSocketAddress server) throws Exception {
    this.server = new InetSocketAddress("127.0.0.1", server.getPort());
    this.connector = new DTLSConnector(config);
    connector.setRawDataReceiver(raw -> received.add(new String(raw.getBytes(), StandardCharsets.UTF_8)));
    connector.start();
  }

  private static Configuration configuration() {
    Configuration configuration = new Configuration(SystemConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
    configuration.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
    return configuration;
  }

  /**
   * Starts a client that authenticates with a pre-shared key.
   *
   * @param server the listener's address (its port is used on 127.0.0.1)
   * @param identity the PSK identity
   * @param secret the key
   * @return the client
   */
  public static DtlsClient withPsk(InetSocketAddress server, String identity, String secret) throws Exception {
    return new DtlsClient(DtlsConnectorConfig.builder(configuration())
        .setAddress(new InetSocketAddress("127.0.0.1", 0))
        .setAdvancedPskStore(new AdvancedSinglePskStore(identity, secret.getBytes(StandardCharsets.UTF_8)))
        .build(), server);
  }

  /**
   * Starts a client that checks the server's certificate against a CA and presents its own.
   *
   * @param server the listener's address (its port is used on 127.0.0.1)
   * @param trusted the CA the server's certificate must chain to
   * @param key the client's private key
   * @param chain the client's certificate chain
   * @return the client
   */
  public static DtlsClient withCertificate(InetSocketAddress server, X509Certificate trusted, PrivateKey key,
      X509Certificate[] chain) throws Exception {
    return new DtlsClient(DtlsConnectorConfig.builder(configuration())
        .setAddress(new InetSocketAddress("127.0.0.1", 0))
        .setCertificateIdentityProvider(new SingleCertificateProvider(key, chain, CertificateType.X_509))
        .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
            .setTrustedCertificates(trusted).setSupportedCertificateTypes(List.of(CertificateType.X_509)).build())
        .build(), server);
  }

  /**
   * Sends one datagram (after the handshake, which the first send starts) and waits for one back.
   *
   * @param text the text
   * @return the reply, or null when none came within 20 seconds
   */
  public String roundTrip(String text) throws InterruptedException {
    return roundTrip(text, 20_000);
  }

  /**
   * Sends one datagram (after the handshake, which the first send starts) and waits for one back.
   *
   * @param text the text
   * @param timeoutMillis how long to wait for the reply
   * @return the reply, or null when none came in time
   */
  public String roundTrip(String text, long timeoutMillis) throws InterruptedException {
    connector.send(RawData.outbound(text.getBytes(StandardCharsets.UTF_8), new AddressEndpointContext(server),
        null, false));
    return received.poll(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    connector.destroy();
  }
}
