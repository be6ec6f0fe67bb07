package io.exproto.examples.reference;

import static org.assertj.core.api.Assertions.assertThat;

import io.exproto.adapter.ClientInfo;
import io.exproto.auth.AuthResult;
import io.exproto.examples.support.LineClient;
import io.exproto.examples.support.Ports;
import io.exproto.gateway.Gateway;
import io.exproto.grpc.GrpcHandler;
import io.exproto.grpc.sdk.AdapterClient;
import io.exproto.grpc.sdk.HandlerServer;
import io.exproto.transport.tcp.TcpListener;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * No password reaches a log line at any level: the project's loggers run at TRACE in the tests
 * (simplelogger.properties) and everything slf4j-simple writes to standard error is captured while
 * passwords travel device -> handler -> Authenticate -> authenticators (allow, deny, failing).
 */
class PasswordLoggingTest {

  private static final String PASSWORD = "Pa55-w0rd-NEVER-LOGGED";

  @Test
  void passwordsNeverAppearInLogs() throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      exercise();
    } finally {
      System.setErr(original);
    }
    String logs = captured.toString(StandardCharsets.UTF_8);
    original.print(logs); // keep the output visible in the test report
    assertThat(logs).contains("Authentication denied for client denied-client"); // capture works
    assertThat(logs).contains("Authenticator");                                  // the failing one was logged
    assertThat(logs).doesNotContain(PASSWORD);
  }

  private static void exercise() throws Exception {
    int handlerPort = Ports.freeLoopbackPort();
    GrpcHandler grpc = GrpcHandler.builder()
        .handlerAddress("http://127.0.0.1:" + handlerPort)
        .adapterBind("127.0.0.1:0")
        .callTimeout(Duration.ofSeconds(10))
        .build();
    TcpListener listener = TcpListener.builder().bind("127.0.0.1:0").build();
    try (Gateway gateway = Gateway.builder()
        .listener(listener)
        .handler(grpc)
        .authenticator(r -> {
          if (r.client().clientId().equals("failing-client")) {
            throw new IllegalStateException("backend down for " + r); // AuthRequest hides the password
          }
          return CompletableFuture.completedFuture(AuthResult.ignore());
        })
        .authenticator(r -> CompletableFuture.completedFuture(
            r.client().clientId().startsWith("denied") ? AuthResult.deny("no") : AuthResult.allow()))
        .build()) {
      gateway.start();
      try (AdapterClient adapter = AdapterClient.connect("http://127.0.0.1:" + grpc.adapterPort())) {
        LineProtocolHandler handler = new LineProtocolHandler(adapter);
        HandlerServer server = new HandlerServer(handler, "127.0.0.1:" + handlerPort);
        server.start();
        try (server; LineClient device = new LineClient(listener.localAddress())) {
          assertThat(device.roundTrip("CONNECT denied-client user " + PASSWORD)).isEqualTo("CONNACK PERMISSION_DENY");
          assertThat(device.roundTrip("CONNECT failing-client user " + PASSWORD)).isEqualTo("CONNACK SUCCESS");
          assertThat(adapter.authenticate("no-such-conn", ClientInfo.of("x", "y"), PASSWORD).isSuccess()).isFalse();
        }
      }
    }
  }
}
