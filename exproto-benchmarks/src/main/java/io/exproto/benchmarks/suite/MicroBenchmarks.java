package io.exproto.benchmarks.suite;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs the JMH benchmarks of {@code io.exproto.benchmarks.micro} with a plan's settings. */
final class MicroBenchmarks {

  /**
   * One benchmark's score.
   *
   * @param benchmark the class and method, without the package
   * @param params the parameters, {@code name=value} joined by commas (empty when none)
   * @param score the primary score
   * @param error the 99.9% confidence half-width (NaN with too few iterations)
   * @param unit the score's unit, e.g. {@code ns/op}
   */
  record Row(String benchmark, String params, double score, double error, String unit) {}

  private MicroBenchmarks() {}

  /**
   * Runs every micro-benchmark; JMH's own log goes to {@code log}.
   *
   * @param plan the iteration counts and times
   * @param log where JMH writes its progress
   * @return the scores, in JMH's order
   * @throws RunnerException when JMH fails
   */
  static List<Row> run(SuitePlan plan, Path log) throws RunnerException {
    // Other JMH runs on this machine (other engineers) must not make this one refuse to start.
    System.setProperty("jmh.ignoreLock", "true");
    OptionsBuilder builder = new OptionsBuilder();
    builder.include("io\\.exproto\\.benchmarks\\.micro\\..*");
    for (String excluded : plan.jmhExcludes()) {
      builder.exclude(excluded);
    }
    Options options = builder
        .forks(plan.jmhForks())
        .warmupIterations(plan.jmhWarmupIterations())
        .warmupTime(TimeValue.milliseconds(plan.jmhWarmupTime().toMillis()))
        .measurementIterations(plan.jmhIterations())
        .measurementTime(TimeValue.milliseconds(plan.jmhIterationTime().toMillis()))
        .timeUnit(TimeUnit.NANOSECONDS)
        .param("size", plan.jmhSizes().toArray(new String[0]))
        .jvmArgsAppend("-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
        .shouldFailOnError(false)
        .output(log.toString())
        .build();
    Collection<RunResult> results = new Runner(options).run();
    List<Row> rows = new ArrayList<>();
    for (RunResult result : results) {
      String benchmark = result.getParams().getBenchmark().replace("io.exproto.benchmarks.micro.", "");
      StringBuilder params = new StringBuilder();
      for (String key : result.getParams().getParamsKeys()) {
        params.append(params.length() == 0 ? "" : ", ").append(key).append('=').append(result.getParams().getParam(key));
      }
      rows.add(new Row(benchmark, params.toString(), result.getPrimaryResult().getScore(),
          result.getPrimaryResult().getScoreError(), result.getPrimaryResult().getScoreUnit()));
    }
    return rows;
  }
}
