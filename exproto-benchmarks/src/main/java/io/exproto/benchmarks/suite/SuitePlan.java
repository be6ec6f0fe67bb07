package io.exproto.benchmarks.suite;

import io.exproto.benchmarks.load.Scenario;
import java.time.Duration;
import java.util.List;

/**
 * How long and how much the suite runs: {@link #quick()} fits in about ten minutes on two cores,
 * {@link #full()} is for careful runs on a quiet machine.
 *
 * @param name {@code quick} or {@code full}
 * @param serverWarmup load on fresh server JVMs before their first measurement, at least
 * @param serverMaxWarmup the same, at most: in between, warm-up ends when the JIT compilers go quiet
 * @param runWarmup load on already warm servers before each further measurement, at least
 * @param runMaxWarmup the same, at most
 * @param measure the length of one measurement
 * @param echoShapes (connections, payload bytes) pairs measured for the bare, in-process and remote
 *     echo scenarios
 * @param emqxShapes the pairs measured for the remote EMQX path
 * @param emqxInProcessShapes the pairs measured for the in-process EMQX path
 * @param whatIfs the what-if scenarios to run, at 100 connections and 16 B only
 * @param openLoopAll whether every scenario gets a run at half its maximum rate (else only the bare
 *     server and the in-process echo ones, which target 4 needs)
 * @param setupMaxWarmup the longest warm-up of a setup-rate run
 * @param ratioRounds rounds of the interleaved ratio measurements of targets 1 and 2
 * @param ratioSettle load before each measured slice of those
 * @param ratioSlice the length of each measured slice
 * @param pingConcurrencies the concurrencies of the bare gRPC reference
 * @param setupConnections connections opened by the setup-rate runs
 * @param idleConnections connections held by the idle runs
 * @param jmhForks JMH forks per benchmark
 * @param jmhWarmupIterations JMH warm-up iterations
 * @param jmhWarmupTime the length of one JMH warm-up iteration
 * @param jmhIterations JMH measurement iterations
 * @param jmhIterationTime the length of one JMH measurement iteration
 * @param jmhSizes the payload sizes of the framing benchmark
 * @param jmhExcludes regular expressions of benchmarks to leave out
 */
public record SuitePlan(String name, Duration serverWarmup, Duration serverMaxWarmup, Duration runWarmup,
    Duration runMaxWarmup, Duration measure,
    List<int[]> echoShapes, List<int[]> emqxShapes, List<int[]> emqxInProcessShapes, List<Scenario> whatIfs,
    boolean openLoopAll, List<Integer> pingConcurrencies, int setupConnections, Duration setupMaxWarmup,
    int ratioRounds, Duration ratioSettle, Duration ratioSlice, int idleConnections, int jmhForks,
    int jmhWarmupIterations, Duration jmhWarmupTime, int jmhIterations, Duration jmhIterationTime, List<String> jmhSizes, List<String> jmhExcludes) {

  /** The connections and payload of the targets' throughput comparisons. */
  public static final int[] TARGET_SHAPE = {100, 16};

  /**
   * Returns the short plan: the headline shapes, a few seconds each.
   *
   * @return the quick plan
   */
  public static SuitePlan quick() {
    return new SuitePlan("quick", Duration.ofSeconds(5), Duration.ofSeconds(25), Duration.ofSeconds(1),
        Duration.ofSeconds(6), Duration.ofSeconds(3),
        List.of(new int[] {100, 16}, new int[] {1, 16}, new int[] {1000, 16}, new int[] {100, 1024},
            new int[] {100, 65536}),
        List.of(new int[] {100, 16}, new int[] {1, 16}),
        List.of(new int[] {100, 16}),
        List.of(Scenario.INPROC_ECHO_DIRECT, Scenario.GRPC_ECHO_STUBS),
        false,
        List.of(100, 1),
        3_000, Duration.ofSeconds(20), 4, Duration.ofMillis(500), Duration.ofMillis(1500), 15_000,
        1, 1, Duration.ofMillis(700), 3, Duration.ofMillis(300), List.of("16", "65536"),
        List.of(".*copyAndMarshal", ".*matchesOneFilter"));
  }

  /**
   * Returns the careful plan: every shape (1, 100, 1,000 connections times 16 B, 1 KB, 64 KB),
   * long warm-ups and measurements.
   *
   * @return the full plan
   */
  public static SuitePlan full() {
    List<int[]> all = List.of(
        new int[] {100, 16}, new int[] {1, 16}, new int[] {1000, 16},
        new int[] {1, 1024}, new int[] {100, 1024}, new int[] {1000, 1024},
        new int[] {1, 65536}, new int[] {100, 65536}, new int[] {1000, 65536});
    return new SuitePlan("full", Duration.ofSeconds(30), Duration.ofSeconds(120), Duration.ofSeconds(5),
        Duration.ofSeconds(30), Duration.ofSeconds(20),
        all, all, all,
        List.of(Scenario.INPROC_ECHO_DIRECT, Scenario.GRPC_ECHO_STUBS),
        true,
        List.of(100, 1, 1000),
        10_000, Duration.ofSeconds(60), 10, Duration.ofSeconds(2), Duration.ofSeconds(5), 15_000,
        2, 3, Duration.ofSeconds(2), 5, Duration.ofSeconds(2), List.of("16", "1024", "65536"), List.of());
  }
}
