package io.exproto.benchmarks.load;

import io.exproto.benchmarks.server.PingServer;
import io.exproto.benchmarks.server.ServerControl;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The end-to-end load generator: opens device connections on loopback, echoes messages through a
 * server, and measures throughput, latency, the server's CPU time and heap; it also measures the
 * two reference points in the same way.
 *
 * <p>Servers run in JVMs of their own ({@link Scenario}), started from this JVM's class path, so
 * the CPU time reported for "the gateway" is the whole gateway process (every thread, GC and JIT
 * included), read with {@code OperatingSystemMXBean.getProcessCpuTime()} inside it at the start
 * and end of the measurement. The client runs in this JVM.
 *
 * <pre>
 * java -cp 'exproto-benchmarks/target/classes:exproto-benchmarks/target/lib/*' \
 *     io.exproto.benchmarks.load.LoadGenerator [mode] [options]
 *
 * modes:
 *   echo   (default) --scenario S --connections N --size BYTES [--inflight K | --rate MSGS_PER_S]
 *   ping   --concurrency C --size BYTES          bare gRPC unary ping-pong between two JVMs
 *   setup  --scenario S --connections N          connections per second until greeted
 *   idle   --scenario S --connections N          heap per idle authenticated connection
 *   soak   --scenario S --connections N --size BYTES --rate MSGS_PER_S --duration SECONDS
 *          [--sample SECONDS] [--out FILE] [--command TEXT]   echo for a long time while the servers' heap, direct
 *                                                memory, threads and file descriptors are sampled;
 *                                                writes a report (default SOAK.md) saying whether
 *                                                each stayed flat; exits 1 when one grew
 *   ratio  --scenario S [--rounds R]             S's echo throughput over its reference point in
 *                                                interleaved slices (bare-netty for the in-process
 *                                                scenarios, half the bare gRPC call rate for the
 *                                                remote ones), --duration seconds per slice
 * options:
 *   --scenario     bare-netty | inproc-echo | inproc-emqx | grpc-echo | grpc-emqx   (default inproc-echo)
 *                  or the what-ifs inproc-echo-direct (executor Runnable::run),
 *                  grpc-echo-stubs (the remote handler on the generated stubs, without the SDK)
 *   --target       host:port of a server already running (echo only; it must greet, see Greeting)
 *   --connections  N (default 100)      --size BYTES (default 16)
 *   --inflight     messages outstanding per connection, closed loop (default 1)
 *   --rate         total messages per second, open loop (default 0: closed loop)
 *   --warmup       seconds of load before measuring, at least (default 5)
 *   --max-warmup   seconds, at most (default 60): between the two, warm-up ends once the JIT
 *                  compilers of the servers and of the generator have gone quiet
 *   --duration     seconds (default 10)
 *   --messages     stop after M measured messages instead of after --duration
 *   --client-threads T (default 0: Netty's default)
 *   --connect-concurrency C (default 256)
 *   --log-dir      DIR (default exproto-benchmarks/target/bench-logs)
 *   --server-jvm-option OPT   (repeatable; {name} is replaced by the server's name)
 *   --jfr          record every server JVM with JFR into the log directory
 *   --hold         seconds to keep the idle connections open after measuring (to inspect the
 *                  server, e.g. with jcmd PID GC.class_histogram)
 * </pre>
 */
public final class LoadGenerator {

  private static final long CONNECT_TIMEOUT_MILLIS = 300_000;

  private LoadGenerator() {}

  /**
   * Runs one measurement from the command line and prints its results.
   *
   * @param args see the class comment
   * @throws Exception when the run fails
   */
  public static void main(String[] args) throws Exception {
    String mode = "echo";
    Scenario scenario = Scenario.INPROC_ECHO;
    String target = null;
    int connections = 100;
    int size = 16;
    int inflight = 1;
    double rate = 0;
    double warmup = 5;
    double maxWarmup = 60;
    double duration = 10;
    long messages = 0;
    int clientThreads = 0;
    int connectConcurrency = 256;
    int concurrency = 100;
    Path logDir = Path.of("exproto-benchmarks", "target", "bench-logs");
    List<String> serverOptions = new ArrayList<>();
    boolean jfr = false;
    Duration hold = Duration.ZERO;
    int rounds = 6;
    double sample = 60;
    Path out = Path.of("SOAK.md");
    String command = "LoadGenerator " + String.join(" ", args);
    int i = 0;
    if (args.length > 0 && !args[0].startsWith("--")) {
      mode = args[i++];
    }
    for (; i < args.length; i++) {
      String option = args[i];
      if (option.equals("--jfr")) {
        jfr = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      String value = args[++i];
      switch (option) {
        case "--scenario" -> scenario = Scenario.of(value);
        case "--target" -> target = value;
        case "--connections" -> connections = Integer.parseInt(value);
        case "--size" -> size = Integer.parseInt(value);
        case "--inflight" -> inflight = Integer.parseInt(value);
        case "--rate" -> rate = Double.parseDouble(value);
        case "--warmup" -> warmup = Double.parseDouble(value);
        case "--max-warmup" -> maxWarmup = Double.parseDouble(value);
        case "--duration" -> duration = Double.parseDouble(value);
        case "--messages" -> messages = Long.parseLong(value);
        case "--client-threads" -> clientThreads = Integer.parseInt(value);
        case "--connect-concurrency" -> connectConcurrency = Integer.parseInt(value);
        case "--concurrency" -> concurrency = Integer.parseInt(value);
        case "--log-dir" -> logDir = Path.of(value);
        case "--hold" -> hold = seconds(Double.parseDouble(value));
        case "--rounds" -> rounds = Integer.parseInt(value);
        case "--sample" -> sample = Double.parseDouble(value);
        case "--out" -> out = Path.of(value);
        case "--command" -> command = value;
        case "--server-jvm-option" -> serverOptions.add(value);
        default -> throw new IllegalArgumentException("unknown option " + option);
      }
    }
    if (jfr) {
      serverOptions.add("-XX:StartFlightRecording=filename=" + logDir.toAbsolutePath().resolve("{name}.jfr")
          + ",settings=profile,dumponexit=true");
    }
    RunSettings settings = new RunSettings(seconds(warmup), seconds(maxWarmup), seconds(duration), messages,
        clientThreads, connectConcurrency, logDir, serverOptions);
    switch (mode) {
      case "echo" -> {
        Results.Echo result = target != null
            ? echo(parseTarget(target), connections, size, inflight, rate, settings)
            : echo(scenario, connections, size, inflight, rate, settings);
        System.out.println(describe(result));
      }
      case "ping" -> System.out.println(describe(ping(concurrency, size, settings)));
      case "setup" -> System.out.println(describe(setup(scenario, connections, settings)));
      case "idle" -> System.out.println(describe(idle(scenario, connections, settings, hold)));
      case "ratio" -> System.out.println(describe(ratio(scenario, connections, size, rounds, settings)));
      case "soak" -> {
        boolean flat = Soak.run(scenario, connections, size, rate, seconds(sample), settings, out, command);
        System.out.println("soak " + (flat ? "flat" : "NOT flat") + "; report: " + out.toAbsolutePath());
        System.exit(flat ? 0 : 1);
      }
      default -> throw new IllegalArgumentException(
          "unknown mode " + mode + "; use echo, ping, setup, idle, ratio or soak");
    }
    System.exit(0);
  }

  /**
   * Starts a scenario's servers and runs one echo measurement against them.
   *
   * @param scenario what serves the connections
   * @param connections how many device connections carry load
   * @param size bytes per message
   * @param inflight messages outstanding per connection (closed loop)
   * @param rate total messages per second (open loop), or 0 for the closed loop
   * @param settings phases and server options; the warm-up is also the servers' JIT warm-up, so
   *     give fresh servers several seconds
   * @return the measurements
   * @throws IOException when a server fails or connections cannot be set up
   * @throws InterruptedException when interrupted
   */
  public static Results.Echo echo(Scenario scenario, int connections, int size, int inflight, double rate,
      RunSettings settings) throws IOException, InterruptedException {
    try (Servers servers = scenario.start(settings)) {
      return echo(servers, scenario.key(), connections, size, inflight, rate, settings);
    }
  }

  /**
   * Runs one echo measurement against servers already started (and perhaps already warmed up by
   * earlier runs): connects, loads for the warm-up, measures, disconnects.
   *
   * @param servers the running servers
   * @param name the name the result carries, usually the scenario's key
   * @param connections how many device connections carry load
   * @param size bytes per message
   * @param inflight messages outstanding per connection (closed loop)
   * @param rate total messages per second (open loop), or 0 for the closed loop
   * @param settings phases
   * @return the measurements
   * @throws IOException when a server fails or connections cannot be set up
   * @throws InterruptedException when interrupted
   */
  public static Results.Echo echo(Servers servers, String name, int connections, int size, int inflight,
      double rate, RunSettings settings) throws IOException, InterruptedException {
    return echo(name, servers.deviceAddress(), servers, connections, size, inflight, rate, settings);
  }

  /**
   * Runs one echo measurement against a server that is already running (server CPU is then not
   * measured).
   *
   * @param target the server's address; it must greet each connection with {@code '*'}
   * @param connections how many device connections carry load
   * @param size bytes per message
   * @param inflight messages outstanding per connection (closed loop)
   * @param rate total messages per second (open loop), or 0 for the closed loop
   * @param settings phases
   * @return the measurements
   * @throws IOException when connections cannot be set up
   * @throws InterruptedException when interrupted
   */
  public static Results.Echo echo(InetSocketAddress target, int connections, int size, int inflight, double rate,
      RunSettings settings) throws IOException, InterruptedException {
    return echo("external", target, null, connections, size, inflight, rate, settings);
  }

  private static Results.Echo echo(String name, InetSocketAddress address, Servers servers, int connections,
      int size, int inflight, double rate, RunSettings settings) throws IOException, InterruptedException {
    try (EchoClient client = new EchoClient(settings.clientThreads())) {
      EchoClient.ConnectResult connected = client.connect(address, connections, settings.connectConcurrency(),
          CONNECT_TIMEOUT_MILLIS);
      if (connected.greeted() < connections) {
        throw new IOException("only " + connected.greeted() + " of " + connections + " connections were set up"
            + (servers != null ? "; see " + servers.server().log() : ""));
      }
      client.startLoad(size, inflight, rate);
      double warmedUp = warmUp(servers == null ? List.of() : List.of(servers::jitMillis), settings);
      long[] cpuStart = servers != null ? servers.cpuNanos() : new long[2];
      long clientCpuStart = ServerControl.processCpuNanos();
      long start = System.nanoTime();
      client.startRecording();
      if (settings.messages() > 0) {
        waitForMessages(client, settings);
      } else {
        sleep(settings.duration());
      }
      LatencyHistogram latency = client.stopRecording();
      long elapsed = System.nanoTime() - start;
      long clientCpuEnd = ServerControl.processCpuNanos();
      long[] cpuEnd = servers != null ? servers.cpuNanos() : new long[2];
      long cpuElapsed = System.nanoTime() - start;
      client.stopLoad();
      int unexpected = client.unexpectedCloses();
      if (servers != null && unexpected > 0) {
        servers.server().call("connections"); // fails fast when the server died
      }
      return new Results.Echo(name, connections, size, inflight, rate, latency.count(), elapsed / 1e9, latency,
          (cpuEnd[0] - cpuStart[0]) / (double) cpuElapsed, (cpuEnd[1] - cpuStart[1]) / (double) cpuElapsed,
          (clientCpuEnd - clientCpuStart) / (double) elapsed, unexpected, client.overloadedConnections(), warmedUp);
    }
  }

  /** Something that reports the JIT compilation time of a JVM. */
  @FunctionalInterface
  private interface JitClock {
    long millis() throws IOException;
  }

  /**
   * Lets load run for the warm-up: at least {@code settings.warmup()}, then in two-second steps
   * until the JIT compilers of the servers and of this JVM spent less than 10% of the step
   * compiling, or {@code settings.maxWarmup()} has passed.
   *
   * @return the seconds warm-up took
   */
  private static double warmUp(List<JitClock> servers, RunSettings settings) throws IOException, InterruptedException {
    long start = System.nanoTime();
    sleep(settings.warmup());
    long end = start + settings.maxWarmup().toNanos();
    long step = 2_000;
    long before = jitMillis(servers);
    while (System.nanoTime() + step * 1_000_000 <= end) {
      Thread.sleep(step);
      long now = jitMillis(servers);
      if (now - before < step / 10) {
        break;
      }
      before = now;
    }
    return (System.nanoTime() - start) / 1e9;
  }

  private static long jitMillis(List<JitClock> servers) throws IOException {
    long total = ServerControl.jitMillis();
    for (JitClock clock : servers) {
      total += clock.millis();
    }
    return total;
  }

  /** Polls until the measured messages reach the target, or ten times the duration passes. */
  private static void waitForMessages(EchoClient client, RunSettings settings) throws InterruptedException {
    long deadline = System.nanoTime() + settings.duration().toNanos() * 10;
    while (System.nanoTime() < deadline) {
      Thread.sleep(50);
      if (client.peekRecorded() >= settings.messages()) {
        return;
      }
    }
  }

  /**
   * Measures reference point (2): bare gRPC unary calls from this JVM to a {@link PingServer} in
   * another.
   *
   * @param concurrency calls outstanding at once
   * @param size payload bytes per request
   * @param settings phases and server options
   * @return the measurements
   * @throws IOException when the server fails
   * @throws InterruptedException when interrupted
   */
  public static Results.Ping ping(int concurrency, int size, RunSettings settings)
      throws IOException, InterruptedException {
    return ping(List.of(concurrency), size, settings, settings.warmup()).get(0);
  }

  /**
   * Measures reference point (2) at several concurrencies against one server JVM: each with a new
   * channel, the first after {@code settings.warmup()}, the later ones after {@code laterWarmup}.
   *
   * @param concurrencies calls outstanding at once, one run each
   * @param size payload bytes per request
   * @param settings phases and server options
   * @param laterWarmup the warm-up of every run but the first
   * @return the measurements, in the order of {@code concurrencies}
   * @throws IOException when the server fails
   * @throws InterruptedException when interrupted
   */
  public static List<Results.Ping> ping(List<Integer> concurrencies, int size, RunSettings settings,
      Duration laterWarmup) throws IOException, InterruptedException {
    try (ChildJvm server = startPingServer(settings)) {
      return ping(server, concurrencies, size, settings, laterWarmup);
    }
  }

  /**
   * Starts the server of reference point (2) in its own JVM.
   *
   * @param settings server options
   * @return the running {@link PingServer}
   * @throws IOException when it does not start
   */
  public static ChildJvm startPingServer(RunSettings settings) throws IOException {
    return ChildJvm.start("ping-server", PingServer.class, settings.serverJvmArgs("ping-server"), List.of(),
        settings.logDir());
  }

  /**
   * Measures reference point (2) at several concurrencies against a running {@link PingServer}:
   * each with a new channel, the first after {@code settings.warmup()} (up to
   * {@code settings.maxWarmup()} while the JIT compilers are busy), the later ones after
   * {@code laterWarmup}.
   *
   * @param server the running ping server
   * @param concurrencies calls outstanding at once, one run each
   * @param size payload bytes per request
   * @param settings phases
   * @param laterWarmup the warm-up of every run but the first
   * @return the measurements, in the order of {@code concurrencies}
   * @throws IOException when the server fails
   * @throws InterruptedException when interrupted
   */
  public static List<Results.Ping> ping(ChildJvm server, List<Integer> concurrencies, int size, RunSettings settings,
      Duration laterWarmup) throws IOException, InterruptedException {
    List<Results.Ping> results = new ArrayList<>();
    {
      for (int concurrency : concurrencies) {
        Duration warmup = results.isEmpty() ? settings.warmup() : laterWarmup;
        try (GrpcPingClient client = new GrpcPingClient("127.0.0.1", server.readyInt("port"))) {
          client.start(concurrency, size);
          double warmedUp = warmUp(List.of(server::jitMillis),
              settings.withPhases(warmup, results.isEmpty() ? settings.maxWarmup() : warmup, settings.duration()));
          long cpuStart = server.cpuNanos();
          long clientCpuStart = ServerControl.processCpuNanos();
          long start = System.nanoTime();
          client.startRecording();
          sleep(settings.duration());
          long elapsed = System.nanoTime() - start;
          LatencyHistogram latency = client.stop();
          long clientCpuEnd = ServerControl.processCpuNanos();
          long cpuEnd = server.cpuNanos();
          long cpuElapsed = System.nanoTime() - start;
          results.add(new Results.Ping(concurrency, size, latency.count(), elapsed / 1e9, latency,
              (cpuEnd - cpuStart) / (double) cpuElapsed, (clientCpuEnd - clientCpuStart) / (double) elapsed,
              client.failures(), warmedUp));
        }
      }
    }
    return results;
  }

  /**
   * Measures the connection setup rate: opens {@code connections} as fast as the server greets
   * them (a greeting follows OnSocketCreated and Authenticate), after warm-up batches of a quarter
   * as many (at most 1,000) opened and closed the same way, for the warm-up time and until the JIT
   * compilers go quiet.
   *
   * @param scenario what serves the connections
   * @param connections how many connections to open
   * @param settings connect concurrency and server options
   * @return the measurements
   * @throws IOException when a server fails or connections cannot be set up
   * @throws InterruptedException when interrupted
   */
  public static Results.Setup setup(Scenario scenario, int connections, RunSettings settings)
      throws IOException, InterruptedException {
    try (Servers servers = scenario.start(settings)) {
      // Warm-up: batches of a quarter as many connections (at most 1,000), opened and closed, for
      // at least the warm-up time and then until the JIT compilers go quiet (or the longest warm-up).
      long start = System.nanoTime();
      long minEnd = start + settings.warmup().toNanos();
      long maxEnd = start + settings.maxWarmup().toNanos();
      long lastCheck = start;
      long lastJit = jitMillis(List.of(servers::jitMillis));
      while (true) {
        try (EchoClient warm = new EchoClient(settings.clientThreads())) {
          warm.connect(servers.deviceAddress(), Math.min(1_000, Math.max(1, connections / 4)),
              settings.connectConcurrency(), CONNECT_TIMEOUT_MILLIS);
        }
        long now = System.nanoTime();
        if (now >= maxEnd) {
          break;
        }
        if (now - lastCheck >= 2_000_000_000L) {
          long jit = jitMillis(List.of(servers::jitMillis));
          boolean quiet = (jit - lastJit) * 1_000_000 < (now - lastCheck) / 10;
          lastCheck = now;
          lastJit = jit;
          if (quiet && now >= minEnd) {
            break;
          }
        }
      }
      Thread.sleep(1_000); // let the warm-up connections' OnSocketClosed pass
      try (EchoClient client = new EchoClient(settings.clientThreads())) {
        long[] cpuStart = servers.cpuNanos();
        EchoClient.ConnectResult connected = client.connect(servers.deviceAddress(), connections,
            settings.connectConcurrency(), CONNECT_TIMEOUT_MILLIS);
        long[] cpuEnd = servers.cpuNanos();
        double seconds = connected.elapsedNanos() / 1e9;
        return new Results.Setup(scenario.key(), connections, connected.greeted(), seconds,
            connected.setupLatency(), settings.connectConcurrency(),
            (cpuEnd[0] - cpuStart[0]) / 1e9 / seconds, (cpuEnd[1] - cpuStart[1]) / 1e9 / seconds);
      }
    }
  }

  /**
   * Measures the server's heap per idle connection: heap in use after GC before connecting, then
   * with {@code connections} set up (authenticated and greeted) and idle.
   *
   * @param scenario what serves the connections
   * @param connections how many connections to hold
   * @param settings connect concurrency and server options
   * @return the measurements
   * @throws IOException when a server fails
   * @throws InterruptedException when interrupted
   */
  public static Results.Idle idle(Scenario scenario, int connections, RunSettings settings)
      throws IOException, InterruptedException {
    return idle(scenario, connections, settings, Duration.ZERO);
  }

  /**
   * Measures the server's heap per idle connection, then keeps the connections open a while.
   *
   * @param scenario what serves the connections
   * @param connections how many connections to hold
   * @param settings connect concurrency and server options
   * @param hold how long to keep the connections after measuring
   * @return the measurements
   * @throws IOException when a server fails
   * @throws InterruptedException when interrupted
   */
  public static Results.Idle idle(Scenario scenario, int connections, RunSettings settings, Duration hold)
      throws IOException, InterruptedException {
    try (Servers servers = scenario.start(settings)) {
      long[] before = servers.server().memoryAfterGc();
      try (EchoClient client = new EchoClient(settings.clientThreads())) {
        EchoClient.ConnectResult connected = client.connect(servers.deviceAddress(), connections,
            settings.connectConcurrency(), CONNECT_TIMEOUT_MILLIS);
        Thread.sleep(2_000); // callbacks settle: the last OnSocketCreated answers are in
        long[] after = servers.server().memoryAfterGc();
        if (!hold.isZero()) {
          System.out.println("holding " + connected.greeted() + " connections to " + servers.server() + " for "
              + hold.toSeconds() + " s");
          sleep(hold);
        }
        return new Results.Idle(scenario.key(), connections, connected.greeted(), connected.elapsedNanos() / 1e9,
            before[0], after[0], before[1], after[1]);
      }
    }
  }

  /** One side of an interleaved comparison: loads its server for one slice and reports the rate. */
  public interface Slice extends AutoCloseable {
    /**
     * Loads the server for {@code settle}, then measures for {@code slice}, then stops and waits
     * until nothing is in flight.
     *
     * @param settle load before measuring
     * @param slice the measurement
     * @return messages (or calls) per second during the measurement
     * @throws Exception when the run fails
     */
    double measure(Duration settle, Duration slice) throws Exception;

    /** Releases the slice's connections. */
    @Override
    void close();
  }

  /**
   * Makes a slice of closed-loop echo load (one message in flight per connection) over
   * connections opened now and kept for every slice.
   *
   * @param servers the servers to load
   * @param connections how many connections
   * @param size bytes per message
   * @param settings client threads and connect concurrency
   * @return the slice
   * @throws IOException when the connections cannot be set up
   * @throws InterruptedException when interrupted
   */
  public static Slice echoSlice(Servers servers, int connections, int size, RunSettings settings)
      throws IOException, InterruptedException {
    EchoClient client = new EchoClient(settings.clientThreads());
    EchoClient.ConnectResult connected = client.connect(servers.deviceAddress(), connections,
        settings.connectConcurrency(), CONNECT_TIMEOUT_MILLIS);
    if (connected.greeted() < connections) {
      client.close();
      throw new IOException("only " + connected.greeted() + " of " + connections + " connections were set up");
    }
    return new Slice() {
      @Override
      public double measure(Duration settle, Duration slice) throws Exception {
        client.startLoad(size, 1, 0);
        sleep(settle);
        long start = System.nanoTime();
        client.startRecording();
        sleep(slice);
        LatencyHistogram latency = client.stopRecording();
        long elapsed = System.nanoTime() - start;
        client.stopLoad();
        if (!client.awaitQuiet(30_000)) {
          throw new IOException("messages still in flight 30 s after the slice ended");
        }
        if (client.unexpectedCloses() > 0) {
          throw new IOException(client.unexpectedCloses() + " connections closed during the slice");
        }
        return latency.count() * 1e9 / elapsed;
      }

      @Override
      public void close() {
        client.close();
      }
    };
  }

  /**
   * Makes a slice of bare gRPC unary calls to a {@link PingServer}, with a new channel per slice.
   *
   * @param server the ping server
   * @param concurrency calls outstanding at once
   * @param size payload bytes per request
   * @return the slice
   */
  public static Slice pingSlice(ChildJvm server, int concurrency, int size) {
    return new Slice() {
      @Override
      public double measure(Duration settle, Duration slice) throws Exception {
        try (GrpcPingClient client = new GrpcPingClient("127.0.0.1", server.readyInt("port"))) {
          client.start(concurrency, size);
          sleep(settle);
          long start = System.nanoTime();
          client.startRecording();
          sleep(slice);
          long elapsed = System.nanoTime() - start;
          return client.stop().count() * 1e9 / elapsed;
        }
      }

      @Override
      public void close() {}
    };
  }

  /**
   * Measures A's throughput relative to B's in interleaved slices, in the order A B, B A, A B, ...
   * so that a machine getting busier or quieter affects both alike.
   *
   * @param what what is compared, for reports
   * @param a the numerator
   * @param b the denominator
   * @param rounds how many A and B pairs
   * @param settle load before each measured slice
   * @param slice the length of each measured slice
   * @return the rates and ratios
   * @throws Exception when a slice fails
   */
  public static Results.Ratio interleave(String what, Slice a, Slice b, int rounds, Duration settle, Duration slice)
      throws Exception {
    List<Double> ratesA = new ArrayList<>();
    List<Double> ratesB = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      if (round % 2 == 0) {
        ratesA.add(a.measure(settle, slice));
        ratesB.add(b.measure(settle, slice));
      } else {
        ratesB.add(b.measure(settle, slice));
        ratesA.add(a.measure(settle, slice));
      }
    }
    return new Results.Ratio(what, ratesA, ratesB, slice.toNanos() / 1e9);
  }

  /**
   * Measures a scenario's echo throughput over its reference point in interleaved slices: the
   * bare Netty echo for the in-process scenarios, half the bare gRPC unary call rate at
   * {@code connections} calls in flight for the remote ones. Both sides are warmed up first.
   *
   * @param scenario the gateway scenario
   * @param connections connections (and calls in flight)
   * @param size bytes per message
   * @param rounds pairs of slices
   * @param settings warm-up, and the slice length as {@code duration}
   * @return the ratio
   * @throws Exception when a server or a slice fails
   */
  public static Results.Ratio ratio(Scenario scenario, int connections, int size, int rounds, RunSettings settings)
      throws Exception {
    boolean remote = scenario.key().startsWith("grpc");
    Duration settle = Duration.ofMillis(500);
    try (Servers gateway = scenario.start(settings)) {
      echo(gateway, scenario.key(), connections, size, 1, 0, settings.withPhases(settings.warmup(),
          settings.maxWarmup(), Duration.ofSeconds(1)));
      if (remote) {
        try (ChildJvm pingServer = startPingServer(settings);
            Slice a = echoSlice(gateway, connections, size, settings)) {
          ping(pingServer, List.of(connections), size, settings.withPhases(settings.warmup(), settings.maxWarmup(),
              Duration.ofSeconds(1)), settle);
          Slice ping = pingSlice(pingServer, connections, size);
          Slice limit = new Slice() {
            @Override
            public double measure(Duration s, Duration d) throws Exception {
              return ping.measure(s, d) / 2;
            }

            @Override
            public void close() {}
          };
          return interleave(scenario.key() + " / gRPC limit", a, limit, rounds, settle, settings.duration());
        }
      }
      try (Servers bare = Scenario.BARE_NETTY.start(settings)) {
        echo(bare, "bare-netty", connections, size, 1, 0, settings.withPhases(settings.warmup(), settings.maxWarmup(),
            Duration.ofSeconds(1)));
        try (Slice a = echoSlice(gateway, connections, size, settings); Slice b = echoSlice(bare, connections, size,
            settings)) {
          return interleave(scenario.key() + " / bare-netty", a, b, rounds, settle, settings.duration());
        }
      }
    }
  }

  /**
   * Formats an interleaved ratio as one line.
   *
   * @param r the ratio
   * @return the line
   */
  public static String describe(Results.Ratio r) {
    List<Double> ratios = r.ratios();
    return String.format(Locale.ROOT, "%s: median %.2f over %d rounds (min %.2f, max %.2f); mean rates %.0f / %.0f",
        r.what(), r.median(), ratios.size(), ratios.stream().mapToDouble(Double::doubleValue).min().orElse(0),
        ratios.stream().mapToDouble(Double::doubleValue).max().orElse(0), r.meanA(), r.meanB());
  }

  /**
   * Formats an echo result as one line.
   *
   * @param r the result
   * @return the line
   */
  public static String describe(Results.Echo r) {
    return String.format(Locale.ROOT, "%s conns=%d size=%d %s: %.0f msg/s, %.2f MB/s, p50=%s p99=%s p999=%s max=%s,"
            + " server %.2f cores, handler %.2f cores, client %.2f cores, %.1f us server CPU/msg, warm-up %.0f s%s",
        r.scenario(), r.connections(), r.size(),
        r.targetRate() > 0 ? String.format(Locale.ROOT, "open loop %.0f msg/s", r.targetRate()) : "inflight=" + r.inflight(),
        r.messagesPerSecond(), r.megabytesPerSecond(), micros(r.latency().percentile(0.5)),
        micros(r.latency().percentile(0.99)), micros(r.latency().percentile(0.999)), micros(r.latency().max()),
        r.serverCores(), r.handlerCores(), r.clientCores(), r.serverMicrosPerMessage(), r.warmupSeconds(),
        r.unexpectedCloses() + r.overloaded() > 0
            ? ", " + r.unexpectedCloses() + " closed, " + r.overloaded() + " overloaded" : "");
  }

  /**
   * Formats a ping result as one line.
   *
   * @param r the result
   * @return the line
   */
  public static String describe(Results.Ping r) {
    return String.format(Locale.ROOT, "grpc ping concurrency=%d size=%d: %.0f calls/s, p50=%s p99=%s p999=%s,"
            + " server %.2f cores, client %.2f cores, %d failures, warm-up %.0f s",
        r.concurrency(), r.size(), r.callsPerSecond(), micros(r.latency().percentile(0.5)),
        micros(r.latency().percentile(0.99)), micros(r.latency().percentile(0.999)), r.serverCores(),
        r.clientCores(), r.failures(), r.warmupSeconds());
  }

  /**
   * Formats a setup result as one line.
   *
   * @param r the result
   * @return the line
   */
  public static String describe(Results.Setup r) {
    return String.format(Locale.ROOT, "%s setup: %d of %d connections in %.2f s = %.0f conn/s, p50=%s p99=%s,"
            + " server %.2f cores, handler %.2f cores",
        r.scenario(), r.greeted(), r.requested(), r.seconds(), r.perSecond(), micros(r.latency().percentile(0.5)),
        micros(r.latency().percentile(0.99)), r.serverCores(), r.handlerCores());
  }

  /**
   * Formats an idle result as one line.
   *
   * @param r the result
   * @return the line
   */
  public static String describe(Results.Idle r) {
    return String.format(Locale.ROOT, "%s idle: %d of %d connections held; heap %.1f -> %.1f MB = %.0f B/conn;"
            + " Netty direct %.0f B/conn",
        r.scenario(), r.held(), r.requested(), r.heapBefore() / 1e6, r.heapAfter() / 1e6, r.heapPerConnection(),
        r.directPerConnection());
  }

  /**
   * Formats nanoseconds for people: microseconds below 10 ms, else milliseconds.
   *
   * @param nanos a duration
   * @return e.g. {@code 87us} or {@code 12.3ms}
   */
  public static String micros(long nanos) {
    if (nanos < 10_000_000) {
      return String.format(Locale.ROOT, "%dus", Math.round(nanos / 1e3));
    }
    return String.format(Locale.ROOT, "%.1fms", nanos / 1e6);
  }

  private static InetSocketAddress parseTarget(String target) {
    int colon = target.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("--target must be host:port");
    }
    return new InetSocketAddress(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)));
  }

  private static Duration seconds(double seconds) {
    return Duration.ofNanos((long) (seconds * 1e9));
  }

  private static void sleep(Duration duration) throws InterruptedException {
    TimeUnit.NANOSECONDS.sleep(duration.toNanos());
  }
}
