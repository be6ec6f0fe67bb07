package io.exproto.auth.jwt;

/**
 * The JWS algorithms a {@link JwtAuthenticator} can verify (the {@code alg} header of RFC 7518).
 * {@code none} is deliberately absent: unsigned tokens are always refused.
 */
public enum JwtAlgorithm {
  /** HMAC with SHA-256 and a shared secret. */
  HS256("HmacSHA256", true),
  /** HMAC with SHA-384 and a shared secret. */
  HS384("HmacSHA384", true),
  /** HMAC with SHA-512 and a shared secret. */
  HS512("HmacSHA512", true),
  /** RSASSA-PKCS1-v1_5 with SHA-256 and an RSA public key. */
  RS256("SHA256withRSA", false),
  /** RSASSA-PKCS1-v1_5 with SHA-384 and an RSA public key. */
  RS384("SHA384withRSA", false),
  /** RSASSA-PKCS1-v1_5 with SHA-512 and an RSA public key. */
  RS512("SHA512withRSA", false);

  private final String jcaName;
  private final boolean hmac;

  JwtAlgorithm(String jcaName, boolean hmac) {
    this.jcaName = jcaName;
    this.hmac = hmac;
  }

  /**
   * Returns the JDK's name of the algorithm ({@code javax.crypto.Mac} or
   * {@code java.security.Signature}).
   *
   * @return the JCA algorithm name
   */
  public String jcaName() {
    return jcaName;
  }

  /**
   * Tells whether the algorithm uses a shared secret (HMAC) rather than an RSA public key.
   *
   * @return true for the HS algorithms
   */
  public boolean isHmac() {
    return hmac;
  }

  /**
   * Finds an algorithm by its exact JWS name.
   *
   * @param name the {@code alg} header value, e.g. {@code HS256}
   * @return the algorithm, or null when it is not one of these
   */
  static JwtAlgorithm byName(String name) {
    for (JwtAlgorithm algorithm : values()) {
      if (algorithm.name().equals(name)) {
        return algorithm;
      }
    }
    return null;
  }
}
