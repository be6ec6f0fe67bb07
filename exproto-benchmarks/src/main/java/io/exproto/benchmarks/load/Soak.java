package io.exproto.benchmarks.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The soak mode: device connections echo through a scenario's servers for a long time while the
 * heap (after garbage collection), Netty's direct memory, the live threads and the open file
 * descriptors of every server JVM are sampled, and the report says whether each stayed flat.
 *
 * <p>Load is open loop at a fixed total rate, well below the maximum: a soak looks for what grows
 * with time (leaks, queues, threads, descriptors), not for throughput, and a modest rate keeps the
 * garbage collector's own swings out of the picture. The first sample taken once the warm-up is
 * over is the baseline; a series is flat when nothing after it exceeds the baseline by more than
 * its tolerance (heap: 20% + 8 MiB; direct memory: 16 MiB, a few of the allocator's chunks;
 * threads and descriptors: 2). The client also counts connections the server closed and
 * connections that fell behind the rate: both must stay at zero.
 */
public final class Soak {

  private static final long MIB = 1024 * 1024;

  /** One sampling moment: the seconds since load started, and each server JVM's resources. */
  record Sample(double seconds, long echoed, List<ChildJvm.Resources> jvms) {}

  private Soak() {}

  /**
   * Runs a soak and writes its report.
   *
   * @param scenario what serves the connections
   * @param connections device connections carrying load
   * @param size bytes per message
   * @param rate total messages per second (open loop)
   * @param interval time between samples
   * @param settings warm-up (the baseline is taken after it), duration, server options
   * @param out the Markdown report to write
   * @param command the command line that produced it, for the report
   * @return whether every series stayed flat and no connection failed
   * @throws IOException when a server fails, connections cannot be set up, or the report cannot be written
   * @throws InterruptedException when interrupted
   */
  public static boolean run(Scenario scenario, int connections, int size, double rate, Duration interval,
      RunSettings settings, Path out, String command) throws IOException, InterruptedException {
    if (rate <= 0) {
      throw new IllegalArgumentException("a soak needs --rate > 0 (open loop)");
    }
    Instant started = Instant.now();
    List<Sample> samples = new ArrayList<>();
    List<String> names = new ArrayList<>();
    int unexpected;
    int overloaded;
    try (Servers servers = scenario.start(settings);
        EchoClient client = new EchoClient(settings.clientThreads())) {
      List<ChildJvm> jvms = new ArrayList<>(List.of(servers.server()));
      if (servers.handler() != null) {
        jvms.add(servers.handler());
      }
      jvms.forEach(j -> names.add(j == servers.server() ? "gateway" : "handler"));
      InetSocketAddress address = servers.deviceAddress();
      EchoClient.ConnectResult connected = client.connect(address, connections, settings.connectConcurrency(), 300_000);
      if (connected.greeted() < connections) {
        throw new IOException("only " + connected.greeted() + " of " + connections + " connections were set up");
      }
      client.startLoad(size, 1, rate);
      client.startRecording();
      long start = System.nanoTime();
      long end = start + settings.warmup().toNanos() + settings.duration().toNanos();
      long next = start;
      while (true) {
        List<ChildJvm.Resources> sampled = new ArrayList<>();
        for (ChildJvm jvm : jvms) {
          sampled.add(jvm.resources());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        samples.add(new Sample(seconds, client.peekRecorded(), sampled));
        System.out.printf(Locale.ROOT, "%7.0f s  %s%n", seconds, describe(names, sampled));
        next += interval.toNanos();
        if (next > end) {
          break;
        }
        Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
      }
      client.stopLoad();
      unexpected = client.unexpectedCloses();
      overloaded = client.overloadedConnections();
    }
    int baseline = baselineIndex(samples, settings.warmup().toSeconds());
    List<String> verdicts = new ArrayList<>();
    boolean flat = unexpected == 0 && overloaded == 0;
    for (int j = 0; j < names.size(); j++) {
      for (Series series : Series.values()) {
        String verdict = series.judge(samples, baseline, j);
        flat &= verdict.startsWith("flat");
        verdicts.add("| " + names.get(j) + " | " + series.label + " | " + verdict + " |");
      }
    }
    Files.writeString(out, report(scenario, connections, size, rate, interval, settings, command, started,
        names, samples, baseline, verdicts, unexpected, overloaded, flat), StandardCharsets.UTF_8);
    return flat;
  }

  private static int baselineIndex(List<Sample> samples, long warmupSeconds) {
    for (int i = 0; i < samples.size(); i++) {
      if (samples.get(i).seconds() >= warmupSeconds) {
        return i;
      }
    }
    return samples.size() - 1;
  }

  /** The sampled quantities and how much each may exceed its baseline. */
  private enum Series {
    HEAP("heap after GC") {
      @Override
      long value(ChildJvm.Resources r) {
        return r.heap();
      }

      @Override
      long tolerance(long baseline) {
        return baseline / 5 + 8 * MIB;
      }
    },
    DIRECT("Netty direct memory") {
      @Override
      long value(ChildJvm.Resources r) {
        return r.direct();
      }

      @Override
      long tolerance(long baseline) {
        return 16 * MIB;
      }
    },
    THREADS("threads") {
      @Override
      long value(ChildJvm.Resources r) {
        return r.threads();
      }

      @Override
      long tolerance(long baseline) {
        return 2;
      }
    },
    FDS("file descriptors") {
      @Override
      long value(ChildJvm.Resources r) {
        return r.fds();
      }

      @Override
      long tolerance(long baseline) {
        return 2;
      }
    };

    final String label;

    Series(String label) {
      this.label = label;
    }

    abstract long value(ChildJvm.Resources r);

    abstract long tolerance(long baseline);

    String judge(List<Sample> samples, int baseline, int jvm) {
      long base = value(samples.get(baseline).jvms().get(jvm));
      if (base < 0) {
        return "not reported by this JVM";
      }
      long max = base;
      for (int i = baseline; i < samples.size(); i++) {
        max = Math.max(max, value(samples.get(i).jvms().get(jvm)));
      }
      long last = value(samples.get(samples.size() - 1).jvms().get(jvm));
      boolean flat = max - base <= tolerance(base);
      return String.format(Locale.ROOT, "%s: baseline %s, highest %s, last %s (tolerance +%s)",
          flat ? "flat" : "GREW", format(this, base), format(this, max), format(this, last),
          format(this, tolerance(base)));
    }
  }

  private static String format(Series series, long value) {
    return series == Series.HEAP || series == Series.DIRECT
        ? String.format(Locale.ROOT, "%.1f MiB", value / (double) MIB)
        : Long.toString(value);
  }

  private static String describe(List<String> names, List<ChildJvm.Resources> sampled) {
    StringBuilder line = new StringBuilder();
    for (int j = 0; j < names.size(); j++) {
      ChildJvm.Resources r = sampled.get(j);
      line.append(String.format(Locale.ROOT, "%s: heap %.1f MiB, direct %.1f MiB, %d threads, %d fds   ",
          names.get(j), r.heap() / (double) MIB, r.direct() / (double) MIB, r.threads(), r.fds()));
    }
    return line.toString().trim();
  }

  private static String report(Scenario scenario, int connections, int size, double rate, Duration interval,
      RunSettings settings, String command, Instant started, List<String> names, List<Sample> samples,
      int baseline, List<String> verdicts, int unexpected, int overloaded, boolean flat) {
    StringBuilder md = new StringBuilder();
    md.append("# Soak run\n\n");
    md.append("Produced by `").append(command).append("` on ").append(started).append(".\n\n");
    md.append(String.format(Locale.ROOT,
        "%s: %d connections echoing %d B messages at %.0f msg/s in total (open loop) for %d s after a %d s"
            + " warm-up, sampled every %d s. Heap is measured after garbage collection.%n%n",
        scenario.description(), connections, size, rate, settings.duration().toSeconds(),
        settings.warmup().toSeconds(), interval.toSeconds()));
    md.append("**Verdict: ").append(flat ? "flat" : "NOT flat").append(".** Connections closed by the server: ")
        .append(unexpected).append("; connections that fell behind the rate: ").append(overloaded).append(".\n\n");
    md.append("| JVM | series | verdict (from the sample at ")
        .append(String.format(Locale.ROOT, "%.0f s", samples.get(baseline).seconds())).append(") |\n|---|---|---|\n");
    verdicts.forEach(v -> md.append(v).append('\n'));
    md.append("\n## Samples\n\n| seconds | echoed |");
    names.forEach(n -> md.append(' ').append(n).append(" heap MiB | direct MiB | threads | fds |"));
    md.append("\n|---|---|");
    names.forEach(n -> md.append("---|---|---|---|"));
    md.append('\n');
    for (Sample s : samples) {
      md.append(String.format(Locale.ROOT, "| %.0f | %d |", s.seconds(), s.echoed()));
      for (ChildJvm.Resources r : s.jvms()) {
        md.append(String.format(Locale.ROOT, " %.1f | %.1f | %d | %d |", r.heap() / (double) MIB,
            r.direct() / (double) MIB, r.threads(), r.fds()));
      }
      md.append('\n');
    }
    return md.toString();
  }
}
