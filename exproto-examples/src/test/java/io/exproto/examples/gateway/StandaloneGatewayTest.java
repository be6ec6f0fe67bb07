package io.exproto.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.exproto.examples.support.ChildProcess;
import io.exproto.examples.support.LineClient;
import io.exproto.examples.support.Resources;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class StandaloneGatewayTest {

  private static final Pattern DEVICES_ON =
      Pattern.compile("Listener tcp:default accepts devices on 127\\.0\\.0\\.1:(\\d+)");

  @RegisterExtension final Resources resources = new Resources();

  @TempDir
  Path dir;

  private Path loopbackConfig() throws Exception {
    Path file = dir.resolve("exproto.conf");
    Files.writeString(file, """
        gateway.exproto {
          server.bind = "127.0.0.1:0"
          listeners.tcp.default.bind = "127.0.0.1:0"
        }
        """);
    return file;
  }

  @Test
  void echoModeSendsLinesBack() throws Exception {
    StandaloneGateway running = resources.track(StandaloneGateway.start(ConfigFile.load(loopbackConfig()), true));
    assertThat(running.grpcHandler()).isEmpty();
    assertThat(running.listeners()).hasSize(1);

    LineClient alice = resources.track(new LineClient(running.localAddress("tcp:default")));
    LineClient bob = resources.track(new LineClient(running.localAddress("tcp:default")));
    alice.send("one");
    alice.send("two");
    assertThat(bob.roundTrip("bob's line")).isEqualTo("bob's line");
    // Each client has its own topic: alice gets her lines only, in order.
    assertThat(alice.readLine()).isEqualTo("one");
    assertThat(alice.readLine()).isEqualTo("two");
    assertThat(alice.roundTrip("x".repeat(10_000))).isEqualTo("x".repeat(10_000));
    await().atMost(Duration.ofSeconds(10)).until(() -> running.gateway().connectionCount() == 2);

    running.close();
    assertThat(alice.closedByPeer()).isTrue();
    running.close();
  }

  @Test
  void remoteModeStartsTheAdapterServerWhereTold() throws Exception {
    StandaloneGateway running = resources.track(StandaloneGateway.start(ConfigFile.load(loopbackConfig()), false));
    assertThat(running.grpcHandler()).hasValueSatisfying(grpc -> {
      assertThat(grpc.adapterPort()).isPositive();
      assertThat(grpc.handlerAddress()).isEqualTo("http://127.0.0.1:9001");
    });
  }

  @Test
  void aPortInUseStopsEverythingAlreadyStarted() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      ConfigFile config = ConfigFile.parse("""
          gateway.exproto {
            server.bind = "127.0.0.1:0"
            listeners.tcp.first.bind = "127.0.0.1:0"
            listeners.tcp.second.bind = "127.0.0.1:%d"
          }
          """.formatted(taken.getLocalPort()), "busy.conf");
      assertThatThrownBy(() -> StandaloneGateway.start(config, true))
          .hasMessageContaining("tcp:second")
          .hasMessageContaining(String.valueOf(taken.getLocalPort()));
    }
  }

  @Test
  void optionsAreParsed() {
    assertThat(StandaloneGateway.Options.parse())
        .isEqualTo(new StandaloneGateway.Options(Optional.empty(), false, false));
    assertThat(StandaloneGateway.Options.parse("--config", "a.conf", "--echo"))
        .isEqualTo(new StandaloneGateway.Options(Optional.of(Path.of("a.conf")), true, false));
    assertThat(StandaloneGateway.Options.parse("--config=b.conf").config()).contains(Path.of("b.conf"));
    assertThat(StandaloneGateway.Options.parse("-h").help()).isTrue();
    assertThatThrownBy(() -> StandaloneGateway.Options.parse("--port", "7993"))
        .hasMessageContaining("unknown argument '--port'");
    assertThatThrownBy(() -> StandaloneGateway.Options.parse("--config"))
        .hasMessageContaining("--config needs a file");
  }

  @Test
  void unknownArgumentExitsWithUsageAndCode2() throws Exception {
    ChildProcess child = resources.track(ChildProcess.java(StandaloneGateway.class, "--bogus"));
    assertThat(child.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
    assertThat(child.output()).contains("unknown argument '--bogus'").contains("usage: exproto-gateway");
  }

  @Test
  void badConfigExitsWithOneLineAndCode2() throws Exception {
    Path file = dir.resolve("bad.conf");
    Files.writeString(file, """
        gateway.exproto {
          listeners.tcp.default.bind = "127.0.0.1:0"
          listeners.udp.default.udp_options.buffer = 64KB
        }
        """);
    ChildProcess child = resources.track(ChildProcess.java(StandaloneGateway.class, "--echo", "--config", file.toString()));
    assertThat(child.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
    assertThat(child.lines()).hasSize(1);
    assertThat(child.lines().get(0))
        .startsWith("exproto-gateway: " + file + ", line 3: gateway.exproto.listeners.udp.default.udp_options.buffer:"
            + " not supported yet");
  }

  @Test
  void sigtermStopsTheGatewayCleanly() throws Exception {
    ChildProcess child = resources.track(ChildProcess.java(StandaloneGateway.class,
        "--config", loopbackConfig().toString(), "--echo"));
    Matcher bound = child.awaitLine(DEVICES_ON, Duration.ofSeconds(30));
    LineClient client = resources.track(new LineClient(Integer.parseInt(bound.group(1))));
    assertThat(client.roundTrip("before stop")).isEqualTo("before stop");

    child.terminate();
    assertThat(child.awaitExit(Duration.ofSeconds(30))).isEqualTo(143);
    assertThat(child.output()).contains("Gateway stopped").doesNotContain("Exception");
    assertThat(client.closedByPeer()).isTrue();
  }
}
