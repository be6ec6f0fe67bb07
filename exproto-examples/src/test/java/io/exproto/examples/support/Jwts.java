package io.exproto.examples.support;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Signs JSON Web Tokens for tests, with the JDK's HMAC and RSA signatures. */
public final class Jwts {

  private Jwts() {}

  /**
   * Signs claims with HS256.
   *
   * @param secret the shared secret
   * @param claims the claims, as JSON
   * @return the compact token
   * @throws GeneralSecurityException when the JDK has no HmacSHA256
   */
  public static String hs256(String secret, String claims) throws GeneralSecurityException {
    String signingInput = base64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + base64Url(claims.getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return signingInput + "." + base64Url(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
  }

  /**
   * Signs claims with RS256.
   *
   * @param key the RSA private key
   * @param claims the claims, as JSON
   * @return the compact token
   * @throws GeneralSecurityException when the key cannot sign
   */
  public static String rs256(PrivateKey key, String claims) throws GeneralSecurityException {
    String signingInput = base64Url("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + base64Url(claims.getBytes(StandardCharsets.UTF_8));
    Signature signer = Signature.getInstance("SHA256withRSA");
    signer.initSign(key);
    signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
    return signingInput + "." + base64Url(signer.sign());
  }

  private static String base64Url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
