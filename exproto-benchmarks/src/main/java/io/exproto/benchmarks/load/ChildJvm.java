package io.exproto.benchmarks.load;

import io.exproto.benchmarks.server.ServerControl;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A server main running in a JVM of its own, started with this JVM's {@code java} and class path,
 * and driven through the {@link ServerControl} protocol. Its standard error and any stray output
 * go to {@code <logDir>/<name>.log}.
 */
public final class ChildJvm implements AutoCloseable {

  private static final String EOF = ServerControl.PREFIX + "EOF";
  private static final long READY_TIMEOUT_MILLIS = 60_000;
  private static final long ANSWER_TIMEOUT_MILLIS = 120_000;

  private final String name;
  private final Process process;
  private final Path log;
  private final PrintWriter commands;
  private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
  private final Map<String, String> ready;

  private ChildJvm(String name, Process process, Path log) throws IOException {
    this.name = name;
    this.process = process;
    this.log = log;
    this.commands = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
    Thread reader = new Thread(this::pump, "child-" + name + "-stdout");
    reader.setDaemon(true);
    reader.start();
    this.ready = parse(await("READY", READY_TIMEOUT_MILLIS));
  }

  /**
   * Starts a server main and waits until it announces itself.
   *
   * @param name a short name, for the log file and errors
   * @param mainClass the class whose {@code main} to run
   * @param jvmArgs options for the child JVM
   * @param args the main's arguments
   * @param logDir where the child's log goes
   * @return the running child
   * @throws IOException when it cannot start or does not announce itself within a minute
   */
  public static ChildJvm start(String name, Class<?> mainClass, List<String> jvmArgs, List<String> args,
      Path logDir) throws IOException {
    Files.createDirectories(logDir);
    Path log = logDir.resolve(name + ".log");
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(jvmArgs);
    command.add(mainClass.getName());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // The class path can be longer than a command line comfortably holds: pass it in the environment.
    builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
    Files.writeString(log, "# " + String.join(" ", command) + System.lineSeparator(),
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    Process process = builder.start();
    try {
      return new ChildJvm(name, process, log);
    } catch (IOException | RuntimeException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  /**
   * Returns what the child announced, e.g. {@code port}.
   *
   * @return the announced values
   */
  public Map<String, String> ready() {
    return ready;
  }

  /**
   * Returns one announced integer.
   *
   * @param key e.g. {@code port}
   * @return the value
   * @throws IllegalStateException when the child did not announce it
   */
  public int readyInt(String key) {
    String value = ready.get(key);
    if (value == null) {
      throw new IllegalStateException(name + " did not announce " + key + "; see " + log);
    }
    return Integer.parseInt(value);
  }

  /**
   * Sends a command and waits for its answer.
   *
   * @param command the command line, e.g. {@code cpu}
   * @return the answer's {@code key=value} pairs
   * @throws IOException when the child answers with an error, exits, or does not answer in time
   */
  public synchronized Map<String, String> call(String command) throws IOException {
    commands.println(command);
    String word = command.trim().split("\\s+")[0];
    String answer = await("OK " + word, ANSWER_TIMEOUT_MILLIS);
    return parse(answer.substring(("OK " + word).length()).trim());
  }

  /**
   * Returns the CPU time the child has used so far.
   *
   * @return nanoseconds
   * @throws IOException when the child does not answer
   */
  public long cpuNanos() throws IOException {
    return Long.parseLong(call("cpu").get("nanos"));
  }

  /**
   * Returns the time the child's JIT compilers have spent so far.
   *
   * @return milliseconds, or -1 when unknown
   * @throws IOException when the child does not answer
   */
  public long jitMillis() throws IOException {
    return Long.parseLong(call("jit").get("millis"));
  }

  /**
   * Returns the child's heap in use after garbage collection, and Netty's direct memory.
   *
   * @return {@code [heap bytes, direct bytes]}
   * @throws IOException when the child does not answer
   */
  public long[] memoryAfterGc() throws IOException {
    Map<String, String> answer = call("heap");
    return new long[] {Long.parseLong(answer.get("used")), Long.parseLong(answer.get("direct"))};
  }

  /**
   * Samples what the child holds: heap after garbage collection, Netty's direct memory, live
   * threads and open file descriptors.
   *
   * @return the sample
   * @throws IOException when the child does not answer
   */
  public Resources resources() throws IOException {
    Map<String, String> answer = call("resources");
    return new Resources(Long.parseLong(answer.get("heap")), Long.parseLong(answer.get("direct")),
        Long.parseLong(answer.get("threads")), Long.parseLong(answer.get("fds")));
  }

  /**
   * What a child JVM holds at one moment.
   *
   * @param heap bytes of heap in use after garbage collection
   * @param direct bytes of direct memory Netty's default allocator holds, -1 when unknown
   * @param threads live threads
   * @param fds open file descriptors, -1 when unknown
   */
  public record Resources(long heap, long direct, long threads, long fds) {}

  /**
   * Returns the child's process id.
   *
   * @return the pid
   */
  public long pid() {
    return process.pid();
  }

  /**
   * Returns the child's log file.
   *
   * @return the path
   */
  public Path log() {
    return log;
  }

  /** Asks the child to quit, waits up to ten seconds, then kills it. */
  @Override
  public void close() {
    if (process.isAlive()) {
      commands.println("quit");
      commands.close();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  private String await(String kind, long timeoutMillis) throws IOException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (true) {
      String line;
      try {
        line = answers.poll(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted waiting for " + name);
      }
      if (line == null) {
        throw new IOException(name + " did not answer " + kind + " within " + timeoutMillis + " ms; see " + log);
      }
      if (line.equals(EOF)) {
        answers.add(EOF); // later calls fail fast too
        throw new IOException(name + " exited before answering " + kind + "; see " + log);
      }
      String body = line.substring(ServerControl.PREFIX.length());
      if (body.startsWith(kind)) {
        return body.substring(kind.startsWith("OK ") ? 0 : kind.length()).trim();
      }
      if (body.startsWith("ERR ")) {
        throw new IOException(name + " answered " + body);
      }
    }
  }

  private void pump() {
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Writer stray = Files.newBufferedWriter(log.resolveSibling(name + ".stdout.log"),
            StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith(ServerControl.PREFIX)) {
          answers.add(line);
        } else {
          stray.write(line);
          stray.write(System.lineSeparator());
          stray.flush();
        }
      }
    } catch (IOException e) {
      // The child is gone; the EOF below tells waiting callers.
    }
    answers.add(EOF);
  }

  private static Map<String, String> parse(String pairs) {
    Map<String, String> values = new HashMap<>();
    for (String pair : pairs.trim().split("\\s+")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        values.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    return values;
  }

  @Override
  public String toString() {
    return name + "(pid " + process.pid() + ")";
  }
}
