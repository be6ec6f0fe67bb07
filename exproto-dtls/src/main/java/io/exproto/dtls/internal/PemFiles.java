package io.exproto.dtls.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import org.eclipse.californium.elements.util.SslContextUtil;
import org.eclipse.californium.elements.util.SslContextUtil.Credentials;

/**
 * Reads the PEM files of {@code dtls_options} ({@code certfile}, {@code keyfile},
 * {@code cacertfile}) with Californium's PEM reader. Not API.
 *
 * <p>Every failure is an {@link IllegalArgumentException} whose message starts with the option's
 * name and the file; it never quotes the file's content.
 */
public final class PemFiles {

  private PemFiles() {}

  /**
   * Reads the private key of {@code keyfile}: PKCS#8 ({@code BEGIN PRIVATE KEY}, RSA or EC) or SEC1
   * ({@code BEGIN EC PRIVATE KEY}). PKCS#1 RSA keys ({@code BEGIN RSA PRIVATE KEY}) and encrypted
   * keys are refused with the openssl command that converts them.
   *
   * @param keyfile the file, not null
   * @return the key
   * @throws IllegalArgumentException when the file cannot be read or holds no supported key
   */
  public static PrivateKey privateKey(Path keyfile) {
    refuseUnsupportedKeyFormats(keyfile);
    Credentials credentials = load("keyfile", keyfile);
    if (credentials.getPrivateKey() == null) {
      throw new IllegalArgumentException("keyfile: " + keyfile + " holds no private key; expected a PEM"
          + " \"BEGIN PRIVATE KEY\" (PKCS#8) or \"BEGIN EC PRIVATE KEY\" block, unencrypted");
    }
    return credentials.getPrivateKey();
  }

  /**
   * Reads the certificate chain of {@code certfile}: the listener's certificate first, then the
   * intermediates that issued it.
   *
   * @param certfile the file, not null
   * @return the chain, at least one certificate
   * @throws IllegalArgumentException when the file cannot be read or holds no certificate
   */
  public static X509Certificate[] certificateChain(Path certfile) {
    Credentials credentials = load("certfile", certfile);
    X509Certificate[] chain = credentials.getCertificateChain();
    if (chain == null || chain.length == 0) {
      chain = asX509("certfile", certfile, credentials.getTrustedCertificates());
    }
    return chain;
  }

  /**
   * Reads the trusted CA certificates of {@code cacertfile}, in any order.
   *
   * @param cacertfile the file, not null
   * @return the certificates, at least one
   * @throws IllegalArgumentException when the file cannot be read or holds no certificate
   */
  public static X509Certificate[] trustedCertificates(Path cacertfile) {
    Credentials credentials = load("cacertfile", cacertfile);
    X509Certificate[] chain = credentials.getCertificateChain();
    if (chain != null && chain.length > 0) {
      return chain;
    }
    return asX509("cacertfile", cacertfile, credentials.getTrustedCertificates());
  }

  /** Names the two key formats Californium's reader cannot parse, with the command that converts them. */
  private static void refuseUnsupportedKeyFormats(Path keyfile) {
    String text;
    try {
      text = Files.readString(keyfile, StandardCharsets.US_ASCII);
    } catch (IOException | RuntimeException e) {
      return; // load() reports unreadable files
    }
    String convert = "; convert it with: openssl pkcs8 -topk8 -nocrypt -in " + keyfile + " -out key-pkcs8.pem";
    if (text.contains("-----BEGIN RSA PRIVATE KEY-----")) {
      throw new IllegalArgumentException("keyfile: " + keyfile + " holds a PKCS#1 RSA key"
          + " (BEGIN RSA PRIVATE KEY), which is not supported" + convert);
    }
    if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type: 4,ENCRYPTED")) {
      throw new IllegalArgumentException("keyfile: " + keyfile + " holds an encrypted key, which is not"
          + " supported" + convert);
    }
  }

  private static X509Certificate[] asX509(String option, Path file, Certificate[] certificates) {
    if (certificates == null || certificates.length == 0) {
      throw new IllegalArgumentException(option + ": " + file + " holds no PEM \"BEGIN CERTIFICATE\" block");
    }
    X509Certificate[] out = new X509Certificate[certificates.length];
    for (int i = 0; i < certificates.length; i++) {
      if (!(certificates[i] instanceof X509Certificate x509)) {
        throw new IllegalArgumentException(option + ": " + file + " holds a certificate that is not X.509");
      }
      out[i] = x509;
    }
    return out;
  }

  private static Credentials load(String option, Path file) {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException(option + ": cannot read " + file + " (missing or not readable)");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return SslContextUtil.loadPemCredentials(in);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException(option + ": " + file + " is not a PEM file this listener can use ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
    }
  }
}
