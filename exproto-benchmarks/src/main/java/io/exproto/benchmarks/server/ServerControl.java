package io.exproto.benchmarks.server;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The control channel of a benchmark server process: the load generator, its parent, talks to it
 * over the child's standard input and output, one line per command.
 *
 * <p>The server announces itself with {@code @@READY key=value ...} once it listens. Then each line
 * read from standard input is a command, answered with {@code @@OK <command> key=value ...} or
 * {@code @@ERR <command> <message>}. Built-in commands:
 *
 * <ul>
 *   <li>{@code cpu}: {@code nanos=} the CPU time the whole process has used so far (all threads,
 *       GC and JIT included), from {@code com.sun.management.OperatingSystemMXBean}.</li>
 *   <li>{@code heap}: runs {@code System.gc()} until the used heap stops shrinking, then answers
 *       {@code used=} the heap in use, {@code direct=} the direct memory Netty's default allocator
 *       holds (-1 when it does not say).</li>
 *   <li>{@code resources}: {@code heap=} and {@code direct=} as {@code heap} does, {@code threads=}
 *       the live threads, {@code fds=} the open file descriptors (-1 when unknown).</li>
 *   <li>{@code jit}: {@code millis=} the time the JIT compilers have spent so far, to tell when
 *       warm-up is over.</li>
 *   <li>{@code quit}, or the end of standard input (the parent died): closes what the server
 *       registered and exits the process.</li>
 * </ul>
 *
 * <p>Lines the generator should not take as answers (logs) must not start with {@code @@}; logs
 * go to standard error.
 */
public final class ServerControl {

  /** Marks a line of the control protocol on standard output. */
  public static final String PREFIX = "@@";

  /** A command a server adds to the built-in ones. */
  @FunctionalInterface
  public interface Command {
    /**
     * Runs the command.
     *
     * @param args the words after the command name
     * @return the answer's body, {@code key=value} pairs separated by spaces
     * @throws Exception answered as {@code @@ERR}
     */
    String run(String[] args) throws Exception;
  }

  private final Map<String, Command> commands = new LinkedHashMap<>();
  private final List<AutoCloseable> resources = new ArrayList<>();

  /** Creates a control channel with the built-in commands. */
  public ServerControl() {
    commands.put("cpu", args -> "nanos=" + processCpuNanos());
    commands.put("heap", args -> "used=" + heapUsedAfterGc() + " direct=" + nettyDirectMemory());
    commands.put("jit", args -> "millis=" + jitMillis());
    commands.put("resources", args -> "heap=" + heapUsedAfterGc() + " direct=" + nettyDirectMemory()
        + " threads=" + ManagementFactory.getThreadMXBean().getThreadCount() + " fds=" + openFileDescriptors());
  }

  /**
   * Adds a command.
   *
   * @param name the command's first word
   * @param command what it does
   * @return this
   */
  public ServerControl command(String name, Command command) {
    commands.put(name, command);
    return this;
  }

  /**
   * Registers something to close when the server quits, in registration order.
   *
   * @param resource the resource
   * @return this
   */
  public ServerControl closeOnQuit(AutoCloseable resource) {
    resources.add(resource);
    return this;
  }

  /**
   * Announces the server and serves commands until {@code quit} or the end of standard input,
   * then exits the process.
   *
   * @param ready what the generator needs to know, e.g. {@code port}
   */
  public void serve(Map<String, ?> ready) {
    StringJoiner line = new StringJoiner(" ", PREFIX + "READY ", "");
    ready.forEach((k, v) -> line.add(k + "=" + v));
    answer(line.toString());
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String command;
      while ((command = in.readLine()) != null) {
        String[] words = command.trim().split("\\s+");
        if (words[0].isEmpty()) {
          continue;
        }
        if (words[0].equals("quit")) {
          break;
        }
        Command handler = commands.get(words[0]);
        if (handler == null) {
          answer(PREFIX + "ERR " + words[0] + " unknown command");
          continue;
        }
        String[] args = new String[words.length - 1];
        System.arraycopy(words, 1, args, 0, args.length);
        try {
          answer(PREFIX + "OK " + words[0] + " " + handler.run(args));
        } catch (Exception e) {
          answer(PREFIX + "ERR " + words[0] + " " + String.valueOf(e).replace('\n', ' '));
        }
      }
    } catch (Exception e) {
      System.err.println("control channel failed: " + e);
    }
    // No graceful stop: a gateway with thousands of connections would send thousands of
    // OnSocketClosed first. The kernel closes the sockets when the process ends.
    for (AutoCloseable resource : resources) {
      Thread closer = new Thread(() -> {
        try {
          resource.close();
        } catch (Exception e) {
          System.err.println("closing " + resource + " failed: " + e);
        }
      });
      closer.setDaemon(true);
      closer.start();
      try {
        closer.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    answer(PREFIX + "BYE");
    System.exit(0); // runs shutdown hooks, so a JFR recording started with dumponexit is written
  }

  private static synchronized void answer(String line) {
    System.out.println(line);
    System.out.flush();
  }

  /**
   * Returns the CPU time of this process.
   *
   * @return nanoseconds of CPU used by every thread of the JVM so far, or -1 when unknown
   */
  public static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /**
   * Returns the time the JIT compilers of this JVM have spent compiling.
   *
   * @return milliseconds (summed over compiler threads), or -1 when unknown
   */
  public static long jitMillis() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
  }

  /**
   * Collects garbage until the used heap stops shrinking (at most five rounds) and returns it.
   *
   * @return bytes of heap in use after the collections
   * @throws InterruptedException when interrupted between rounds
   */
  public static long heapUsedAfterGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long previous = Long.MAX_VALUE;
    long used = 0;
    for (int round = 0; round < 5; round++) {
      System.gc();
      Thread.sleep(200);
      used = memory.getHeapMemoryUsage().getUsed();
      if (used >= previous - previous / 1000) {
        break;
      }
      previous = used;
    }
    return used;
  }

  /**
   * Returns the number of file descriptors this process has open.
   *
   * @return the count, or -1 when the platform does not say
   */
  public static long openFileDescriptors() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
      return os.getOpenFileDescriptorCount();
    }
    return -1;
  }

  /**
   * Returns the direct memory held by Netty's default allocator.
   *
   * @return bytes, or -1 when the allocator does not publish metrics
   */
  public static long nettyDirectMemory() {
    if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
      return provider.metric().usedDirectMemory();
    }
    return -1;
  }
}
