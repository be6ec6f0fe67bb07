package io.exproto.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.exproto.examples.support.ChildProcess;
import io.exproto.examples.support.LineClient;
import io.exproto.examples.support.Resources;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, {@code ./exproto-gateway --echo}, run through the launcher script at
 * the repository root after {@code package} (this class runs in the {@code integration-test} phase,
 * when the jar and its {@code target/lib} exist), with a file that binds port 0 instead of 7993.
 */
class LauncherIT {

  @RegisterExtension final Resources resources = new Resources();

  @TempDir
  Path dir;

  @Test
  void theLauncherRunsTheEchoGatewayAndLinesComeBack() throws Exception {
    Path root = Path.of("..").toAbsolutePath().normalize();
    Path jar = Path.of(System.getProperty("exproto.examples.jar", "target/missing.jar"));
    assertThat(jar).as("the jar built by this module's package phase").exists();
    // This build has just made the jar: tell the launcher it is current, so it does not build again
    // (the jar plugin keeps the old time of a jar whose content did not change).
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now()));
    Path file = dir.resolve("exproto.conf");
    Files.writeString(file, """
        gateway.exproto.listeners.tcp.default.bind = "127.0.0.1:0"
        """);

    ChildProcess gateway = resources.track(ChildProcess.start("launcher",
        List.of("bash", root.resolve("exproto-gateway").toString(), "--echo", "--config", file.toString()),
        Map.of()));
    Pattern devicesOn = Pattern.compile("Listener tcp:default accepts devices on 127\\.0\\.0\\.1:(\\d+)");
    int port = Integer.parseInt(gateway.awaitLine(devicesOn, Duration.ofSeconds(60)).group(1));

    LineClient device = resources.track(new LineClient(new InetSocketAddress("127.0.0.1", port)));
    assertThat(device.roundTrip("hello")).isEqualTo("hello");
    assertThat(device.roundTrip("ping")).isEqualTo("ping");
    assertThat(gateway.output()).doesNotContain("building");
  }
}
