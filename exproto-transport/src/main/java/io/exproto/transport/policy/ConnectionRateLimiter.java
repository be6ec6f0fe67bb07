package io.exproto.transport.policy;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A listener's {@code max_conn_rate}: admits at most a given number of new connections per second,
 * as a token bucket. Thread-safe.
 *
 * <p>The bucket holds up to {@code burst} tokens (by default one second's worth, so a listener may
 * admit {@code perSecond} connections at once after a quiet second) and starts full. It refills
 * continuously at {@code perSecond} tokens per second. Each admitted connection takes one token;
 * when none is left, {@link #tryAcquire()} answers false at once and the caller decides: the
 * stream listeners stop accepting until {@link #nanosUntilAvailable()} has passed (the connection
 * waits in the kernel's accept queue, as with EMQX), the datagram listeners drop the new peer's
 * datagram.
 *
 * <p>Time comes from a monotonic nanosecond source ({@link System#nanoTime()} by default); tests
 * inject their own to move time by hand.
 *
 * <pre>{@code
 * ConnectionRateLimiter limiter = new ConnectionRateLimiter(1000);
 * if (!limiter.tryAcquire()) {
 *   retryAfter(limiter.nanosUntilAvailable());
 * }
 * }</pre>
 */
public final class ConnectionRateLimiter {

  private static final double NANOS_PER_SECOND = 1_000_000_000d;

  private final int perSecond;
  private final int burst;
  private final LongSupplier nanoTime;

  // Guarded by this.
  private double tokens;
  private long lastRefill;

  /**
   * Creates a limiter with a burst of one second's worth, on the system's monotonic clock.
   *
   * @param perSecond the new connections admitted per second, at least 1
   * @throws IllegalArgumentException when {@code perSecond} is below 1 (the message names
   *     {@code max_conn_rate})
   */
  public ConnectionRateLimiter(int perSecond) {
    this(perSecond, perSecond, System::nanoTime);
  }

  /**
   * Creates a limiter.
   *
   * @param perSecond the new connections admitted per second, at least 1
   * @param burst the most connections admitted at once after a quiet period, at least 1
   * @param nanoTime a monotonic time source in nanoseconds, such as {@code System::nanoTime}; not
   *     null
   * @throws IllegalArgumentException when a number is below 1 (the message names the setting)
   */
  public ConnectionRateLimiter(int perSecond, int burst, LongSupplier nanoTime) {
    if (perSecond < 1) {
      throw new IllegalArgumentException("max_conn_rate must be at least 1 per second, got " + perSecond);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("max_conn_rate burst must be at least 1, got " + burst);
    }
    this.perSecond = perSecond;
    this.burst = burst;
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.tokens = burst;
    this.lastRefill = nanoTime.getAsLong();
  }

  /**
   * Takes a token for one new connection if one is available. Never blocks.
   *
   * @return true when the connection is admitted, false when the rate is exceeded and the
   *     connection must wait (or, for datagrams, be dropped)
   */
  public synchronized boolean tryAcquire() {
    refill(nanoTime.getAsLong());
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  /**
   * Tells how long until {@link #tryAcquire()} can next succeed. Never blocks.
   *
   * @return nanoseconds, 0 when a token is available now
   */
  public synchronized long nanosUntilAvailable() {
    refill(nanoTime.getAsLong());
    if (tokens >= 1) {
      return 0;
    }
    return (long) Math.ceil((1 - tokens) * NANOS_PER_SECOND / perSecond);
  }

  /**
   * Returns the configured rate.
   *
   * @return new connections per second
   */
  public int perSecond() {
    return perSecond;
  }

  /**
   * Returns the bucket's size.
   *
   * @return the most connections admitted at once
   */
  public int burst() {
    return burst;
  }

  // Guarded by this.
  private void refill(long now) {
    long elapsed = now - lastRefill;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed * (perSecond / NANOS_PER_SECOND));
      lastRefill = now;
    }
  }

  @Override
  public String toString() {
    return "ConnectionRateLimiter{" + perSecond + "/s, burst " + burst + "}";
  }
}
