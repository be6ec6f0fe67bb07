package io.exproto.auth.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.Result;
import io.exproto.auth.AuthRequest;
import io.exproto.auth.AuthResult;
import io.exproto.auth.Authenticator;
import io.exproto.auth.http.HttpAuthenticator;
import io.exproto.auth.jwt.JwtAlgorithm;
import io.exproto.auth.jwt.JwtAuthenticator;
import io.exproto.auth.store.UserStore;
import io.exproto.auth.store.UserStoreAuthenticator;
import io.exproto.gateway.Gateway;
import io.exproto.handler.ConnectionHandler;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.ReceivedMessages;
import io.exproto.handler.SocketClosed;
import io.exproto.handler.SocketCreated;
import io.exproto.handler.TimerTimeout;
import io.exproto.listener.Address;
import io.exproto.listener.ConnectionInfo;
import io.exproto.listener.SocketType;
import io.exproto.testing.InProcessListener;
import io.exproto.testing.ManualScheduler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Runs every backend, success and failure paths, with distinctive secrets while capturing all log
 * output (slf4j-simple at TRACE, printing to System.err, see simplelogger.properties), and checks
 * that no secret appears in any line.
 */
class SecretsNotLoggedTest {

  /** URL-safe and JSON-safe, so its encoded forms are itself. */
  private static final String PASSWORD = "Zq7-distinctive-PASSWORD-3141";
  private static final String JWT_SECRET = "Kx9-distinctive-JWT-SECRET-2718-0123456789";
  private static final String QUERY_SECRET = "QueryToken-distinctive-1618";

  @Test
  void noSecretAppearsInAnyLogLine() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.err;
    List<String> tokens;
    System.setErr(new PrintStream(new Tee(original, captured), true, StandardCharsets.UTF_8));
    try {
      exerciseHttp();
      exerciseUserStore();
      tokens = new java.util.ArrayList<>(exerciseJwt());
      tokens.addAll(exerciseJwks());
      exerciseGatewayChain();
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);

    // The capture works: the lines each path must write are there.
    assertThat(log)
        .contains("WARN io.exproto.auth.http.HttpAuthenticator - HTTP authentication of client dev-1 via http://")
        .contains("answered status 500; ignoring")
        .contains("the service is unreachable")
        .contains("timed out after 200 ms")
        .contains("answered status 200 with a body that is not")
        .contains("HTTP authentication of client dev-1: denied")
        .contains("DEBUG io.exproto.auth.store.UserStore - User store: added user alice")
        .contains("User store: client dev-1 gave a wrong password for user alice")
        .contains("JWT authentication of client dev-1: denied: JWT signature is invalid")
        .contains("JWT authentication of client dev-1: denied: JWT has expired (exp)")
        .contains("JWT authentication of client dev-1: the password is not a JWT")
        .contains("WARN io.exproto.auth.jwt.JwksSource - JWT authentication: cannot fetch the JWKS from"
            + " http://127.0.0.1:")
        .contains("the endpoint is unreachable")
        .contains("the answer is not a JWK set")
        .contains("JWT authentication of client dev-1: ignoring: JWT cannot be checked")
        .contains("Authentication denied for client chain-1");

    assertThat(log).doesNotContain(PASSWORD).doesNotContain(JWT_SECRET).doesNotContain(QUERY_SECRET);
    for (String token : tokens) {
      for (String part : token.split("\\.")) {
        assertThat(log).doesNotContain(part);
      }
    }
  }

  private static AuthRequest request(String password) {
    return new AuthRequest(ConnectionInfo.of(SocketType.TCP, new Address("127.0.0.1", 50000),
        new Address("127.0.0.1", 7993), "tcp:default"), ClientInfo.of("dev-1", "alice"), password);
  }

  private static AuthResult run(Authenticator authenticator, String password) throws Exception {
    return authenticator.authenticate(request(password)).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static void exerciseHttp() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ExecutorService serverThreads = Executors.newCachedThreadPool();
    AtomicReference<String> answer = new AtomicReference<>();
    CountDownLatch release = new CountDownLatch(1);
    server.setExecutor(serverThreads);
    server.createContext("/", exchange -> {
      try (exchange) {
        // Error answers echo the request (with the password), as a careless service might.
        String echoed = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
            + exchange.getRequestURI();
        String[] statusAndBody = answer.get().split(" ", 2);
        if (statusAndBody[0].equals("slow")) {
          release.await(10, TimeUnit.SECONDS);
          statusAndBody = new String[] {"200", "{\"result\":\"allow\"}"};
        }
        boolean echo = !statusAndBody[1].startsWith("{");
        byte[] body = (statusAndBody[1] + (echo ? echoed : "")).getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(Integer.parseInt(statusAndBody[0]), body.length);
        exchange.getResponseBody().write(body);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    server.start();
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    try {
      HttpAuthenticator post = HttpAuthenticator.builder().url(base + "/auth")
          .body(Map.of("clientid", "${clientid}", "password", "${password}")).build();
      HttpAuthenticator get = HttpAuthenticator.builder().method("get")
          .url(base + "/auth?token=" + QUERY_SECRET + "&p=${password}").build();
      HttpAuthenticator slow = HttpAuthenticator.builder().url(base + "/auth")
          .requestTimeout(Duration.ofMillis(200)).build();
      for (HttpAuthenticator http : List.of(post, get)) {
        answer.set("500 error for ");
        assertThat(run(http, PASSWORD)).isEqualTo(AuthResult.ignore());
        answer.set("200 not json ");
        assertThat(run(http, PASSWORD)).isEqualTo(AuthResult.ignore());
        answer.set("200 {\"result\":\"deny\"}");
        assertThat(run(http, PASSWORD).decision()).isEqualTo(AuthResult.Decision.DENY);
      }
      answer.set("slow");
      assertThat(run(slow, PASSWORD)).isEqualTo(AuthResult.ignore());
    } finally {
      release.countDown();
      server.stop(0);
      serverThreads.shutdownNow();
    }
    int downPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      downPort = probe.getLocalPort();
    }
    for (String method : List.of("post", "get")) {
      HttpAuthenticator down = HttpAuthenticator.builder().method(method)
          .url("http://127.0.0.1:" + downPort + "/auth?token=" + QUERY_SECRET).build();
      assertThat(run(down, PASSWORD)).isEqualTo(AuthResult.ignore());
    }
  }

  private static void exerciseUserStore() throws Exception {
    UserStore store = UserStore.builder().iterations(1_000).build();
    store.addUser("alice", PASSWORD);
    store.updatePassword("alice", PASSWORD);
    UserStoreAuthenticator auth = UserStoreAuthenticator.builder(store).build();
    assertThat(run(auth, PASSWORD)).isEqualTo(AuthResult.allow());
    assertThat(run(auth, PASSWORD + "x").decision()).isEqualTo(AuthResult.Decision.DENY);
    store.removeUser("alice");
    assertThat(run(auth, PASSWORD)).isEqualTo(AuthResult.ignore());
  }

  private static List<String> exerciseJwt() throws Exception {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    JwtAuthenticator jwt = JwtAuthenticator.builder().algorithm(JwtAlgorithm.HS256).secret(JWT_SECRET)
        .verifyClaim("clientid", "${clientid}").clock(Clock.fixed(now, ZoneOffset.UTC)).build();
    String valid = sign("{\"clientid\":\"dev-1\",\"pw\":\"" + PASSWORD + "\"}", JWT_SECRET);
    String badSignature = sign("{\"clientid\":\"dev-1\",\"pw\":\"" + PASSWORD + "\"}", "wrong secret");
    String expired = sign("{\"clientid\":\"dev-1\",\"exp\":" + (now.getEpochSecond() - 1) + "}", JWT_SECRET);
    String mismatch = sign("{\"clientid\":\"other\"}", JWT_SECRET);
    assertThat(run(jwt, valid).decision()).isEqualTo(AuthResult.Decision.ALLOW);
    assertThat(run(jwt, badSignature).decision()).isEqualTo(AuthResult.Decision.DENY);
    assertThat(run(jwt, expired).decision()).isEqualTo(AuthResult.Decision.DENY);
    assertThat(run(jwt, mismatch).decision()).isEqualTo(AuthResult.Decision.DENY);
    assertThat(run(jwt, PASSWORD)).isEqualTo(AuthResult.ignore());
    return List.of(valid, badSignature, expired, mismatch);
  }

  /** JWKS endpoints that are down or answer garbage (echoing the request): their query stays out. */
  private static List<String> exerciseJwks() throws Exception {
    // No key set can be had, so the signature is never checked: any bytes do.
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String token = b64.encodeToString("{\"alg\":\"RS256\",\"kid\":\"k1\"}".getBytes(StandardCharsets.UTF_8))
        + "." + b64.encodeToString(("{\"pw\":\"" + PASSWORD + "\"}").getBytes(StandardCharsets.UTF_8))
        + "." + b64.encodeToString("Sig-distinctive-4669-of-256-bytes".getBytes(StandardCharsets.UTF_8));

    int downPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      downPort = probe.getLocalPort();
    }
    JwtAuthenticator down = JwtAuthenticator.builder()
        .jwksEndpoint("http://127.0.0.1:" + downPort + "/jwks?token=" + QUERY_SECRET).build();
    assertThat(run(down, token).decision()).isEqualTo(AuthResult.Decision.IGNORE);

    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      try (exchange) {
        byte[] body = ("not a key set: " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      }
    });
    server.start();
    try {
      JwtAuthenticator garbage = JwtAuthenticator.builder()
          .jwksEndpoint("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks?token=" + QUERY_SECRET).build();
      assertThat(run(garbage, token).decision()).isEqualTo(AuthResult.Decision.IGNORE);
      assertThat(garbage.toString()).doesNotContain(QUERY_SECRET);
    } finally {
      server.stop(0);
    }
    return List.of(token);
  }

  /** A gateway chaining all three backends, so the gateway's own lines are checked too. */
  private static void exerciseGatewayChain() throws Exception {
    UserStore store = UserStore.builder().iterations(1_000).build();
    store.addUser("alice", "another-" + PASSWORD);
    InProcessListener listener = new InProcessListener();
    AtomicReference<String> conn = new AtomicReference<>();
    ConnectionHandler handler = new ConnectionHandler() {
      @Override
      public CompletionStage<Void> onSocketCreated(SocketCreated event) {
        conn.set(event.conn());
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public CompletionStage<Void> onReceivedBytes(ReceivedBytes event) {
        return CompletableFuture.completedFuture(null);
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
        return CompletableFuture.completedFuture(null);
      }
    };
    try (Gateway gateway = Gateway.builder().listener(listener).scheduler(new ManualScheduler())
        .executor(Runnable::run).handler(adapter -> handler)
        .authenticator(JwtAuthenticator.builder().secret(JWT_SECRET).build())
        .authenticator(UserStoreAuthenticator.builder(store).build())
        .build()) {
      gateway.start();
      listener.connect();
      Result result = gateway.adapter().authenticate(conn.get(), ClientInfo.of("chain-1", "alice"), PASSWORD)
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(result.isSuccess()).isFalse();
      assertThat(result.message()).doesNotContain(PASSWORD);
    }
  }

  private static String sign(String payload, String secret) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String input = b64.encodeToString("{\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return input + "." + b64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
  }

  /** Writes to the original stream (so the output still reaches the build log) and to a buffer. */
  private static final class Tee extends OutputStream {
    private final OutputStream first;
    private final OutputStream second;

    Tee(OutputStream first, OutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public synchronized void write(int b) throws IOException {
      first.write(b);
      second.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      first.write(b, off, len);
      second.write(b, off, len);
    }

    @Override
    public synchronized void flush() throws IOException {
      first.flush();
      second.flush();
    }
  }
}
