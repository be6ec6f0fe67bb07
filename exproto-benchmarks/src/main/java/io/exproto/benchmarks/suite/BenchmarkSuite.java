package io.exproto.benchmarks.suite;

import io.exproto.benchmarks.load.ChildJvm;
import io.exproto.benchmarks.load.LoadGenerator;
import io.exproto.benchmarks.load.Results;
import io.exproto.benchmarks.load.RunSettings;
import io.exproto.benchmarks.load.Scenario;
import io.exproto.benchmarks.load.Servers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the whole benchmark suite and writes {@code BENCHMARKS.md}: the echo scenarios and their
 * reference points, latency at half the maximum rate, connection setup, idle connections, and the
 * JMH micro-benchmarks, with each of the targets as a ratio.
 *
 * <pre>
 * BenchmarkSuite [--quick | --full] [--out BENCHMARKS.md] [--command "what was typed"]
 *                [--log-dir DIR] [--skip-jmh] [--skip-load]
 * </pre>
 *
 * <p>{@code ./benchmarks/run.sh} at the repository root builds the module and runs this.
 */
public final class BenchmarkSuite {

  private BenchmarkSuite() {}

  /**
   * Runs the suite.
   *
   * @param args see the class comment
   * @throws Exception when the report cannot be written (a failed run is reported, not thrown)
   */
  public static void main(String[] args) throws Exception {
    SuitePlan plan = SuitePlan.quick();
    Path out = Path.of("BENCHMARKS.md");
    Path logDir = Path.of("exproto-benchmarks", "target", "bench-logs");
    String command = "java io.exproto.benchmarks.suite.BenchmarkSuite " + String.join(" ", args);
    boolean jmh = true;
    boolean load = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> plan = SuitePlan.quick();
        case "--full" -> plan = SuitePlan.full();
        case "--out" -> out = Path.of(args[++i]);
        case "--log-dir" -> logDir = Path.of(args[++i]);
        case "--command" -> command = args[++i];
        case "--skip-jmh" -> jmh = false;
        case "--skip-load" -> load = false;
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; use --quick, --full, --out FILE, --log-dir DIR, --command TEXT, --skip-jmh, --skip-load");
      }
    }
    Files.createDirectories(logDir);
    SuiteResults results = new SuiteResults(plan, command, Instant.now());
    results.loadBefore = MachineInfo.loadAverage();
    RunSettings settings = new RunSettings(plan.serverWarmup(), plan.serverMaxWarmup(), plan.measure(), 0, 0, 256,
        logDir.toAbsolutePath(), List.of());
    if (load) {
      try (MachineMonitor monitor = new MachineMonitor()) {
        runLoad(plan, settings, results);
        monitor.close();
        results.monitorAvailable = monitor.available();
        results.othersLoadPhase = monitor.othersShare();
        results.othersLoadPeak = monitor.othersPeakShare();
        results.oursLoadPhase = monitor.oursShare();
      }
    }
    results.loadAfterLoad = MachineInfo.loadAverage();
    if (jmh) {
      progress("JMH micro-benchmarks (log: " + logDir.resolve("jmh.log") + ")");
      try (MachineMonitor monitor = new MachineMonitor()) {
        results.jmh.addAll(MicroBenchmarks.run(plan, logDir.resolve("jmh.log")));
        monitor.close();
        results.othersJmhPhase = monitor.othersShare();
        results.monitorAvailable |= monitor.available();
      } catch (Exception e) {
        results.failures.add("JMH: " + e);
      }
    }
    results.loadAfter = MachineInfo.loadAverage();
    results.finished = Instant.now();
    Files.writeString(out, new Report(results).render());
    progress("wrote " + out.toAbsolutePath());
    System.exit(0);
  }

  private static void runLoad(SuitePlan plan, RunSettings settings, SuiteResults results) {
    RunSettings later = settings.withPhases(plan.runWarmup(), plan.runMaxWarmup(), plan.measure());

    // Target 1: the bare Netty echo and the in-process gateway run side by side, so that after their
    // own tables the ratio can be measured in interleaved slices.
    progress("bare-netty and inproc-echo (target 1)");
    try (Servers bare = Scenario.BARE_NETTY.start(settings); Servers inproc = Scenario.INPROC_ECHO.start(settings)) {
      matrix(plan, Scenario.BARE_NETTY, bare, settings, later, results);
      matrix(plan, Scenario.INPROC_ECHO, inproc, settings, later, results);
      results.ratioInProcess = attempt(results, "interleaved in-process / bare ratio", () -> {
        try (LoadGenerator.Slice a = LoadGenerator.echoSlice(inproc, SuitePlan.TARGET_SHAPE[0],
            SuitePlan.TARGET_SHAPE[1], settings);
            LoadGenerator.Slice b = LoadGenerator.echoSlice(bare, SuitePlan.TARGET_SHAPE[0], SuitePlan.TARGET_SHAPE[1],
                settings)) {
          return LoadGenerator.interleave("in-process echo / bare Netty echo", a, b, plan.ratioRounds(),
              plan.ratioSettle(), plan.ratioSlice());
        }
      });
      if (results.ratioInProcess != null) {
        progress("  " + LoadGenerator.describe(results.ratioInProcess));
      }
    } catch (Exception e) {
      results.failures.add("bare-netty / inproc-echo: " + e);
      progress("  failed: " + e);
    }

    // Target 2: the bare gRPC ping-pong and the remote-handler gateway, side by side likewise.
    progress("bare gRPC unary ping-pong (reference point 2) and grpc-echo (target 2)");
    try (ChildJvm pingServer = LoadGenerator.startPingServer(settings);
        Servers grpc = Scenario.GRPC_ECHO.start(settings)) {
      List<Results.Ping> pings = attempt(results, "gRPC ping-pong", () ->
          LoadGenerator.ping(pingServer, plan.pingConcurrencies(), 16, settings, plan.runWarmup()));
      if (pings != null) {
        results.ping.addAll(pings);
        pings.forEach(p -> progress("  " + LoadGenerator.describe(p)));
      }
      matrix(plan, Scenario.GRPC_ECHO, grpc, settings, later, results);
      results.ratioRemote = attempt(results, "interleaved remote / gRPC limit ratio", () -> {
        LoadGenerator.Slice ping = LoadGenerator.pingSlice(pingServer, SuitePlan.TARGET_SHAPE[0], SuitePlan.TARGET_SHAPE[1]);
        LoadGenerator.Slice limit = new LoadGenerator.Slice() {
          @Override
          public double measure(Duration settle, Duration slice) throws Exception {
            return ping.measure(settle, slice) / 2; // one echo costs two unary calls
          }

          @Override
          public void close() {}
        };
        try (LoadGenerator.Slice a = LoadGenerator.echoSlice(grpc, SuitePlan.TARGET_SHAPE[0], SuitePlan.TARGET_SHAPE[1],
            settings)) {
          return LoadGenerator.interleave("remote gRPC echo / gRPC limit (half the unary call rate)", a, limit,
              plan.ratioRounds(), plan.ratioSettle(), plan.ratioSlice());
        }
      });
      if (results.ratioRemote != null) {
        progress("  " + LoadGenerator.describe(results.ratioRemote));
      }
    } catch (Exception e) {
      results.failures.add("gRPC ping-pong / grpc-echo: " + e);
      progress("  failed: " + e);
    }

    List<Scenario> others = new ArrayList<>(List.of(Scenario.GRPC_EMQX, Scenario.INPROC_EMQX));
    others.addAll(plan.whatIfs());
    for (Scenario scenario : others) {
      try (Servers servers = scenario.start(settings)) {
        matrix(plan, scenario, servers, settings, later, results);
      } catch (Exception e) {
        results.failures.add(scenario.key() + ": " + e);
        progress("  failed: " + e);
      }
    }

    RunSettings setupSettings = settings.withPhases(plan.serverWarmup(), plan.setupMaxWarmup(), plan.measure());
    List<Scenario> setups = new ArrayList<>(List.of(Scenario.BARE_NETTY, Scenario.INPROC_ECHO, Scenario.GRPC_ECHO));
    plan.whatIfs().stream().filter(s -> s != Scenario.INPROC_ECHO_DIRECT).forEach(setups::add);
    for (Scenario scenario : setups) {
      progress(scenario.key() + ": connection setup rate, " + plan.setupConnections() + " connections");
      Results.Setup r = attempt(results, scenario.key() + " setup", () ->
          LoadGenerator.setup(scenario, plan.setupConnections(), setupSettings));
      if (r != null) {
        results.setup.add(r);
        progress("  " + LoadGenerator.describe(r));
      }
    }

    for (Scenario scenario : List.of(Scenario.BARE_NETTY, Scenario.INPROC_ECHO, Scenario.GRPC_ECHO)) {
      progress(scenario.key() + ": " + plan.idleConnections() + " idle connections");
      Results.Idle r = attempt(results, scenario.key() + " idle", () ->
          LoadGenerator.idle(scenario, plan.idleConnections(), settings));
      if (r != null) {
        results.idle.add(r);
        progress("  " + LoadGenerator.describe(r));
      }
    }
  }

  /** Runs a scenario's shapes on its running servers, then its run at half the maximum rate. */
  private static void matrix(SuitePlan plan, Scenario scenario, Servers servers, RunSettings first, RunSettings later,
      SuiteResults results) {
    List<int[]> shapes = switch (scenario) {
      case GRPC_EMQX -> plan.emqxShapes();
      case INPROC_EMQX -> plan.emqxInProcessShapes();
      case BARE_NETTY, INPROC_ECHO, GRPC_ECHO -> plan.echoShapes();
      default -> List.of(SuitePlan.TARGET_SHAPE);
    };
    boolean openLoop = plan.openLoopAll() || scenario == Scenario.BARE_NETTY || scenario == Scenario.INPROC_ECHO
        || scenario == Scenario.INPROC_ECHO_DIRECT;
    progress(scenario.key() + ": " + scenario.description());
    Results.Echo headline = null;
    boolean fresh = true;
    for (int[] shape : shapes) {
      RunSettings phases = fresh ? first : later;
      fresh = false;
      String what = scenario.key() + " " + shape[0] + " connections, " + shape[1] + " B";
      Results.Echo r = attempt(results, what, () ->
          LoadGenerator.echo(servers, scenario.key(), shape[0], shape[1], 1, 0, phases));
      if (r != null) {
        results.echo.add(r);
        progress("  " + LoadGenerator.describe(r));
        if (shape[0] == SuitePlan.TARGET_SHAPE[0] && shape[1] == SuitePlan.TARGET_SHAPE[1]) {
          headline = r;
        }
      }
    }
    if (headline != null && openLoop) {
      double rate = headline.messagesPerSecond() / 2;
      Results.Echo r = attempt(results, scenario.key() + " open loop at half the maximum rate", () ->
          LoadGenerator.echo(servers, scenario.key(), SuitePlan.TARGET_SHAPE[0], SuitePlan.TARGET_SHAPE[1],
              1, rate, later));
      if (r != null) {
        results.openLoop.add(r);
        progress("  " + LoadGenerator.describe(r));
      }
    }
  }

  /** A measurement that may fail. */
  @FunctionalInterface
  private interface Run<T> {
    T run() throws Exception;
  }

  private static <T> T attempt(SuiteResults results, String what, Run<T> run) {
    try {
      return run.run();
    } catch (Exception e) {
      results.failures.add(what + ": " + e);
      progress("  " + what + " failed: " + e);
      return null;
    }
  }

  private static void progress(String line) {
    System.out.println(line);
    System.out.flush();
  }

  /** Everything one suite run measured, filled in as it goes. */
  static final class SuiteResults {
    final SuitePlan plan;
    final String command;
    final Instant started;
    Instant finished;
    double loadBefore;
    double loadAfterLoad;
    double loadAfter;
    boolean monitorAvailable;
    double othersLoadPhase;
    double othersLoadPeak;
    double oursLoadPhase;
    double othersJmhPhase;
    final List<Results.Echo> echo = new ArrayList<>();
    final List<Results.Echo> openLoop = new ArrayList<>();
    final List<Results.Ping> ping = new ArrayList<>();
    final List<Results.Setup> setup = new ArrayList<>();
    final List<Results.Idle> idle = new ArrayList<>();
    final List<MicroBenchmarks.Row> jmh = new ArrayList<>();
    Results.Ratio ratioInProcess;
    Results.Ratio ratioRemote;
    final List<String> failures = new ArrayList<>();

    SuiteResults(SuitePlan plan, String command, Instant started) {
      this.plan = plan;
      this.command = command;
      this.started = started;
    }
  }
}
