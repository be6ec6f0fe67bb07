package io.exproto.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.exproto.examples.support.ChildProcess;
import io.exproto.examples.support.DtlsClient;
import io.exproto.examples.support.LineClient;
import io.exproto.examples.support.Resources;
import io.exproto.examples.support.TestCertificates;
import io.exproto.examples.support.UdpClient;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance: the standalone gateway, run as its own process with {@code --echo}, serves every
 * listener type from one configuration file, and a device echoes through each.
 */
class AllListenersTest {

  @RegisterExtension final Resources resources = new Resources();

  @TempDir
  Path dir;

  private static InetSocketAddress bound(ChildProcess gateway, String listener) {
    Pattern line = Pattern.compile("Listener " + Pattern.quote(listener) + " accepts devices on 127\\.0\\.0\\.1:(\\d+)");
    int port = Integer.parseInt(gateway.awaitLine(line, Duration.ofSeconds(60)).group(1));
    return new InetSocketAddress("127.0.0.1", port);
  }

  @Test
  void everyListenerTypeFromOneFileEchoes() throws Exception {
    TestCertificates pki = TestCertificates.generate();
    pki.writeAll(dir);
    Path file = dir.resolve("exproto.conf");
    // Relative certificate paths: resolved against the file's directory.
    Files.writeString(file, """
        gateway.exproto {
          server.bind = "127.0.0.1:0"
          listeners {
            tcp.plain {
              bind = "127.0.0.1:0"
            }
            ssl.secure {
              bind = "127.0.0.1:0"
              ssl_options {
                certfile = "server.pem"
                keyfile = "server.key"
                cacertfile = "ca.pem"
                verify = verify_peer
                fail_if_no_peer_cert = true
              }
            }
            udp.datagrams {
              bind = "127.0.0.1:0"
            }
            dtls.sealed {
              bind = "127.0.0.1:0"
              dtls_options {
                certfile = "server.pem"
                keyfile = "server.key"
                psk = [{identity = "sensor-1", secret = "a pre-shared secret"}]
              }
            }
          }
        }
        """);
    ChildProcess gateway = resources.track(ChildProcess.java(StandaloneGateway.class, "--echo", "--config", file.toString()));

    LineClient tcp = resources.track(new LineClient(bound(gateway, "tcp:plain")));
    assertThat(tcp.roundTrip("over tcp")).isEqualTo("over tcp");

    LineClient ssl = resources.track(new LineClient(pki.connect(bound(gateway, "ssl:secure"), true)));
    assertThat(ssl.roundTrip("over tls")).isEqualTo("over tls");

    UdpClient udp = resources.track(new UdpClient(bound(gateway, "udp:datagrams")));
    assertThat(udp.roundTrip("over udp")).isEqualTo("over udp");

    InetSocketAddress dtlsAddress = bound(gateway, "dtls:sealed");
    DtlsClient psk = resources.track(DtlsClient.withPsk(dtlsAddress, "sensor-1", "a pre-shared secret"));
    assertThat(psk.roundTrip("over dtls with a psk")).isEqualTo("over dtls with a psk");
    DtlsClient certificate = resources.track(DtlsClient.withCertificate(dtlsAddress, pki.caCertificate(),
        pki.clientKey(), pki.clientChain()));
    assertThat(certificate.roundTrip("over dtls with certificates")).isEqualTo("over dtls with certificates");

    // Every device still echoes: none disturbed the others.
    assertThat(tcp.roundTrip("tcp again")).isEqualTo("tcp again");
    assertThat(ssl.roundTrip("tls again")).isEqualTo("tls again");
    assertThat(udp.roundTrip("udp again")).isEqualTo("udp again");
    assertThat(gateway.output()).doesNotContain("a pre-shared secret");
  }
}
