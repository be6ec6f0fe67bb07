package io.exproto.testing;

import io.exproto.time.Scheduler;
import java.time.Duration;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} whose time moves only when a test calls {@link #advance(Duration)}. Due
 * tasks run on the caller's thread, in time order. Thread-safe.
 */
public final class ManualScheduler implements Scheduler {

  private final PriorityQueue<Task> tasks = new PriorityQueue<>();
  private long now;
  private long sequence;

  /**
   * Creates a scheduler whose clock starts at the given time.
   *
   * @param startMillis the initial time, milliseconds since the epoch
   */
  public ManualScheduler(long startMillis) {
    this.now = startMillis;
  }

  /** Creates a scheduler whose clock starts at 2026-01-01T00:00:00Z. */
  public ManualScheduler() {
    this(1_767_225_600_000L);
  }

  @Override
  public synchronized long nowMillis() {
    return now;
  }

  @Override
  public synchronized Cancellable schedule(Runnable task, long delayMillis) {
    Task t = new Task(now + Math.max(0, delayMillis), sequence++, task);
    tasks.add(t);
    return () -> {
      synchronized (ManualScheduler.this) {
        tasks.remove(t);
      }
    };
  }

  /**
   * Moves the clock forward, running every task that falls due, each at its own time.
   *
   * @param duration how far to move, not negative
   */
  public void advance(Duration duration) {
    long target;
    synchronized (this) {
      target = now + duration.toMillis();
    }
    while (true) {
      Task next;
      synchronized (this) {
        next = tasks.peek();
        if (next == null || next.due > target) {
          now = target;
          return;
        }
        tasks.poll();
        now = Math.max(now, next.due);
      }
      next.task.run();
    }
  }

  /**
   * Counts the tasks waiting to run.
   *
   * @return the number of pending tasks
   */
  public synchronized int pendingTasks() {
    return tasks.size();
  }

  private record Task(long due, long seq, Runnable task) implements Comparable<Task> {
    @Override
    public int compareTo(Task o) {
      int c = Long.compare(due, o.due);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
