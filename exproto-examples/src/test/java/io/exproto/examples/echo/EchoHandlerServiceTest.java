package io.exproto.examples.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.exproto.examples.gateway.ConfigFile;
import io.exproto.examples.gateway.StandaloneGateway;
import io.exproto.examples.support.ChildProcess;
import io.exproto.examples.support.LineClient;
import io.exproto.examples.support.Ports;
import io.exproto.examples.support.Resources;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two processes over real gRPC and real sockets: the gateway in this JVM, the echo handler service
 * in a child JVM.
 *
 * <p>Ordering: the gateway needs the handler's address before it starts, and the handler needs the
 * gateway's adapter port. The handler's port is chosen first (a free port, released) and given to
 * both; the gateway's channel to the handler connects on the first callback, so the gateway starts
 * first, then the handler with the bound adapter port.
 */
class EchoHandlerServiceTest {

  @RegisterExtension final Resources resources = new Resources();

  @Test
  void linesComeBackThroughAHandlerServiceInAnotherProcess() throws Exception {
    int handlerPort = Ports.freeLoopbackPort();
    StandaloneGateway gateway = resources.track(StandaloneGateway.start(ConfigFile.parse("""
        gateway.exproto {
          server.bind = "127.0.0.1:0"
          handler.address = "http://127.0.0.1:%d"
          listeners.tcp.default.bind = "127.0.0.1:0"
        }
        """.formatted(handlerPort), "two-processes.conf"), false));
    int adapterPort = gateway.grpcHandler().orElseThrow().adapterPort();

    ChildProcess handler = resources.track(ChildProcess.java(EchoHandlerService.class,
        "--host", "127.0.0.1", "--port", String.valueOf(handlerPort),
        "--adapter", "http://127.0.0.1:" + adapterPort));
    handler.awaitLine(Pattern.compile("^listening on " + handlerPort + "$"), Duration.ofSeconds(60));

    int devicePort = gateway.localAddress("tcp:default").getPort();
    LineClient alice = resources.track(new LineClient(devicePort));
    LineClient bob = resources.track(new LineClient(devicePort));
    assertThat(alice.roundTrip("hello from alice")).isEqualTo("hello from alice");
    assertThat(bob.roundTrip("hello from bob")).isEqualTo("hello from bob");
    alice.send("first");
    alice.send("second");
    assertThat(alice.readLine()).isEqualTo("first");
    assertThat(alice.readLine()).isEqualTo("second");

    bob.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.gateway().connectionCount() == 1);
  }

  @Test
  void unknownArgumentExitsWithCode2() throws Exception {
    ChildProcess handler = resources.track(ChildProcess.java(EchoHandlerService.class, "--prot", "9001"));
    assertThat(handler.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
    assertThat(handler.output()).contains("unknown argument '--prot'").contains("usage:");
  }
}
