package io.exproto.auth.jwt;

import com.nimbusds.jose.JWSAlgorithm;

/**
 * The JWS algorithms a {@link JwtAuthenticator} can verify (the {@code alg} header of RFC 7518).
 * {@code none} is deliberately absent: unsigned tokens are always refused. Verification itself is
 * done by Nimbus JOSE+JWT.
 */
public enum JwtAlgorithm {
  /** HMAC with SHA-256 and a shared secret of at least 32 bytes. */
  HS256("HmacSHA256", Family.HMAC, null),
  /** HMAC with SHA-384 and a shared secret of at least 48 bytes. */
  HS384("HmacSHA384", Family.HMAC, null),
  /** HMAC with SHA-512 and a shared secret of at least 64 bytes. */
  HS512("HmacSHA512", Family.HMAC, null),
  /** RSASSA-PKCS1-v1_5 with SHA-256 and an RSA public key. */
  RS256("SHA256withRSA", Family.RSA, null),
  /** RSASSA-PKCS1-v1_5 with SHA-384 and an RSA public key. */
  RS384("SHA384withRSA", Family.RSA, null),
  /** RSASSA-PKCS1-v1_5 with SHA-512 and an RSA public key. */
  RS512("SHA512withRSA", Family.RSA, null),
  /** RSASSA-PSS with SHA-256 and an RSA public key. */
  PS256("RSASSA-PSS", Family.RSA, null),
  /** RSASSA-PSS with SHA-384 and an RSA public key. */
  PS384("RSASSA-PSS", Family.RSA, null),
  /** RSASSA-PSS with SHA-512 and an RSA public key. */
  PS512("RSASSA-PSS", Family.RSA, null),
  /** ECDSA with SHA-256 and a P-256 public key. */
  ES256("SHA256withECDSA", Family.EC, "P-256"),
  /** ECDSA with SHA-384 and a P-384 public key. */
  ES384("SHA384withECDSA", Family.EC, "P-384"),
  /** ECDSA with SHA-512 and a P-521 public key. */
  ES512("SHA512withECDSA", Family.EC, "P-521");

  /** The kind of key an algorithm verifies with. */
  enum Family {
    /** A shared secret. */
    HMAC,
    /** An RSA public key. */
    RSA,
    /** An EC public key on the algorithm's curve. */
    EC
  }

  private final String jcaName;
  private final Family family;
  private final String curve;

  JwtAlgorithm(String jcaName, Family family, String curve) {
    this.jcaName = jcaName;
    this.family = family;
    this.curve = curve;
  }

  /**
   * Returns the JDK's name of the algorithm ({@code javax.crypto.Mac} or
   * {@code java.security.Signature}). For PS algorithms it is {@code RSASSA-PSS}, which the JDK
   * needs parameters for; ES signatures in a JWT are the raw R and S values, not the JDK's DER.
   *
   * @return the JCA algorithm name
   */
  public String jcaName() {
    return jcaName;
  }

  /**
   * Tells whether the algorithm uses a shared secret (HMAC) rather than a public key.
   *
   * @return true for the HS algorithms
   */
  public boolean isHmac() {
    return family == Family.HMAC;
  }

  /** The kind of key the algorithm verifies with. */
  Family family() {
    return family;
  }

  /** For an EC algorithm, the name of its curve (e.g. {@code P-256}); null otherwise. */
  String curve() {
    return curve;
  }

  /** The algorithm as Nimbus names it. */
  JWSAlgorithm jws() {
    return JWSAlgorithm.parse(name());
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
