package io.exproto.transport.internal;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.handler.CloseReasons;
import io.exproto.logging.RateLimitedLogger;
import io.exproto.transport.ListenerCounters;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces {@code tcp_options.send_timeout}: notices a device that stopped reading. Not API.
 *
 * <p>A write completes once the socket has taken all its bytes. When the device does not read,
 * the socket's send buffer fills, writes stop completing and pile up in Netty's outbound buffer.
 * Like Netty's {@code WriteTimeoutHandler} this handler watches write completions, but it
 * measures progress rather than the age of each write: the timeout fires when writes are pending
 * and none has completed for the whole timeout (a device that reads slowly but steadily is not
 * cut off). Then it counts {@code <listener>.send_timeout}, logs the peer (at most one line per
 * period for the whole listener: see {@link #newTimeoutLog()}), and, with
 * {@code send_timeout_close}, closes the channel; the gateway sees the close reason
 * {@code send_timeout} ({@link CloseReasons#SEND_TIMEOUT}).
 * Without it the writes stay queued and the timer starts over.
 *
 * <p>One timer runs per channel, only while writes are pending. Progress within one very large
 * write (a write the socket takes in parts) does not count, so the timeout should be longer than
 * the time the device needs to read the largest single write.
 *
 * <p>Stateful: one instance per channel; every method runs on the channel's event loop.
 */
public final class SendTimeoutHandler extends ChannelOutboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(SendTimeoutHandler.class);

  private final String listenerName;
  private final long timeoutNanos;
  private final boolean closeOnTimeout;
  private final GatewayMetrics metrics;
  private final RateLimitedLogger timeouts;
  private int pendingWrites;
  private long lastProgress;
  private ScheduledFuture<?> check;

  /**
   * Creates the handler of one channel. Time is the channel's event loop's
   * {@link io.netty.util.concurrent.Ticker}, so a test's embedded channel can move it.
   *
   * @param listenerName the listener's name, not null
   * @param timeout how long writes may make no progress, positive
   * @param closeOnTimeout whether a timeout closes the channel
   * @param metrics where timeouts are counted, not null
   * @param timeouts the listener's log of timeouts, shared by all its channels, not null
   *     ({@link #newTimeoutLog()})
   */
  public SendTimeoutHandler(String listenerName, Duration timeout, boolean closeOnTimeout,
      GatewayMetrics metrics, RateLimitedLogger timeouts) {
    this.listenerName = Objects.requireNonNull(listenerName, "listenerName");
    this.timeoutNanos = Objects.requireNonNull(timeout, "timeout").toNanos();
    this.closeOnTimeout = closeOnTimeout;
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
    if (timeoutNanos <= 0) {
      throw new IllegalArgumentException("sendTimeout must be positive");
    }
  }

  /**
   * Creates the log of one listener's send timeouts: every device that stops reading causes one,
   * so it writes at most one line per period.
   *
   * @return a new rate-limited log, to share among the listener's channels
   */
  public static RateLimitedLogger newTimeoutLog() {
    return new RateLimitedLogger(log);
  }

  /**
   * Tracks the write's completion, then passes it on.
   *
   * @param ctx the handler's context
   * @param msg the outbound message
   * @param promise the write's promise
   */
  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    ChannelPromise tracked = promise.unvoid();
    if (pendingWrites++ == 0) {
      lastProgress = now(ctx);
    }
    tracked.addListener((ChannelFuture done) -> {
      pendingWrites--;
      lastProgress = now(ctx);
    });
    if (check == null) {
      schedule(ctx, timeoutNanos);
    }
    ctx.write(msg, tracked);
  }

  /**
   * Stops the timer.
   *
   * @param ctx the handler's context
   */
  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (check != null) {
      check.cancel(false);
      check = null;
    }
  }

  /**
   * Tells how many writes have not completed yet, for tests.
   *
   * @return the number of pending writes
   */
  int pendingWrites() {
    return pendingWrites;
  }

  private static long now(ChannelHandlerContext ctx) {
    return ctx.executor().ticker().nanoTime();
  }

  private void schedule(ChannelHandlerContext ctx, long delayNanos) {
    check = ctx.executor().schedule(() -> onCheck(ctx), delayNanos, TimeUnit.NANOSECONDS);
  }

  private void onCheck(ChannelHandlerContext ctx) {
    check = null;
    if (pendingWrites == 0 || !ctx.channel().isOpen()) {
      return;
    }
    long stalled = now(ctx) - lastProgress;
    if (stalled < timeoutNanos) {
      schedule(ctx, timeoutNanos - stalled);
      return;
    }
    metrics.increment(ListenerCounters.name(listenerName, ListenerCounters.SEND_TIMEOUT));
    timeouts.info("{}: {} pending writes to {} made no progress for {} ms (send_timeout){}",
        listenerName, pendingWrites, ctx.channel().remoteAddress(),
        TimeUnit.NANOSECONDS.toMillis(stalled),
        closeOnTimeout ? "; closing the connection" : "");
    if (closeOnTimeout) {
      ctx.channel().attr(ChannelAttributes.CLOSE_REASON).setIfAbsent(CloseReasons.SEND_TIMEOUT);
      ctx.close();
    } else {
      lastProgress = now(ctx);
      schedule(ctx, timeoutNanos);
    }
  }
}
