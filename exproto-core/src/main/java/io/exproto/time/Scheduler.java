package io.exproto.time;

/**
 * The gateway's clock and timer service. The default runs on a single daemon thread; tests pass
 * {@link io.exproto.testing.ManualScheduler} to move time by hand.
 */
public interface Scheduler {

  /**
   * Returns the current time.
   *
   * @return milliseconds since the epoch
   */
  long nowMillis();

  /**
   * Runs a task once after a delay. The task must not block.
   *
   * @param task what to run
   * @param delayMillis the delay, 0 or more
   * @return a handle to cancel the task
   */
  Cancellable schedule(Runnable task, long delayMillis);

  /** A scheduled task that can be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    /** Cancels the task if it has not run yet. Idempotent. */
    void cancel();
  }
}
