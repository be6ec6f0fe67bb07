package io.exproto.benchmarks.suite;

import io.exproto.benchmarks.load.LoadGenerator;
import io.exproto.benchmarks.load.Results;
import io.exproto.benchmarks.load.Scenario;
import io.exproto.benchmarks.suite.BenchmarkSuite.SuiteResults;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Renders a suite run as {@code BENCHMARKS.md}. */
final class Report {

  /** Other processes using more than this share of the machine make the numbers preliminary. */
  private static final double BUSY_SHARE = 0.10;

  private final SuiteResults r;
  private final StringBuilder md = new StringBuilder();

  Report(SuiteResults results) {
    this.r = results;
  }

  String render() {
    title();
    machine();
    targets();
    echo();
    openLoop();
    ping();
    setup();
    idle();
    jmh();
    method();
    failures();
    return md.toString();
  }

  private boolean busy() {
    return r.monitorAvailable
        ? r.othersLoadPhase > BUSY_SHARE || r.othersLoadPeak > 2 * BUSY_SHARE || r.othersJmhPhase > BUSY_SHARE
        : r.loadBefore > 0.5;
  }

  private void title() {
    md.append("# Benchmarks\n\n");
    boolean quick = r.plan.name().equals("quick");
    if (quick || busy()) {
      md.append("> **Preliminary.**");
      if (quick) {
        md.append(" Quick plan: ").append(seconds(r.plan.measure())).append(" measurements after short warm-ups,")
            .append(" JMH with a few hundred milliseconds per iteration; good for trends and ratios, not for")
            .append(" numbers to quote.");
      }
      if (busy()) {
        md.append(" The machine was busy with other work");
      } else {
        md.append(" Other work on the machine was light during this run");
      }
      if (r.monitorAvailable) {
        md.append(String.format(Locale.ROOT, ": other processes used %.0f%% of its CPU on average during the load"
                + " runs (%.0f%% in the busiest 10 s) and %.0f%% during JMH",
            100 * r.othersLoadPhase, 100 * r.othersLoadPeak, 100 * r.othersJmhPhase));
      }
      md.append(String.format(Locale.ROOT, " (1-minute load average %.1f just before the suite, which includes"
          + " the build it had just run).", r.loadBefore));
      md.append(" Client and servers share the machine's ").append(MachineInfo.nproc())
          .append(" cores, so every figure includes their competition for them. Re-run `./benchmarks/run.sh --full`")
          .append(" on a quiet machine for numbers to quote.\n\n");
    }
    md.append("Produced by `").append(r.command).append("` (plan `").append(r.plan.name()).append("`), started ")
        .append(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC).format(r.started))
        .append(", took ").append(minutes(Duration.between(r.started, r.finished))).append(".\n\n");
  }

  private void machine() {
    md.append("## Machine\n\n| | |\n|---|---|\n");
    row("CPU", MachineInfo.cpuModel() + ", " + MachineInfo.nproc() + " CPUs (`nproc`)");
    row("Memory", MachineInfo.memory());
    row("Java", "`" + MachineInfo.javaVersion() + "`");
    row("OS", MachineInfo.os());
    row("Open files limit (per process)", MachineInfo.openFilesLimit());
    row("Load average (1 min)", String.format(Locale.ROOT, "%.2f before, %.2f after the load runs, %.2f at the end",
        r.loadBefore, r.loadAfterLoad, r.loadAfter));
    if (r.monitorAvailable) {
      row("CPU used by other processes", String.format(Locale.ROOT,
          "%.0f%% of the machine during the load runs (peak %.0f%% over 10 s), %.0f%% during JMH;"
              + " the suite itself used %.0f%% during the load runs",
          100 * r.othersLoadPhase, 100 * r.othersLoadPeak, 100 * r.othersJmhPhase, 100 * r.oursLoadPhase));
    }
    md.append('\n');
  }

  private void row(String key, String value) {
    md.append("| ").append(key).append(" | ").append(value).append(" |\n");
  }

  // ---- targets ----

  private void targets() {
    md.append("## Targets\n\n");
    md.append("Each target of the issue, measured in this run. *Ratio* is measured / required for a lower")
        .append(" bound and required / measured for an upper bound, so a ratio of at least 1 means the target holds.")
        .append(" Targets 1 and 2 are measured in interleaved slices (gateway, reference, reference, gateway, ...")
        .append(" on servers running side by side, each slice ").append(seconds(r.plan.ratioSlice()))
        .append(" after ").append(seconds(r.plan.ratioSettle())).append(" of load), so a machine that gets busier")
        .append(" or quieter affects both sides alike; the separate runs of the tables below are shown for comparison.\n\n");
    md.append("| # | target | measured | required | ratio | status |\n|---|---|---|---|---|---|\n");
    Optional<Results.Echo> bare = echo(Scenario.BARE_NETTY, 100, 16);
    Optional<Results.Echo> inproc = echo(Scenario.INPROC_ECHO, 100, 16);
    String what1 = "in-process handler echo / bare Netty echo throughput, 100 connections, 16 B";
    if (r.ratioInProcess != null) {
      double v = r.ratioInProcess.median();
      target(1, what1, String.format(Locale.ROOT, "%.2f %s%s", v, interleaved(r.ratioInProcess),
          bare.isPresent() && inproc.isPresent() ? separately(inproc.get(), bare.get().messagesPerSecond()) : ""),
          ">= 0.70", v / 0.7);
    } else if (bare.isPresent() && inproc.isPresent()) {
      double v = inproc.get().messagesPerSecond() / bare.get().messagesPerSecond();
      target(1, what1, String.format(Locale.ROOT, "%.2f (%s / %s msg/s)", v, count(inproc.get().messagesPerSecond()),
              count(bare.get().messagesPerSecond())), ">= 0.70", v / 0.7);
    } else {
      missing(1, what1);
    }
    Optional<Results.Echo> inprocDirect = echo(Scenario.INPROC_ECHO_DIRECT, 100, 16);
    if (bare.isPresent() && inprocDirect.isPresent()) {
      double v = inprocDirect.get().messagesPerSecond() / bare.get().messagesPerSecond();
      target("1'", "*what-if* (separate runs): the same with executor `Runnable::run` (no hop to the handler pool)",
          String.format(Locale.ROOT, "%.2f (%s / %s msg/s)", v, count(inprocDirect.get().messagesPerSecond()),
              count(bare.get().messagesPerSecond())), ">= 0.70", v / 0.7);
    }
    Optional<Results.Echo> grpc = echo(Scenario.GRPC_ECHO, 100, 16);
    Optional<Results.Ping> ping = r.ping.stream().filter(p -> p.concurrency() == 100).findFirst();
    String what2 = "remote gRPC handler echo / gRPC limit (half the unary call rate at 100 calls in flight),"
        + " 100 connections, 16 B";
    if (r.ratioRemote != null) {
      double v = r.ratioRemote.median();
      target(2, what2, String.format(Locale.ROOT, "%.2f %s%s", v, interleaved(r.ratioRemote),
          grpc.isPresent() && ping.isPresent() ? separately(grpc.get(), ping.get().callsPerSecond() / 2) : ""),
          ">= 0.70", v / 0.7);
    } else if (grpc.isPresent() && ping.isPresent()) {
      double limit = ping.get().callsPerSecond() / 2;
      double v = grpc.get().messagesPerSecond() / limit;
      target(2, what2, String.format(Locale.ROOT, "%.2f (%s / %s msg/s)", v, count(grpc.get().messagesPerSecond()),
          count(limit)), ">= 0.70", v / 0.7);
    } else {
      missing(2, what2);
    }
    Optional<Results.Echo> grpcStubs = echo(Scenario.GRPC_ECHO_STUBS, 100, 16);
    if (grpcStubs.isPresent() && ping.isPresent()) {
      double limit = ping.get().callsPerSecond() / 2;
      double v = grpcStubs.get().messagesPerSecond() / limit;
      target("2''", "*what-if* (separate runs): the handler written on the generated stubs instead of the SDK",
          String.format(Locale.ROOT, "%.2f (%s / %s msg/s)", v, count(grpcStubs.get().messagesPerSecond()),
              count(limit)), ">= 0.70", v / 0.7);
    }
    for (Scenario s : List.of(Scenario.INPROC_ECHO, Scenario.GRPC_ECHO)) {
      Optional<Results.Idle> idle = r.idle.stream().filter(i -> i.scenario().equals(s.key())).findFirst();
      String what = "heap per idle authenticated connection at " + count(r.plan.idleConnections())
          + " connections (" + (s == Scenario.INPROC_ECHO ? "in-process handler" : "remote gRPC handler") + ")";
      if (idle.isPresent() && idle.get().held() == idle.get().requested()) {
        double v = idle.get().heapPerConnection();
        target(3, what, String.format(Locale.ROOT, "%.0f B", v), "<= 4096 B", 4096 / Math.max(1, v));
      } else {
        missing(3, what + (idle.isPresent() ? ": only " + idle.get().held() + " connections held" : ""));
      }
    }
    Optional<Results.Echo> half = r.openLoop.stream().filter(e -> e.scenario().equals(Scenario.INPROC_ECHO.key()))
        .findFirst();
    if (half.isPresent()) {
      double p99 = half.get().latency().percentile(0.99) / 1e6;
      target(4, "p99 latency of in-process echo at half the maximum rate ("
              + count(half.get().targetRate()) + " msg/s, open loop, 100 connections, 16 B)",
          String.format(Locale.ROOT, "%.2f ms", p99), "< 2 ms", 2 / Math.max(1e-9, p99));
    } else {
      missing(4, "p99 latency of in-process echo at half the maximum rate");
    }
    Optional<Results.Echo> halfDirect = r.openLoop.stream()
        .filter(e -> e.scenario().equals(Scenario.INPROC_ECHO_DIRECT.key())).findFirst();
    if (halfDirect.isPresent()) {
      double p99 = halfDirect.get().latency().percentile(0.99) / 1e6;
      target("4'", "*what-if*: the same with executor `Runnable::run` (" + count(halfDirect.get().targetRate())
          + " msg/s)", String.format(Locale.ROOT, "%.2f ms", p99), "< 2 ms", 2 / Math.max(1e-9, p99));
    }
    Optional<Results.Setup> setup = r.setup.stream().filter(x -> x.scenario().equals(Scenario.GRPC_ECHO.key()))
        .findFirst();
    if (setup.isPresent()) {
      double v = setup.get().perSecond();
      String bound = ping.map(p -> String.format(Locale.ROOT, "; gRPC bound: 3 unary calls per connection,"
          + " %s calls/s / 3 = %s conn/s", count(p.callsPerSecond()), count(p.callsPerSecond() / 3))).orElse("");
      target(5, "connection setup through a remote handler (OnSocketCreated + Authenticate + greeting Send)",
          String.format(Locale.ROOT, "%s conn/s%s", count(v), bound), ">= 5,000 conn/s", v / 5000);
    } else {
      missing(5, "connection setup through a remote handler");
    }
    Optional<Results.Setup> setupStubs = r.setup.stream()
        .filter(x -> x.scenario().equals(Scenario.GRPC_ECHO_STUBS.key())).findFirst();
    if (setupStubs.isPresent()) {
      double v = setupStubs.get().perSecond();
      target("5''", "*what-if*: the handler written on the generated stubs instead of the SDK",
          String.format(Locale.ROOT, "%s conn/s", count(v)), ">= 5,000 conn/s", v / 5000);
    }
    md.append('\n');
    cpuBudget(bare, ping, grpc);
    Optional<Results.Echo> bareHalf = r.openLoop.stream()
        .filter(e -> e.scenario().equals(Scenario.BARE_NETTY.key())).findFirst();
    bareHalf.ifPresent(b -> md.append(String.format(Locale.ROOT, "For scale, target 4 on the bare Netty echo"
            + " server at its own half rate (%s msg/s) gave p99 = %.2f ms in this run: what the machine, the"
            + " client and loopback TCP allow.%s Rows marked ' run the same gateway with one builder"
            + " option changed (`Gateway.builder().executor(Runnable::run)`), to show what the hand-off to the"
            + " handler pool costs an in-process handler that blocks (the remote handler declares itself"
            + " non-blocking, so it never uses the pool), and the rows marked '' replace the SDK handler"
            + " with one written on the generated stubs, to show what the SDK costs; they are not the"
            + " default configuration.%n%n",
        count(b.targetRate()), b.latency().percentile(0.99) / 1e6, half.map(h -> String.format(Locale.ROOT,
            " During the in-process run at half rate the gateway used %.2f cores and the client %.2f, of the"
                + " machine's %d.", h.serverCores(), h.clientCores(), MachineInfo.nproc())).orElse(""))));
  }

  /**
   * What the machine's cores allow a remote echo, from the CPU the references spent: an echo through
   * a remote handler costs two unary calls (both sides' CPU per call of the ping reference) plus one
   * device round trip (server and client CPU per message of the bare Netty echo), all on the same
   * cores.
   */
  private void cpuBudget(Optional<Results.Echo> bare, Optional<Results.Ping> ping, Optional<Results.Echo> grpc) {
    if (bare.isEmpty() || ping.isEmpty()) {
      return;
    }
    Results.Ping p = ping.get();
    Results.Echo b = bare.get();
    double callMicros = (p.serverCores() + p.clientCores()) / p.callsPerSecond() * 1e6;
    double deviceMicros = (b.serverCores() + b.clientCores()) / b.messagesPerSecond() * 1e6;
    int cores = MachineInfo.nproc();
    double bound = cores / ((2 * callMicros + deviceMicros) / 1e6);
    double limit = p.callsPerSecond() / 2;
    md.append(String.format(Locale.ROOT, "CPU budget of target 2: in the reference runs one unary call cost"
            + " %.1f µs of CPU (server and client together) and one device round trip through the bare Netty echo"
            + " %.1f µs (server and client). The gRPC limit counts only the two calls of a remote echo; the"
            + " gateway must also read the device's bytes and write the echo, and the device client runs on the"
            + " same %d cores, so these %d cores can echo at most %d / (2 x %.1f + %.1f) µs = %s msg/s through a"
            + " remote handler: %.2f of the gRPC limit, before the gateway and the handler do any work of their"
            + " own.%s Profiles of what the gateway spends its CPU on, and of the latency tail of target 4:"
            + " [benchmarks/PROFILES.md](benchmarks/PROFILES.md).%n%n",
        callMicros, deviceMicros, cores, cores, cores, callMicros, deviceMicros, count(bound), bound / limit,
        grpc.map(g -> String.format(Locale.ROOT, " The gateway's echo reached %.2f of that bound.",
            g.messagesPerSecond() / bound)).orElse("")));
  }

  private void target(Object n, String what, String measured, String required, double ratio) {
    md.append("| ").append(n).append(" | ").append(what).append(" | ").append(measured).append(" | ")
        .append(required).append(" | ").append(String.format(Locale.ROOT, "%.2f", ratio)).append(" | ")
        .append(ratio >= 1 ? "**held**" : "**not held**").append(" |\n");
  }

  private static String interleaved(Results.Ratio ratio) {
    List<Double> ratios = ratio.ratios();
    return String.format(Locale.ROOT, "(median of %d interleaved rounds, %.2f to %.2f; %s / %s msg/s)",
        ratios.size(), ratios.stream().mapToDouble(Double::doubleValue).min().orElse(0),
        ratios.stream().mapToDouble(Double::doubleValue).max().orElse(0), count(ratio.meanA()), count(ratio.meanB()));
  }

  private static String separately(Results.Echo numerator, double denominator) {
    return String.format(Locale.ROOT, "; separate runs below: %s / %s msg/s = %.2f",
        count(numerator.messagesPerSecond()), count(denominator), numerator.messagesPerSecond() / denominator);
  }

  private void missing(int n, String what) {
    md.append("| ").append(n).append(" | ").append(what).append(" | not measured (see Failures) | | | **unknown** |\n");
  }

  // ---- sections ----

  private void echo() {
    md.append("## Echo throughput, latency and CPU\n\n");
    md.append("Closed loop: each connection has one message in flight and sends the next as soon as the echo")
        .append(" is complete. Latency runs from the client's write of a message to the arrival of its last")
        .append(" echoed byte. MB/s counts each echoed payload once (10^6 bytes). *Gateway CPU* is the CPU time")
        .append(" of the whole gateway (or bare server) JVM per second of the measurement, in cores; *handler CPU*")
        .append(" the same for the remote handler JVM; *µs/msg* is the two added up per echoed message.")
        .append(" *vs reference* is the throughput relative to the bare Netty echo at the same shape (in-process")
        .append(" scenarios) or to the gRPC limit, half the bare unary call rate at 100 calls in flight (remote scenarios).\n\n");
    for (Scenario s : Scenario.values()) {
      List<Results.Echo> rows = r.echo.stream().filter(e -> e.scenario().equals(s.key())).toList();
      if (rows.isEmpty()) {
        continue;
      }
      md.append("### ").append(s.key()).append(": ").append(s.description()).append("\n\n");
      md.append("| connections | payload | msg/s | MB/s | p50 | p99 | p99.9 | gateway CPU | handler CPU | µs/msg | vs reference | warm-up | errors |\n")
          .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
      for (Results.Echo e : rows) {
        md.append("| ").append(e.connections()).append(" | ").append(bytes(e.size())).append(" | ")
            .append(count(e.messagesPerSecond())).append(" | ").append(String.format(Locale.ROOT, "%.2f", e.megabytesPerSecond()))
            .append(" | ").append(LoadGenerator.micros(e.latency().percentile(0.5)))
            .append(" | ").append(LoadGenerator.micros(e.latency().percentile(0.99)))
            .append(" | ").append(LoadGenerator.micros(e.latency().percentile(0.999)))
            .append(" | ").append(String.format(Locale.ROOT, "%.2f", e.serverCores()))
            .append(" | ").append(e.handlerCores() > 0 ? String.format(Locale.ROOT, "%.2f", e.handlerCores()) : "-")
            .append(" | ").append(String.format(Locale.ROOT, "%.1f", e.serverMicrosPerMessage()))
            .append(" | ").append(versusReference(s, e))
            .append(" | ").append(String.format(Locale.ROOT, "%.0f s", e.warmupSeconds()))
            .append(" | ").append(e.unexpectedCloses() + e.overloaded() == 0 ? "" : e.unexpectedCloses() + " closed")
            .append(" |\n");
      }
      md.append('\n');
    }
  }

  private String versusReference(Scenario s, Results.Echo e) {
    if (s == Scenario.BARE_NETTY) {
      return "1.00";
    }
    if (s == Scenario.INPROC_ECHO || s == Scenario.INPROC_EMQX || s == Scenario.INPROC_ECHO_DIRECT) {
      return echo(Scenario.BARE_NETTY, e.connections(), e.size())
          .map(b -> String.format(Locale.ROOT, "%.2f", e.messagesPerSecond() / b.messagesPerSecond())).orElse("-");
    }
    return r.ping.stream().filter(p -> p.concurrency() == 100).findFirst()
        .map(p -> String.format(Locale.ROOT, "%.2f", e.messagesPerSecond() / (p.callsPerSecond() / 2))).orElse("-");
  }

  private void openLoop() {
    if (r.openLoop.isEmpty()) {
      return;
    }
    md.append("## Latency at half the maximum rate\n\n");
    md.append("Open loop: 100 connections send 16 B messages on a fixed schedule adding up to half the")
        .append(" closed-loop throughput measured above for the same scenario and shape; latency is measured")
        .append(" from the moment the schedule meant to send a message, so a stall is not hidden by a client that")
        .append(" waits for it.\n\n");
    md.append("| scenario | rate asked | rate achieved | p50 | p99 | p99.9 | max | gateway CPU | handler CPU | client CPU |\n")
        .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Results.Echo e : r.openLoop) {
      md.append("| ").append(e.scenario()).append(" | ").append(count(e.targetRate())).append(" | ")
          .append(count(e.messagesPerSecond())).append(" | ")
          .append(LoadGenerator.micros(e.latency().percentile(0.5))).append(" | ")
          .append(LoadGenerator.micros(e.latency().percentile(0.99))).append(" | ")
          .append(LoadGenerator.micros(e.latency().percentile(0.999))).append(" | ")
          .append(LoadGenerator.micros(e.latency().max())).append(" | ")
          .append(String.format(Locale.ROOT, "%.2f", e.serverCores())).append(" | ")
          .append(e.handlerCores() > 0 ? String.format(Locale.ROOT, "%.2f", e.handlerCores()) : "-").append(" | ")
          .append(String.format(Locale.ROOT, "%.2f", e.clientCores())).append(" |\n");
    }
    md.append('\n');
  }

  private void ping() {
    if (r.ping.isEmpty()) {
      return;
    }
    md.append("## Reference: bare gRPC unary ping-pong\n\n");
    md.append("grpc-java tuned as the gateway's own channels are (Netty transport, one channel, answers on the")
        .append(" network threads of both sides: `directExecutor`),")
        .append(" `ConnectionUnaryHandler.OnReceivedBytes` with a 16 B payload answered at once with `EmptySuccess`,")
        .append(" client in the generator's JVM, server in its own. One echo through a remote handler costs two")
        .append(" unary calls (`OnReceivedBytes` to the handler, `Send` back to the gateway), so the gRPC limit of")
        .append(" the remote echo is half the call rate.\n\n");
    md.append("| calls in flight | calls/s | echo limit (msg/s) | p50 | p99 | p99.9 | server CPU | client CPU | warm-up |\n")
        .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Results.Ping p : r.ping) {
      md.append("| ").append(p.concurrency()).append(" | ").append(count(p.callsPerSecond())).append(" | ")
          .append(count(p.callsPerSecond() / 2)).append(" | ")
          .append(LoadGenerator.micros(p.latency().percentile(0.5))).append(" | ")
          .append(LoadGenerator.micros(p.latency().percentile(0.99))).append(" | ")
          .append(LoadGenerator.micros(p.latency().percentile(0.999))).append(" | ")
          .append(String.format(Locale.ROOT, "%.2f", p.serverCores())).append(" | ")
          .append(String.format(Locale.ROOT, "%.2f", p.clientCores())).append(" | ")
          .append(String.format(Locale.ROOT, "%.0f s", p.warmupSeconds())).append(" |\n");
    }
    md.append('\n');
  }

  private void setup() {
    if (r.setup.isEmpty()) {
      return;
    }
    md.append("## Connection setup rate\n\n");
    md.append("The client opens connections as fast as they are set up, with at most ")
        .append(r.setup.get(0).concurrency()).append(" between connect and greeting at a time. A connection")
        .append(" counts as set up when its greeting byte arrives: for a gateway, after `OnSocketCreated`, in which")
        .append(" the handler calls `Authenticate` and then `Send`s the greeting (the bare server greets on accept).")
        .append(" Warm-up batches of connections run first.\n\n");
    md.append("| scenario | connections | conn/s | setup p50 | setup p99 | gateway CPU | handler CPU |\n")
        .append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (Results.Setup s : r.setup) {
      md.append("| ").append(s.scenario()).append(" | ").append(s.greeted()).append(" of ").append(s.requested())
          .append(" | ").append(count(s.perSecond())).append(" | ")
          .append(LoadGenerator.micros(s.latency().percentile(0.5))).append(" | ")
          .append(LoadGenerator.micros(s.latency().percentile(0.99))).append(" | ")
          .append(String.format(Locale.ROOT, "%.2f", s.serverCores())).append(" | ")
          .append(s.handlerCores() > 0 ? String.format(Locale.ROOT, "%.2f", s.handlerCores()) : "-").append(" |\n");
    }
    md.append('\n');
  }

  private void idle() {
    if (r.idle.isEmpty()) {
      return;
    }
    md.append("## Idle connections\n\n");
    md.append("A fresh server JVM; heap in use after `System.gc()` before connecting, then with the connections")
        .append(" set up (authenticated and greeted) and idle. The client holds all of them from the generator's")
        .append(" JVM (one process; the open-files limit is per process, so client and server each have their own")
        .append(" budget). The gateway's idle timeout is set to one hour for the benchmarks, so every connection")
        .append(" still carries its liveness timer. Netty's direct memory is shown apart (it is not heap).\n\n");
    md.append("| scenario | connections held | setup time | heap before | heap after | heap / connection | Netty direct / connection |\n")
        .append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (Results.Idle i : r.idle) {
      md.append("| ").append(i.scenario()).append(" | ").append(i.held()).append(" of ").append(i.requested())
          .append(" | ").append(String.format(Locale.ROOT, "%.1f s", i.setupSeconds())).append(" | ")
          .append(String.format(Locale.ROOT, "%.1f MB", i.heapBefore() / 1e6)).append(" | ")
          .append(String.format(Locale.ROOT, "%.1f MB", i.heapAfter() / 1e6)).append(" | ")
          .append(String.format(Locale.ROOT, "%.0f B", i.heapPerConnection())).append(" | ")
          .append(i.directPerConnection() < 0 ? "-" : String.format(Locale.ROOT, "%.0f B", i.directPerConnection()))
          .append(" |\n");
    }
    md.append('\n');
  }

  private void jmh() {
    if (r.jmh.isEmpty()) {
      return;
    }
    md.append("## JMH micro-benchmarks\n\n");
    md.append(String.format(Locale.ROOT, "Average time per operation; %d fork(s), %d x %d ms warm-up, %d x %d ms"
            + " measurement. The error is JMH's 99.9%% confidence half-width (NaN with too few iterations).\n\n",
        r.plan.jmhForks(), r.plan.jmhWarmupIterations(), r.plan.jmhWarmupTime().toMillis(), r.plan.jmhIterations(),
        r.plan.jmhIterationTime().toMillis()));
    md.append("| benchmark | parameters | score | ± error | unit |\n|---|---|---:|---:|---|\n");
    for (MicroBenchmarks.Row row : r.jmh) {
      md.append("| ").append(row.benchmark()).append(" | ").append(row.params()).append(" | ")
          .append(String.format(Locale.ROOT, "%.1f", row.score())).append(" | ")
          .append(Double.isNaN(row.error()) ? "NaN" : String.format(Locale.ROOT, "%.1f", row.error())).append(" | ")
          .append(row.unit()).append(" |\n");
    }
    md.append('\n');
  }

  private void method() {
    md.append("## How it was measured\n\n");
    md.append("- Every server runs in a JVM of its own (`-Xmx2g`, default GC), started by the suite with the module's")
        .append(" class path; the device client runs in the suite's JVM with Netty's default event loop count.")
        .append(" All traffic is on 127.0.0.1.\n");
    md.append("- The gateway runs with its defaults (TCP listener with one worker thread per core, handler pool,")
        .append(" queue capacity 1000) except the idle timeout, raised to one hour. The in-process handler calls")
        .append(" `adapter.send` in `onReceivedBytes`; the remote handler is a `HandlerService` from the project's")
        .append(" Java SDK in its non-blocking style (`isNonBlocking`, `...Async` callbacks composing")
        .append(" `AdapterClient`'s `...Async` calls), served by `HandlerServer`.\n");
    md.append("- The servers of a scenario are started once and serve all its shapes. Before each measurement the")
        .append(" load runs for a warm-up: for the first shape of fresh JVMs at least ").append(seconds(r.plan.serverWarmup()))
        .append(" and at most ").append(seconds(r.plan.serverMaxWarmup())).append(", for later shapes at least ")
        .append(seconds(r.plan.runWarmup())).append(" and at most ").append(seconds(r.plan.runMaxWarmup()))
        .append("; in between it ends once the JIT compilers of every JVM involved spent less than 10% of a")
        .append(" 2-second step compiling (the *warm-up* column). On a loaded 2-core machine C2 needs tens of")
        .append(" seconds for the gRPC path. Each shape is then measured for ").append(seconds(r.plan.measure()))
        .append(".\n");
    md.append("- Targets 1 and 2 come from interleaved slices (`LoadGenerator ratio`): the gateway and its")
        .append(" reference run side by side, already warm, and are loaded in turn, A B B A A B ...; the target is")
        .append(" the median of the per-round ratios, so it holds up when the machine's load changes during the run.\n");
    md.append("- CPU time is the process CPU time of each server JVM (`OperatingSystemMXBean.getProcessCpuTime`,")
        .append(" every thread, GC and JIT included), sampled by the server itself at the start and end of the")
        .append(" measurement and sent back over its standard output.\n");
    md.append("- Latency percentiles come from a log-linear histogram with 64 buckets per power of two (at most")
        .append(" 1.6% off).\n");
    md.append("- The 'other processes' share is the machine's busy CPU time (`/proc/stat`) minus the CPU time of the")
        .append(" suite's own process tree, sampled every 2 s.\n");
    md.append("- Logs of every server JVM and JMH's log are in `exproto-benchmarks/target/bench-logs/`.\n");
    md.append("- Single runs: use `LoadGenerator` (its javadoc lists the options), e.g. `java -cp")
        .append(" 'exproto-benchmarks/target/classes:exproto-benchmarks/target/lib/*'")
        .append(" io.exproto.benchmarks.load.LoadGenerator echo --scenario grpc-echo --connections 100 --size 16 --jfr`.")
        .append(" For a CPU profile with native and kernel frames, pass async-profiler (Maven Central's")
        .append(" `tools.profiler:async-profiler`, whose jar holds `linux-x64/libasyncProfiler.so`) to the server JVMs:")
        .append(" `--server-jvm-option '-agentpath:/path/libasyncProfiler.so=start,event=cpu,interval=1ms,")
        .append("file=/tmp/{name}.collapsed,collapsed'`.\n\n");
  }

  private void failures() {
    if (r.failures.isEmpty()) {
      return;
    }
    md.append("## Failures\n\n");
    for (String f : r.failures) {
      md.append("- ").append(f.replace('\n', ' ')).append('\n');
    }
    md.append('\n');
  }

  // ---- helpers ----

  private Optional<Results.Echo> echo(Scenario s, int connections, int size) {
    return r.echo.stream()
        .filter(e -> e.scenario().equals(s.key()) && e.connections() == connections && e.size() == size)
        .findFirst();
  }

  private static String count(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String bytes(int size) {
    return size >= 1024 ? (size / 1024) + " KB" : size + " B";
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1e3);
  }

  private static String minutes(Duration d) {
    return String.format(Locale.ROOT, "%d min %02d s", d.toMinutes(), d.toSecondsPart());
  }
}
