package io.exproto.transport.ssl;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Adds EMQX's (OpenSSL's) {@code depth} to a trust manager: a client chain may hold at most
 * {@code depth} intermediate CA certificates (not self-issued) after the client's own; depth 0
 * means the client certificate must be issued by a trusted root directly. Everything else is the
 * wrapped trust manager's decision. The check counts the certificates the client sent; a client
 * that leaves out intermediates the server trusts anyway is counted by what it sent.
 */
final class DepthLimitedTrustManager extends X509ExtendedTrustManager {

  private final X509ExtendedTrustManager delegate;
  private final int depth;

  /**
   * Wraps a trust manager.
   *
   * @param delegate the trust manager that decides everything but the depth, not null
   * @param depth the most intermediate certificates a client chain may hold, at least 0
   */
  DepthLimitedTrustManager(X509ExtendedTrustManager delegate, int depth) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.depth = depth;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    checkDepth(chain);
    delegate.checkClientTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    checkDepth(chain);
    delegate.checkClientTrusted(chain, authType, socket);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checkDepth(chain);
    delegate.checkClientTrusted(chain, authType, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    delegate.checkServerTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    delegate.checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    delegate.checkServerTrusted(chain, authType, engine);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return delegate.getAcceptedIssuers();
  }

  private void checkDepth(X509Certificate[] chain) throws CertificateException {
    int intermediates = 0;
    for (int i = 1; i < chain.length; i++) {
      if (!chain[i].getSubjectX500Principal().equals(chain[i].getIssuerX500Principal())) {
        intermediates++;
      }
    }
    if (intermediates > depth) {
      throw new CertificateException("the client's chain has " + intermediates
          + " intermediate certificates; depth allows " + depth);
    }
  }
}
