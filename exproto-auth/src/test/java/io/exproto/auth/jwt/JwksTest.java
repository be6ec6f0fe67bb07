package io.exproto.auth.jwt;

import static io.exproto.auth.jwt.Tokens.b64;
import static io.exproto.auth.jwt.Tokens.header;
import static io.exproto.auth.jwt.Tokens.hs;
import static io.exproto.auth.jwt.Tokens.signed;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import io.exproto.auth.AuthResult;
import io.exproto.auth.AuthResult.Decision;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * JWT verification with the keys of a JWKS endpoint: a real HTTP (or HTTPS) server on port 0.
 * Ages and gaps follow a {@link MutableClock}; the fetch timeout is real time.
 */
class JwksTest {

  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final String CLAIMS = "{\"sub\":\"alice\"}";

  private static KeyPair rsa1;
  private static KeyPair rsa2;
  private static KeyPair p256;
  private static RSAKey r1;
  private static RSAKey r2;
  private static ECKey e1;

  private final MutableClock clock = new MutableClock(NOW);
  private JwksServer server;

  @BeforeAll
  static void keys() throws Exception {
    rsa1 = Tokens.rsaKeys();
    rsa2 = Tokens.rsaKeys();
    p256 = Tokens.ecKeys("secp256r1");
    r1 = new RSAKey.Builder((RSAPublicKey) rsa1.getPublic()).keyID("r1").build();
    r2 = new RSAKey.Builder((RSAPublicKey) rsa2.getPublic()).keyID("r2").build();
    e1 = new ECKey.Builder(Curve.P_256, (ECPublicKey) p256.getPublic()).keyID("e1").build();
  }

  @BeforeEach
  void start() throws Exception {
    server = JwksServer.http();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private JwtAuthenticator.Builder jwks(String url) {
    return JwtAuthenticator.builder().jwksEndpoint(url).clock(clock);
  }

  private JwtAuthenticator jwks() {
    return jwks(server.url()).build();
  }

  private static CompletableFuture<AuthResult> start(JwtAuthenticator auth, String token) {
    return auth.authenticate(JwtAuthenticatorTest.request("c1", "alice", token)).toCompletableFuture();
  }

  private static AuthResult check(JwtAuthenticator auth, String token) throws Exception {
    AuthResult result = start(auth, token).get(10, TimeUnit.SECONDS);
    for (String part : token.split("\\.")) {
      if (part.length() > 3) {
        assertThat(result.reason()).as("the reason never quotes the token").doesNotContain(part);
      }
    }
    return result;
  }

  private static void assertResult(AuthResult result, Decision decision, String reasonPart) {
    assertThat(result.decision()).as(result.reason()).isEqualTo(decision);
    assertThat(result.reason()).contains(reasonPart);
  }

  private static String rs(String kid, KeyPair keys) throws Exception {
    return signed("RS256", kid, CLAIMS, keys.getPrivate());
  }

  @Test
  void theSetIsFetchedOnceAndItsKeyIsChosenByKid() throws Exception {
    server.serve(r1, e1);
    JwtAuthenticator auth = jwks();
    assertThat(auth.toString()).contains("algorithms=[RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512]")
        .contains("jwks=http://127.0.0.1:").doesNotContain("tenant");

    assertThat(check(auth, rs("r1", rsa1))).isEqualTo(AuthResult.allow());
    assertThat(check(auth, signed("ES256", "e1", CLAIMS, p256.getPrivate()))).isEqualTo(AuthResult.allow());
    assertThat(check(auth, signed("PS384", "r1", CLAIMS, rsa1.getPrivate()))).isEqualTo(AuthResult.allow());
    // Without a kid every key of the right type is tried.
    assertThat(check(auth, rs(null, rsa1))).isEqualTo(AuthResult.allow());
    assertThat(check(auth, signed("ES256", null, CLAIMS, p256.getPrivate()))).isEqualTo(AuthResult.allow());
    // Claims are checked as with a fixed key.
    assertResult(check(auth, signed("RS256", "r1", "{\"exp\":" + (NOW.getEpochSecond() - 1) + "}",
        rsa1.getPrivate())), Decision.DENY, "expired");
    assertThat(server.requests()).isEqualTo(1);

    // The kid names a key, but another key signed the token.
    assertResult(check(auth, rs("r1", rsa2)), Decision.DENY, "signature is invalid");
    assertResult(check(auth, rs(null, rsa2)), Decision.DENY, "signature is invalid");
    // The kid of an RSA key on an ES token: no EC key has it.
    assertResult(check(auth, signed("ES256", "r1", CLAIMS, p256.getPrivate())), Decision.DENY,
        "key id (kid) is not in the JWKS");
    assertThat(server.requests()).isEqualTo(1);
  }

  @Test
  void anUnknownKidFetchesTheSetAgainAtMostOncePerTenSeconds() throws Exception {
    server.serve(r1);
    JwtAuthenticator auth = jwks();
    assertThat(check(auth, rs("r1", rsa1))).isEqualTo(AuthResult.allow());
    assertThat(server.requests()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(10));
    assertResult(check(auth, rs("r2", rsa2)), Decision.DENY, "JWT key id (kid) is not in the JWKS");
    assertThat(server.requests()).isEqualTo(2);
    // Random kids cannot make the gateway hammer the endpoint.
    for (int i = 0; i < 5; i++) {
      assertResult(check(auth, rs("random-" + i, rsa2)), Decision.DENY, "kid");
    }
    assertThat(server.requests()).isEqualTo(2);

    // The issuer rotates its keys: the next unknown kid after the gap finds the new one.
    server.serve(r1, r2);
    clock.advance(Duration.ofSeconds(10));
    assertThat(check(auth, rs("r2", rsa2))).isEqualTo(AuthResult.allow());
    assertThat(server.requests()).isEqualTo(3);
  }

  @Test
  void anOldSetServesWhileItIsFetchedAgainInTheBackground() throws Exception {
    server.serve(r1);
    JwtAuthenticator auth = jwks(server.url()).jwksRefreshInterval(Duration.ofSeconds(60)).build();
    assertThat(check(auth, rs("r1", rsa1))).isEqualTo(AuthResult.allow());
    clock.advance(Duration.ofSeconds(59));
    assertThat(check(auth, rs("r1", rsa1))).isEqualTo(AuthResult.allow());
    assertThat(server.requests()).isEqualTo(1);

    // r1 is withdrawn. At 60 s the cached set still answers at once, and a fetch starts.
    server.serve(r2);
    clock.advance(Duration.ofSeconds(1));
    CompletableFuture<AuthResult> atOnce = start(auth, rs("r1", rsa1));
    assertThat(atOnce).isCompletedWithValue(AuthResult.allow());
    // A token of the new key waits for that fetch rather than start another.
    assertThat(check(auth, rs("r2", rsa2))).isEqualTo(AuthResult.allow());
    assertThat(server.requests()).isEqualTo(2);
    assertResult(check(auth, rs("r1", rsa1)), Decision.DENY, "key id (kid) is not in the JWKS");
    assertThat(server.requests()).isEqualTo(2);
  }

  @Test
  void tokensArrivingDuringTheFirstFetchShareIt() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    String body = new com.nimbusds.jose.jwk.JWKSet(r1).toString(true);
    server.answer(exchange -> {
      gate.await(10, TimeUnit.SECONDS);
      JwksServer.body(body).send(exchange);
    });
    JwtAuthenticator auth = jwks();
    List<CompletableFuture<AuthResult>> waiting = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      waiting.add(start(auth, rs("r1", rsa1)));
    }
    assertThat(waiting).noneMatch(CompletableFuture::isDone);
    gate.countDown();
    for (CompletableFuture<AuthResult> result : waiting) {
      assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo(AuthResult.allow());
    }
    assertThat(server.requests()).isEqualTo(1);
  }

  @Test
  void whenTheEndpointIsDownJwtsAreIgnoredAndRetriedAfterTheGap() throws Exception {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    JwtAuthenticator down = jwks("http://127.0.0.1:" + closedPort + "/jwks").build();
    assertResult(check(down, rs("r1", rsa1)), Decision.IGNORE,
        "JWT cannot be checked: the JWKS cannot be fetched (the endpoint is unreachable)");

    server.answer(JwksServer.status(503));
    JwtAuthenticator auth = jwks();
    assertResult(check(auth, rs("r1", rsa1)), Decision.IGNORE, "the endpoint answered status 503");
    // Within the gap the answer is at once, without a request.
    CompletableFuture<AuthResult> again = start(auth, rs("r1", rsa1));
    assertThat(again).isDone();
    assertResult(again.join(), Decision.IGNORE, "status 503");
    assertThat(server.requests()).isEqualTo(1);

    server.serve(r1);
    clock.advance(Duration.ofSeconds(10));
    assertThat(check(auth, rs("r1", rsa1))).isEqualTo(AuthResult.allow());
    assertThat(server.requests()).isEqualTo(2);
  }

  @Test
  void aSlowEndpointIsTimedOut() throws Exception {
    server.hang();
    JwtAuthenticator auth = jwks(server.url()).jwksFetchTimeout(Duration.ofMillis(300)).build();
    List<CompletableFuture<AuthResult>> waiting = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      waiting.add(start(auth, rs("r1", rsa1)));
    }
    for (CompletableFuture<AuthResult> result : waiting) {
      assertResult(result.get(10, TimeUnit.SECONDS), Decision.IGNORE, "timed out after 300 ms");
    }
    assertThat(server.requests()).isEqualTo(1);
  }

  static Stream<Arguments> badAnswers() {
    int max = 64 * 1024;
    return Stream.of(
        Arguments.of("not json", JwksServer.body("<html>not json</html>"), "is not a JWK set"),
        Arguments.of("an array", JwksServer.body("[]"), "is not a JWK set"),
        Arguments.of("no keys", JwksServer.body("{\"keys\":{}}"), "is not a JWK set"),
        Arguments.of("a broken key", JwksServer.body("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\"}]}"),
            "is not a JWK set"),
        Arguments.of("status 500", JwksServer.status(500), "answered status 500"),
        Arguments.of("a redirect", JwksServer.status(302), "answered status 302"),
        Arguments.of("a huge declared body", JwksServer.huge(4 * 1024 * 1024, true), "larger than " + max + " bytes"),
        Arguments.of("a huge chunked body", JwksServer.huge(4 * 1024 * 1024, false), "larger than " + max + " bytes"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badAnswers")
  void aBadAnswerIsAFailedFetch(String name, JwksServer.Answer answer, String reason) throws Exception {
    server.answer(answer);
    JwtAuthenticator auth = jwks(server.url()).jwksMaxBytes(64 * 1024).build();
    assertResult(check(auth, rs("r1", rsa1)), Decision.IGNORE, reason);
  }

  @Test
  void anOldSetServesThroughAnOutageForFiveIntervals() throws Exception {
    server.serve(r1);
    JwtAuthenticator auth = jwks(server.url()).jwksRefreshInterval(Duration.ofSeconds(60)).build();
    assertThat(check(auth, rs("r1", rsa1))).isEqualTo(AuthResult.allow());
    server.answer(JwksServer.status(500));

    clock.advance(Duration.ofSeconds(299));
    // An unknown kid waits for the fetch it starts, which fails: the old set still serves.
    assertResult(check(auth, rs("r2", rsa2)), Decision.DENY, "kid");
    assertThat(server.requests()).isEqualTo(2);
    assertThat(check(auth, rs("r1", rsa1))).isEqualTo(AuthResult.allow());

    clock.advance(Duration.ofSeconds(1));
    assertResult(check(auth, rs("r1", rsa1)), Decision.IGNORE, "is too old and cannot be fetched again"
        + " (the endpoint answered status 500)");

    server.serve(r1);
    clock.advance(Duration.ofSeconds(10));
    assertThat(check(auth, rs("r1", rsa1))).isEqualTo(AuthResult.allow());
  }

  @Test
  void keyConfusionAndUnsignedTokensAreRefused() throws Exception {
    byte[] sharedSecret = "a symmetric key an endpoint should never publish".getBytes(StandardCharsets.UTF_8);
    OctetSequenceKey h1 = new OctetSequenceKey.Builder(sharedSecret).keyID("h1").build();
    server.serve(r1, e1, h1);
    JwtAuthenticator auth = jwks();
    String payload = b64("{\"sub\":\"admin\"}");
    assertResult(check(auth, b64("{\"alg\":\"none\",\"kid\":\"r1\"}") + "." + payload + "."), Decision.DENY,
        "alg none");
    for (byte[] secret : List.of(sharedSecret, rsa1.getPublic().getEncoded(),
        Tokens.pem(rsa1.getPublic()).getBytes(StandardCharsets.US_ASCII), r1.getModulus().decode())) {
      assertResult(check(auth, hs("HS256", "{\"sub\":\"admin\"}", secret)), Decision.DENY,
          "algorithm HS256 is not accepted");
    }
    // A P-384 key under the kid of the set's P-256 key.
    assertResult(check(auth, signed("ES384", "e1", CLAIMS, Tokens.ecKeys("secp384r1").getPrivate())),
        Decision.DENY, "signature is invalid");
    // A tampered signature under a known kid.
    String[] parts = rs("r1", rsa1).split("\\.");
    assertResult(check(auth, parts[0] + "." + b64("{\"sub\":\"admin\"}") + "." + parts[2]), Decision.DENY,
        "signature is invalid");
    assertResult(check(auth, b64(header("RS256")) + "." + parts[1] + "." + parts[2].substring(2)), Decision.DENY,
        "signature");
  }

  @Test
  void privateKeysInTheSetAreNotNeededNorKept() throws Exception {
    // An endpoint that leaks its private key: verification uses the public half only.
    RSAKey leaked = new RSAKey.Builder((RSAPublicKey) rsa1.getPublic()).privateKey((RSAPrivateKey) rsa1.getPrivate())
        .keyID("r1").build();
    server.answer(JwksServer.body(new com.nimbusds.jose.jwk.JWKSet(leaked).toString(false)));
    assertThat(check(jwks(), rs("r1", rsa1))).isEqualTo(AuthResult.allow());
  }

  @Test
  void anHttpsEndpointIsTrustedByItsCacertfile(@TempDir Path dir) throws Exception {
    try (JwksServer https = JwksServer.https()) {
      https.serve(r1);
      JwtAuthenticator trusted = jwks(https.url()).jwksCacertfile(https.writeCa(dir.resolve("ca.pem"))).build();
      assertThat(check(trusted, rs("r1", rsa1))).isEqualTo(AuthResult.allow());
      // The JDK's own CA store does not know the test CA.
      JwtAuthenticator untrusted = jwks(https.url()).build();
      assertResult(check(untrusted, rs("r1", rsa1)), Decision.IGNORE, "the request failed (SSLHandshakeException)");
    }
  }
}
