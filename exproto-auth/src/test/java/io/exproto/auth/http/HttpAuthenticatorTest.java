package io.exproto.auth.http;

import static io.exproto.auth.http.Requests.answer;
import static io.exproto.auth.http.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exproto.auth.AuthResult;
import io.exproto.auth.AuthResult.Decision;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpAuthenticatorTest {

  private static ExecutorService clientThreads;
  private static HttpClient client;
  private AuthServer server;

  @BeforeAll
  static void startClient() {
    clientThreads = Executors.newCachedThreadPool();
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(clientThreads).build();
  }

  @AfterAll
  static void stopClient() {
    clientThreads.shutdownNow();
  }

  @BeforeEach
  void startServer() throws Exception {
    server = new AuthServer();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private HttpAuthenticator.Builder post() {
    return HttpAuthenticator.builder().httpClient(client).url(server.url("/auth"))
        .body(Map.of("clientid", "${clientid}", "username", "${username}", "password", "${password}"));
  }

  @Test
  void allowDenyAndIgnoreFollowTheResultField() throws Exception {
    HttpAuthenticator auth = post().build();
    server.responder = AuthServer.json(200, "{\"result\":\"allow\",\"is_superuser\":false}");
    assertThat(answer(auth, request("c1", "u", "p"))).isEqualTo(AuthResult.allow());
    server.responder = AuthServer.json(200, "{\"result\":\"deny\"}");
    AuthResult denied = answer(auth, request("c1", "u", "p"));
    assertThat(denied.decision()).isEqualTo(Decision.DENY);
    assertThat(denied.reason()).contains("HTTP authentication service");
    server.responder = AuthServer.json(200, "{\"result\":\"ignore\"}");
    assertThat(answer(auth, request("c1", "u", "p"))).isEqualTo(AuthResult.ignore());
  }

  @Test
  void status204IsAllow() throws Exception {
    server.responder = AuthServer.status(204);
    assertThat(answer(post().build(), request("c1", "u", "p"))).isEqualTo(AuthResult.allow());
  }

  @Test
  void serverErrorsAndClientErrorsAreIgnore() throws Exception {
    HttpAuthenticator auth = post().build();
    server.responder = AuthServer.json(500, "{\"result\":\"allow\"}");
    assertThat(answer(auth, request("c1", "u", "p"))).isEqualTo(AuthResult.ignore());
    server.responder = AuthServer.json(403, "{\"result\":\"allow\"}");
    assertThat(answer(auth, request("c1", "u", "p"))).isEqualTo(AuthResult.ignore());
    server.responder = AuthServer.status(201);
    assertThat(answer(auth, request("c1", "u", "p"))).isEqualTo(AuthResult.ignore());
  }

  @Test
  void unparseableAnswersAreIgnore() throws Exception {
    HttpAuthenticator auth = post().build();
    for (String body : new String[] {"not json", "[1,2]", "{}", "{\"result\":\"maybe\"}", "",
        "{\"result\":\"allow\",\"expire_at\":\"soon\"}"}) {
      server.responder = AuthServer.json(200, body);
      assertThat(answer(auth, request("c1", "u", "p"))).as(body).isEqualTo(AuthResult.ignore());
    }
  }

  @Test
  void formEncodedAnswersAreUnderstood() throws Exception {
    server.responder = (r, exchange) -> AuthServer.send(exchange, 200, "application/x-www-form-urlencoded",
        "result=allow&is_superuser=false");
    assertThat(answer(post().build(), request("c1", "u", "p"))).isEqualTo(AuthResult.allow());
  }

  @Test
  void expireAtBecomesTheExpiry() throws Exception {
    server.responder = AuthServer.json(200, "{\"result\":\"allow\",\"is_superuser\":true,\"expire_at\":1893456000}");
    AuthResult result = answer(post().build(), request("c1", "u", "p"));
    assertThat(result.decision()).isEqualTo(Decision.ALLOW);
    assertThat(result.expiresAt()).contains(Instant.ofEpochSecond(1_893_456_000L));
  }

  @Test
  void serverDownIsIgnore() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    HttpAuthenticator auth = HttpAuthenticator.builder().httpClient(client)
        .url("http://127.0.0.1:" + port + "/auth").build();
    assertThat(answer(auth, request("c1", "u", "p"))).isEqualTo(AuthResult.ignore());
  }

  @Test
  void slowServerPastTheTimeoutIsIgnore() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    server.responder = (r, exchange) -> {
      release.await(10, TimeUnit.SECONDS);
      AuthServer.send(exchange, 200, "application/json", "{\"result\":\"allow\"}");
    };
    try {
      HttpAuthenticator auth = post().requestTimeout(Duration.ofMillis(200)).build();
      long start = System.nanoTime();
      assertThat(answer(auth, request("c1", "u", "p"))).isEqualTo(AuthResult.ignore());
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    } finally {
      release.countDown();
    }
  }

  @Test
  void authenticateDoesNotBlockTheCaller() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    server.responder = (r, exchange) -> {
      release.await(10, TimeUnit.SECONDS);
      AuthServer.send(exchange, 200, "application/json", "{\"result\":\"allow\"}");
    };
    try {
      HttpAuthenticator auth = post().build();
      var stage = auth.authenticate(request("c1", "u", "p")).toCompletableFuture();
      assertThat(stage).isNotDone();
      release.countDown();
      assertThat(stage.get(10, TimeUnit.SECONDS)).isEqualTo(AuthResult.allow());
    } finally {
      release.countDown();
    }
  }

  @Test
  void postRendersPlaceholdersIntoAJsonBody() throws Exception {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("clientid", "${clientid}");
    body.put("username", "${username}");
    body.put("password", "${password}");
    body.put("peerhost", "${peerhost}");
    body.put("note", "id=${clientid}; literal");
    body.put("cn", "${cert_common_name}");
    HttpAuthenticator auth = HttpAuthenticator.builder().httpClient(client).method("post")
        .url(server.url("/auth")).body(body).build();
    answer(auth, request("dev\"1", "alice", "p@ss w\u00f6rd&="));
    AuthServer.Recorded r = server.take();
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.headers().getFirst("content-type")).isEqualTo("application/json");
    JsonNode json = new ObjectMapper().readTree(r.body());
    assertThat(json.get("clientid").asText()).isEqualTo("dev\"1");
    assertThat(json.get("username").asText()).isEqualTo("alice");
    assertThat(json.get("password").asText()).isEqualTo("p@ss w\u00f6rd&=");
    assertThat(json.get("peerhost").asText()).isEqualTo("10.1.2.3");
    assertThat(json.get("note").asText()).isEqualTo("id=dev\"1; literal");
    assertThat(json.get("cn").asText()).isEmpty();
  }

  @Test
  void defaultBodyIsUsernameAndPassword() throws Exception {
    HttpAuthenticator auth = HttpAuthenticator.builder().httpClient(client).url(server.url("/auth")).build();
    answer(auth, request("c1", "alice", "pw"));
    JsonNode json = new ObjectMapper().readTree(server.take().body());
    assertThat(json.size()).isEqualTo(2);
    assertThat(json.get("username").asText()).isEqualTo("alice");
    assertThat(json.get("password").asText()).isEqualTo("pw");
  }

  @Test
  void postRendersPlaceholdersIntoAFormBody() throws Exception {
    HttpAuthenticator auth = post().header("Content-Type", "application/x-www-form-urlencoded").build();
    answer(auth, request("c 1", "bob", "a&b=c"));
    AuthServer.Recorded r = server.take();
    assertThat(r.headers().getFirst("content-type")).isEqualTo("application/x-www-form-urlencoded");
    assertThat(decodeForm(r.body())).containsExactlyInAnyOrderEntriesOf(
        Map.of("clientid", "c 1", "username", "bob", "password", "a&b=c"));
  }

  @Test
  void getSendsTheBodyAsAnEncodedQuery() throws Exception {
    HttpAuthenticator auth = post().method(HttpAuthenticator.Method.GET)
        .url(server.url("/auth?static=1&peer=${peerhost}")).build();
    answer(auth, request("c/1", "bob", "a&b=c ?#"));
    AuthServer.Recorded r = server.take();
    assertThat(r.method()).isEqualTo("GET");
    assertThat(r.body()).isEmpty();
    assertThat(r.headers().containsKey("content-type")).isFalse();
    assertThat(r.rawQuery()).startsWith("static=1&peer=10.1.2.3&");
    assertThat(decodeForm(r.rawQuery())).containsAllEntriesOf(
        Map.of("clientid", "c/1", "username", "bob", "password", "a&b=c ?#", "static", "1"));
  }

  @Test
  void placeholdersInThePathAreEncoded() throws Exception {
    HttpAuthenticator auth = post().url(server.url("/auth/${clientid}")).build();
    answer(auth, request("a/b c", "u", "p"));
    assertThat(server.take().path()).isEqualTo("/auth/a%2Fb%20c");
  }

  @Test
  void configuredHeadersAreSent() throws Exception {
    HttpAuthenticator auth = post()
        .headers(Map.of("X-Api-Key", "k-123", "Accept", "application/vnd.test+json", "connection", "keep-alive"))
        .build();
    answer(auth, request("c1", "u", "p"));
    AuthServer.Recorded r = server.take();
    assertThat(r.headers().getFirst("x-api-key")).isEqualTo("k-123");
    assertThat(r.headers().get("accept")).containsExactly("application/vnd.test+json");
    assertThat(r.headers().getFirst("cache-control")).isEqualTo("no-cache");
    assertThat(r.headers().getFirst("content-type")).isEqualTo("application/json");
  }

  @Test
  void theDefaultClientWorksToo() throws Exception {
    HttpAuthenticator auth = HttpAuthenticator.builder().url(server.url("/auth")).build();
    assertThat(answer(auth, request("c1", "u", "p"))).isEqualTo(AuthResult.allow());
  }

  @Test
  void toStringShowsNeitherQueryNorSecrets() {
    HttpAuthenticator auth = post().method("get").url(server.url("/auth?token=abc&p=${password}")).build();
    assertThat(auth.toString()).isEqualTo("HttpAuthenticator[GET " + server.url("/auth") + "]");
  }

  private static Map<String, String> decodeForm(String form) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : form.split("&")) {
      int eq = pair.indexOf('=');
      out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }
}
