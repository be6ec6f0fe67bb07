package io.exproto.transport.internal;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.logging.RateLimitedLogger;
import io.exproto.transport.ListenerCounters;
import io.exproto.transport.policy.ConnectionRateLimiter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces a stream listener's {@code max_conn_rate} by delaying accepts, as EMQX does: it sits
 * in the server channel's pipeline, in front of Netty's acceptor, and sees each accepted
 * connection before it is registered. A connection that finds a token in the listener's
 * {@link ConnectionRateLimiter} goes on at once. Without one it is held (never closed), the
 * server channel's auto-read is turned off, so the listener stops accepting and further
 * connections wait in the kernel's accept queue (up to {@code tcp_options.backlog}), and a timer
 * hands the held connections on as tokens return; once none is held, accepting resumes. Each
 * delayed connection is counted as {@code <listener>.delayed.max_conn_rate}; delays are logged
 * at most once per period. Not API.
 *
 * <p>Only the connections of one accept batch are ever held (Netty accepts up to
 * {@code MAX_MESSAGES_PER_READ} per read); the rest wait in the kernel. A held connection whose
 * device gave up meanwhile simply closes once handed on. When the server channel closes (the
 * listener stops), the held connections are closed.
 *
 * <p>Stateful: one instance per server channel; every method runs on its event loop.
 */
public final class ConnectionRateHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(ConnectionRateHandler.class);
  private static final long MIN_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  private final String listenerName;
  private final ConnectionRateLimiter limiter;
  private final GatewayMetrics metrics;
  private final String delayedCounter;
  private final RateLimitedLogger delays = new RateLimitedLogger(log);
  private final ArrayDeque<Object> held = new ArrayDeque<>();
  private ScheduledFuture<?> wakeUp;

  /**
   * Creates the limit of one listener's server channel.
   *
   * @param listenerName the listener's name, not null
   * @param limiter the listener's limiter, not null
   * @param metrics where delays are counted, not null
   */
  public ConnectionRateHandler(String listenerName, ConnectionRateLimiter limiter,
      GatewayMetrics metrics) {
    this.listenerName = Objects.requireNonNull(listenerName, "listenerName");
    this.limiter = Objects.requireNonNull(limiter, "limiter");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.delayedCounter =
        ListenerCounters.name(listenerName, ListenerCounters.DELAYED_MAX_CONN_RATE);
  }

  /**
   * Passes an accepted connection on when a token is free and none is waiting before it; holds
   * it otherwise and stops accepting.
   *
   * @param ctx the server channel's context
   * @param msg the accepted child channel
   */
  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (held.isEmpty() && limiter.tryAcquire()) {
      ctx.fireChannelRead(msg);
      return;
    }
    held.add(msg);
    metrics.increment(delayedCounter);
    delays.info("{} delays accepting connections: max_conn_rate ({}/s) exceeded; {} waiting,"
        + " more in the accept queue", listenerName, limiter.perSecond(), held.size());
    // Also when Netty's acceptor turned it back on after an accept error: stay off while holding.
    ctx.channel().config().setAutoRead(false);
    scheduleWakeUp(ctx);
  }

  /**
   * Closes the held connections when the server channel closes, then passes the event on.
   *
   * @param ctx the server channel's context
   */
  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    dropHeld();
    ctx.fireChannelInactive();
  }

  /**
   * Stops the timer and closes the held connections.
   *
   * @param ctx the server channel's context
   */
  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    dropHeld();
  }

  /**
   * Counts the connections held now, for tests.
   *
   * @return the number
   */
  int heldConnections() {
    return held.size();
  }

  private void scheduleWakeUp(ChannelHandlerContext ctx) {
    if (wakeUp != null) {
      return;
    }
    long wait = Math.min(MAX_WAIT_NANOS, Math.max(MIN_WAIT_NANOS, limiter.nanosUntilAvailable()));
    wakeUp = ctx.executor().schedule(() -> onWakeUp(ctx), wait, TimeUnit.NANOSECONDS);
  }

  private void onWakeUp(ChannelHandlerContext ctx) {
    wakeUp = null;
    if (!ctx.channel().isOpen()) {
      dropHeld();
      return;
    }
    boolean handedOn = false;
    while (!held.isEmpty() && limiter.tryAcquire()) {
      ctx.fireChannelRead(held.poll());
      handedOn = true;
    }
    if (handedOn) {
      ctx.fireChannelReadComplete();
    }
    if (!held.isEmpty()) {
      scheduleWakeUp(ctx);
      return;
    }
    ctx.channel().config().setAutoRead(true); // asks for a read: accepting resumes
  }

  private void dropHeld() {
    if (wakeUp != null) {
      wakeUp.cancel(false);
      wakeUp = null;
    }
    Object child;
    while ((child = held.poll()) != null) {
      if (child instanceof Channel channel) {
        // Never registered with an event loop: close it as Netty's acceptor closes a child it
        // cannot register.
        channel.unsafe().closeForcibly();
      } else {
        ReferenceCountUtil.release(child);
      }
    }
  }
}
