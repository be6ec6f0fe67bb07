package io.exproto.transport.internal;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.logging.RateLimitedLogger;
import io.exproto.transport.ListenerCounters;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces a listener's {@code max_connections}: counts the listener's open connections and
 * closes a new one at once when the count is already at the maximum. Not API.
 *
 * <p>A refused channel never gets past this handler: neither its {@code channelActive} nor its
 * {@code channelInactive} reaches the handlers behind it, so it never reaches the gateway. Each
 * refusal is counted in the gateway's metrics as {@code <listener>.refused.max_connections} and
 * logged (with the peer address only) at most once per period.
 *
 * <p>{@link Sharable}: one instance per listener, in every channel's pipeline; the count is the
 * only state, and it is atomic; the log limiter is thread-safe.
 */
@Sharable
public final class ConnectionLimitHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(ConnectionLimitHandler.class);

  /** Marks channels this handler admitted, so only those are counted down when they close. */
  private static final AttributeKey<Boolean> ADMITTED =
      AttributeKey.valueOf(ConnectionLimitHandler.class, "admitted");

  private final String listenerName;
  private final int maxConnections;
  private final GatewayMetrics metrics;
  private final String refusedCounter;
  private final AtomicInteger open = new AtomicInteger();
  private final RateLimitedLogger refusals = new RateLimitedLogger(log);

  /**
   * Creates the limit of one listener.
   *
   * @param listenerName the listener's name, not null; prefixes the refusal counter
   * @param maxConnections the most connections open at once, at least 1
   * @param metrics where refusals are counted, not null
   */
  public ConnectionLimitHandler(String listenerName, int maxConnections, GatewayMetrics metrics) {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be at least 1, got " + maxConnections);
    }
    this.listenerName = Objects.requireNonNull(listenerName, "listenerName");
    this.maxConnections = maxConnections;
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.refusedCounter = refusedCounterName(listenerName);
  }

  /**
   * Returns the name of the counter of connections a listener refused at its maximum.
   *
   * @param listenerName the listener's name
   * @return {@code <listenerName>.refused.max_connections}
   */
  public static String refusedCounterName(String listenerName) {
    return ListenerCounters.name(listenerName, ListenerCounters.REFUSED_MAX_CONNECTIONS);
  }

  /**
   * Admits the channel (passing the event on) or, at the maximum, counts and closes it.
   *
   * @param ctx the handler's context
   */
  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    int current;
    do {
      current = open.get();
      if (current >= maxConnections) {
        metrics.increment(refusedCounter);
        refusals.warn("{} refused a connection from {}: max_connections ({}) reached",
            listenerName, ctx.channel().remoteAddress(), maxConnections);
        ctx.close();
        return;
      }
    } while (!open.compareAndSet(current, current + 1));
    ctx.channel().attr(ADMITTED).set(Boolean.TRUE);
    ctx.fireChannelActive();
  }

  /**
   * Counts an admitted channel down and passes the event on; swallows it for a refused channel.
   *
   * @param ctx the handler's context
   */
  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (ctx.channel().attr(ADMITTED).getAndSet(null) == null) {
      return;
    }
    open.decrementAndGet();
    ctx.fireChannelInactive();
  }

  /**
   * Counts the connections currently admitted.
   *
   * @return the number of open connections
   */
  public int openConnections() {
    return open.get();
  }
}
