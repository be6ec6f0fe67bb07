package io.exproto.logging;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.event.Level;
import org.slf4j.helpers.FormattingTuple;
import org.slf4j.helpers.MessageFormatter;

/**
 * Writes at most one line per period and counts the lines it leaves out; the next line written
 * says how many were suppressed since the last one. Use one instance per place that logs
 * something a remote party controls, so a flood from one source neither fills the log nor hides
 * another source's lines.
 *
 * <p>Thread-safe and lock-free. A suppressed call costs a clock read and a counter increment: the
 * message is never formatted. A trailing {@link Throwable} argument is logged as SLF4J does (with
 * its stack trace); callers that want only its text pass {@code String.valueOf(error)}.
 */
public final class RateLimitedLogger {

  /** The period used when none is given: 10 seconds. */
  public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(10);

  private final Logger logger;
  private final long periodNanos;
  private final LongSupplier nanoClock;
  // The clock value from which the next line may be written.
  private final AtomicLong nextAllowed;
  private final LongAdder suppressed = new LongAdder();
  private final LongAdder suppressedTotal = new LongAdder();

  /**
   * Creates a limiter writing one line per {@link #DEFAULT_PERIOD} to a logger.
   *
   * @param logger where lines go, not null
   */
  public RateLimitedLogger(Logger logger) {
    this(logger, DEFAULT_PERIOD, System::nanoTime);
  }

  /**
   * Creates a limiter with its own period and clock.
   *
   * @param logger where lines go, not null
   * @param period at most one line is written per period; positive
   * @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime}, or a test's)
   */
  public RateLimitedLogger(Logger logger, Duration period, LongSupplier nanoClock) {
    this.logger = Objects.requireNonNull(logger, "logger");
    this.periodNanos = Objects.requireNonNull(period, "period").toNanos();
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    if (periodNanos <= 0) {
      throw new IllegalArgumentException("period must be positive, was " + period);
    }
    this.nextAllowed = new AtomicLong(nanoClock.getAsLong());
  }

  /**
   * Logs at ERROR, unless a line was written within the period.
   *
   * @param format an SLF4J format string
   * @param args its arguments; a trailing Throwable is logged with its stack trace
   */
  public void error(String format, Object... args) {
    log(Level.ERROR, format, args);
  }

  /**
   * Logs at WARN, unless a line was written within the period.
   *
   * @param format an SLF4J format string
   * @param args its arguments; a trailing Throwable is logged with its stack trace
   */
  public void warn(String format, Object... args) {
    log(Level.WARN, format, args);
  }

  /**
   * Logs at INFO, unless a line was written within the period.
   *
   * @param format an SLF4J format string
   * @param args its arguments; a trailing Throwable is logged with its stack trace
   */
  public void info(String format, Object... args) {
    log(Level.INFO, format, args);
  }

  /**
   * Tells how many lines were left out since this limiter was created.
   *
   * @return the number of suppressed lines
   */
  public long suppressedTotal() {
    return suppressedTotal.sum();
  }

  private void log(Level level, String format, Object[] args) {
    if (!logger.isEnabledForLevel(level)) {
      return;
    }
    long now = nanoClock.getAsLong();
    long next = nextAllowed.get();
    if (now - next < 0 || !nextAllowed.compareAndSet(next, now + periodNanos)) {
      suppressed.increment();
      suppressedTotal.increment();
      return;
    }
    long left = suppressed.sumThenReset();
    FormattingTuple line = MessageFormatter.arrayFormat(format, args);
    String message = left == 0
        ? line.getMessage()
        : line.getMessage() + " (" + left + " similar lines suppressed)";
    logger.atLevel(level).setCause(line.getThrowable()).log(message);
  }
}
