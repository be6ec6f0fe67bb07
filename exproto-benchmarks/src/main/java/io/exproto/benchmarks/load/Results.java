package io.exproto.benchmarks.load;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The measurements of the load generator's runs, one record per kind of run. */
public final class Results {

  private Results() {}

  /**
   * One echo run.
   *
   * @param scenario the scenario's key (or {@code external} for a server the generator did not start)
   * @param connections the connections that carried load
   * @param size bytes per message
   * @param inflight messages outstanding per connection (closed loop)
   * @param targetRate messages per second asked for (open loop), 0 for the closed loop
   * @param messages messages completed while measuring
   * @param seconds the measurement's length
   * @param latency the latency of those messages
   * @param serverCores CPU time of the server JVM (gateway or bare server) per second of wall time
   * @param handlerCores the same for the remote handler JVM, 0 when there is none
   * @param clientCores the same for the generator's own JVM
   * @param unexpectedCloses connections the server closed during the run
   * @param overloaded open-loop connections that gave up because the server fell behind
   * @param warmupSeconds how long load ran before measuring
   */
  public record Echo(String scenario, int connections, int size, int inflight, double targetRate,
      long messages, double seconds, LatencyHistogram latency, double serverCores, double handlerCores,
      double clientCores, int unexpectedCloses, int overloaded, double warmupSeconds) {

    /**
     * Returns the throughput in messages.
     *
     * @return messages echoed per second
     */
    public double messagesPerSecond() {
      return messages / seconds;
    }

    /**
     * Returns the throughput in bytes, counting each echoed payload once.
     *
     * @return megabytes (10^6 bytes) echoed per second
     */
    public double megabytesPerSecond() {
      return messages * (double) size / seconds / 1e6;
    }

    /**
     * Returns the server's CPU cost of one message.
     *
     * @return microseconds of server CPU (gateway plus remote handler) per echoed message
     */
    public double serverMicrosPerMessage() {
      double rate = messagesPerSecond();
      return rate == 0 ? 0 : (serverCores + handlerCores) / rate * 1e6;
    }
  }

  /**
   * One run of bare gRPC unary calls.
   *
   * @param concurrency calls outstanding at once
   * @param size bytes in the request's payload
   * @param calls calls answered while measuring
   * @param seconds the measurement's length
   * @param latency the calls' latency
   * @param serverCores CPU time of the server JVM per second
   * @param clientCores CPU time of the generator's JVM per second
   * @param failures calls that failed during the whole run
   * @param warmupSeconds how long calls ran before measuring
   */
  public record Ping(int concurrency, int size, long calls, double seconds, LatencyHistogram latency,
      double serverCores, double clientCores, long failures, double warmupSeconds) {

    /**
     * Returns the unary call rate.
     *
     * @return calls per second
     */
    public double callsPerSecond() {
      return calls / seconds;
    }
  }

  /**
   * One connection setup run.
   *
   * @param scenario the scenario's key
   * @param requested connections asked for
   * @param greeted connections set up (greeted after OnSocketCreated and Authenticate)
   * @param seconds from the first connect to the last greeting
   * @param latency from connect to greeting, per connection
   * @param concurrency connections in setup at once, at most
   * @param serverCores CPU time of the server JVM per second
   * @param handlerCores CPU time of the handler JVM per second, 0 when there is none
   */
  public record Setup(String scenario, int requested, int greeted, double seconds, LatencyHistogram latency,
      int concurrency, double serverCores, double handlerCores) {

    /**
     * Returns the setup rate.
     *
     * @return connections set up per second
     */
    public double perSecond() {
      return greeted / seconds;
    }
  }

  /**
   * One idle connections run.
   *
   * @param scenario the scenario's key
   * @param requested connections asked for
   * @param held connections set up and held
   * @param setupSeconds how long opening them took
   * @param heapBefore the server's heap in use after GC, before connecting
   * @param heapAfter the server's heap in use after GC, with the connections held
   * @param directBefore Netty direct memory before connecting (-1 unknown)
   * @param directAfter Netty direct memory with the connections held (-1 unknown)
   */
  public record Idle(String scenario, int requested, int held, double setupSeconds, long heapBefore,
      long heapAfter, long directBefore, long directAfter) {

    /**
     * Returns the heap each held connection costs the server.
     *
     * @return bytes per connection
     */
    public double heapPerConnection() {
      return held == 0 ? 0 : (heapAfter - heapBefore) / (double) held;
    }

    /**
     * Returns the Netty direct memory each held connection costs the server.
     *
     * @return bytes per connection, or -1 when unknown
     */
    public double directPerConnection() {
      return held == 0 || directBefore < 0 ? -1 : (directAfter - directBefore) / (double) held;
    }
  }

  /**
   * A throughput ratio measured in interleaved slices: A and B are loaded in turn, round after
   * round, so both see the same machine; the ratio of each round is A's rate over B's.
   *
   * @param what what is compared, for reports
   * @param ratesA A's rate in each round
   * @param ratesB B's rate in each round
   * @param sliceSeconds the measured length of one slice
   */
  public record Ratio(String what, List<Double> ratesA, List<Double> ratesB, double sliceSeconds) {

    /**
     * Copies the lists.
     *
     * @param what not null
     * @param ratesA one rate per round
     * @param ratesB one rate per round, as many as {@code ratesA}
     * @param sliceSeconds positive
     */
    public Ratio {
      ratesA = List.copyOf(ratesA);
      ratesB = List.copyOf(ratesB);
    }

    /**
     * Returns the ratio of each round.
     *
     * @return A over B per round
     */
    public List<Double> ratios() {
      List<Double> out = new ArrayList<>();
      for (int i = 0; i < ratesA.size(); i++) {
        out.add(ratesA.get(i) / ratesB.get(i));
      }
      return out;
    }

    /**
     * Returns the median of the rounds' ratios.
     *
     * @return the median, NaN without rounds
     */
    public double median() {
      List<Double> sorted = new ArrayList<>(ratios());
      Collections.sort(sorted);
      int n = sorted.size();
      if (n == 0) {
        return Double.NaN;
      }
      return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /**
     * Returns the mean of A's rates.
     *
     * @return the mean rate
     */
    public double meanA() {
      return ratesA.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /**
     * Returns the mean of B's rates.
     *
     * @return the mean rate
     */
    public double meanB() {
      return ratesB.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
  }
}
