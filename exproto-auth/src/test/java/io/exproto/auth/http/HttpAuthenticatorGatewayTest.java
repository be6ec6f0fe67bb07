package io.exproto.auth.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exproto.adapter.Adapter;
import io.exproto.adapter.ClientInfo;
import io.exproto.gateway.Gateway;
import io.exproto.handler.ConnectionHandler;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.ReceivedMessages;
import io.exproto.handler.SocketClosed;
import io.exproto.handler.SocketCreated;
import io.exproto.handler.TimerTimeout;
import io.exproto.testing.InProcessDevice;
import io.exproto.testing.InProcessListener;
import io.exproto.testing.ManualScheduler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP authenticator behind a real gateway, driven by an in-process protocol handler. */
class HttpAuthenticatorGatewayTest {

  private final ManualScheduler clock = new ManualScheduler();
  private final InProcessListener listener = new InProcessListener();
  private final LoginHandler handler = new LoginHandler();
  private AuthServer server;
  private Gateway gateway;

  @BeforeEach
  void start() throws Exception {
    server = new AuthServer();
    long expireAt = clock.nowMillis() / 1000 + 10;
    // The service allows password "good" (until expire_at for client "expiring") and denies the rest.
    server.responder = (request, exchange) -> {
      JsonNode body = new ObjectMapper().readTree(request.body());
      String answer;
      if (!body.get("password").asText().equals("good")) {
        answer = "{\"result\":\"deny\"}";
      } else if (body.get("clientid").asText().equals("expiring")) {
        answer = "{\"result\":\"allow\",\"expire_at\":" + expireAt + "}";
      } else {
        answer = "{\"result\":\"allow\"}";
      }
      AuthServer.send(exchange, 200, "application/json", answer);
    };
    HttpAuthenticator http = HttpAuthenticator.builder()
        .url(server.url("/auth"))
        .body("clientid", "${clientid}")
        .body("password", "${password}")
        .build();
    gateway = Gateway.builder()
        .listener(listener)
        .scheduler(clock)
        .executor(Runnable::run)
        .idleTimeout(Duration.ZERO)
        .authenticator(http)
        .handler(handler::attach)
        .build();
    gateway.start();
  }

  @AfterEach
  void stop() {
    gateway.close();
    server.close();
  }

  @Test
  void allowIsSuccessAndDenyIsPermissionDenyOnAnOpenConnection() {
    InProcessDevice device = listener.connect();
    device.send("LOGIN c1 alice bad");
    await().atMost(Duration.ofSeconds(10)).until(() -> device.receivedText().contains("PERMISSION_DENY"));
    assertThat(device.isClosed()).isFalse();

    device.send("LOGIN c1 alice good");
    await().atMost(Duration.ofSeconds(10)).until(() -> device.receivedText().contains("SUCCESS"));
    assertThat(device.receivedText()).isEqualTo("PERMISSION_DENY\nSUCCESS\n");
    assertThat(device.isClosed()).isFalse();
  }

  @Test
  void expireAtClosesTheConnectionWithReasonExpired() {
    InProcessDevice device = listener.connect();
    device.send("LOGIN expiring alice good");
    await().atMost(Duration.ofSeconds(10)).until(() -> device.receivedText().contains("SUCCESS"));
    clock.advance(Duration.ofSeconds(9));
    assertThat(device.isClosed()).isFalse();
    clock.advance(Duration.ofSeconds(1));
    await().atMost(Duration.ofSeconds(10)).until(device::isClosed);
    await().atMost(Duration.ofSeconds(10)).until(() -> handler.closeReasons.contains("expired"));
  }

  /** A toy protocol: "LOGIN clientid username password" authenticates and answers the result code. */
  static final class LoginHandler implements ConnectionHandler {
    final List<String> closeReasons = new CopyOnWriteArrayList<>();
    private volatile Adapter adapter;

    LoginHandler attach(Adapter adapter) {
      this.adapter = adapter;
      return this;
    }

    @Override
    public CompletionStage<Void> onSocketCreated(SocketCreated event) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> onReceivedBytes(ReceivedBytes event) {
      String[] words = new String(event.bytes(), StandardCharsets.UTF_8).trim().split(" ");
      if (words.length != 4 || !words[0].equals("LOGIN")) {
        return CompletableFuture.completedFuture(null);
      }
      return adapter.authenticate(event.conn(), ClientInfo.of(words[1], words[2]), words[3])
          .thenCompose(result -> adapter.send(event.conn(),
              (result.code().name() + "\n").getBytes(StandardCharsets.UTF_8)))
          .thenApply(sent -> null);
    }

    @Override
    public CompletionStage<Void> onTimerTimeout(TimerTimeout event) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> onReceivedMessages(ReceivedMessages event) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> onSocketClosed(SocketClosed event) {
      closeReasons.add(event.reason());
      return CompletableFuture.completedFuture(null);
    }
  }
}
