package io.exproto.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.exproto.examples.support.ChildProcess;
import io.exproto.examples.support.LineClient;
import io.exproto.examples.support.Resources;
import io.exproto.examples.support.TestCertificates;
import io.exproto.examples.support.UdpClient;
import io.exproto.gateway.GatewayMetrics;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StandaloneGateway#reload}: listeners are added, removed and restarted by name and
 * settings, while devices on unchanged listeners keep their connections; and SIGHUP triggers it.
 */
class ReloadTest {

  @RegisterExtension final Resources resources = new Resources();

  @TempDir
  Path dir;

  private Path write(String name, String hocon) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, hocon);
    return file;
  }

  @Test
  void addsRemovesAndRestartsListenersWithoutTouchingTheOthers() throws Exception {
    StandaloneGateway gateway = resources.track(StandaloneGateway.start(ConfigFile.load(write("before.conf", """
        gateway.exproto.listeners {
          tcp.kept { bind = "127.0.0.1:0" }
          tcp.gone { bind = "127.0.0.1:0" }
          tcp.changed { bind = "127.0.0.1:0", max_connections = 10 }
          udp.kept { bind = "127.0.0.1:0" }
        }
        """)), true));
    LineClient kept = resources.track(new LineClient(gateway.localAddress("tcp:kept")));
    LineClient gone = resources.track(new LineClient(gateway.localAddress("tcp:gone")));
    LineClient changed = resources.track(new LineClient(gateway.localAddress("tcp:changed")));
    UdpClient keptUdp = resources.track(new UdpClient(gateway.localAddress("udp:kept")));
    assertThat(kept.roundTrip("before")).isEqualTo("before");
    assertThat(gone.roundTrip("before")).isEqualTo("before");
    assertThat(changed.roundTrip("before")).isEqualTo("before");
    assertThat(keptUdp.roundTrip("before")).isEqualTo("before");
    InetSocketAddress keptAddress = gateway.localAddress("tcp:kept");

    // Same keys for the kept listeners, written differently (other order, other layout).
    StandaloneGateway.ReloadResult result = gateway.reload(ConfigFile.load(write("after.conf", """
        gateway.exproto {
          listeners {
            udp.kept {
              bind = "127.0.0.1:0"
            }
            tcp.changed { max_connections = 20, bind = "127.0.0.1:0" }
            tcp.kept { bind = "127.0.0.1:0" }
            tcp.added { bind = "127.0.0.1:0" }
          }
        }
        """)));

    assertThat(result.added()).containsExactly("tcp:added");
    assertThat(result.removed()).containsExactly("tcp:gone");
    assertThat(result.restarted()).containsExactly("tcp:changed");
    assertThat(result.unchanged()).containsExactlyInAnyOrder("tcp:kept", "udp:kept");
    assertThat(result.failed()).isEmpty();
    assertThat(result.restartNeeded()).isEmpty();
    assertThat(gateway.gateway().runningListeners())
        .containsExactlyInAnyOrder("tcp:kept", "udp:kept", "tcp:changed", "tcp:added");

    // Devices of the removed and the restarted listener were closed...
    assertThat(gone.closedByPeer()).isTrue();
    assertThat(changed.closedByPeer()).isTrue();
    // ... and no other: the devices on the unchanged listeners still echo on their first
    // connection (a TCP connection the gateway had closed could not carry another line).
    assertThat(kept.roundTrip("after")).isEqualTo("after");
    assertThat(keptUdp.roundTrip("after")).isEqualTo("after");
    assertThat(gateway.localAddress("tcp:kept")).isEqualTo(keptAddress);
    assertThat(gateway.gateway().metrics().get(GatewayMetrics.CONNECTIONS_CLOSED)).isEqualTo(2);

    LineClient added = resources.track(new LineClient(gateway.localAddress("tcp:added")));
    assertThat(added.roundTrip("new listener")).isEqualTo("new listener");
    LineClient again = resources.track(new LineClient(gateway.localAddress("tcp:changed")));
    assertThat(again.roundTrip("restarted listener")).isEqualTo("restarted listener");
    assertThat(kept.roundTrip("still the same connection")).isEqualTo("still the same connection");
  }

  @Test
  void aRenewedCertificateRestartsItsListener() throws Exception {
    TestCertificates.generate().writeAll(dir);
    String hocon = """
        gateway.exproto.listeners {
          ssl.secure { bind = "127.0.0.1:0", ssl_options { certfile = "server.pem", keyfile = "server.key" } }
          tcp.plain { bind = "127.0.0.1:0" }
        }
        """;
    Path file = write("tls.conf", hocon);
    StandaloneGateway gateway = resources.track(StandaloneGateway.start(ConfigFile.load(file), true));
    assertThat(gateway.reload(file).unchanged()).containsExactlyInAnyOrder("ssl:secure", "tcp:plain");

    TestCertificates renewed = TestCertificates.generate();
    renewed.writeAll(dir);
    StandaloneGateway.ReloadResult result = gateway.reload(file);
    assertThat(result.restarted()).containsExactly("ssl:secure");
    assertThat(result.unchanged()).containsExactly("tcp:plain");
    LineClient client = resources.track(new LineClient(renewed.connect(gateway.localAddress("ssl:secure"), false)));
    assertThat(client.roundTrip("renewed")).isEqualTo("renewed");
  }

  @Test
  void gatewayWideChangesNeedARestartAndAreReportedByKey() throws Exception {
    StandaloneGateway gateway = resources.track(StandaloneGateway.start(ConfigFile.parse("""
        gateway.exproto {
          idle_timeout = 30s
          # Disabled, so the echo devices (no username) are let in.
          authentication { mechanism = password_based, backend = built_in_database, enable = false,
                           users = [{user_id = "u", password = "first-password"}] }
          listeners.tcp.default.bind = "127.0.0.1:0"
        }
        """, "first.conf"), true));
    LineClient device = resources.track(new LineClient(gateway.localAddress("tcp:default")));
    device.send("x");

    StandaloneGateway.ReloadResult result = gateway.reload(ConfigFile.parse("""
        gateway.exproto {
          idle_timeout = 10s
          mountpoint = "m/"
          authentication { mechanism = password_based, backend = built_in_database, enable = false,
                           users = [{user_id = "u", password = "second-password"}] }
          handler.failure_policy = retry
          listeners.tcp.default.bind = "127.0.0.1:0"
        }
        """, "second.conf"));
    assertThat(result.restartNeeded()).containsExactly(
        "gateway.exproto.authentication.users",
        "gateway.exproto.handler.failure_policy",
        "gateway.exproto.idle_timeout",
        "gateway.exproto.mountpoint");
    assertThat(result.toString()).doesNotContain("second-password").doesNotContain("first-password");
    // The listeners did not change: the device keeps its connection.
    assertThat(result.unchanged()).containsExactly("tcp:default");
    assertThat(device.roundTrip("y")).isEqualTo("x");
  }

  @Test
  void aBadFileChangesNothing() throws Exception {
    StandaloneGateway gateway = resources.track(StandaloneGateway.start(ConfigFile.parse("""
        gateway.exproto.listeners.tcp.default.bind = "127.0.0.1:0"
        """, "good.conf"), true));
    LineClient device = resources.track(new LineClient(gateway.localAddress("tcp:default")));
    assertThat(device.roundTrip("before")).isEqualTo("before");

    assertThatThrownBy(() -> gateway.reload(ConfigFile.parse("""
        gateway.exproto.listeners {
          tcp.extra { bind = "127.0.0.1:0" }
          ssl.broken { bind = "127.0.0.1:0", ssl_options { certfile = "/no/such.pem", keyfile = "/no/such.key" } }
        }
        """, "bad.conf")))
        .isInstanceOf(ConfigFileException.class)
        .hasMessageContaining("bad.conf, line 3: gateway.exproto.listeners.ssl.broken.ssl_options.certfile");
    assertThat(gateway.gateway().runningListeners()).containsExactly("tcp:default");
    assertThat(device.roundTrip("after")).isEqualTo("after");
  }

  @Test
  void aListenerThatCannotStartIsReportedAndARestartRollsBack() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      StandaloneGateway gateway = resources.track(StandaloneGateway.start(ConfigFile.parse("""
          gateway.exproto.listeners {
            tcp.moving { bind = "127.0.0.1:0" }
          }
          """, "first.conf"), true));
      StandaloneGateway.ReloadResult result = gateway.reload(ConfigFile.parse("""
          gateway.exproto.listeners {
            tcp.moving { bind = "127.0.0.1:%1$d" }
            tcp.blocked { bind = "127.0.0.1:%1$d" }
            tcp.fine { bind = "127.0.0.1:0" }
          }
          """.formatted(taken.getLocalPort()), "second.conf"));
      assertThat(result.added()).containsExactly("tcp:fine");
      assertThat(result.restarted()).isEmpty();
      assertThat(result.failed()).hasSize(3)
          .anySatisfy(f -> assertThat(f).startsWith("tcp:blocked: ").contains(String.valueOf(taken.getLocalPort())))
          .anySatisfy(f -> assertThat(f).startsWith("tcp:moving: ").contains(String.valueOf(taken.getLocalPort())))
          .anySatisfy(f -> assertThat(f).isEqualTo("tcp:moving: running again with its previous settings"));
      assertThat(gateway.gateway().runningListeners()).containsExactlyInAnyOrder("tcp:moving", "tcp:fine");
      LineClient device = resources.track(new LineClient(gateway.localAddress("tcp:moving")));
      assertThat(device.roundTrip("rolled back")).isEqualTo("rolled back");
    }
  }

  @Test
  void sighupReloadsTheFile() throws Exception {
    assumeTrue(!System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("win"), "SIGHUP needs a POSIX system");
    Path file = write("exproto.conf", """
        gateway.exproto {
          idle_timeout = 30s
          listeners.tcp.first.bind = "127.0.0.1:0"
        }
        """);
    ChildProcess child = resources.track(ChildProcess.java(StandaloneGateway.class, "--echo", "--config", file.toString()));
    int firstPort = port(child, "tcp:first");
    child.awaitLine(Pattern.compile("SIGHUP reloads the listeners of"), Duration.ofSeconds(30));
    LineClient first = resources.track(new LineClient(firstPort));
    assertThat(first.roundTrip("before the signal")).isEqualTo("before the signal");

    Files.writeString(file, """
        gateway.exproto {
          idle_timeout = 20s
          listeners.tcp.first.bind = "127.0.0.1:0"
          listeners.tcp.second.bind = "127.0.0.1:0"
        }
        """);
    hangup(child);
    LineClient second = resources.track(new LineClient(port(child, "tcp:second")));
    assertThat(second.roundTrip("on the new listener")).isEqualTo("on the new listener");
    assertThat(first.roundTrip("after the signal")).isEqualTo("after the signal");
    child.awaitLine(Pattern.compile("gateway\\.exproto\\.idle_timeout changed; the running gateway keeps its old value"
        + " until it is restarted"), Duration.ofSeconds(30));

    // A bad file is logged and changes nothing; the process keeps running.
    Files.writeString(file, "gateway.exproto.listeners.tcp.first.bind = \"127.0.0.1:99999\"\n");
    hangup(child);
    child.awaitLine(Pattern.compile("Reload refused, nothing changed: .*line 1: gateway\\.exproto\\.listeners\\.tcp\\.first\\.bind"),
        Duration.ofSeconds(30));
    assertThat(first.roundTrip("still running")).isEqualTo("still running");
  }

  private static int port(ChildProcess child, String listener) {
    Pattern line = Pattern.compile("Listener " + Pattern.quote(listener) + " accepts devices on 127\\.0\\.0\\.1:(\\d+)");
    return Integer.parseInt(child.awaitLine(line, Duration.ofSeconds(30)).group(1));
  }

  private static void hangup(ChildProcess child) throws Exception {
    Process kill = new ProcessBuilder("kill", "-HUP", String.valueOf(child.pid())).inheritIO().start();
    assertThat(kill.waitFor()).isZero();
  }
}
