package io.exproto.transport.internal;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.listener.ConnectionInfo;
import io.exproto.logging.RateLimitedLogger;
import io.exproto.transport.ListenerCounters;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream listener's bound on what is queued for each device
 * ({@code tcp_options.high_watermark}), with the counter and the rate-limited logs of the writes
 * it refuses and of the writes that fail. Shared by the listener's {@link NettyConnection}s. Not
 * API. Thread-safe.
 */
public final class OutputLimits {

  private static final Logger log = LoggerFactory.getLogger(NettyConnection.class);

  private final String listenerName;
  private final int highWatermark;
  private final int lowWatermark;
  private final GatewayMetrics metrics;
  private final String droppedWrites;
  private final String refusal;
  private final RateLimitedLogger refusals = new RateLimitedLogger(log);
  private final RateLimitedLogger failures = new RateLimitedLogger(log);

  /**
   * Creates the limits of one listener, with the low-water mark at half the high one.
   *
   * @param listenerName the listener's name, not null
   * @param highWatermark the most bytes queued for one device, at least 1
   * @param metrics where refusals are counted, not null
   */
  public OutputLimits(String listenerName, int highWatermark, GatewayMetrics metrics) {
    if (highWatermark < 1) {
      throw new IllegalArgumentException("highWatermark must be at least 1, got " + highWatermark);
    }
    this.listenerName = Objects.requireNonNull(listenerName, "listenerName");
    this.highWatermark = highWatermark;
    this.lowWatermark = highWatermark / 2;
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.droppedWrites = ListenerCounters.name(listenerName, ListenerCounters.DROPPED_WRITES);
    this.refusal = "the connection's send backlog is over its high-water mark of " + highWatermark
        + " bytes (the device is not reading)";
  }

  /**
   * Returns the high-water mark.
   *
   * @return bytes
   */
  int highWatermark() {
    return highWatermark;
  }

  /**
   * Returns the low-water mark, where a device paused for its backlog is read again.
   *
   * @return bytes
   */
  int lowWatermark() {
    return lowWatermark;
  }

  /**
   * Returns the reason a refused write gives.
   *
   * @return the text, naming the mark
   */
  String refusalReason() {
    return refusal;
  }

  /**
   * Counts and logs (at most once per period) a write refused for the backlog.
   *
   * @param info the connection
   * @param size the refused write's size
   * @param pending the backlog when it was refused
   */
  void refused(ConnectionInfo info, int size, long pending) {
    metrics.increment(droppedWrites);
    refusals.warn("{} refused a write of {} bytes to {}: {} bytes are still waiting for the"
        + " device, over the high-water mark of {} (tcp_options.high_watermark)", listenerName,
        size, info.peer(), pending, highWatermark);
  }

  /**
   * Logs a write that was taken and then failed. A closed channel or a broken socket (the device
   * went away) is the ordinary end of a connection and logged at debug level; anything else (an
   * allocation failure such as {@link OutOfMemoryError}, a bug) at ERROR, at most once per
   * period.
   *
   * @param info the connection
   * @param size the write's size
   * @param cause the failure
   */
  void writeFailed(ConnectionInfo info, int size, Throwable cause) {
    if (cause instanceof ClosedChannelException || cause instanceof IOException) {
      log.debug("Write to {} on {} failed; closing the connection: {}", info.peer(), listenerName,
          String.valueOf(cause));
      return;
    }
    failures.error("{}: a write of {} bytes to {} failed; closing that connection: {}",
        listenerName, size, info.peer(), String.valueOf(cause));
  }
}
