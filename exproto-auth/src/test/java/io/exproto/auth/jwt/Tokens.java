package io.exproto.auth.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import javax.crypto.Mac;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes JWS compact tokens for tests: HS and RS with the JDK's Mac and Signature (independent of
 * the library under test), ES, PS and tokens with a {@code kid} with Nimbus's signers.
 */
final class Tokens {

  private Tokens() {}

  /** A fresh 2048-bit RSA key pair (the least Nimbus signs with). */
  static KeyPair rsaKeys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  /** A fresh EC key pair on a named curve, e.g. {@code secp256r1}. */
  static KeyPair ecKeys(String curve) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec(curve));
    return generator.generateKeyPair();
  }

  static String b64(String text) {
    return b64(text.getBytes(StandardCharsets.UTF_8));
  }

  static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String header(String alg) {
    return "{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}";
  }

  /** Signs with HMAC; the alg header is given separately so tests can lie about it. */
  static String hmac(String headerJson, String payloadJson, String jcaName, byte[] secret) throws Exception {
    String input = b64(headerJson) + "." + b64(payloadJson);
    Mac mac = Mac.getInstance(jcaName);
    mac.init(new SecretKeySpec(secret, jcaName));
    return input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
  }

  static String hs(String alg, String payloadJson, byte[] secret) throws Exception {
    return hmac(header(alg), payloadJson, JwtAlgorithm.valueOf(alg).jcaName(), secret);
  }

  static String rs(String alg, String payloadJson, PrivateKey key) throws Exception {
    String input = b64(header(alg)) + "." + b64(payloadJson);
    Signature signer = Signature.getInstance(JwtAlgorithm.valueOf(alg).jcaName());
    signer.initSign(key);
    signer.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + b64(signer.sign());
  }

  static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  /** Signs with Nimbus: ES (an EC key) or RS/PS (an RSA key), with a kid when it is not null. */
  static String signed(String alg, String kid, String payloadJson, PrivateKey key) throws Exception {
    JWSSigner signer = key instanceof ECPrivateKey ec ? new ECDSASigner(ec) : new RSASSASigner(key);
    JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.parse(alg)).keyID(kid).build(),
        new Payload(payloadJson));
    jws.sign(signer);
    return jws.serialize();
  }
}
