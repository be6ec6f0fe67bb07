package io.exproto.transport.internal;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.listener.CertificateInfo;
import io.exproto.logging.RateLimitedLogger;
import io.exproto.transport.ListenerCounters;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.security.auth.x500.X500Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a TLS connection back until its handshake has completed. Not API.
 *
 * <p>It sits right behind Netty's {@link SslHandler}. It swallows {@code channelActive} (the
 * SslHandler passes it on at once), and when the handshake completes:
 *
 * <ul>
 *   <li>successfully: records the subject of the client's certificate, when it presented one, as
 *       {@link ChannelAttributes#PEER_CERTIFICATE} (the CN and the RFC 2253 distinguished name),
 *       then fires {@code channelActive}, so the gateway sees the connection only now;</li>
 *   <li>with a failure (a bad or missing client certificate, a protocol the listener does not
 *       accept, a timeout, bytes that are not TLS, a client that left): counts
 *       {@code <listener>.refused.tls_handshake}, logs the peer address and the reason (at most
 *       one line per period for the whole listener: see {@link #newFailureLog()}), and closes
 *       the channel; nothing behind it sees the connection.</li>
 * </ul>
 *
 * <p>Stateful: one instance per channel; every method runs on the channel's event loop.
 */
public final class TlsHandshakeHandler extends HoldingHandler {

  private static final Logger log = LoggerFactory.getLogger(TlsHandshakeHandler.class);

  private final String listenerName;
  private final GatewayMetrics metrics;
  private final RateLimitedLogger failures;

  /**
   * Creates the handler of one channel.
   *
   * @param listenerName the listener's name, not null
   * @param metrics where failed handshakes are counted, not null
   * @param failures the listener's log of failed handshakes, shared by all its channels, not
   *     null ({@link #newFailureLog()})
   */
  public TlsHandshakeHandler(String listenerName, GatewayMetrics metrics,
      RateLimitedLogger failures) {
    this.listenerName = Objects.requireNonNull(listenerName, "listenerName");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.failures = Objects.requireNonNull(failures, "failures");
  }

  /**
   * Creates the log of one listener's failed handshakes: a client (or a scanner) can fail one
   * per connection, so it writes at most one line per period.
   *
   * @return a new rate-limited log, to share among the listener's channels
   */
  public static RateLimitedLogger newFailureLog() {
    return new RateLimitedLogger(log);
  }

  /**
   * Holds the event back until the handshake completes.
   *
   * @param ctx the handler's context
   */
  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    // Fired again by userEventTriggered once the handshake is done.
  }

  /**
   * Admits or refuses the connection on the handshake's completion; passes every event on.
   *
   * @param ctx the handler's context
   * @param event the event
   */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof SslHandshakeCompletionEvent done && waiting()) {
      if (done.isSuccess()) {
        pass();
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl != null) {
          peerCertificate(ssl).ifPresent(info -> ctx.channel().attr(ChannelAttributes.PEER_CERTIFICATE).set(info));
        }
        ctx.fireChannelActive();
      } else {
        refuse(ctx, done.cause());
      }
    }
    ctx.fireUserEventTriggered(event);
  }

  /**
   * Refuses the connection on a failure before the handshake completed (counted once, whether
   * the failure or the handshake's failure event comes first; later failures go on). Bytes before
   * the handshake are released and the close of a connection whose handshake never completed is
   * swallowed, as for every {@link HoldingHandler}.
   *
   * @param ctx the handler's context
   * @param cause the failure
   */
  @Override
  void failedWhileWaiting(ChannelHandlerContext ctx, Throwable cause) {
    refuse(ctx, cause);
  }

  private void refuse(ChannelHandlerContext ctx, Throwable cause) {
    if (!refuse()) {
      return;
    }
    metrics.increment(ListenerCounters.name(listenerName, ListenerCounters.REFUSED_TLS_HANDSHAKE));
    failures.info("{}: TLS handshake with {} failed: {}", listenerName,
        ctx.channel().remoteAddress(), describe(cause));
    if (log.isDebugEnabled()) {
      log.debug("{}: TLS handshake failure details", listenerName, cause);
    }
    ctx.close();
  }

  /**
   * Reads the subject of the client's certificate from a completed handshake.
   *
   * @param ssl the channel's TLS handler
   * @return the subject's CN and RFC 2253 DN, or empty when the client presented no certificate
   */
  static Optional<CertificateInfo> peerCertificate(SslHandler ssl) {
    Certificate[] chain;
    try {
      chain = ssl.engine().getSession().getPeerCertificates();
    } catch (SSLPeerUnverifiedException noCertificate) {
      return Optional.empty();
    }
    if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate cert)) {
      return Optional.empty();
    }
    return Optional.of(subject(cert.getSubjectX500Principal()));
  }

  /**
   * Extracts the CN (the most specific one, when there are several) and the RFC 2253 DN.
   *
   * @param subject a certificate's subject
   * @return its CN (empty when it has none) and DN
   */
  static CertificateInfo subject(X500Principal subject) {
    String dn = subject.getName(X500Principal.RFC2253);
    String cn = "";
    try {
      List<Rdn> rdns = new LdapName(dn).getRdns();
      // LdapName lists the RDNs from the right; the DN's leftmost CN is the most specific.
      for (int i = rdns.size() - 1; i >= 0 && cn.isEmpty(); i--) {
        Attribute attribute = rdns.get(i).toAttributes().get("cn");
        if (attribute != null && attribute.get() != null) {
          cn = attribute.get().toString();
        }
      }
    } catch (InvalidNameException e) {
      log.debug("Cannot parse the certificate subject {}", dn, e);
    } catch (NamingException e) {
      log.debug("Cannot read the CN of the certificate subject {}", dn, e);
    }
    return new CertificateInfo(cn, dn);
  }

  /**
   * Describes a handshake failure for an INFO log without any of the device's bytes: TLS alerts
   * and timeouts keep their message; anything else (for example Netty's "not an SSL/TLS record",
   * whose message holds the bytes in hex) is named by its type only. Details go to DEBUG.
   *
   * @param cause the failure, or null
   * @return a description safe to log
   */
  static String describe(Throwable cause) {
    if (cause == null) {
      return "unknown reason";
    }
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof NotSslRecordException) {
        return "the client sent bytes that are not TLS";
      }
    }
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root && !(root instanceof SSLException)) {
      root = root.getCause();
    }
    if (root instanceof SSLException && root.getMessage() != null) {
      return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
    return root.getClass().getSimpleName();
  }
}
