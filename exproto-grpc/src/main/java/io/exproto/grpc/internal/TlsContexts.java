package io.exproto.grpc.internal;

import io.exproto.grpc.tls.ClientTlsOptions;
import io.exproto.grpc.tls.ServerTlsOptions;
import io.exproto.grpc.tls.Verify;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Netty {@link SslContext}s of the gRPC links from the TLS option objects, with the
 * JDK's TLS provider and gRPC's ALPN and cipher settings ({@link GrpcSslContexts}).
 *
 * <p>Each file is checked before Netty reads it, so that an error names the configuration key at
 * fault ({@code server.ssl_options.certfile: file not found: /etc/x.pem}) and says what to do.
 * Nothing read from a key file is ever logged or put in a message: only paths are.
 *
 * <p>Internal: not part of the public API.
 */
public final class TlsContexts {

  private static final Logger log = LoggerFactory.getLogger(TlsContexts.class);
  private static final Pattern PEM_PRIVATE_KEY =
      Pattern.compile("-----BEGIN ([A-Z ]*)PRIVATE KEY-----");
  private static final Pattern PKCS8_BODY = Pattern.compile(
      "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
  private static final String KEY_HINT = "an unencrypted PKCS#8 PEM key ('-----BEGIN PRIVATE KEY-----') is"
      + " expected; convert one with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem";

  private TlsContexts() {}

  /**
   * Builds a server context: the server certificate and key, and with {@code verify_peer} the CA
   * that client certificates must chain to, asked for ({@code OPTIONAL}) or required
   * ({@code fail_if_no_peer_cert}).
   *
   * @param options the options
   * @return the context
   * @throws IllegalArgumentException when a file is missing, unreadable or holds no usable
   *     certificate or key, or the key does not match the certificate; the message names the key
   */
  public static SslContext forServer(ServerTlsOptions options) {
    String prefix = ServerTlsOptions.CONFIG_PREFIX;
    SslContextBuilder builder = keyManaged(null, options.certfile(), options.keyfile(), prefix);
    if (options.verify() == Verify.VERIFY_PEER) {
      String caKey = prefix + ".cacertfile";
      Path ca = options.cacertfile().orElseThrow(() -> new IllegalArgumentException(caKey + ": required"));
      builder.trustManager(certificates(readable(ca, caKey), caKey));
      builder.clientAuth(options.failIfNoPeerCert() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
    } else {
      builder.clientAuth(ClientAuth.NONE);
    }
    return build(builder, prefix);
  }

  /**
   * Builds a client context: the trusted CAs (the JDK's when no {@code cacertfile}; none checked
   * with {@code verify_none}) and, for mutual TLS, the client certificate and key.
   *
   * @param options the options, enabled
   * @return the context
   * @throws IllegalArgumentException when a file is missing, unreadable or holds no usable
   *     certificate or key, or the key does not match the certificate; the message names the key
   */
  public static SslContext forClient(ClientTlsOptions options) {
    String prefix = ClientTlsOptions.CONFIG_PREFIX;
    SslContextBuilder builder = SslContextBuilder.forClient();
    if (options.certfile().isPresent() && options.keyfile().isPresent()) {
      keyManaged(builder, options.certfile().get(), options.keyfile().get(), prefix);
    }
    if (options.verify() == Verify.VERIFY_NONE) {
      log.warn("{}.verify = verify_none: the server's certificate is not checked (encrypted, but not"
          + " authenticated)", prefix);
      builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
    } else if (options.cacertfile().isPresent()) {
      String caKey = prefix + ".cacertfile";
      builder.trustManager(certificates(readable(options.cacertfile().get(), caKey), caKey));
    }
    return build(builder, prefix);
  }

  /**
   * Checks the certificate and key files and sets them as the key material of {@code builder}, or
   * of a new server builder when {@code builder} is null.
   */
  private static SslContextBuilder keyManaged(SslContextBuilder builder, Path certPath, Path keyPath,
      String prefix) {
    String certKey = prefix + ".certfile";
    String keyKey = prefix + ".keyfile";
    File certFile = readable(certPath, certKey);
    X509Certificate[] chain = certificates(certFile, certKey);
    File keyFile = readable(keyPath, keyKey);
    String keyText = readText(keyFile, keyKey);
    if (!PEM_PRIVATE_KEY.matcher(keyText).find()) {
      throw new IllegalArgumentException(keyKey + ": no PEM private key in " + keyFile + "; " + KEY_HINT);
    }
    checkKeyMatches(keyText, chain[0], keyKey, certKey);
    try {
      if (builder == null) {
        return SslContextBuilder.forServer(certFile, keyFile);
      }
      return builder.keyManager(certFile, keyFile);
    } catch (IllegalArgumentException e) {
      // The certificates were read above, so what Netty could not read is the key.
      throw new IllegalArgumentException(keyKey + ": cannot read the private key in " + keyFile + " ("
          + rootMessage(e) + "); " + KEY_HINT, e);
    }
  }

  private static SslContext build(SslContextBuilder builder, String prefix) {
    try {
      return GrpcSslContexts.configure(builder, SslProvider.JDK).build();
    } catch (SSLException | RuntimeException e) {
      throw new IllegalArgumentException(prefix + ": cannot set up TLS: " + rootMessage(e), e);
    }
  }

  private static File readable(Path path, String key) {
    if (!Files.exists(path)) {
      throw new IllegalArgumentException(key + ": file not found: " + path);
    }
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException(key + ": not a regular file: " + path);
    }
    if (!Files.isReadable(path)) {
      throw new IllegalArgumentException(key + ": file not readable (check its permissions): " + path);
    }
    return path.toFile();
  }

  private static String readText(File file, String key) {
    try {
      return Files.readString(file.toPath(), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new IllegalArgumentException(key + ": cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static X509Certificate[] certificates(File file, String key) {
    Collection<? extends Certificate> read;
    try (InputStream in = Files.newInputStream(file.toPath())) {
      read = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException | CertificateException e) {
      throw new IllegalArgumentException(key + ": no valid PEM certificate in " + file + " ("
          + rootMessage(e) + "); '-----BEGIN CERTIFICATE-----' blocks are expected", e);
    }
    if (read.isEmpty()) {
      throw new IllegalArgumentException(key + ": no PEM certificate in " + file
          + "; '-----BEGIN CERTIFICATE-----' blocks are expected");
    }
    return read.stream().map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
  }

  /**
   * Catches the commonest TLS misconfiguration, a key file that belongs to another certificate,
   * here rather than as a handshake failure on the peer: signs a probe with the key and verifies it
   * with the certificate. Only for PKCS#8 keys of the certificate's algorithm; any other form is
   * left to Netty.
   */
  private static void checkKeyMatches(String keyText, X509Certificate certificate, String keyKey, String certKey) {
    Matcher body = PKCS8_BODY.matcher(keyText);
    if (!body.find()) {
      return;
    }
    PublicKey publicKey = certificate.getPublicKey();
    String algorithm = signatureAlgorithm(publicKey.getAlgorithm());
    if (algorithm == null) {
      return;
    }
    PrivateKey privateKey;
    try {
      byte[] der = Base64.getMimeDecoder().decode(body.group(1));
      privateKey = KeyFactory.getInstance(publicKey.getAlgorithm()).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException(keyKey + ": the private key does not match the certificate in "
          + certKey + " (it is not a " + publicKey.getAlgorithm() + " key)");
    }
    try {
      byte[] probe = "exproto key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      if (!verifier.verify(signature)) {
        throw new IllegalArgumentException(keyKey + ": the private key does not match the certificate in "
            + certKey);
      }
    } catch (GeneralSecurityException e) {
      log.debug("Could not check that {} matches {}: {}", keyKey, certKey, e.toString());
    }
  }

  private static String signatureAlgorithm(String keyAlgorithm) {
    switch (keyAlgorithm) {
      case "RSA":
        return "SHA256withRSA";
      case "EC":
        return "SHA256withECDSA";
      case "Ed25519":
      case "Ed448":
      case "EdDSA":
        return keyAlgorithm;
      default:
        return null;
    }
  }

  private static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null ? root.getClass().getSimpleName() : message;
  }
}
