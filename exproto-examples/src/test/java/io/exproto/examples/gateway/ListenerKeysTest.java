package io.exproto.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.exproto.examples.support.DtlsClient;
import io.exproto.examples.support.LineClient;
import io.exproto.examples.support.Resources;
import io.exproto.examples.support.TestCertificates;
import io.exproto.examples.support.UdpClient;
import io.exproto.transport.ListenerCounters;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listener keys of the file, checked by their effect on real sockets: the standalone gateway
 * runs in-process with the echo handler, every listener on 127.0.0.1 port 0.
 */
class ListenerKeysTest {

  @RegisterExtension final Resources resources = new Resources();

  @TempDir
  Path dir;

  private TestCertificates pki;

  @BeforeEach
  void certificates() throws Exception {
    pki = TestCertificates.generate();
    pki.writeAll(dir);
  }

  private StandaloneGateway start(String listeners) throws Exception {
    Path file = dir.resolve("exproto.conf");
    Files.writeString(file, "gateway.exproto {\n  listeners {\n" + listeners + "\n  }\n}\n");
    return resources.track(StandaloneGateway.start(ConfigFile.load(file), true));
  }

  private static long counter(StandaloneGateway gateway, String listener, String suffix) {
    return gateway.gateway().metrics().get(ListenerCounters.name(listener, suffix));
  }

  @Test
  void tcpAccessRulesDecideByAddress() throws Exception {
    StandaloneGateway gateway = start("""
        tcp.denied { bind = "127.0.0.1:0", access_rules = ["deny 127.0.0.1", "allow all"] }
        tcp.allowed { bind = "127.0.0.1:0", access_rules = ["allow 127.0.0.0/8", "deny all"] }
        """);
    LineClient denied = resources.track(new LineClient(gateway.localAddress("tcp:denied")));
    assertThat(denied.closedByPeer()).isTrue();
    assertThat(counter(gateway, "tcp:denied", ListenerCounters.REFUSED_ACCESS_RULES)).isEqualTo(1);

    LineClient allowed = resources.track(new LineClient(gateway.localAddress("tcp:allowed")));
    assertThat(allowed.roundTrip("let in")).isEqualTo("let in");
  }

  @Test
  void tcpMaxConnRateDelaysTheExcess() throws Exception {
    StandaloneGateway gateway = start("""
        tcp.slow { bind = "127.0.0.1:0", max_conn_rate = "2/s" }
        """);
    InetSocketAddress address = gateway.localAddress("tcp:slow");
    // Two per second: of several connections opened at once, the excess waits and gets in later.
    List<LineClient> burst = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      burst.add(resources.track(new LineClient(address)));
    }
    for (int i = 0; i < burst.size(); i++) {
      assertThat(burst.get(i).roundTrip("device " + i)).isEqualTo("device " + i);
    }
    assertThat(counter(gateway, "tcp:slow", ListenerCounters.DELAYED_MAX_CONN_RATE)).isPositive();
    assertThat(counter(gateway, "tcp:slow", ListenerCounters.REFUSED_MAX_CONN_RATE)).isZero();
  }

  @Test
  void proxyProtocolGivesTheOriginalAddressToTheAccessRules() throws Exception {
    StandaloneGateway gateway = start("""
        tcp.proxied {
          bind = "127.0.0.1:0"
          proxy_protocol = true
          proxy_protocol_timeout = 300ms
          access_rules = ["deny 10.9.8.7"]
          tcp_options { nodelay = true, send_timeout = 5s, send_timeout_close = true, backlog = 64, recbuf = 64KB, sndbuf = 64KB,
                        high_watermark = 1MB }
        }
        """);
    InetSocketAddress address = gateway.localAddress("tcp:proxied");

    LineClient fromAllowed = resources.track(new LineClient(withProxyHeader(address, "10.1.2.3")));
    assertThat(fromAllowed.roundTrip("via a proxy")).isEqualTo("via a proxy");

    LineClient fromDenied = resources.track(new LineClient(withProxyHeader(address, "10.9.8.7")));
    assertThat(fromDenied.closedByPeer()).isTrue();
    assertThat(counter(gateway, "tcp:proxied", ListenerCounters.REFUSED_ACCESS_RULES)).isEqualTo(1);

    // No header within proxy_protocol_timeout: closed.
    LineClient silent = resources.track(new LineClient(address));
    assertThat(silent.closedByPeer()).isTrue();
    assertThat(counter(gateway, "tcp:proxied", ListenerCounters.REFUSED_PROXY_PROTOCOL)).isEqualTo(1);
  }

  private static Socket withProxyHeader(InetSocketAddress gateway, String clientAddress) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.getPort());
    String header = "PROXY TCP4 " + clientAddress + " 127.0.0.1 40000 " + gateway.getPort() + "\r\n";
    socket.getOutputStream().write(header.getBytes(StandardCharsets.US_ASCII));
    return socket;
  }

  @Test
  void sslListenerWithMutualTls() throws Exception {
    StandaloneGateway gateway = start("""
        ssl.mutual {
          bind = "127.0.0.1:0"
          ssl_options {
            certfile = "server.pem", keyfile = "server.key", cacertfile = "ca.pem"
            verify = verify_peer, fail_if_no_peer_cert = true, depth = 0
            versions = ["tlsv1.3", "tlsv1.2"], handshake_timeout = 5s
          }
        }
        """);
    InetSocketAddress address = gateway.localAddress("ssl:mutual");
    LineClient withCertificate = resources.track(new LineClient(pki.connect(address, true)));
    assertThat(withCertificate.roundTrip("mutual tls")).isEqualTo("mutual tls");

    // Without a client certificate the server ends the handshake (with TLS 1.3 the client learns it
    // at its first read).
    assertThatThrownBy(() -> {
      LineClient without = resources.track(new LineClient(pki.connect(address, false)));
      if (without.roundTrip("let me in") == null) {
        throw new IOException("closed");
      }
    }).isInstanceOf(IOException.class);
    await().atMost(Duration.ofSeconds(20))
        .until(() -> counter(gateway, "ssl:mutual", ListenerCounters.REFUSED_TLS_HANDSHAKE) == 1);
  }

  @Test
  void sslVersionsAndHandshakeTimeout() throws Exception {
    StandaloneGateway gateway = start("""
        ssl.old {
          bind = "127.0.0.1:0"
          ssl_options { certfile = "server.pem", keyfile = "server.key", versions = ["tlsv1.2"] }
        }
        ssl.impatient {
          bind = "127.0.0.1:0"
          ssl_options { certfile = "server.pem", keyfile = "server.key", handshake_timeout = 300ms }
        }
        """);
    InetSocketAddress address = gateway.localAddress("ssl:old");
    assertThatThrownBy(() -> resources.track(pki.connect(address, false, "TLSv1.3"))).isInstanceOf(IOException.class);
    SSLSocket tls12 = resources.track(pki.connect(address, false, "TLSv1.2"));
    assertThat(tls12.getSession().getProtocol()).isEqualTo("TLSv1.2");
    assertThat(new LineClient(tls12).roundTrip("tls 1.2")).isEqualTo("tls 1.2");

    // A client that never starts its handshake is closed after handshake_timeout (the read of
    // the silent client would time out after 20 s otherwise).
    LineClient silent = resources.track(new LineClient(gateway.localAddress("ssl:impatient")));
    assertThat(silent.closedByPeer()).isTrue();
  }

  @Test
  void sslKeyWithAPassword() throws Exception {
    pki.writeEncryptedServerKey(dir.resolve("server-encrypted.key"), "correct horse battery");
    StandaloneGateway gateway = start("""
        ssl.locked {
          bind = "127.0.0.1:0"
          ssl_options { certfile = "server.pem", keyfile = "server-encrypted.key", password = "correct horse battery" }
        }
        """);
    LineClient client = resources.track(new LineClient(pki.connect(gateway.localAddress("ssl:locked"), false)));
    assertThat(client.roundTrip("unlocked")).isEqualTo("unlocked");

    Path wrong = dir.resolve("wrong.conf");
    Files.writeString(wrong, """
        gateway.exproto.listeners.ssl.locked {
          bind = "127.0.0.1:0"
          ssl_options {
            certfile = "server.pem"
            keyfile = "server-encrypted.key"
            password = "wrong horse battery"
          }
        }
        """);
    assertThatThrownBy(() -> ConfigFile.load(wrong).listeners())
        .isInstanceOf(ConfigFileException.class)
        .hasMessageContaining("gateway.exproto.listeners.ssl.locked.ssl_options.keyfile")
        .hasMessageContaining(", line 5:")
        .hasMessageContaining("is ssl_options.password right?")
        .hasMessageNotContaining("wrong horse battery");
  }

  @Test
  void udpListenerEchoesAndCountsPeers() throws Exception {
    StandaloneGateway gateway = start("""
        udp.one {
          bind = "127.0.0.1:0"
          max_connections = 1
          max_conn_rate = 100
          mountpoint = "udp/"
          udp_options { recbuf = 64KB, sndbuf = 64KB }
        }
        udp.closed { bind = "127.0.0.1:0", access_rules = ["deny all"] }
        """);
    InetSocketAddress one = gateway.localAddress("udp:one");
    UdpClient first = resources.track(new UdpClient(one));
    assertThat(first.roundTrip("first peer")).isEqualTo("first peer");
    // max_connections = 1: a second peer is not served.
    UdpClient second = resources.track(new UdpClient(one));
    assertThat(second.roundTrip("second peer", 500)).isNull();
    assertThat(counter(gateway, "udp:one", ListenerCounters.REFUSED_MAX_CONNECTIONS)).isPositive();
    assertThat(first.roundTrip("still served")).isEqualTo("still served");

    UdpClient denied = resources.track(new UdpClient(gateway.localAddress("udp:closed")));
    assertThat(denied.roundTrip("anyone?", 500)).isNull();
    assertThat(counter(gateway, "udp:closed", ListenerCounters.REFUSED_ACCESS_RULES)).isPositive();
  }

  @Test
  void dtlsListenerWithClientCertificatesAndPreSharedKeys() throws Exception {
    StandaloneGateway gateway = start("""
        dtls.strict {
          bind = "127.0.0.1:0"
          dtls_options {
            certfile = "server.pem", keyfile = "server.key", cacertfile = "ca.pem"
            verify = verify_peer, fail_if_no_peer_cert = true
          }
        }
        dtls.keys {
          bind = "127.0.0.1:0"
          max_connections = 10
          udp_options { recbuf = 64KB }
          dtls_options {
            ciphers = ["TLS_PSK_WITH_AES_128_GCM_SHA256", "TLS_PSK_WITH_AES_128_CCM_8"]
            psk = [
              {identity = "sensor-1", secret = "first secret"}
              {identity = "sensor-2", secret = "second secret"}
            ]
          }
        }
        """);
    DtlsClient certified = resources.track(DtlsClient.withCertificate(gateway.localAddress("dtls:strict"),
        pki.caCertificate(), pki.clientKey(), pki.clientChain()));
    assertThat(certified.roundTrip("certified")).isEqualTo("certified");

    InetSocketAddress keys = gateway.localAddress("dtls:keys");
    DtlsClient sensor2 = resources.track(DtlsClient.withPsk(keys, "sensor-2", "second secret"));
    assertThat(sensor2.roundTrip("psk two")).isEqualTo("psk two");
    DtlsClient impostor = resources.track(DtlsClient.withPsk(keys, "sensor-1", "not the secret"));
    assertThat(impostor.roundTrip("let me in", 1_000)).isNull();
    await().atMost(Duration.ofSeconds(60))
        .until(() -> gateway.gateway().metrics().get("dtls:keys.refused.dtls_handshake") >= 1);
  }

  @Test
  void disabledListenersAreNotStarted() throws Exception {
    StandaloneGateway gateway = start("""
        tcp.on { bind = "127.0.0.1:0" }
        tcp.off { enable = false, bind = "127.0.0.1:0" }
        """);
    assertThat(gateway.gateway().runningListeners()).containsExactly("tcp:on");
  }
}
