package io.exproto.benchmarks.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures how busy other processes kept the machine while the suite ran: every two seconds it
 * samples the machine's busy CPU time ({@code /proc/stat}) and the CPU time of the suite's own
 * process tree (this JVM, its live children, and its exited children as {@code cutime/cstime}),
 * so that "others" is the machine's busy time minus ours. The numbers are shares of the whole
 * machine (1.0 = every core busy).
 */
final class MachineMonitor implements AutoCloseable {

  private static final long PERIOD_MILLIS = 2_000;
  private static final int WINDOW_SAMPLES = 5; // 10 s

  private final List<long[]> samples = new ArrayList<>(); // {total, busy, ours}
  private final Thread thread;
  private volatile boolean running = true;

  MachineMonitor() {
    sample();
    thread = new Thread(() -> {
      while (running) {
        try {
          Thread.sleep(PERIOD_MILLIS);
        } catch (InterruptedException e) {
          return;
        }
        sample();
      }
    }, "machine-monitor");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Tells whether {@code /proc} could be read.
   *
   * @return whether the shares mean anything
   */
  synchronized boolean available() {
    return samples.size() >= 2 && samples.get(0)[0] > 0;
  }

  /**
   * Returns the share of the machine other processes used over the whole run.
   *
   * @return 0..1
   */
  synchronized double othersShare() {
    return share(0, samples.size() - 1);
  }

  /**
   * Returns the largest share of the machine other processes used in any 10-second window.
   *
   * @return 0..1
   */
  synchronized double othersPeakShare() {
    double peak = 0;
    for (int i = 0; i + WINDOW_SAMPLES < samples.size(); i++) {
      peak = Math.max(peak, share(i, i + WINDOW_SAMPLES));
    }
    return samples.size() <= WINDOW_SAMPLES ? othersShare() : peak;
  }

  /**
   * Returns the share of the machine the suite itself used over the whole run.
   *
   * @return 0..1
   */
  synchronized double oursShare() {
    if (samples.size() < 2) {
      return 0;
    }
    long[] a = samples.get(0);
    long[] b = samples.get(samples.size() - 1);
    return b[0] == a[0] ? 0 : (double) (b[2] - a[2]) / (b[0] - a[0]);
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    sample();
  }

  private double share(int from, int to) {
    if (to <= from) {
      return 0;
    }
    long[] a = samples.get(from);
    long[] b = samples.get(to);
    long total = b[0] - a[0];
    long others = (b[1] - a[1]) - (b[2] - a[2]);
    return total <= 0 ? 0 : Math.max(0, (double) others / total);
  }

  private synchronized void sample() {
    long[] machine = machineJiffies();
    samples.add(new long[] {machine[0], machine[1], ourJiffies()});
  }

  /** {total, busy} over all CPUs, in clock ticks. */
  private static long[] machineJiffies() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i <= 8 && i < f.length; i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {total, total - idle};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  private static long ourJiffies() {
    long ours = processJiffies(ProcessHandle.current().pid(), true);
    for (ProcessHandle child : ProcessHandle.current().descendants().toList()) {
      ours += processJiffies(child.pid(), false);
    }
    return ours;
  }

  private static long processJiffies(long pid, boolean withExitedChildren) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name may hold spaces: fields are counted after its closing parenthesis.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      long own = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
      return withExitedChildren ? own + Long.parseLong(f[13]) + Long.parseLong(f[14]) : own;
    } catch (IOException | RuntimeException e) {
      return 0; // the process ended meanwhile
    }
  }
}
