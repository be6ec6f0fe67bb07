package io.exproto.auth.jwt;

import static io.exproto.auth.jwt.Tokens.b64;
import static io.exproto.auth.jwt.Tokens.header;
import static io.exproto.auth.jwt.Tokens.hs;
import static io.exproto.auth.jwt.Tokens.rs;
import static io.exproto.auth.jwt.Tokens.signed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.exproto.adapter.ClientInfo;
import io.exproto.auth.AuthRequest;
import io.exproto.auth.AuthResult;
import io.exproto.auth.AuthResult.Decision;
import io.exproto.listener.Address;
import io.exproto.listener.ConnectionInfo;
import io.exproto.listener.SocketType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JwtAuthenticatorTest {

  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final long NOW_S = NOW.getEpochSecond();
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
      .getBytes(StandardCharsets.UTF_8);

  private static KeyPair rsa;
  private static KeyPair otherRsa;

  @BeforeAll
  static void keys() throws Exception {
    rsa = Tokens.rsaKeys();
    otherRsa = Tokens.rsaKeys();
  }

  static AuthRequest request(String clientId, String username, String token) {
    ConnectionInfo connection = ConnectionInfo.of(SocketType.TCP, new Address("127.0.0.1", 50000),
        new Address("127.0.0.1", 7993), "tcp:default");
    return new AuthRequest(connection, ClientInfo.of(clientId, username), token);
  }

  private static AuthResult check(JwtAuthenticator auth, String token) {
    return check(auth, "c1", "alice", token);
  }

  private static AuthResult check(JwtAuthenticator auth, String clientId, String username, String token) {
    AuthResult result = auth.authenticate(request(clientId, username, token)).toCompletableFuture().join();
    for (String part : token.split("\\.")) {
      if (part.length() > 3) {
        assertThat(result.reason()).as("the reason never quotes the token").doesNotContain(part);
      }
    }
    return result;
  }

  private static JwtAuthenticator hmac(JwtAlgorithm algorithm) {
    return JwtAuthenticator.builder().algorithm(algorithm).secret(SECRET).clock(CLOCK).build();
  }

  private static JwtAuthenticator rs256() {
    return JwtAuthenticator.builder().algorithm(JwtAlgorithm.RS256).publicKey(Tokens.pem(rsa.getPublic()))
        .clock(CLOCK).build();
  }

  private static void assertDenied(AuthResult result, String reasonPart) {
    assertThat(result.decision()).isEqualTo(Decision.DENY);
    assertThat(result.reason()).contains(reasonPart);
  }

  @ParameterizedTest
  @ValueSource(strings = {"HS256", "HS384", "HS512"})
  void validHmacTokensAreAllowed(String alg) throws Exception {
    String token = hs(alg, "{\"sub\":\"alice\"}", SECRET);
    assertThat(check(hmac(JwtAlgorithm.valueOf(alg)), token)).isEqualTo(AuthResult.allow());
  }

  @Test
  void validRs256TokensAreAllowedWithAPemOrAKeyObject() throws Exception {
    String token = rs("RS256", "{\"sub\":\"alice\"}", rsa.getPrivate());
    assertThat(check(rs256(), token)).isEqualTo(AuthResult.allow());
    JwtAuthenticator fromKey = JwtAuthenticator.builder().publicKey(rsa.getPublic()).clock(CLOCK).build();
    assertThat(check(fromKey, token)).isEqualTo(AuthResult.allow());
  }

  @Test
  void severalAlgorithmsOfOneFamilyCanBeAccepted() throws Exception {
    JwtAuthenticator any = JwtAuthenticator.builder()
        .algorithms(JwtAlgorithm.HS256, JwtAlgorithm.HS384, JwtAlgorithm.HS512).secret(SECRET).clock(CLOCK).build();
    assertThat(check(any, hs("HS384", "{}", SECRET)).decision()).isEqualTo(Decision.ALLOW);
    JwtAuthenticator rsAny = JwtAuthenticator.builder().algorithms(JwtAlgorithm.RS256, JwtAlgorithm.RS512)
        .publicKey(rsa.getPublic()).clock(CLOCK).build();
    assertThat(check(rsAny, rs("RS512", "{}", rsa.getPrivate())).decision()).isEqualTo(Decision.ALLOW);
  }

  @Test
  void expIsTheConnectionExpiry() throws Exception {
    String token = hs("HS256", "{\"exp\":" + (NOW_S + 3600) + "}", SECRET);
    AuthResult result = check(hmac(JwtAlgorithm.HS256), token);
    assertThat(result).isEqualTo(AuthResult.allowUntil(NOW.plusSeconds(3600)));
    String fractional = hs("HS256", "{\"exp\":" + (NOW_S + 1) + ".5}", SECRET);
    assertThat(check(hmac(JwtAlgorithm.HS256), fractional).expiresAt()).contains(NOW.plusMillis(1500));
  }

  @Test
  void expiredTokensAreDenied() throws Exception {
    assertDenied(check(hmac(JwtAlgorithm.HS256), hs("HS256", "{\"exp\":" + (NOW_S - 1) + "}", SECRET)),
        "expired");
    assertDenied(check(hmac(JwtAlgorithm.HS256), hs("HS256", "{\"exp\":" + NOW_S + "}", SECRET)), "expired");
    assertDenied(check(hmac(JwtAlgorithm.HS256), hs("HS256", "{\"exp\":\"tomorrow\"}", SECRET)),
        "exp is not a valid time");
    assertDenied(check(hmac(JwtAlgorithm.HS256), hs("HS256", "{\"exp\":1e300}", SECRET)),
        "exp is not a valid time");
  }

  @Test
  void notBeforeInTheFutureIsDenied() throws Exception {
    assertDenied(check(hmac(JwtAlgorithm.HS256), hs("HS256", "{\"nbf\":" + (NOW_S + 60) + "}", SECRET)), "nbf");
    assertThat(check(hmac(JwtAlgorithm.HS256), hs("HS256", "{\"nbf\":" + NOW_S + "}", SECRET)).decision())
        .isEqualTo(Decision.ALLOW);
  }

  @Test
  void badSignaturesAreDenied() throws Exception {
    byte[] otherSecret = "another secret entirely, 32 bytes+".getBytes(StandardCharsets.UTF_8);
    assertDenied(check(hmac(JwtAlgorithm.HS256), hs("HS256", "{}", otherSecret)), "signature is invalid");
    assertDenied(check(rs256(), rs("RS256", "{}", otherRsa.getPrivate())), "signature is invalid");

    String good = hs("HS256", "{\"sub\":\"alice\"}", SECRET);
    String[] parts = good.split("\\.");
    String tampered = parts[0] + "." + b64("{\"sub\":\"admin\"}") + "." + parts[2];
    assertDenied(check(hmac(JwtAlgorithm.HS256), tampered), "signature is invalid");
    assertDenied(check(hmac(JwtAlgorithm.HS256), parts[0] + "." + parts[1] + "." + parts[2].substring(1)),
        "signature");
  }

  @Test
  void anAlgorithmOtherThanTheConfiguredOneIsDenied() throws Exception {
    assertDenied(check(rs256(), hs("HS256", "{}", SECRET)), "algorithm HS256 is not accepted");
    assertDenied(check(hmac(JwtAlgorithm.HS256), rs("RS256", "{}", rsa.getPrivate())),
        "algorithm RS256 is not accepted");
    assertDenied(check(hmac(JwtAlgorithm.HS256), hs("HS512", "{}", SECRET)), "algorithm HS512 is not accepted");
    assertDenied(check(hmac(JwtAlgorithm.HS256), Tokens.hmac(header("EdDSA"), "{}", "HmacSHA256", SECRET)),
        "algorithm (unsupported) is not accepted");
    assertDenied(check(hmac(JwtAlgorithm.HS256), Tokens.hmac(header("ES256"), "{}", "HmacSHA256", SECRET)),
        "algorithm ES256 is not accepted");
  }

  @Test
  void anHmacTokenKeyedWithThePublicKeyIsDenied() throws Exception {
    // The classic confusion attack: the public key's PEM text used as an HMAC secret.
    byte[] pemAsSecret = Tokens.pem(rsa.getPublic()).getBytes(StandardCharsets.US_ASCII);
    assertDenied(check(rs256(), hs("HS256", "{\"sub\":\"admin\"}", pemAsSecret)), "algorithm HS256 is not accepted");
  }

  @Test
  void unsignedTokensAreDenied() throws Exception {
    String payload = b64("{\"sub\":\"admin\"}");
    assertDenied(check(hmac(JwtAlgorithm.HS256), b64(header("none")) + "." + payload + "."), "alg none");
    assertDenied(check(rs256(), b64(header("NoNe")) + "." + payload + "."), "alg none");
    assertDenied(check(hmac(JwtAlgorithm.HS256), b64(header("none")) + "." + payload + "." + b64("x")),
        "alg none");
    assertDenied(check(hmac(JwtAlgorithm.HS256), b64(header("HS256")) + "." + payload + "."),
        "signature is missing");
  }

  @Test
  void malformedTokensAreDenied() throws Exception {
    JwtAuthenticator auth = hmac(JwtAlgorithm.HS256);
    assertDenied(check(auth, "abcd.efgh.ijkl"), "header is malformed");
    assertDenied(check(auth, b64("[1,2]") + "." + b64("{}") + ".abcd"), "header is malformed");
    assertDenied(check(auth, b64("{\"typ\":\"JWT\"}") + "." + b64("{}") + ".abcd"), "header has no alg");
    assertDenied(check(auth, b64("{\"alg\":256}") + "." + b64("{}") + ".abcd"), "header has no alg");
    assertDenied(check(auth, Tokens.hmac(header("HS256"), "not json", "HmacSHA256", SECRET)),
        "payload is malformed");
    assertDenied(check(auth, Tokens.hmac(header("HS256"), "[\"array\"]", "HmacSHA256", SECRET)),
        "payload is malformed");
    assertDenied(check(auth, Tokens.hmac("{\"alg\":\"HS256\",\"crit\":[\"x\"],\"x\":1}", "{}", "HmacSHA256",
        SECRET)), "crit");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "plain-password", "a.b", "a.b.c.d", "has space.abc.def", "abc.def.gh=", ".abc.def",
      "abc..def"})
  void passwordsThatAreNotJwtsAreIgnored(String password) {
    assertThat(check(hmac(JwtAlgorithm.HS256), password)).isEqualTo(AuthResult.ignore());
  }

  @Test
  void verifyClaimsBindTheTokenToTheClient() throws Exception {
    JwtAuthenticator auth = JwtAuthenticator.builder().secret(SECRET).clock(CLOCK)
        .verifyClaim("clientid", "${clientid}")
        .verifyClaims(Map.of("sub", "user:${username}", "iss", "my-issuer"))
        .build();
    String token = hs("HS256", "{\"clientid\":\"dev-1\",\"sub\":\"user:alice\",\"iss\":\"my-issuer\"}", SECRET);
    assertThat(check(auth, "dev-1", "alice", token)).isEqualTo(AuthResult.allow());
    assertDenied(check(auth, "dev-2", "alice", token), "claim clientid does not match ${clientid}");
    assertDenied(check(auth, "dev-1", "bob", token), "claim sub does not match user:${username}");
    assertDenied(check(auth, "dev-1", "alice",
        hs("HS256", "{\"sub\":\"user:alice\",\"iss\":\"my-issuer\"}", SECRET)), "claim clientid is missing");
    assertDenied(check(auth, "dev-1", "alice",
        hs("HS256", "{\"clientid\":{\"x\":1},\"sub\":\"user:alice\",\"iss\":\"my-issuer\"}", SECRET)),
        "claim clientid does not match");

    JwtAuthenticator byUsername = JwtAuthenticator.builder().secret(SECRET).clock(CLOCK)
        .verifyClaim("username", "${username}").build();
    assertDenied(check(byUsername, "dev-1", "", hs("HS256", "{\"username\":\"\"}", SECRET)),
        "claim username cannot be checked");
  }

  @Test
  void base64SecretsAreDecoded() throws Exception {
    JwtAuthenticator auth = JwtAuthenticator.builder().secretBase64(Base64.getEncoder().encodeToString(SECRET))
        .clock(CLOCK).build();
    assertThat(check(auth, hs("HS256", "{}", SECRET))).isEqualTo(AuthResult.allow());
  }

  @Test
  void theConfigurationIsValidatedWithoutQuotingSecrets() {
    assertThatThrownBy(() -> JwtAuthenticator.builder().build())
        .hasMessageStartingWith("secret (for HS256/HS384/HS512) or public_key (for RS256/RS384/RS512) is required");
    assertThatThrownBy(() -> JwtAuthenticator.builder().secret(SECRET).publicKey(rsa.getPublic()).build())
        .hasMessageStartingWith("set either secret");
    assertThatThrownBy(() -> JwtAuthenticator.builder().algorithm(JwtAlgorithm.RS256).secret(SECRET).build())
        .hasMessage("algorithm RS256 needs a public_key, but secret is set");
    assertThatThrownBy(() -> JwtAuthenticator.builder().algorithm(JwtAlgorithm.HS256).publicKey(rsa.getPublic())
        .build()).hasMessage("algorithm HS256 needs a secret, but public_key is set");
    assertThatThrownBy(() -> JwtAuthenticator.builder().secret(""))
        .hasMessage("secret must not be empty");
    assertThatThrownBy(() -> JwtAuthenticator.builder().secretBase64("s3cr3t!*"))
        .hasMessage("secret is not valid base64 (secret_base64_encoded = true)")
        .hasNoCause();
    assertThatThrownBy(() -> JwtAuthenticator.builder().publicKey("MIIBIjANBg"))
        .hasMessageStartingWith("public_key must be PEM text between -----BEGIN PUBLIC KEY-----");
    assertThatThrownBy(() -> JwtAuthenticator.builder()
        .publicKey("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"))
        .hasMessage("public_key is not an RSA or EC public key");
    assertThatThrownBy(() -> JwtAuthenticator.builder().secret(SECRET).verifyClaim("sub", "${peerhost}").build())
        .hasMessageStartingWith("verify_claims.sub: unknown placeholder ${peerhost}");
  }

  @Test
  void toStringShowsNoKey() {
    JwtAuthenticator auth = JwtAuthenticator.builder().secret("top-secret-value").verifyClaim("sub", "${username}")
        .build();
    assertThat(auth.toString()).isEqualTo("JwtAuthenticator[algorithms=[HS256], verify_claims=[sub]]")
        .doesNotContain("top-secret-value");
  }

  // ---- ES and PS, and the classic attacks, with a secret or a public key ----

  @ParameterizedTest
  @CsvSource({"ES256, secp256r1", "ES384, secp384r1", "ES512, secp521r1"})
  void ecTokensAreAllowedWithTheAlgorithmOfTheKeysCurve(String alg, String curve) throws Exception {
    KeyPair keys = Tokens.ecKeys(curve);
    JwtAuthenticator auth = JwtAuthenticator.builder().publicKey(Tokens.pem(keys.getPublic())).clock(CLOCK).build();
    assertThat(auth.toString()).contains("algorithms=[" + alg + "]");
    assertThat(check(auth, signed(alg, null, "{\"sub\":\"alice\"}", keys.getPrivate())))
        .isEqualTo(AuthResult.allow());
  }

  @Test
  void ecSignaturesAreChecked() throws Exception {
    KeyPair p256 = Tokens.ecKeys("secp256r1");
    JwtAuthenticator auth = JwtAuthenticator.builder().publicKey(p256.getPublic()).clock(CLOCK).build();
    assertDenied(check(auth, signed("ES256", null, "{}", Tokens.ecKeys("secp256r1").getPrivate())), "signature is invalid");
    String[] parts = signed("ES256", null, "{\"sub\":\"alice\"}", p256.getPrivate()).split("\\.");
    // CVE-2022-21449, "psychic signatures": r = s = 0 must never verify.
    assertDenied(check(auth, parts[0] + "." + parts[1] + "." + b64(new byte[64])), "signature is invalid");
    // The payload changed under a valid signature.
    assertDenied(check(auth, parts[0] + "." + b64("{\"sub\":\"admin\"}") + "." + parts[2]), "signature is invalid");
    // A DER signature (the JDK's own format) where JWS has R || S.
    Signature der = Signature.getInstance("SHA256withECDSA");
    der.initSign(p256.getPrivate());
    der.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
    assertDenied(check(auth, parts[0] + "." + parts[1] + "." + b64(der.sign())), "signature is invalid");
    // Another curve's algorithm is not accepted for this key.
    assertDenied(check(auth, signed("ES384", null, "{}", Tokens.ecKeys("secp384r1").getPrivate())),
        "algorithm ES384 is not accepted");
  }

  @Test
  void psTokensAreAllowedWhenEveryAlgorithmOfTheKeyIs() throws Exception {
    String ps = signed("PS256", null, "{}", rsa.getPrivate());
    assertDenied(check(rs256(), ps), "algorithm PS256 is not accepted");
    JwtAuthenticator any = JwtAuthenticator.builder().anyAlgorithmOfTheKey().publicKey(rsa.getPublic()).clock(CLOCK)
        .build();
    assertThat(any.toString()).contains("algorithms=[RS256, RS384, RS512, PS256, PS384, PS512]");
    assertThat(check(any, ps)).isEqualTo(AuthResult.allow());
    assertThat(check(any, signed("PS512", null, "{}", rsa.getPrivate()))).isEqualTo(AuthResult.allow());
    assertThat(check(any, rs("RS384", "{}", rsa.getPrivate()))).isEqualTo(AuthResult.allow());
    assertDenied(check(any, signed("PS256", null, "{}", otherRsa.getPrivate())), "signature is invalid");
  }

  @Test
  void keyConfusionIsRefusedForEveryKindOfPublicKey() throws Exception {
    // HS256 "signed" with the public key as the HMAC secret, in each encoding an attacker might try.
    KeyPair p256 = Tokens.ecKeys("secp256r1");
    for (KeyPair keys : List.of(rsa, p256)) {
      JwtAuthenticator auth = JwtAuthenticator.builder().anyAlgorithmOfTheKey().publicKey(keys.getPublic())
          .clock(CLOCK).build();
      for (byte[] secret : List.of(Tokens.pem(keys.getPublic()).getBytes(StandardCharsets.US_ASCII),
          keys.getPublic().getEncoded())) {
        for (String alg : List.of("HS256", "HS512")) {
          assertDenied(check(auth, hs(alg, "{\"sub\":\"admin\"}", secret)), "algorithm " + alg + " is not accepted");
        }
      }
    }
  }

  @Test
  void tamperedRsaSignaturesAreDenied() throws Exception {
    String[] parts = rs("RS256", "{\"sub\":\"alice\"}", rsa.getPrivate()).split("\\.");
    byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
    signature[signature.length / 2] ^= 1;
    assertDenied(check(rs256(), parts[0] + "." + parts[1] + "." + b64(signature)), "signature is invalid");
    // The same signature under a header naming another accepted algorithm.
    JwtAuthenticator any = JwtAuthenticator.builder().anyAlgorithmOfTheKey().publicKey(rsa.getPublic()).clock(CLOCK)
        .build();
    assertDenied(check(any, b64(header("RS512")) + "." + parts[1] + "." + parts[2]), "signature is invalid");
    assertDenied(check(any, b64(header("PS256")) + "." + parts[1] + "." + parts[2]), "signature is invalid");
  }

  @Test
  void timeClaimsFollowTheInjectedClock() throws Exception {
    MutableClock clock = new MutableClock(NOW);
    KeyPair p384 = Tokens.ecKeys("secp384r1");
    JwtAuthenticator es = JwtAuthenticator.builder().publicKey(p384.getPublic()).clock(clock).build();
    String expiring = signed("ES384", null, "{\"exp\":" + (NOW_S + 60) + "}", p384.getPrivate());
    String later = signed("ES384", null, "{\"nbf\":" + (NOW_S + 60) + "}", p384.getPrivate());
    assertThat(check(es, expiring)).isEqualTo(AuthResult.allowUntil(NOW.plusSeconds(60)));
    assertDenied(check(es, later), "not valid yet (nbf)");
    clock.advance(Duration.ofSeconds(60));
    assertDenied(check(es, expiring), "has expired (exp)");
    assertThat(check(es, later)).isEqualTo(AuthResult.allow());
  }

  @Test
  void aWrongIssuerOrAudienceIsDenied() throws Exception {
    JwtAuthenticator auth = JwtAuthenticator.builder().secret(SECRET).clock(CLOCK)
        .verifyClaim("iss", "https://issuer.example").verifyClaim("aud", "gateway").build();
    String iss = "\"iss\":\"https://issuer.example\"";
    assertThat(check(auth, hs("HS256", "{" + iss + ",\"aud\":\"gateway\"}", SECRET))).isEqualTo(AuthResult.allow());
    assertThat(check(auth, hs("HS256", "{" + iss + ",\"aud\":[\"other\",\"gateway\"]}", SECRET)))
        .isEqualTo(AuthResult.allow());
    assertDenied(check(auth, hs("HS256", "{\"iss\":\"https://evil.example\",\"aud\":\"gateway\"}", SECRET)),
        "claim iss does not match https://issuer.example");
    assertDenied(check(auth, hs("HS256", "{" + iss + ",\"aud\":\"other\"}", SECRET)),
        "claim aud does not match gateway");
    assertDenied(check(auth, hs("HS256", "{" + iss + ",\"aud\":[\"other\"]}", SECRET)),
        "claim aud does not match gateway");
    assertDenied(check(auth, hs("HS256", "{" + iss + ",\"aud\":[]}", SECRET)), "claim aud does not match gateway");
    assertDenied(check(auth, hs("HS256", "{" + iss + ",\"aud\":[[\"gateway\"]]}", SECRET)),
        "claim aud does not match gateway");
    assertDenied(check(auth, hs("HS256", "{" + iss + "}", SECRET)), "claim aud is missing");
  }

  @Test
  void tokensOfAnAlgorithmTheSecretIsTooShortForAreDenied() throws Exception {
    // RFC 7518, section 3.2: an HMAC key at least as long as the hash. Nimbus will not use a shorter one.
    byte[] twelve = "short secret".getBytes(StandardCharsets.UTF_8);
    JwtAuthenticator tooShort = JwtAuthenticator.builder().secret(twelve).clock(CLOCK).build();
    assertDenied(check(tooShort, hs("HS256", "{}", twelve)),
        "JWT algorithm HS256 needs a secret of at least 32 bytes; the configured secret is shorter");
    byte[] forty = "forty bytes of secret, enough for HS256.".getBytes(StandardCharsets.UTF_8);
    JwtAuthenticator all = JwtAuthenticator.builder().anyAlgorithmOfTheKey().secret(forty).clock(CLOCK).build();
    assertThat(all.toString()).contains("algorithms=[HS256, HS384, HS512]");
    assertThat(check(all, hs("HS256", "{}", forty))).isEqualTo(AuthResult.allow());
    assertDenied(check(all, hs("HS384", "{}", forty)), "JWT algorithm HS384 needs a secret of at least 48 bytes");
    assertDenied(check(all, hs("HS512", "{}", forty)), "JWT algorithm HS512 needs a secret of at least 64 bytes");
  }

  @Test
  void theTokenCanBeReadFromTheUsername() throws Exception {
    JwtAuthenticator auth = JwtAuthenticator.builder().secret(SECRET).from(JwtAuthenticator.From.USERNAME)
        .verifyClaim("clientid", "${clientid}").clock(CLOCK).build();
    String token = hs("HS256", "{\"clientid\":\"c1\"}", SECRET);
    assertThat(auth.authenticate(request("c1", token, "")).toCompletableFuture().join())
        .isEqualTo(AuthResult.allow());
    assertThat(auth.authenticate(request("c1", "alice", token)).toCompletableFuture().join())
        .isEqualTo(AuthResult.ignore());
    assertThat(auth.toString()).contains("from=username");
  }

  @Test
  void unencodedPayloadsAndDuplicateMembersAreDenied() throws Exception {
    JwtAuthenticator auth = JwtAuthenticator.builder().secret(SECRET).verifyClaim("sub", "alice").clock(CLOCK)
        .build();
    assertDenied(check(auth, Tokens.hmac("{\"alg\":\"HS256\",\"b64\":false}", "{}", "HmacSHA256", SECRET)),
        "unencoded payload (b64");
    // Parsers disagree on which of two equal names wins: such a token is refused, not guessed at.
    assertDenied(check(auth, Tokens.hmac(header("HS256"), "{\"sub\":\"admin\",\"sub\":\"alice\"}", "HmacSHA256",
        SECRET)), "payload is malformed");
    assertDenied(check(auth, Tokens.hmac("{\"alg\":\"none\",\"alg\":\"HS256\"}", "{\"sub\":\"alice\"}",
        "HmacSHA256", SECRET)), "header is malformed");
  }

  @Test
  void keysAndAlgorithmsMustFit(@TempDir Path dir) throws Exception {
    KeyPair p256 = Tokens.ecKeys("secp256r1");
    assertThatThrownBy(() -> JwtAuthenticator.builder().algorithm(JwtAlgorithm.RS256).publicKey(p256.getPublic())
        .build()).hasMessage("algorithm RS256 needs an RSA public_key, but public_key is an EC key");
    assertThatThrownBy(() -> JwtAuthenticator.builder().algorithm(JwtAlgorithm.ES256).publicKey(rsa.getPublic())
        .build()).hasMessage("algorithm ES256 needs an EC public_key on P-256, but public_key is an RSA key");
    assertThatThrownBy(() -> JwtAuthenticator.builder().algorithm(JwtAlgorithm.ES384).publicKey(p256.getPublic())
        .build()).hasMessage("algorithm ES384 needs an EC public_key on P-384, but public_key is on P-256");
    assertThatThrownBy(() -> JwtAuthenticator.builder().algorithm(JwtAlgorithm.ES256).secret(SECRET).build())
        .hasMessage("algorithm ES256 needs a public_key, but secret is set");
    assertThatThrownBy(() -> JwtAuthenticator.builder().algorithm(JwtAlgorithm.HS256)
        .jwksEndpoint("https://issuer.example/jwks").build())
        .hasMessage("algorithm HS256 needs a secret, but endpoint (use_jwks = true) is set");
    assertThatThrownBy(() -> JwtAuthenticator.builder().jwksEndpoint("https://issuer.example/jwks").secret(SECRET)
        .build()).hasMessage("set either endpoint (use_jwks = true) or secret, not both");
    for (String url : List.of("ftp://issuer.example/jwks", "issuer.example/jwks", "https:///jwks")) {
      assertThatThrownBy(() -> JwtAuthenticator.builder().jwksEndpoint(url))
          .hasMessage("endpoint must be an http:// or https:// URL with a host");
    }
    assertThatThrownBy(() -> JwtAuthenticator.builder().jwksEndpoint("https://a b/"))
        .hasMessage("endpoint is not a valid URL");
    assertThatThrownBy(() -> JwtAuthenticator.builder().jwksRefreshInterval(Duration.ZERO))
        .hasMessage("refresh_interval must be more than zero");
    assertThatThrownBy(() -> JwtAuthenticator.builder().jwksEndpoint("http://127.0.0.1/jwks")
        .jwksSslContext(SSLContext.getDefault()).build())
        .hasMessage("ssl (the TLS trust of the JWKS endpoint) needs an https:// endpoint");
    Path missing = dir.resolve("missing-ca.pem");
    assertThatThrownBy(() -> JwtAuthenticator.builder().jwksCacertfile(missing))
        .hasMessage("ssl.cacertfile: cannot read " + missing + " (NoSuchFileException)");
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate");
    assertThatThrownBy(() -> JwtAuthenticator.builder().jwksCacertfile(garbage))
        .hasMessage("ssl.cacertfile: " + garbage + " holds no PEM certificate");
  }
}
