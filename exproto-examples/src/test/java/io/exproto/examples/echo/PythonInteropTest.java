package io.exproto.examples.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.exproto.examples.gateway.ConfigFile;
import io.exproto.examples.gateway.StandaloneGateway;
import io.exproto.examples.support.ChildProcess;
import io.exproto.examples.support.LineClient;
import io.exproto.examples.support.Ports;
import io.exproto.examples.support.Resources;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A handler service written in Python with grpcio, as EMQX's public examples are
 * ({@code src/test/python/echo_handler.py}), against this gateway: authenticate, subscribe and
 * start a timer from inside OnSocketCreated, publish, receive the echo, close.
 *
 * <p>Needs {@code /usr/bin/python3} with Debian's {@code python3-grpcio} and
 * {@code python3-grpc-tools}; without them the test is skipped, except when the environment
 * variable {@code CI} is set, where it fails.
 */
class PythonInteropTest {

  private static final String PYTHON = "/usr/bin/python3";

  @RegisterExtension final Resources resources = new Resources();

  @TempDir
  Path dir;

  @BeforeEach
  void requirePythonGrpc() throws Exception {
    String missing = null;
    if (!Files.isExecutable(Path.of(PYTHON))) {
      missing = PYTHON + " does not exist";
    } else {
      try (ChildProcess probe = ChildProcess.start("python-probe",
          List.of(PYTHON, "-c", "import grpc, grpc_tools.protoc"), Map.of())) {
        if (probe.awaitExit(Duration.ofSeconds(60)) != 0) {
          missing = PYTHON + " cannot import grpc and grpc_tools: " + probe.output();
        }
      }
    }
    if (missing != null) {
      if (System.getenv("CI") != null) {
        fail(missing + " (install python3-grpcio and python3-grpc-tools)");
      }
      Assumptions.abort(missing + "; install python3-grpcio and python3-grpc-tools to run this test");
    }
  }

  /** Generates exproto_pb2.py and exproto_pb2_grpc.py from the project's .proto into a temp dir. */
  private Path generateStubs() throws Exception {
    Path protoDir = Files.createDirectories(dir.resolve("proto"));
    Path stubs = Files.createDirectories(dir.resolve("stubs"));
    try (InputStream proto = getClass().getResourceAsStream("/exproto.proto")) {
      if (proto != null) {
        Files.copy(proto, protoDir.resolve("exproto.proto"));
      } else {
        Files.copy(moduleDir().resolve("../exproto-grpc/src/main/proto/exproto.proto"), protoDir.resolve("exproto.proto"));
      }
    }
    try (ChildProcess protoc = ChildProcess.start("protoc", List.of(PYTHON, "-m", "grpc_tools.protoc",
        "-I" + protoDir, "--python_out=" + stubs, "--grpc_python_out=" + stubs,
        protoDir.resolve("exproto.proto").toString()), Map.of())) {
      assertThat(protoc.awaitExit(Duration.ofSeconds(60))).as(protoc.output()).isZero();
    }
    assertThat(stubs.resolve("exproto_pb2_grpc.py")).exists();
    return stubs;
  }

  private static Path moduleDir() {
    return Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
  }

  @Test
  void pythonHandlerEchoesAndCloses() throws Exception {
    Path stubs = generateStubs();
    Path script = moduleDir().resolve("src/test/python/echo_handler.py");
    assertThat(script).exists();

    int handlerPort = Ports.freeLoopbackPort();
    StandaloneGateway gateway = resources.track(StandaloneGateway.start(ConfigFile.parse("""
        gateway.exproto {
          server.bind = "127.0.0.1:0"
          handler.address = "http://127.0.0.1:%d"
          listeners.tcp.default.bind = "127.0.0.1:0"
        }
        """.formatted(handlerPort), "python.conf"), false));
    int adapterPort = gateway.grpcHandler().orElseThrow().adapterPort();

    ChildProcess python = resources.track(ChildProcess.start("echo_handler.py", List.of(PYTHON, "-u",
        script.toString(), "--host", "127.0.0.1", "--port", String.valueOf(handlerPort),
        "--adapter", "127.0.0.1:" + adapterPort), Map.of("PYTHONPATH", stubs.toString())));
    python.awaitLine(Pattern.compile("^listening on " + handlerPort + "$"), Duration.ofSeconds(60));

    int devicePort = gateway.localAddress("tcp:default").getPort();
    LineClient client = resources.track(new LineClient(devicePort));
    // OnSocketCreated: Authenticate, Subscribe, StartTimer; then Publish and the echo via Send.
    assertThat(client.roundTrip("hello python")).isEqualTo("hello python");
    assertThat(client.roundTrip("again")).isEqualTo("again");
    // "close" makes the handler call Close: the gateway closes the socket.
    client.send("close");
    assertThat(client.closedByPeer()).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.gateway().connectionCount() == 0);
    python.awaitLine(Pattern.compile("closed .*: normal"), Duration.ofSeconds(10));
  }
}
