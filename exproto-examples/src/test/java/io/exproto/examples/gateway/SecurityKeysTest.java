package io.exproto.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.exproto.adapter.Adapter;
import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.ResultCode;
import io.exproto.examples.support.Jwts;
import io.exproto.examples.support.LineClient;
import io.exproto.examples.support.Resources;
import io.exproto.examples.support.TestCertificates;
import io.exproto.gateway.Gateway;
import io.exproto.gateway.GatewayMetrics;
import io.exproto.handler.ConnectionHandler;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.ReceivedMessages;
import io.exproto.handler.SocketClosed;
import io.exproto.handler.SocketCreated;
import io.exproto.handler.TimerTimeout;
import io.exproto.testing.InProcessListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code authentication} and {@code authorization} blocks: an HTTP authentication service
 * (a JDK {@link HttpServer} on port 0), the built-in database with the file's users, JWT, and
 * topic rules, checked end to end through the echo handler and through the gateway's adapter.
 */
class SecurityKeysTest {

  @RegisterExtension final Resources resources = new Resources();
  private HttpServer http;
  private final AtomicReference<String> verdict = new AtomicReference<>("allow");
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<Map<String, List<String>>> requestHeaders = new CopyOnWriteArrayList<>();

  @TempDir
  Path dir;

  @BeforeEach
  void authenticationService() throws Exception {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/auth", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      requests.add(body);
      requestHeaders.add(Map.copyOf(exchange.getRequestHeaders()));
      // The verdict is for the user "httpuser", and for every request that carries a client id (the
      // echo devices); anyone else is left to the next authenticator.
      String result = body.contains("\"username\":\"httpuser\"") || body.contains("\"clientid\"")
          ? verdict.get() : "ignore";
      byte[] answer = ("{\"result\": \"" + result + "\", \"is_superuser\": false}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("content-type", "application/json");
      exchange.sendResponseHeaders(200, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    http.start();
  }

  @AfterEach
  void stopAuthenticationService() {
    http.stop(0);
  }

  private String authUrl() {
    return "http://127.0.0.1:" + http.getAddress().getPort() + "/auth";
  }

  @Test
  void httpAuthenticationDecidesForTheEchoDevices() throws Exception {
    Path file = dir.resolve("exproto.conf");
    Files.writeString(file, """
        gateway.exproto {
          listeners.tcp.default.bind = "127.0.0.1:0"
          authentication {
            mechanism = password_based
            backend = http
            method = post
            url = "%s"
            headers { "content-type" = "application/json", "x-api-key" = "key-1234" }
            body { username = "${username}", password = "${password}", clientid = "${clientid}", peer = "${peerhost}" }
            request_timeout = 5s
          }
        }
        """.formatted(authUrl()));
    StandaloneGateway gateway = resources.track(StandaloneGateway.start(ConfigFile.load(file), true));
    InetSocketAddress address = gateway.localAddress("tcp:default");

    // The echo handler authenticates each device with its connection id as client id.
    LineClient allowed = resources.track(new LineClient(address));
    assertThat(allowed.roundTrip("let in by http")).isEqualTo("let in by http");
    assertThat(requests).hasSize(1);
    assertThat(requests.get(0)).contains("\"clientid\":\"").contains("\"peer\":\"127.0.0.1\"");
    assertThat(requestHeaders.get(0)).containsEntry("X-api-key", List.of("key-1234"));

    verdict.set("deny");
    LineClient denied = resources.track(new LineClient(address));
    // Authenticate answered PERMISSION_DENY: the echo handler fails, the gateway closes the device.
    assertThat(denied.closedByPeer()).isTrue();
    assertThat(gateway.gateway().metrics().get(GatewayMetrics.AUTH_DENIED)).isEqualTo(1);
    assertThat(allowed.roundTrip("still here")).isEqualTo("still here");
  }

  /** A handler that only records the connections, so the test calls the adapter itself. */
  private static final class Recorder implements ConnectionHandler {
    final BlockingQueue<String> created = new LinkedBlockingQueue<>();

    @Override
    public CompletionStage<Void> onSocketCreated(SocketCreated event) {
      created.add(event.conn());
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
  }

  /** A gateway with the file's gateway-wide keys, an in-process listener and the recorder. */
  private final class Probe implements AutoCloseable {
    final Gateway gateway;
    final InProcessListener listener = new InProcessListener();
    final Recorder recorder = new Recorder();

    Probe(String hocon) throws Exception {
      ConfigFile config = ConfigFile.parse(hocon, "probe.conf");
      gateway = config.applyTo(Gateway.builder()).handler(adapter -> recorder).build();
      gateway.start();
      // Added at runtime, as the brief's embedding hosts would.
      gateway.addListener(listener);
    }

    String connect() throws InterruptedException {
      listener.connect();
      String conn = recorder.created.poll(20, TimeUnit.SECONDS);
      assertThat(conn).isNotNull();
      return conn;
    }

    ResultCode authenticate(String clientId, String username, String password) throws Exception {
      Adapter adapter = gateway.adapter();
      return adapter.authenticate(connect(), new ClientInfo("test", "1", clientId, username), password)
          .toCompletableFuture().get(30, TimeUnit.SECONDS).code();
    }

    @Override
    public void close() {
      gateway.close();
    }
  }

  @Test
  void anAuthenticatorChainFromTheFileAnswersInOrder() throws Exception {
    Probe probe = resources.track(new Probe("""
        gateway.exproto.authentication = [
          {
            mechanism = password_based, backend = http, url = "%s"
            body { username = "${username}", password = "${password}" }
          }
          {
            mechanism = password_based
            backend = built_in_database
            user_id_type = username
            users = [
              {user_id = "alice", password = "wonderland"}
              {user_id = "root", password = "toor", is_superuser = true}
            ]
          }
          {
            mechanism = password_based, backend = built_in_database, enable = false
            users = [{user_id = "bob", password = "bobs-password"}]
          }
          {
            mechanism = jwt
            use_jwks = false
            from = password
            algorithm = hmac-based
            secret = "a shared secret of at least 32 bytes, for HS256"
            secret_base64_encoded = false
            verify_claims { clientid = "${clientid}" }
          }
        ]
        """.formatted(authUrl())));
    String exp = String.valueOf(Instant.now().plusSeconds(3600).getEpochSecond());

    // The HTTP service answers for "httpuser" and ignores everyone else.
    assertThat(probe.authenticate("c1", "httpuser", "anything")).isEqualTo(ResultCode.SUCCESS);
    verdict.set("deny");
    assertThat(probe.authenticate("c2", "httpuser", "anything")).isEqualTo(ResultCode.PERMISSION_DENY);
    // Then the built-in database: a known user with the right password, or the wrong one.
    assertThat(probe.authenticate("c3", "alice", "wonderland")).isEqualTo(ResultCode.SUCCESS);
    assertThat(probe.authenticate("c4", "alice", "looking-glass")).isEqualTo(ResultCode.PERMISSION_DENY);
    assertThat(probe.authenticate("c5", "root", "toor")).isEqualTo(ResultCode.SUCCESS);
    // The disabled authenticator is not in the chain: bob is unknown to every one, so denied.
    assertThat(probe.authenticate("c6", "bob", "bobs-password")).isEqualTo(ResultCode.PERMISSION_DENY);
    // Then JWT: a token signed with the secret whose clientid claim matches.
    String secret = "a shared secret of at least 32 bytes, for HS256";
    assertThat(probe.authenticate("c7", "carol", Jwts.hs256(secret, "{\"clientid\":\"c7\",\"exp\":" + exp + "}")))
        .isEqualTo(ResultCode.SUCCESS);
    assertThat(probe.authenticate("c8", "carol", Jwts.hs256(secret, "{\"clientid\":\"other\",\"exp\":" + exp + "}")))
        .isEqualTo(ResultCode.PERMISSION_DENY);
    assertThat(probe.authenticate("c9", "carol", Jwts.hs256("another secret entirely, also 32+ bytes", "{\"clientid\":\"c9\"}")))
        .isEqualTo(ResultCode.PERMISSION_DENY);
    // Nobody vouches for a plain password of an unknown user.
    assertThat(probe.authenticate("c10", "mallory", "guess")).isEqualTo(ResultCode.PERMISSION_DENY);
  }

  @Test
  void builtInDatabaseByClientId() throws Exception {
    Probe probe = resources.track(new Probe("""
        gateway.exproto.authentication {
          mechanism = password_based
          backend = built_in_database
          user_id_type = clientid
          users = [{user_id = "sensor-9", password = "p4ssw0rd"}]
        }
        """));
    assertThat(probe.authenticate("sensor-9", "", "p4ssw0rd")).isEqualTo(ResultCode.SUCCESS);
    assertThat(probe.authenticate("sensor-8", "sensor-9", "p4ssw0rd")).isEqualTo(ResultCode.PERMISSION_DENY);
  }

  @Test
  void jwtWithAPublicKeyFileOrABase64Secret() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair keys = generator.generateKeyPair();
    Path publicKey = dir.resolve("jwt-public.pem");
    Files.writeString(publicKey, "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n");
    Probe rsa = resources.track(new Probe("""
        gateway.exproto.authentication {
          mechanism = jwt, use_jwks = false, algorithm = public-key, public_key = "%s"
        }
        """.formatted(publicKey)));
    String token = Jwts.rs256(keys.getPrivate(), "{\"sub\":\"x\"}");
    assertThat(rsa.authenticate("r1", "", token)).isEqualTo(ResultCode.SUCCESS);
    assertThat(rsa.authenticate("r2", "", Jwts.hs256("a shared secret of at least 32 bytes", "{}")))
        .isEqualTo(ResultCode.PERMISSION_DENY);

    String secret = "base64 secret of more than thirty-two bytes";
    Probe hmac = resources.track(new Probe("""
        gateway.exproto.authentication {
          mechanism = jwt, algorithm = hmac-based, secret_base64_encoded = true, secret = "%s"
        }
        """.formatted(Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)))));
    assertThat(hmac.authenticate("h1", "", Jwts.hs256(secret, "{}"))).isEqualTo(ResultCode.SUCCESS);
  }

  private static KeyPair rsaKeys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private static KeyPair p256() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static String es256(KeyPair keys, String kid, String claims) throws Exception {
    JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid).build(), new Payload(claims));
    jws.sign(new ECDSASigner((ECPrivateKey) keys.getPrivate()));
    return jws.serialize();
  }

  private static void sendJson(HttpExchange exchange, String body) throws java.io.IOException {
    try (exchange) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("content-type", "application/json");
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }

  @Test
  void jwtWithAnEcPublicKeyFileAndTheTokenInTheUsername() throws Exception {
    KeyPair keys = p256();
    Path publicKey = Files.writeString(dir.resolve("jwt-ec.pem"), "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n");
    Probe ec = resources.track(new Probe("""
        gateway.exproto.authentication {
          mechanism = jwt, algorithm = public-key, public_key = "%s", from = username
        }
        """.formatted(publicKey)));
    assertThat(ec.authenticate("e1", es256(keys, null, "{\"sub\":\"x\"}"), "")).isEqualTo(ResultCode.SUCCESS);
    assertThat(ec.authenticate("e2", es256(p256(), null, "{}"), "")).isEqualTo(ResultCode.PERMISSION_DENY);
    assertThat(ec.authenticate("e3", Jwts.hs256("a shared secret of at least 32 bytes", "{}"), ""))
        .isEqualTo(ResultCode.PERMISSION_DENY);
  }

  @Test
  void jwtWithTheKeysOfAJwksEndpoint() throws Exception {
    KeyPair rsa = rsaKeys();
    KeyPair ec = p256();
    String jwks = new JWKSet(List.of(new RSAKey.Builder((RSAPublicKey) rsa.getPublic()).keyID("k1").build(),
        new ECKey.Builder(Curve.P_256, (ECPublicKey) ec.getPublic()).keyID("e1").build())).toString();
    AtomicInteger fetches = new AtomicInteger();
    http.createContext("/jwks", exchange -> {
      fetches.incrementAndGet();
      sendJson(exchange, jwks);
    });
    Probe probe = resources.track(new Probe("""
        gateway.exproto.authentication {
          mechanism = jwt
          use_jwks = true
          endpoint = "http://127.0.0.1:%d/jwks"
          refresh_interval = 300
          verify_claims { sub = "${username}" }
        }
        """.formatted(http.getAddress().getPort())));
    assertThat(probe.authenticate("j1", "alice", Jwts.rs256(rsa.getPrivate(), "{\"sub\":\"alice\"}")))
        .isEqualTo(ResultCode.SUCCESS);
    assertThat(probe.authenticate("j2", "alice", es256(ec, "e1", "{\"sub\":\"alice\"}")))
        .isEqualTo(ResultCode.SUCCESS);
    assertThat(probe.authenticate("j3", "bob", Jwts.rs256(rsa.getPrivate(), "{\"sub\":\"alice\"}")))
        .isEqualTo(ResultCode.PERMISSION_DENY);
    assertThat(probe.authenticate("j4", "alice", Jwts.hs256("a shared secret of at least 32 bytes",
        "{\"sub\":\"alice\"}"))).isEqualTo(ResultCode.PERMISSION_DENY);
    assertThat(fetches).hasValue(1);

    // An endpoint that is down: the JWT authenticator ignores, the next one decides.
    int downPort;
    try (ServerSocket probePort = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      downPort = probePort.getLocalPort();
    }
    Probe chain = resources.track(new Probe("""
        gateway.exproto.authentication = [
          {mechanism = jwt, use_jwks = true, endpoint = "http://127.0.0.1:%d/jwks", refresh_interval = 5m}
          {mechanism = password_based, backend = http, url = "%s", body { username = "${username}" }}
        ]
        """.formatted(downPort, authUrl())));
    String token = Jwts.rs256(rsa.getPrivate(), "{}");
    assertThat(chain.authenticate("j5", "httpuser", token)).isEqualTo(ResultCode.SUCCESS);
    verdict.set("deny");
    assertThat(chain.authenticate("j6", "httpuser", token)).isEqualTo(ResultCode.PERMISSION_DENY);
    assertThat(requests).hasSize(2);
  }

  @Test
  void jwtWithAnHttpsJwksEndpointTrustedByItsCacertfile() throws Exception {
    TestCertificates certificates = TestCertificates.generate();
    certificates.writeAll(dir);
    KeyPair ec = p256();
    String jwks = new JWKSet(new ECKey.Builder(Curve.P_256, (ECPublicKey) ec.getPublic()).keyID("e1").build())
        .toString();
    HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    https.setHttpsConfigurator(new HttpsConfigurator(certificates.serverSslContext()));
    https.createContext("/jwks", exchange -> sendJson(exchange, jwks));
    https.start();
    try {
      String endpoint = "https://127.0.0.1:" + https.getAddress().getPort() + "/jwks";
      Probe trusted = resources.track(new Probe("""
          gateway.exproto.authentication {
            mechanism = jwt, use_jwks = true, endpoint = "%s"
            ssl { enable = true, cacertfile = "%s", verify = verify_peer }
          }
          """.formatted(endpoint, dir.resolve("ca.pem"))));
      assertThat(trusted.authenticate("t1", "", es256(ec, "e1", "{}"))).isEqualTo(ResultCode.SUCCESS);
      // Without the CA the JDK's store decides, which does not know the test CA: no keys, no entry.
      Probe untrusted = resources.track(new Probe("""
          gateway.exproto.authentication { mechanism = jwt, use_jwks = true, endpoint = "%s" }
          """.formatted(endpoint)));
      assertThat(untrusted.authenticate("t2", "", es256(ec, "e1", "{}"))).isEqualTo(ResultCode.PERMISSION_DENY);
    } finally {
      https.stop(0);
    }
  }

  @Test
  void authorizationRulesAndNoMatch() throws Exception {
    Probe strict = resources.track(new Probe("""
        gateway.exproto.authorization {
          no_match = deny
          rules = [
            {permission = allow, action = publish, topic = "up/${clientid}"}
            {permission = deny, action = subscribe, topic = "down/secret"}
            {permission = allow, action = subscribe, topic = "down/#"}
          ]
        }
        """));
    String conn = strict.connect();
    Adapter adapter = strict.gateway.adapter();
    assertThat(adapter.authenticate(conn, ClientInfo.of("dev-1", ""), "").toCompletableFuture().get().code())
        .isEqualTo(ResultCode.SUCCESS);
    assertThat(code(adapter.publish(conn, "up/dev-1", 0, new byte[] {1}))).isEqualTo(ResultCode.SUCCESS);
    assertThat(code(adapter.publish(conn, "up/dev-2", 0, new byte[] {1}))).isEqualTo(ResultCode.PERMISSION_DENY);
    assertThat(code(adapter.subscribe(conn, "down/news", 0))).isEqualTo(ResultCode.SUCCESS);
    assertThat(code(adapter.subscribe(conn, "down/secret", 0))).isEqualTo(ResultCode.PERMISSION_DENY);
    assertThat(code(adapter.subscribe(conn, "elsewhere", 0))).isEqualTo(ResultCode.PERMISSION_DENY);

    Probe open = resources.track(new Probe("""
        gateway.exproto.authorization {
          no_match = allow
          rules = [{permission = deny, topic = "admin/#"}]
        }
        """));
    String other = open.connect();
    Adapter openAdapter = open.gateway.adapter();
    assertThat(openAdapter.authenticate(other, ClientInfo.of("dev-3", ""), "").toCompletableFuture().get().code())
        .isEqualTo(ResultCode.SUCCESS);
    assertThat(code(openAdapter.publish(other, "anything", 0, new byte[] {1}))).isEqualTo(ResultCode.SUCCESS);
    // No action: the rule covers publish and subscribe.
    assertThat(code(openAdapter.publish(other, "admin/x", 0, new byte[] {1}))).isEqualTo(ResultCode.PERMISSION_DENY);
    assertThat(code(openAdapter.subscribe(other, "admin/#", 0))).isEqualTo(ResultCode.PERMISSION_DENY);
    await().atMost(Duration.ofSeconds(10)).until(() -> open.gateway.metrics().get(GatewayMetrics.AUTHZ_DENIED) == 2);
  }

  private static ResultCode code(CompletionStage<io.exproto.adapter.Result> result) throws Exception {
    return result.toCompletableFuture().get(30, TimeUnit.SECONDS).code();
  }
}
