package io.exproto.auth.jwt;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.exproto.auth.AuthRequest;
import io.exproto.auth.AuthResult;
import io.exproto.auth.Authenticator;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates clients whose password (or username) is a JSON Web Token (JWS compact form), like
 * EMQX's JWT authentication. Signatures are verified by Nimbus JOSE+JWT.
 *
 * <ul>
 *   <li>A token that is not shaped like a JWT (three base64url parts separated by dots) gets
 *       IGNORE, so the next authenticator of the chain can check it as a plain password.</li>
 *   <li>A JWT gets DENY when its header or payload is malformed, its {@code alg} is {@code none}
 *       or not one of the accepted algorithms (an HMAC token is never checked against a public
 *       key or the reverse), its signature is wrong, its {@code exp} has passed, its {@code nbf}
 *       has not come, it has {@code crit} headers, or a verify-claim does not match. The reason
 *       names the failed check, never the token.</li>
 *   <li>With a JWKS endpoint ({@link Builder#jwksEndpoint}), the key is chosen from the endpoint's
 *       key set by the token's {@code kid} (or, without one, every key of the right type is
 *       tried). A {@code kid} the cached set lacks fetches the set again at once (at most once per
 *       10 s); still absent, DENY. When no key set can be had (the endpoint is down, slow, or
 *       answers something that is not a JWK set, and no earlier set is still usable), the answer
 *       is IGNORE, as EMQX's, with the reason in {@link AuthResult#reason()}.</li>
 *   <li>Otherwise ALLOW, until {@code exp} when the token has one: the gateway then closes the
 *       connection with reason {@code expired}.</li>
 * </ul>
 *
 * <p>With a secret or a public key, verification runs on the calling thread (it is fast and does
 * not block). With a JWKS endpoint it does too while the cached key set serves; a fetch runs
 * asynchronously on the JDK's HTTP client and the stage completes on its threads. The returned
 * stage never completes exceptionally. Thread-safe.
 *
 * <pre>{@code
 * Authenticator jwt = JwtAuthenticator.builder()
 *     .algorithm(JwtAlgorithm.HS256)
 *     .secret("a shared secret of at least 32 bytes....")
 *     .verifyClaim("clientid", "${clientid}")
 *     .build();
 * Authenticator jwks = JwtAuthenticator.builder()
 *     .jwksEndpoint("https://issuer.example/.well-known/jwks.json")
 *     .build();
 * }</pre>
 */
public final class JwtAuthenticator implements Authenticator {

  /** Where the token is read from (EMQX's {@code from}). */
  public enum From {
    /** The password given to Authenticate (the default). */
    PASSWORD,
    /** The client's username. */
    USERNAME
  }

  /** The default age at which a JWKS is fetched again: 300 s (EMQX's {@code refresh_interval}). */
  public static final Duration DEFAULT_JWKS_REFRESH_INTERVAL = Duration.ofSeconds(300);
  /** The default bound on one JWKS fetch, connection to last byte: 5 s, as EMQX's. */
  public static final Duration DEFAULT_JWKS_FETCH_TIMEOUT = Duration.ofSeconds(5);
  /** The default bound on the size of a JWKS answer: 256 KiB. */
  public static final int DEFAULT_JWKS_MAX_BYTES = 256 * 1024;

  private static final Logger log = LoggerFactory.getLogger(JwtAuthenticator.class);
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final Pattern SHAPE =
      Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
  /** 9999-12-31T23:59:59Z: later time claims are refused, not left to overflow the timers. */
  private static final long MAX_SECONDS = 253_402_300_799L;
  private static final Set<String> CURVES = Set.of("P-256", "P-384", "P-521");

  private final Set<JwtAlgorithm> algorithms;
  private final JWSVerifier verifier;
  private final int secretLength;
  private final JwksSource jwks;
  private final From from;
  private final Map<String, String> verifyClaims;
  private final Clock clock;

  private JwtAuthenticator(Set<JwtAlgorithm> algorithms, JWSVerifier verifier, int secretLength,
      JwksSource jwks, From from, Map<String, String> verifyClaims, Clock clock) {
    this.algorithms = algorithms;
    this.verifier = verifier;
    this.secretLength = secretLength;
    this.jwks = jwks;
    this.from = from;
    this.verifyClaims = verifyClaims;
    this.clock = clock;
  }

  /**
   * Starts a builder. A secret, a public key or a JWKS endpoint is required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks the client's password (or username) as a JWT.
   *
   * @param request the client, its connection and password
   * @return IGNORE for a token that is not a JWT or when no JWKS can be had, DENY with the failed
   *     check, or ALLOW
   */
  @Override
  public CompletionStage<AuthResult> authenticate(AuthRequest request) {
    String clientId = request.client().clientId();
    String token = from == From.USERNAME ? request.client().username() : request.password();
    if (!SHAPE.matcher(token).matches()) {
      log.debug("JWT authentication of client {}: the {} is not a JWT; ignoring", clientId,
          from.name().toLowerCase(Locale.ROOT));
      return CompletableFuture.completedFuture(AuthResult.ignore());
    }
    CompletionStage<AuthResult> result;
    try {
      result = check(token, request);
    } catch (RuntimeException e) {
      result = CompletableFuture.completedFuture(AuthResult.deny("JWT is malformed"));
    }
    return result
        .exceptionally(e -> AuthResult.deny("JWT cannot be verified ("
            + (e.getCause() == null ? e : e.getCause()).getClass().getSimpleName() + ")"))
        .thenApply(decided -> logged(clientId, decided));
  }

  private static AuthResult logged(String clientId, AuthResult result) {
    switch (result.decision()) {
      case DENY ->
          log.debug("JWT authentication of client {}: denied: {}", clientId, result.reason());
      case IGNORE ->
          log.debug("JWT authentication of client {}: ignoring: {}", clientId, result.reason());
      default -> log.debug("JWT authentication of client {}: allowed{}", clientId,
          result.expiresAt().map(at -> " until " + at).orElse(""));
    }
    return result;
  }

  private CompletionStage<AuthResult> check(String token, AuthRequest request) {
    int firstDot = token.indexOf('.');
    int secondDot = token.indexOf('.', firstDot + 1);
    String encodedHeader = token.substring(0, firstDot);
    String encodedPayload = token.substring(firstDot + 1, secondDot);
    String encodedSignature = token.substring(secondDot + 1);

    Map<String, Object> header;
    try {
      header = JSONObjectUtils.parse(new Base64URL(encodedHeader).decodeToString());
    } catch (ParseException | RuntimeException e) {
      return denied("JWT header is malformed");
    }
    if (!(header.get("alg") instanceof String alg)) {
      return denied("JWT header has no alg");
    }
    if (alg.equalsIgnoreCase("none")) {
      return denied("JWT is unsigned (alg none), which is refused");
    }
    JwtAlgorithm algorithm = JwtAlgorithm.byName(alg);
    if (algorithm == null || !algorithms.contains(algorithm)) {
      return denied("JWT algorithm " + (algorithm == null ? "(unsupported)" : algorithm.name())
          + " is not accepted; accepted: " + algorithms);
    }
    if (header.containsKey("crit")) {
      return denied("JWT has critical header parameters (crit), which are not supported");
    }
    if (header.containsKey("b64")) {
      return denied("JWT has an unencoded payload (b64, RFC 7797), which is not supported");
    }
    byte[] signature = decodeBase64Url(encodedSignature);
    if (signature == null || signature.length == 0) {
      return denied("JWT signature is missing or malformed");
    }
    JWSObject jws;
    try {
      jws = JWSObject.parse(token);
    } catch (ParseException e) {
      return denied("JWT header is malformed");
    }
    if (jwks == null) {
      // No verifier: the secret is too short for any HMAC algorithm, which verified() says.
      List<JWSVerifier> fixed = verifier == null ? List.of() : List.of(verifier);
      return CompletableFuture.completedFuture(verified(jws, algorithm, fixed, encodedPayload, request));
    }
    JWKMatcher matcher = JWKMatcher.forJWSHeader(jws.getHeader());
    return jwks.keys(false).thenCompose(keys -> {
      List<JWSVerifier> found = matching(matcher, keys);
      if (found == null) {
        return CompletableFuture.completedFuture(unavailable(keys));
      }
      if (!found.isEmpty()) {
        return CompletableFuture.completedFuture(
            verified(jws, algorithm, found, encodedPayload, request));
      }
      // An unknown key: the issuer may have rotated its keys, so the set is fetched again.
      return jwks.keys(true).thenApply(again -> {
        List<JWSVerifier> retried = matching(matcher, again);
        if (retried == null) {
          return unavailable(again);
        }
        if (retried.isEmpty()) {
          return AuthResult.deny(jws.getHeader().getKeyID() != null
              ? "JWT key id (kid) is not in the JWKS"
              : "JWT: the JWKS has no key for algorithm " + algorithm);
        }
        return verified(jws, algorithm, retried, encodedPayload, request);
      });
    });
  }

  private static CompletionStage<AuthResult> denied(String reason) {
    return CompletableFuture.completedFuture(AuthResult.deny(reason));
  }

  /** The verifiers of the keys that fit the token, or null when there are no keys at all. */
  private static List<JWSVerifier> matching(JWKMatcher matcher, JwksSource.Keys keys) {
    if (keys.keys() == null) {
      return null;
    }
    List<JWSVerifier> found = new ArrayList<>();
    for (JwksSource.Key key : keys.keys()) {
      if (matcher != null && matcher.matches(key.jwk())) {
        found.add(key.verifier());
      }
    }
    return found;
  }

  private static AuthResult unavailable(JwksSource.Keys keys) {
    return new AuthResult(AuthResult.Decision.IGNORE, Optional.empty(), "JWT cannot be checked: "
        + keys.unavailable());
  }

  private AuthResult verified(JWSObject jws, JwtAlgorithm algorithm, List<JWSVerifier> verifiers,
      String encodedPayload, AuthRequest request) {
    if (algorithm.isHmac() && secretLength < minSecretBytes(algorithm)) {
      return AuthResult.deny("JWT algorithm " + algorithm + " needs a secret of at least "
          + minSecretBytes(algorithm) + " bytes; the configured secret is shorter");
    }
    boolean valid = false;
    for (JWSVerifier candidate : verifiers) {
      try {
        if (jws.verify(candidate)) {
          valid = true;
          break;
        }
      } catch (JOSEException | IllegalStateException e) {
        // A key that cannot verify this algorithm (another curve, say): not this key.
      }
    }
    if (!valid) {
      return AuthResult.deny("JWT signature is invalid");
    }
    return checkClaims(encodedPayload, request);
  }

  private AuthResult checkClaims(String encodedPayload, AuthRequest request) {
    JsonNode claims = decodeObject(encodedPayload);
    if (claims == null) {
      return AuthResult.deny("JWT payload is malformed");
    }
    Instant now = clock.instant();
    Instant expiresAt = null;
    if (claims.has("exp")) {
      expiresAt = numericDate(claims.get("exp"));
      if (expiresAt == null) {
        return AuthResult.deny("JWT exp is not a valid time");
      }
      if (!now.isBefore(expiresAt)) {
        return AuthResult.deny("JWT has expired (exp)");
      }
    }
    if (claims.has("nbf")) {
      Instant notBefore = numericDate(claims.get("nbf"));
      if (notBefore == null) {
        return AuthResult.deny("JWT nbf is not a valid time");
      }
      if (now.isBefore(notBefore)) {
        return AuthResult.deny("JWT is not valid yet (nbf)");
      }
    }
    for (Map.Entry<String, String> claim : verifyClaims.entrySet()) {
      String expected = render(claim.getValue(), request);
      if (expected.isEmpty()) {
        return AuthResult.deny("JWT claim " + claim.getKey() + " cannot be checked: the client has no value for "
            + claim.getValue());
      }
      JsonNode actual = claims.get(claim.getKey());
      if (actual == null || actual.isNull()) {
        return AuthResult.deny("JWT claim " + claim.getKey() + " is missing");
      }
      if (!matches(claim.getKey(), actual, expected)) {
        return AuthResult.deny("JWT claim " + claim.getKey() + " does not match " + claim.getValue());
      }
    }
    return expiresAt == null ? AuthResult.allow() : AuthResult.allowUntil(expiresAt);
  }

  /** A claim equals the expected text; an {@code aud} array matches when one of its values does. */
  private static boolean matches(String name, JsonNode actual, String expected) {
    if (name.equals("aud") && actual.isArray()) {
      for (JsonNode audience : actual) {
        if (audience.isTextual() && audience.asText().equals(expected)) {
          return true;
        }
      }
      return false;
    }
    return actual.isValueNode() && actual.asText().equals(expected);
  }

  private static int minSecretBytes(JwtAlgorithm algorithm) {
    return switch (algorithm) {
      case HS384 -> 48;
      case HS512 -> 64;
      default -> 32;
    };
  }

  private static JsonNode decodeObject(String part) {
    byte[] bytes = decodeBase64Url(part);
    if (bytes == null) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(bytes);
      return node != null && node.isObject() ? node : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static byte[] decodeBase64Url(String part) {
    try {
      return Base64.getUrlDecoder().decode(part);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Reads an RFC 7519 NumericDate (seconds, possibly fractional), or null when it is not one. */
  private static Instant numericDate(JsonNode node) {
    if (node == null || !node.isNumber()) {
      return null;
    }
    BigDecimal seconds = node.decimalValue();
    if (seconds.compareTo(BigDecimal.valueOf(MAX_SECONDS)) > 0
        || seconds.compareTo(BigDecimal.valueOf(-MAX_SECONDS)) < 0) {
      return null;
    }
    return Instant.ofEpochMilli(seconds.movePointRight(3).longValue());
  }

  private static String render(String template, AuthRequest request) {
    return template.replace("${clientid}", request.client().clientId())
        .replace("${username}", request.client().username());
  }

  /**
   * Describes the authenticator by its algorithms, JWKS endpoint (without its query) and verified
   * claims; never shows a key.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "JwtAuthenticator[algorithms=" + algorithms
        + (jwks == null ? "" : ", jwks=" + jwks.describe())
        + (from == From.PASSWORD ? "" : ", from=" + from.name().toLowerCase(Locale.ROOT))
        + ", verify_claims=" + verifyClaims.keySet() + "]";
  }

  /**
   * Configures a {@link JwtAuthenticator}. Messages of {@link #build()} name the EMQX configuration
   * key at fault ({@code algorithm}, {@code secret}, {@code public_key}, {@code endpoint},
   * {@code refresh_interval}, {@code ssl.cacertfile}, {@code verify_claims}) and never quote a
   * secret. Not thread-safe.
   */
  public static final class Builder {
    private final Set<JwtAlgorithm> algorithms = EnumSet.noneOf(JwtAlgorithm.class);
    private boolean anyOfTheKey;
    private byte[] secret;
    private PublicKey publicKey;
    private URI jwksEndpoint;
    private Duration jwksRefreshInterval = DEFAULT_JWKS_REFRESH_INTERVAL;
    private Duration jwksFetchTimeout = DEFAULT_JWKS_FETCH_TIMEOUT;
    private int jwksMaxBytes = DEFAULT_JWKS_MAX_BYTES;
    private SSLContext jwksSslContext;
    private From from = From.PASSWORD;
    private final Map<String, String> verifyClaims = new LinkedHashMap<>();
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Accepts exactly one algorithm, replacing earlier choices. Default: HS256 with a secret, RS256
     * with an RSA public key, the ES algorithm of the curve of an EC public key, and with a JWKS
     * endpoint every RS, PS and ES algorithm.
     *
     * @param algorithm the algorithm
     * @return this builder
     */
    public Builder algorithm(JwtAlgorithm algorithm) {
      algorithms.clear();
      anyOfTheKey = false;
      algorithms.add(Objects.requireNonNull(algorithm, "algorithm"));
      return this;
    }

    /**
     * Accepts several algorithms the key can verify, replacing earlier choices: HMAC ones with a
     * secret, RS and PS ones with an RSA key, the ES one of an EC key's curve, RS, PS and ES with a
     * JWKS endpoint. EMQX's {@code hmac-based} is {@code algorithms(HS256, HS384, HS512)}.
     *
     * @param first an algorithm
     * @param more more algorithms
     * @return this builder
     */
    public Builder algorithms(JwtAlgorithm first, JwtAlgorithm... more) {
      algorithm(first);
      for (JwtAlgorithm algorithm : more) {
        algorithms.add(Objects.requireNonNull(algorithm, "algorithm"));
      }
      return this;
    }

    /**
     * Accepts every algorithm the configured key can verify, replacing earlier choices: HS256,
     * HS384 and HS512 with a secret; RS256/384/512 and PS256/384/512 with an RSA public key; the
     * ES algorithm of an EC key's curve; all of these but HMAC with a JWKS endpoint. This is
     * EMQX's {@code algorithm = hmac-based} or {@code public-key}.
     *
     * @return this builder
     */
    public Builder anyAlgorithmOfTheKey() {
      algorithms.clear();
      anyOfTheKey = true;
      return this;
    }

    /**
     * Sets the HMAC secret as text (its UTF-8 bytes).
     *
     * @param secret at least 32 bytes (48 for HS384, 64 for HS512: RFC 7518, section 3.2); tokens of
     *     an algorithm the secret is too short for are denied
     * @return this builder
     */
    public Builder secret(String secret) {
      Objects.requireNonNull(secret, "secret");
      return secret(secret.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sets the HMAC secret as bytes (copied).
     *
     * @param secret at least 32 bytes (48 for HS384, 64 for HS512: RFC 7518, section 3.2); tokens of
     *     an algorithm the secret is too short for are denied
     * @return this builder
     */
    public Builder secret(byte[] secret) {
      Objects.requireNonNull(secret, "secret");
      if (secret.length == 0) {
        throw new IllegalArgumentException("secret must not be empty");
      }
      this.secret = secret.clone();
      return this;
    }

    /**
     * Sets the HMAC secret from base64 text (EMQX's {@code secret_base64_encoded = true}).
     *
     * @param base64Secret the secret, base64-encoded (standard alphabet, padding optional)
     * @return this builder
     * @throws IllegalArgumentException when it is not base64 (without quoting it)
     */
    public Builder secretBase64(String base64Secret) {
      Objects.requireNonNull(base64Secret, "secret");
      byte[] decoded;
      try {
        decoded = Base64.getDecoder().decode(base64Secret.replaceAll("\\s", ""));
      } catch (IllegalArgumentException e) {
        // The JDK's message quotes the offending character of the secret: not passed on.
        throw new IllegalArgumentException("secret is not valid base64 (secret_base64_encoded = true)");
      }
      return secret(decoded);
    }

    /**
     * Sets the RSA or EC public key from PEM text ({@code -----BEGIN PUBLIC KEY-----}, X.509
     * SubjectPublicKeyInfo).
     *
     * @param pem the PEM text
     * @return this builder
     * @throws IllegalArgumentException when it is not an RSA or EC public key in that form
     */
    public Builder publicKey(String pem) {
      Objects.requireNonNull(pem, "public_key");
      String begin = "-----BEGIN PUBLIC KEY-----";
      String end = "-----END PUBLIC KEY-----";
      int start = pem.indexOf(begin);
      int stop = pem.indexOf(end);
      if (start < 0 || stop < start) {
        throw new IllegalArgumentException("public_key must be PEM text between " + begin + " and " + end
            + " (an X.509 SubjectPublicKeyInfo; convert a PKCS#1 RSA PUBLIC KEY with openssl rsa -RSAPublicKey_in"
            + " -pubout)");
      }
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(pem.substring(start + begin.length(), stop).trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("public_key: the PEM body is not valid base64", e);
      }
      for (String type : List.of("RSA", "EC")) {
        try {
          KeyFactory keys = KeyFactory.getInstance(type);
          return publicKey(keys.generatePublic(new X509EncodedKeySpec(der)));
        } catch (GeneralSecurityException e) {
          // Not a key of this type: try the next one.
        }
      }
      throw new IllegalArgumentException("public_key is not an RSA or EC public key");
    }

    /**
     * Sets the RSA or EC public key. An EC key must be on P-256, P-384 or P-521.
     *
     * @param publicKey an RSA or EC public key
     * @return this builder
     */
    public Builder publicKey(PublicKey publicKey) {
      Objects.requireNonNull(publicKey, "public_key");
      if (publicKey instanceof ECPublicKey ec) {
        curveOf(ec);
      } else if (!(publicKey instanceof RSAPublicKey)) {
        throw new IllegalArgumentException("public_key must be an RSA or EC public key, got "
            + publicKey.getAlgorithm());
      }
      this.publicKey = publicKey;
      return this;
    }

    private static String curveOf(ECPublicKey key) {
      Curve curve = Curve.forECParameterSpec(key.getParams());
      if (curve == null || !CURVES.contains(curve.getName())) {
        throw new IllegalArgumentException(
            "public_key: the EC key's curve is not supported; use P-256, P-384 or P-521");
      }
      return curve.getName();
    }

    /**
     * Takes the keys from a JWKS endpoint (EMQX's {@code use_jwks = true} with {@code endpoint}):
     * its RSA and EC keys verify RS, PS and ES tokens; see the class description for caching and
     * failures.
     *
     * @param url an http:// or https:// URL
     * @return this builder
     */
    public Builder jwksEndpoint(String url) {
      Objects.requireNonNull(url, "endpoint");
      URI uri;
      try {
        uri = new URI(url.trim());
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("endpoint is not a valid URL");
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
        throw new IllegalArgumentException("endpoint must be an http:// or https:// URL with a host");
      }
      this.jwksEndpoint = uri;
      return this;
    }

    /**
     * Sets how old the cached JWKS may grow before it is fetched again (EMQX's
     * {@code refresh_interval}). Default {@link #DEFAULT_JWKS_REFRESH_INTERVAL}.
     *
     * @param interval more than zero
     * @return this builder
     */
    public Builder jwksRefreshInterval(Duration interval) {
      Objects.requireNonNull(interval, "refresh_interval");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("refresh_interval must be more than zero");
      }
      this.jwksRefreshInterval = interval;
      return this;
    }

    /**
     * Bounds one JWKS fetch, from connecting to the last byte. Default
     * {@link #DEFAULT_JWKS_FETCH_TIMEOUT}.
     *
     * @param timeout at least 1 ms
     * @return this builder
     */
    public Builder jwksFetchTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.toMillis() < 1) {
        throw new IllegalArgumentException("the JWKS fetch timeout must be at least 1 ms");
      }
      this.jwksFetchTimeout = timeout;
      return this;
    }

    /**
     * Bounds the size of a JWKS answer; a larger one is cancelled and counts as a failed fetch.
     * Default {@link #DEFAULT_JWKS_MAX_BYTES}.
     *
     * @param maxBytes more than zero
     * @return this builder
     */
    public Builder jwksMaxBytes(int maxBytes) {
      if (maxBytes <= 0) {
        throw new IllegalArgumentException("the JWKS size bound must be more than zero");
      }
      this.jwksMaxBytes = maxBytes;
      return this;
    }

    /**
     * Sets the TLS context of an https:// JWKS endpoint (its trust decides which servers are
     * believed). Default: the JDK's, which trusts its CA store. Replaces {@link #jwksCacertfile}.
     *
     * @param sslContext the context
     * @return this builder
     */
    public Builder jwksSslContext(SSLContext sslContext) {
      this.jwksSslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /**
     * Trusts only the CA certificates of a PEM file for an https:// JWKS endpoint (EMQX's
     * {@code ssl.cacertfile}); the server's certificate must chain to one of them and name the
     * endpoint's host. Read at once. Replaces {@link #jwksSslContext}.
     *
     * @param cacertfile a PEM file of one or more certificates
     * @return this builder
     * @throws IllegalArgumentException when the file cannot be read or holds no certificate
     */
    public Builder jwksCacertfile(Path cacertfile) {
      Objects.requireNonNull(cacertfile, "ssl.cacertfile");
      Collection<? extends Certificate> authorities;
      try (InputStream in = Files.newInputStream(cacertfile)) {
        authorities = CertificateFactory.getInstance("X.509").generateCertificates(in);
      } catch (IOException e) {
        throw new IllegalArgumentException("ssl.cacertfile: cannot read " + cacertfile + " ("
            + e.getClass().getSimpleName() + ")");
      } catch (GeneralSecurityException e) {
        authorities = List.of();
      }
      if (authorities.isEmpty()) {
        throw new IllegalArgumentException(
            "ssl.cacertfile: " + cacertfile + " holds no PEM certificate");
      }
      try {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int n = 0;
        for (Certificate authority : authorities) {
          store.setCertificateEntry("ca-" + n++, authority);
        }
        TrustManagerFactory trust =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        this.jwksSslContext = context;
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalArgumentException("ssl.cacertfile: cannot build a trust store from " + cacertfile
            + " (" + e.getClass().getSimpleName() + ")");
      }
      return this;
    }

    /**
     * Reads the token from the password (the default) or the username (EMQX's {@code from}).
     *
     * @param from where the token is
     * @return this builder
     */
    public Builder from(From from) {
      this.from = Objects.requireNonNull(from, "from");
      return this;
    }

    /**
     * Requires a claim of the token to equal a value (EMQX's {@code verify_claims}); the value may be
     * or contain {@code ${clientid}} or {@code ${username}}, rendered from the client. An
     * {@code aud} claim that is an array matches when one of its values does.
     *
     * @param claim the claim name, e.g. {@code clientid} or {@code sub}
     * @param expected the expected value template
     * @return this builder
     */
    public Builder verifyClaim(String claim, String expected) {
      Objects.requireNonNull(claim, "verify_claims claim name");
      Objects.requireNonNull(expected, "verify_claims." + claim);
      verifyClaims.put(claim, expected);
      return this;
    }

    /**
     * Adds verify-claims, as {@link #verifyClaim(String, String)} does for each.
     *
     * @param claims claim names to expected value templates
     * @return this builder
     */
    public Builder verifyClaims(Map<String, String> claims) {
      Objects.requireNonNull(claims, "verify_claims").forEach(this::verifyClaim);
      return this;
    }

    /**
     * Sets the clock {@code exp} and {@code nbf} are checked against, and the age of a cached
     * JWKS is measured with. Default: the system clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Validates the configuration and builds the authenticator.
     *
     * @return the authenticator
     * @throws IllegalArgumentException naming the key at fault
     */
    public JwtAuthenticator build() {
      if (secret != null && publicKey != null) {
        throw new IllegalArgumentException("set either secret (HMAC algorithms) or public_key (RSA or EC"
            + " algorithms), not both");
      }
      if (jwksEndpoint != null && (secret != null || publicKey != null)) {
        throw new IllegalArgumentException("set either endpoint (use_jwks = true) or "
            + (secret != null ? "secret" : "public_key") + ", not both");
      }
      if (secret == null && publicKey == null && jwksEndpoint == null) {
        throw new IllegalArgumentException("secret (for HS256/HS384/HS512) or public_key"
            + " (for RS256/RS384/RS512) is required, or an EC public_key (ES256/ES384/ES512),"
            + " or a JWKS endpoint (use_jwks = true)");
      }
      Set<JwtAlgorithm> accepted =
          algorithms.isEmpty() ? defaultAlgorithms() : EnumSet.copyOf(algorithms);
      for (JwtAlgorithm algorithm : accepted) {
        String problem = mismatch(algorithm);
        if (problem != null) {
          throw new IllegalArgumentException("algorithm " + algorithm + " needs " + problem);
        }
      }
      verifyClaims.forEach((claim, template) -> {
        if (claim.isEmpty()) {
          throw new IllegalArgumentException("verify_claims: claim names must not be empty");
        }
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
          if (!m.group(1).equals("clientid") && !m.group(1).equals("username")) {
            throw new IllegalArgumentException("verify_claims." + claim + ": unknown placeholder ${" + m.group(1)
                + "}; known placeholders are ${clientid}, ${username}");
          }
        }
      });
      if (jwksSslContext != null && jwksEndpoint != null
          && !jwksEndpoint.getScheme().equalsIgnoreCase("https")) {
        throw new IllegalArgumentException(
            "ssl (the TLS trust of the JWKS endpoint) needs an https:// endpoint");
      }
      JWSVerifier keyVerifier = null;
      JwksSource source = null;
      try {
        if (secret != null) {
          // Nimbus refuses secrets shorter than the hash (RFC 7518, section 3.2): tokens of such an
          // algorithm are denied, with that reason. Not a build error, so that placeholder secrets
          // in examples still load.
          int needed =
              accepted.stream().mapToInt(JwtAuthenticator::minSecretBytes).min().orElse(32);
          if (secret.length < needed) {
            log.warn("JWT authentication: the secret is shorter than the {} bytes RFC 7518"
                + " requires for {}: every token will be denied", needed, accepted);
          }
          keyVerifier = secret.length < 32 ? null : new MACVerifier(secret.clone());
        } else if (publicKey instanceof RSAPublicKey rsa) {
          keyVerifier = new RSASSAVerifier(rsa);
        } else if (publicKey instanceof ECPublicKey ec) {
          keyVerifier = new ECDSAVerifier(ec);
        } else {
          HttpClient.Builder http = HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(jwksFetchTimeout)
              .followRedirects(HttpClient.Redirect.NEVER);
          if (jwksSslContext != null) {
            http.sslContext(jwksSslContext);
          }
          source = new JwksSource(jwksEndpoint, http.build(), jwksRefreshInterval,
              jwksFetchTimeout, jwksMaxBytes, clock);
        }
      } catch (JOSEException e) {
        throw new IllegalArgumentException((secret != null ? "secret" : "public_key")
            + " cannot be used: " + e.getClass().getSimpleName());
      }
      return new JwtAuthenticator(Collections.unmodifiableSet(accepted), keyVerifier,
          secret == null ? 0 : secret.length, source, from,
          Collections.unmodifiableMap(new LinkedHashMap<>(verifyClaims)), clock);
    }

    private Set<JwtAlgorithm> defaultAlgorithms() {
      if (secret != null) {
        return anyOfTheKey ? EnumSet.of(JwtAlgorithm.HS256, JwtAlgorithm.HS384, JwtAlgorithm.HS512)
            : EnumSet.of(JwtAlgorithm.HS256);
      }
      if (publicKey instanceof ECPublicKey ec) {
        String curve = curveOf(ec);
        Set<JwtAlgorithm> ofCurve = EnumSet.noneOf(JwtAlgorithm.class);
        for (JwtAlgorithm algorithm : JwtAlgorithm.values()) {
          if (curve.equals(algorithm.curve())) {
            ofCurve.add(algorithm);
          }
        }
        return ofCurve;
      }
      if (publicKey != null && !anyOfTheKey) {
        return EnumSet.of(JwtAlgorithm.RS256);
      }
      Set<JwtAlgorithm> publicKeyAlgorithms = EnumSet.noneOf(JwtAlgorithm.class);
      for (JwtAlgorithm algorithm : JwtAlgorithm.values()) {
        boolean ofTheKey = publicKey == null || algorithm.family() == JwtAlgorithm.Family.RSA;
        if (!algorithm.isHmac() && ofTheKey) {
          publicKeyAlgorithms.add(algorithm);
        }
      }
      return publicKeyAlgorithms;
    }

    /** What the algorithm needs that the configured key is not, or null when it fits. */
    private String mismatch(JwtAlgorithm algorithm) {
      String have = secret != null ? "secret"
          : publicKey != null ? "public_key" : "endpoint (use_jwks = true)";
      switch (algorithm.family()) {
        case HMAC:
          return secret != null ? null : "a secret, but " + have + " is set";
        case RSA:
          if (publicKey instanceof ECPublicKey) {
            return "an RSA public_key, but public_key is an EC key";
          }
          return secret == null ? null : "a public_key, but secret is set";
        default:
          if (publicKey instanceof RSAPublicKey) {
            return "an EC public_key on " + algorithm.curve() + ", but public_key is an RSA key";
          }
          if (publicKey instanceof ECPublicKey ec && !curveOf(ec).equals(algorithm.curve())) {
            return "an EC public_key on " + algorithm.curve() + ", but public_key is on "
                + curveOf(ec);
          }
          return secret == null ? null : "a public_key, but secret is set";
      }
    }
  }
}
