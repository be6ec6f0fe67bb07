package io.exproto.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.MessageCallback;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite.CertificateKeyAlgorithm;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/**
 * A device for the tests: a Scandium DTLS client on 127.0.0.1 that sends text datagrams to the
 * listener and queues what comes back. Each client has its own socket, so its own peer address.
 */
final class DtlsTestClient implements AutoCloseable {

  private static final long RECEIVE_SECONDS = 30;

  private final DTLSConnector connector;
  private final InetSocketAddress server;
  private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
  private final List<Throwable> errors = new CopyOnWriteArrayList<>();

  private DtlsTestClient(DtlsConnectorConfig.Builder config, InetSocketAddress server) throws IOException {
    this.server = server;
    this.connector = new DTLSConnector(config.setAddress(new InetSocketAddress("127.0.0.1", 0)).build());
    connector.setRawDataReceiver(raw -> received.add(new String(raw.getBytes(), StandardCharsets.UTF_8)));
    connector.start();
  }

  /** A client authenticating with a pre-shared key. */
  static DtlsTestClient psk(InetSocketAddress server, String identity, byte[] secret) throws IOException {
    return new DtlsTestClient(DtlsConnectorConfig.builder(clientConfiguration())
        .setAdvancedPskStore(new AdvancedSinglePskStore(identity, secret)), server);
  }

  /**
   * A client that checks the server's certificate against {@code trusted} and, when
   * {@code chain} is not null, presents its own certificate.
   */
  static DtlsTestClient certificate(InetSocketAddress server, X509Certificate trusted,
      PrivateKey key, X509Certificate[] chain) throws IOException {
    Configuration configuration = clientConfiguration();
    // Offer ECDHE_RSA suites too, for listeners with an RSA certificate.
    configuration.set(DtlsConfig.DTLS_CERTIFICATE_KEY_ALGORITHMS,
        List.of(CertificateKeyAlgorithm.EC, CertificateKeyAlgorithm.RSA));
    DtlsConnectorConfig.Builder builder = DtlsConnectorConfig.builder(configuration)
        .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
            .setTrustedCertificates(trusted)
            .build());
    if (chain != null) {
      builder.setCertificateIdentityProvider(new SingleCertificateProvider(key, chain, CertificateType.X_509));
    }
    return new DtlsTestClient(builder, server);
  }

  private static Configuration clientConfiguration() {
    Configuration configuration = new Configuration(SystemConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
    configuration.set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY);
    return configuration;
  }

  /** Sends one datagram; the first one also runs the handshake. */
  void send(String text) {
    connector.send(RawData.outbound(text.getBytes(StandardCharsets.UTF_8),
        new AddressEndpointContext(server), new ErrorRecorder(), false));
  }

  /** Waits for the next datagram from the listener. */
  String receive() throws InterruptedException {
    String text = received.poll(RECEIVE_SECONDS, TimeUnit.SECONDS);
    assertThat(text).as("a datagram from the listener within %d s", RECEIVE_SECONDS).isNotNull();
    return text;
  }

  /** Waits up to {@code wait} for the next datagram; null when none came. */
  String poll(java.time.Duration wait) throws InterruptedException {
    return received.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Sends a line and returns the echo. */
  String echo(String text) throws InterruptedException {
    send(text);
    return receive();
  }

  /** Whatever arrived and was not received yet. */
  List<String> pending() {
    return List.copyOf(received);
  }

  /** Failures Scandium reported for sent datagrams (a failed handshake shows here). */
  List<Throwable> errors() {
    return List.copyOf(errors);
  }

  /** The client's own address, which the listener sees as peername. */
  InetSocketAddress localAddress() {
    return connector.getAddress();
  }

  /** Ends the association gracefully: sends close_notify to the listener. */
  void closeNotify() {
    connector.close(server);
  }

  @Override
  public void close() {
    connector.destroy();
  }

  private final class ErrorRecorder implements MessageCallback {
    @Override
    public void onConnecting() {}

    @Override
    public void onDtlsRetransmission(int flight) {}

    @Override
    public void onContextEstablished(EndpointContext context) {}

    @Override
    public void onSent() {}

    @Override
    public void onError(Throwable error) {
      errors.add(error);
    }
  }
}
