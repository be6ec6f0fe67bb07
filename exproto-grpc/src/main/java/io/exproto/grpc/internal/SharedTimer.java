package io.exproto.grpc.internal;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import java.util.concurrent.TimeUnit;

/**
 * The JVM's one timer for the binding's deadlines and waits: a hashed wheel with a 10 ms tick on
 * one daemon thread, created on first use and never stopped, so an application may create any
 * number of clients. Its tasks must be short and must not block: they complete futures, cancel
 * calls, nudge a channel.
 *
 * <p>Internal: not part of the public API.
 */
public final class SharedTimer {

  private static final class Holder {
    static final HashedWheelTimer TIMER = new HashedWheelTimer(runnable -> {
      Thread thread = new Thread(runnable, "exproto-grpc-deadlines");
      thread.setDaemon(true);
      return thread;
    }, 10, TimeUnit.MILLISECONDS);
  }

  private SharedTimer() {}

  /**
   * Runs a task once after a delay, give or take a tick.
   *
   * @param task the task, short and non-blocking
   * @param delay the delay
   * @param unit its unit
   * @return the pending run, to cancel
   */
  public static Timeout schedule(TimerTask task, long delay, TimeUnit unit) {
    return Holder.TIMER.newTimeout(task, delay, unit);
  }
}
