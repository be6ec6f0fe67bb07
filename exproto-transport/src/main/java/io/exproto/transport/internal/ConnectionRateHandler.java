package io.exproto.transport.internal;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.transport.ListenerCounters;
import io.exproto.transport.policy.ConnectionRateLimiter;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces a listener's {@code max_conn_rate}: each new channel takes a token from the listener's
 * {@link ConnectionRateLimiter}; without one it is closed at once (not queued) before the gateway
 * sees it and counted as {@code <listener>.refused.max_conn_rate}. Refusals are logged at debug
 * level only, since they come in floods. Not API.
 *
 * <p>{@link Sharable}: one instance per listener; the limiter is thread-safe.
 */
@Sharable
public final class ConnectionRateHandler extends AdmissionHandler {

  private static final Logger log = LoggerFactory.getLogger(ConnectionRateHandler.class);

  private final String listenerName;
  private final ConnectionRateLimiter limiter;
  private final GatewayMetrics metrics;
  private final String refusedCounter;

  /**
   * Creates the limit of one listener.
   *
   * @param listenerName the listener's name, not null
   * @param limiter the listener's limiter, not null
   * @param metrics where refusals are counted, not null
   */
  public ConnectionRateHandler(String listenerName, ConnectionRateLimiter limiter, GatewayMetrics metrics) {
    this.listenerName = Objects.requireNonNull(listenerName, "listenerName");
    this.limiter = Objects.requireNonNull(limiter, "limiter");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.refusedCounter = ListenerCounters.name(listenerName, ListenerCounters.REFUSED_MAX_CONN_RATE);
  }

  @Override
  protected boolean admit(ChannelHandlerContext ctx) {
    if (limiter.tryAcquire()) {
      return true;
    }
    metrics.increment(refusedCounter);
    log.debug("{} refused a connection from {}: max_conn_rate ({}/s) exceeded", listenerName,
        ctx.channel().remoteAddress(), limiter.perSecond());
    return false;
  }
}
