package io.exproto.auth.jwt;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exproto.auth.AuthRequest;
import io.exproto.auth.AuthResult;
import io.exproto.auth.Authenticator;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates clients whose password is a JSON Web Token (JWS compact form), like EMQX's JWT
 * authentication.
 *
 * <ul>
 *   <li>A password that is not shaped like a JWT (three base64url parts separated by dots) gets
 *       IGNORE, so the next authenticator of the chain can check it as a plain password.</li>
 *   <li>A JWT gets DENY when its header or payload is malformed, its {@code alg} is {@code none}
 *       or not one of the configured algorithms (an HMAC token is never checked against an RSA key
 *       or the reverse), its signature is wrong, its {@code exp} has passed, its {@code nbf} has
 *       not come, it has {@code crit} headers, or a verify-claim does not match. The reason names
 *       the failed check, never the token.</li>
 *   <li>Otherwise ALLOW, until {@code exp} when the token has one: the gateway then closes the
 *       connection with reason {@code expired}.</li>
 * </ul>
 *
 * <p>Verification uses the JDK's {@link Mac} and {@link Signature}; MACs are compared in constant
 * time. It runs on the calling thread (it is fast and does not block). The returned stage never
 * completes exceptionally. Thread-safe.
 *
 * <pre>{@code
 * Authenticator jwt = JwtAuthenticator.builder()
 *     .algorithm(JwtAlgorithm.HS256)
 *     .secret("a shared secret of at least 32 bytes....")
 *     .verifyClaim("clientid", "${clientid}")
 *     .build();
 * }</pre>
 */
public final class JwtAuthenticator implements Authenticator {

  private static final Logger log = LoggerFactory.getLogger(JwtAuthenticator.class);
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
  /** 9999-12-31T23:59:59Z: later time claims are refused rather than overflow the gateway's timers. */
  private static final long MAX_SECONDS = 253_402_300_799L;

  private final Set<JwtAlgorithm> algorithms;
  private final byte[] secret;
  private final PublicKey publicKey;
  private final Map<String, String> verifyClaims;
  private final Clock clock;

  private JwtAuthenticator(Set<JwtAlgorithm> algorithms, byte[] secret, PublicKey publicKey,
      Map<String, String> verifyClaims, Clock clock) {
    this.algorithms = algorithms;
    this.secret = secret;
    this.publicKey = publicKey;
    this.verifyClaims = verifyClaims;
    this.clock = clock;
  }

  /**
   * Starts a builder. A secret or a public key is required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks the client's password as a JWT.
   *
   * @param request the client, its connection and password (the token)
   * @return IGNORE for a password that is not a JWT, DENY with the failed check, or ALLOW
   */
  @Override
  public CompletionStage<AuthResult> authenticate(AuthRequest request) {
    String clientId = request.client().clientId();
    String token = request.password();
    if (!SHAPE.matcher(token).matches()) {
      log.debug("JWT authentication of client {}: the password is not a JWT; ignoring", clientId);
      return CompletableFuture.completedFuture(AuthResult.ignore());
    }
    AuthResult result;
    try {
      result = check(token, request);
    } catch (RuntimeException e) {
      result = AuthResult.deny("JWT is malformed");
    }
    if (result.decision() == AuthResult.Decision.DENY) {
      log.debug("JWT authentication of client {}: denied: {}", clientId, result.reason());
    } else {
      log.debug("JWT authentication of client {}: allowed{}", clientId,
          result.expiresAt().map(at -> " until " + at).orElse(""));
    }
    return CompletableFuture.completedFuture(result);
  }

  private AuthResult check(String token, AuthRequest request) {
    int firstDot = token.indexOf('.');
    int secondDot = token.indexOf('.', firstDot + 1);
    String encodedHeader = token.substring(0, firstDot);
    String encodedPayload = token.substring(firstDot + 1, secondDot);
    String encodedSignature = token.substring(secondDot + 1);

    JsonNode header = decodeObject(encodedHeader);
    if (header == null) {
      return AuthResult.deny("JWT header is malformed");
    }
    JsonNode alg = header.get("alg");
    if (alg == null || !alg.isTextual()) {
      return AuthResult.deny("JWT header has no alg");
    }
    if (alg.asText().equalsIgnoreCase("none")) {
      return AuthResult.deny("JWT is unsigned (alg none), which is refused");
    }
    JwtAlgorithm algorithm = JwtAlgorithm.byName(alg.asText());
    if (algorithm == null || !algorithms.contains(algorithm)) {
      return AuthResult.deny("JWT algorithm " + (algorithm == null ? "(unsupported)" : algorithm.name())
          + " is not accepted; accepted: " + algorithms);
    }
    if (header.has("crit")) {
      return AuthResult.deny("JWT has critical header parameters (crit), which are not supported");
    }
    byte[] signature = decodeBase64Url(encodedSignature);
    if (signature == null || signature.length == 0) {
      return AuthResult.deny("JWT signature is missing or malformed");
    }
    byte[] signingInput = (encodedHeader + "." + encodedPayload).getBytes(StandardCharsets.US_ASCII);
    if (!verifySignature(algorithm, signingInput, signature)) {
      return AuthResult.deny("JWT signature is invalid");
    }

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
      if (!actual.isValueNode() || !actual.asText().equals(expected)) {
        return AuthResult.deny("JWT claim " + claim.getKey() + " does not match " + claim.getValue());
      }
    }
    return expiresAt == null ? AuthResult.allow() : AuthResult.allowUntil(expiresAt);
  }

  private boolean verifySignature(JwtAlgorithm algorithm, byte[] signingInput, byte[] signature) {
    try {
      if (algorithm.isHmac()) {
        Mac mac = Mac.getInstance(algorithm.jcaName());
        mac.init(new SecretKeySpec(secret, algorithm.jcaName()));
        return MessageDigest.isEqual(mac.doFinal(signingInput), signature);
      }
      Signature verifier = Signature.getInstance(algorithm.jcaName());
      verifier.initVerify(publicKey);
      verifier.update(signingInput);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static JsonNode decodeObject(String part) {
    byte[] bytes = decodeBase64Url(part);
    if (bytes == null) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(bytes);
      return node != null && node.isObject() ? node : null;
    } catch (java.io.IOException e) {
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
   * Describes the authenticator by its algorithms and verified claims; never shows the key.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "JwtAuthenticator[algorithms=" + algorithms + ", verify_claims=" + verifyClaims.keySet() + "]";
  }

  /**
   * Configures a {@link JwtAuthenticator}. Messages of {@link #build()} name the EMQX configuration
   * key at fault ({@code algorithm}, {@code secret}, {@code public_key}, {@code verify_claims}) and
   * never quote a secret. Not thread-safe.
   */
  public static final class Builder {
    private final Set<JwtAlgorithm> algorithms = EnumSet.noneOf(JwtAlgorithm.class);
    private byte[] secret;
    private PublicKey publicKey;
    private final Map<String, String> verifyClaims = new LinkedHashMap<>();
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Accepts exactly one algorithm, replacing earlier choices. Default: HS256 with a secret, RS256
     * with a public key.
     *
     * @param algorithm the algorithm
     * @return this builder
     */
    public Builder algorithm(JwtAlgorithm algorithm) {
      algorithms.clear();
      algorithms.add(Objects.requireNonNull(algorithm, "algorithm"));
      return this;
    }

    /**
     * Accepts several algorithms of one family (all HMAC, or all RSA), replacing earlier choices:
     * EMQX's {@code hmac-based} is {@code algorithms(HS256, HS384, HS512)}.
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
     * Sets the HMAC secret as text (its UTF-8 bytes).
     *
     * @param secret not empty
     * @return this builder
     */
    public Builder secret(String secret) {
      Objects.requireNonNull(secret, "secret");
      return secret(secret.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sets the HMAC secret as bytes (copied).
     *
     * @param secret not empty
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
     * Sets the RSA public key from PEM text ({@code -----BEGIN PUBLIC KEY-----}, X.509
     * SubjectPublicKeyInfo).
     *
     * @param pem the PEM text
     * @return this builder
     * @throws IllegalArgumentException when it is not an RSA public key in that form
     */
    public Builder publicKey(String pem) {
      Objects.requireNonNull(pem, "public_key");
      String begin = "-----BEGIN PUBLIC KEY-----";
      String end = "-----END PUBLIC KEY-----";
      int from = pem.indexOf(begin);
      int to = pem.indexOf(end);
      if (from < 0 || to < from) {
        throw new IllegalArgumentException("public_key must be PEM text between " + begin + " and " + end
            + " (an X.509 SubjectPublicKeyInfo; convert a PKCS#1 RSA PUBLIC KEY with openssl rsa -RSAPublicKey_in"
            + " -pubout)");
      }
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to).trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("public_key: the PEM body is not valid base64", e);
      }
      try {
        return publicKey(KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der)));
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("public_key is not an RSA public key", e);
      }
    }

    /**
     * Sets the RSA public key.
     *
     * @param publicKey an RSA public key
     * @return this builder
     */
    public Builder publicKey(PublicKey publicKey) {
      if (!(Objects.requireNonNull(publicKey, "public_key") instanceof RSAPublicKey)) {
        throw new IllegalArgumentException("public_key must be an RSA public key, got " + publicKey.getAlgorithm());
      }
      this.publicKey = publicKey;
      return this;
    }

    /**
     * Requires a claim of the token to equal a value (EMQX's {@code verify_claims}); the value may be
     * or contain {@code ${clientid}} or {@code ${username}}, rendered from the client.
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
     * Sets the clock {@code exp} and {@code nbf} are checked against. Default: the system clock.
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
        throw new IllegalArgumentException("set either secret (HMAC algorithms) or public_key (RSA algorithms),"
            + " not both");
      }
      if (secret == null && publicKey == null) {
        throw new IllegalArgumentException("secret (for HS256/HS384/HS512) or public_key (for RS256/RS384/RS512)"
            + " is required");
      }
      Set<JwtAlgorithm> accepted = EnumSet.copyOf(algorithms.isEmpty()
          ? EnumSet.of(secret != null ? JwtAlgorithm.HS256 : JwtAlgorithm.RS256) : algorithms);
      for (JwtAlgorithm algorithm : accepted) {
        if (algorithm.isHmac() && secret == null) {
          throw new IllegalArgumentException("algorithm " + algorithm + " needs a secret, but public_key is set");
        }
        if (!algorithm.isHmac() && publicKey == null) {
          throw new IllegalArgumentException("algorithm " + algorithm + " needs a public_key, but secret is set");
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
      return new JwtAuthenticator(Collections.unmodifiableSet(accepted), secret == null ? null : secret.clone(),
          publicKey, Collections.unmodifiableMap(new LinkedHashMap<>(verifyClaims)), clock);
    }
  }
}
