package io.exproto.internal.engine;

import io.exproto.logging.RateLimitedLogger;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's log sites that a remote party can trigger (a device, the handler, an
 * authenticator's or authorizer's answer, the broker): one {@link RateLimitedLogger} each, shared
 * by every channel of the engine, so a failure that hits every connection writes one line per
 * period per site, with a count of the lines left out, instead of one line per event. The
 * counters in {@link io.exproto.gateway.GatewayMetrics} stay exact.
 */
final class EngineLogs {

  // ---- Channel ----
  /** A transport kept delivering bytes while paused. */
  final RateLimitedLogger queueOverflow;
  /** A delivery did not fit the full event queue. */
  final RateLimitedLogger deliveryDropped;
  /** A delivery did not fit while the handler was away: the connection closes. */
  final RateLimitedLogger deliveryDroppedClosing;
  /** A message alone is bigger than the batch byte limit. */
  final RateLimitedLogger messageTooLarge;
  /** A callback is being retried under the retry policy. */
  final RateLimitedLogger handlerRetrying;
  /** The retry window passed. */
  final RateLimitedLogger handlerGaveUp;
  /** A callback failed: the connection closes. */
  final RateLimitedLogger handlerFailed;
  /** OnSocketClosed failed. */
  final RateLimitedLogger handlerFailedOnClose;
  /** Queued callbacks of a closed connection were not flushed in time. */
  final RateLimitedLogger unflushedDropped;

  // ---- Engine ----
  /** An Authenticate was denied. */
  final RateLimitedLogger authDenied;
  /** A client id authenticated again elsewhere: the older connection closes. */
  final RateLimitedLogger discarded;
  /** An authenticator failed. */
  final RateLimitedLogger authenticatorFailed;
  /** A publish or subscribe was denied by authorization. */
  final RateLimitedLogger authzDenied;
  /** An authorizer failed. */
  final RateLimitedLogger authorizerFailed;
  /** A broker call threw, failed, returned null or did not answer in time. */
  final RateLimitedLogger brokerFailed;
  /** An adapter operation failed unexpectedly (a bug): logged with its stack trace. */
  final RateLimitedLogger unexpected;

  /**
   * Creates the log sites.
   *
   * @param channelLog where the channel's lines go
   * @param engineLog where the adapter operations' lines go
   * @param period at most one line per site per period
   * @param nanoClock a monotonic clock in nanoseconds
   */
  EngineLogs(Logger channelLog, Logger engineLog, Duration period, LongSupplier nanoClock) {
    queueOverflow = new RateLimitedLogger(channelLog, period, nanoClock);
    deliveryDropped = new RateLimitedLogger(channelLog, period, nanoClock);
    deliveryDroppedClosing = new RateLimitedLogger(channelLog, period, nanoClock);
    messageTooLarge = new RateLimitedLogger(channelLog, period, nanoClock);
    handlerRetrying = new RateLimitedLogger(channelLog, period, nanoClock);
    handlerGaveUp = new RateLimitedLogger(channelLog, period, nanoClock);
    handlerFailed = new RateLimitedLogger(channelLog, period, nanoClock);
    handlerFailedOnClose = new RateLimitedLogger(channelLog, period, nanoClock);
    unflushedDropped = new RateLimitedLogger(channelLog, period, nanoClock);
    authDenied = new RateLimitedLogger(engineLog, period, nanoClock);
    discarded = new RateLimitedLogger(engineLog, period, nanoClock);
    authenticatorFailed = new RateLimitedLogger(engineLog, period, nanoClock);
    authzDenied = new RateLimitedLogger(engineLog, period, nanoClock);
    authorizerFailed = new RateLimitedLogger(engineLog, period, nanoClock);
    brokerFailed = new RateLimitedLogger(engineLog, period, nanoClock);
    unexpected = new RateLimitedLogger(engineLog, period, nanoClock);
  }

  /**
   * The production log sites: the loggers of {@link Channel} and {@link Engine}, one line per
   * {@link RateLimitedLogger#DEFAULT_PERIOD} per site, on {@code System.nanoTime}.
   *
   * @return the log sites
   */
  static EngineLogs standard() {
    return new EngineLogs(LoggerFactory.getLogger(Channel.class),
        LoggerFactory.getLogger(Engine.class), RateLimitedLogger.DEFAULT_PERIOD, System::nanoTime);
  }
}
