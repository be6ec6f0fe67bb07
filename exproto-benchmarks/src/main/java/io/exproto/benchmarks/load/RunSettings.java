package io.exproto.benchmarks.load;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How the load generator runs: phase lengths, client threads, and how server JVMs are started.
 *
 * @param warmup how long load runs at least before measuring (JIT compilation, pools, connection
 *     windows)
 * @param maxWarmup how long load runs at most before measuring: between {@code warmup} and this,
 *     warm-up ends once the JIT compilers of every JVM involved have gone quiet (less than 10% of a
 *     compiler's time over two seconds)
 * @param duration how long to measure, unless {@code messages} is set
 * @param messages stop measuring after this many messages completed; 0 to measure for
 *     {@code duration}
 * @param clientThreads the client's event loop threads; 0 for Netty's default
 * @param connectConcurrency the most connections in setup (connected, not yet greeted) at once
 * @param logDir where server logs (and JFR recordings) go
 * @param serverJvmOptions options for every server JVM; {@code {name}} is replaced by the
 *     server's name (e.g. for {@code -XX:StartFlightRecording=filename=logs/{name}.jfr})
 */
public record RunSettings(Duration warmup, Duration maxWarmup, Duration duration, long messages, int clientThreads,
    int connectConcurrency, Path logDir, List<String> serverJvmOptions) {

  /** The options every server JVM gets before {@link #serverJvmOptions()}. */
  public static final List<String> BASE_SERVER_JVM_OPTIONS = List.of(
      "-Xmx2g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");

  /**
   * Copies the option list.
   *
   * @param warmup not negative
   * @param maxWarmup at least {@code warmup}
   * @param duration positive
   * @param messages not negative
   * @param clientThreads not negative
   * @param connectConcurrency positive
   * @param logDir the log directory
   * @param serverJvmOptions extra server JVM options
   */
  public RunSettings {
    serverJvmOptions = List.copyOf(serverJvmOptions);
    if (maxWarmup.compareTo(warmup) < 0) {
      maxWarmup = warmup;
    }
  }

  /**
   * Returns the JVM options of one server.
   *
   * @param name the server's name
   * @return the base options, then the extra ones with {@code {name}} replaced
   */
  public List<String> serverJvmArgs(String name) {
    List<String> args = new ArrayList<>(BASE_SERVER_JVM_OPTIONS);
    for (String option : serverJvmOptions) {
      args.add(option.replace("{name}", name));
    }
    return args;
  }

  /**
   * Returns a copy with other phase lengths.
   *
   * @param newWarmup the shortest warm-up
   * @param newMaxWarmup the longest warm-up
   * @param newDuration the measurement
   * @return the copy
   */
  public RunSettings withPhases(Duration newWarmup, Duration newMaxWarmup, Duration newDuration) {
    return new RunSettings(newWarmup, newMaxWarmup, newDuration, messages, clientThreads, connectConcurrency,
        logDir, serverJvmOptions);
  }
}
