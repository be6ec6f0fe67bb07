package io.exproto.examples.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.exproto.dtls.DtlsListener;
import io.exproto.examples.support.Ports;
import io.exproto.gateway.Gateway;
import io.exproto.grpc.GrpcHandler;
import io.exproto.grpc.proto.ConnInfo;
import io.exproto.grpc.proto.SocketType;
import io.exproto.grpc.sdk.AdapterClient;
import io.exproto.grpc.sdk.HandlerServer;
import io.exproto.grpc.sdk.HandlerService;
import io.exproto.transport.ssl.SslListener;
import io.exproto.transport.tcp.TcpListener;
import io.exproto.transport.udp.UdpListener;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Echo over every transport (tcp, ssl, udp, dtls) through a remote handler service over real gRPC,
 * checking what the handler is told in ConnInfo: socktype, peername, sockname and, for a TLS client
 * certificate, peercert.
 */
class TransportsOverGrpcTest {

  private static final byte[] PSK = "a-pre-shared-key".getBytes(StandardCharsets.US_ASCII);

  /** Echoes every byte back and remembers each connection's ConnInfo. */
  static final class RecordingEcho extends HandlerService {
    final Map<String, ConnInfo> infos = new ConcurrentHashMap<>();
    volatile AdapterClient adapter;

    @Override
    protected void onSocketCreated(String conn, ConnInfo info) {
      infos.put(conn, info);
    }

    @Override
    protected void onReceivedBytes(String conn, byte[] bytes) {
      adapter.send(conn, bytes);
    }

    ConnInfo only(SocketType type) {
      List<ConnInfo> matching = infos.values().stream().filter(i -> i.getSocktype() == type).toList();
      assertThat(matching).hasSize(1);
      return matching.get(0);
    }
  }

  @TempDir
  Path dir;
  private X509Bundle ca;
  private X509Bundle client;
  private Gateway gateway;
  private HandlerServer server;
  private AdapterClient adapter;
  private final RecordingEcho echo = new RecordingEcho();
  private TcpListener tcp;
  private SslListener ssl;
  private UdpListener udp;
  private DtlsListener dtls;

  @BeforeEach
  void setUp() throws Exception {
    Instant now = Instant.now();
    CertificateBuilder template = new CertificateBuilder()
        .notBefore(now.minus(1, ChronoUnit.DAYS)).notAfter(now.plus(1, ChronoUnit.DAYS)).ecp256();
    ca = template.copy().subject("CN=Test CA").setIsCertificateAuthority(true).buildSelfSigned();
    X509Bundle serverCert = template.copy().subject("CN=localhost").addSanDnsName("localhost")
        .addSanIpAddress("127.0.0.1").addExtendedKeyUsageServerAuth().buildIssuedBy(ca);
    client = template.copy().subject("CN=device-7,O=Acme").addExtendedKeyUsageClientAuth().buildIssuedBy(ca);

    tcp = TcpListener.builder().name("tcp:t").bind("127.0.0.1:0").build();
    ssl = SslListener.builder().name("ssl:s").bind("127.0.0.1:0")
        .certfile(write("server.pem", serverCert.getCertificatePEM()).toString())
        .keyfile(write("server.key", pkcs8(serverCert)).toString())
        .cacertfile(write("ca.pem", ca.getCertificatePEM()).toString())
        .verify("verify_peer")
        .build();
    udp = UdpListener.builder().name("udp:u").bind("127.0.0.1:0").build();
    dtls = DtlsListener.builder().name("dtls:d").bind("127.0.0.1:0").psk("sensor-1", PSK).build();

    int handlerPort = Ports.freeLoopbackPort();
    GrpcHandler grpc = GrpcHandler.builder().handlerAddress("http://127.0.0.1:" + handlerPort)
        .adapterBind("127.0.0.1:0").build();
    gateway = Gateway.builder().listener(tcp).listener(ssl).listener(udp).listener(dtls).handler(grpc).build();
    gateway.start();
    adapter = AdapterClient.connect("http://127.0.0.1:" + grpc.adapterPort());
    echo.adapter = adapter;
    server = new HandlerServer(echo, "127.0.0.1:" + handlerPort);
    server.start();
  }

  @AfterEach
  void tearDown() {
    if (gateway != null) {
      gateway.close();
    }
    if (server != null) {
      server.close();
    }
    if (adapter != null) {
      adapter.close();
    }
  }

  private Path write(String name, String pem) throws Exception {
    return Files.writeString(dir.resolve(name), pem, StandardCharsets.US_ASCII);
  }

  private static String pkcs8(X509Bundle bundle) {
    return "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(bundle.getKeyPair().getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
  }

  private static String readExactly(InputStream in, int length) throws Exception {
    byte[] buffer = in.readNBytes(length);
    return new String(buffer, StandardCharsets.UTF_8);
  }

  private static void assertAddresses(ConnInfo info, InetSocketAddress peer, InetSocketAddress listener) {
    assertThat(info.getPeername().getHost()).isEqualTo("127.0.0.1");
    assertThat(info.getPeername().getPort()).isEqualTo(peer.getPort());
    assertThat(info.getSockname().getHost()).isEqualTo("127.0.0.1");
    assertThat(info.getSockname().getPort()).isEqualTo(listener.getPort());
  }

  @Test
  void tcp() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", tcp.localAddress().getPort())) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write("hello tcp".getBytes(StandardCharsets.UTF_8));
      assertThat(readExactly(socket.getInputStream(), 9)).isEqualTo("hello tcp");
      ConnInfo info = echo.only(SocketType.TCP);
      assertAddresses(info, (InetSocketAddress) socket.getLocalSocketAddress(), tcp.localAddress());
      assertThat(info.hasPeercert()).isFalse();
    }
  }

  @Test
  void sslWithAClientCertificate() throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(client.toKeyManagerFactory().getKeyManagers(), ca.toTrustManagerFactory().getTrustManagers(), null);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", ssl.localAddress().getPort())) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write("hello ssl".getBytes(StandardCharsets.UTF_8));
      assertThat(readExactly(socket.getInputStream(), 9)).isEqualTo("hello ssl");
      ConnInfo info = echo.only(SocketType.SSL);
      assertAddresses(info, (InetSocketAddress) socket.getLocalSocketAddress(), ssl.localAddress());
      assertThat(info.getPeercert().getCn()).isEqualTo("device-7");
      assertThat(info.getPeercert().getDn()).contains("CN=device-7").contains("O=Acme");
    }
  }

  @Test
  void udp() throws Exception {
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      socket.setSoTimeout(20_000);
      byte[] hello = "hello udp".getBytes(StandardCharsets.UTF_8);
      socket.send(new DatagramPacket(hello, hello.length, udp.localAddress()));
      DatagramPacket reply = new DatagramPacket(new byte[64], 64);
      socket.receive(reply);
      assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8)).isEqualTo("hello udp");
      assertAddresses(echo.only(SocketType.UDP), (InetSocketAddress) socket.getLocalSocketAddress(), udp.localAddress());
    }
  }

  @Test
  void dtlsWithAPreSharedKey() throws Exception {
    Configuration configuration = new Configuration(SystemConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
    configuration.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
    DTLSConnector connector = new DTLSConnector(DtlsConnectorConfig.builder(configuration)
        .setAddress(new InetSocketAddress("127.0.0.1", 0))
        .setAdvancedPskStore(new AdvancedSinglePskStore("sensor-1", PSK))
        .build());
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    connector.setRawDataReceiver(raw -> received.add(new String(raw.getBytes(), StandardCharsets.UTF_8)));
    connector.start();
    try {
      connector.send(RawData.outbound("hello dtls".getBytes(StandardCharsets.UTF_8),
          new AddressEndpointContext(dtls.localAddress()), null, false));
      assertThat(received.poll(20, TimeUnit.SECONDS)).isEqualTo("hello dtls");
      await().atMost(Duration.ofSeconds(10)).until(() -> echo.infos.values().stream()
          .anyMatch(i -> i.getSocktype() == SocketType.DTLS));
      ConnInfo info = echo.only(SocketType.DTLS);
      assertAddresses(info, connector.getAddress(), dtls.localAddress());
      assertThat(info.getPeercert().getCn()).isEqualTo("sensor-1"); // the PSK identity
    } finally {
      connector.destroy();
    }
  }
}
