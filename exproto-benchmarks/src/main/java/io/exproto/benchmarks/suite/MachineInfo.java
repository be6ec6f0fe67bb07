package io.exproto.benchmarks.suite;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** What the machine is, read from {@code /proc} and the JDK, for the report. */
final class MachineInfo {

  private MachineInfo() {}

  /**
   * Returns the CPU model from {@code /proc/cpuinfo}.
   *
   * @return the first {@code model name}, or the OS architecture when unreadable
   */
  static String cpuModel() {
    for (String line : lines("/proc/cpuinfo")) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).trim();
      }
    }
    return System.getProperty("os.arch");
  }

  /**
   * Returns the number of CPUs this process may use (what {@code nproc} prints).
   *
   * @return the processor count
   */
  static int nproc() {
    return Runtime.getRuntime().availableProcessors();
  }

  /**
   * Returns the memory of the machine from {@code /proc/meminfo}.
   *
   * @return e.g. {@code 23.4 GiB}, or {@code unknown}
   */
  static String memory() {
    for (String line : lines("/proc/meminfo")) {
      if (line.startsWith("MemTotal:")) {
        long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
        return String.format(Locale.ROOT, "%.1f GiB", kib / 1024.0 / 1024.0);
      }
    }
    return "unknown";
  }

  /**
   * Returns the 1-minute load average.
   *
   * @return the load average, or -1 when unknown
   */
  static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /**
   * Returns the output of {@code java -version} for the JVM running the suite (and its servers).
   *
   * @return the lines, joined with {@code "; "}
   */
  static String javaVersion() {
    String java = ProcessHandle.current().info().command().orElse("java");
    try {
      Process p = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(10, TimeUnit.SECONDS);
      return String.join("; ", out.lines().toList());
    } catch (IOException e) {
      return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return System.getProperty("java.runtime.version");
    }
  }

  /**
   * Returns the operating system.
   *
   * @return name, kernel release and architecture
   */
  static String os() {
    return System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch");
  }

  /**
   * Returns the open files limit of this process, from {@code /proc/self/limits}.
   *
   * @return the soft limit as text, or {@code unknown}
   */
  static String openFilesLimit() {
    for (String line : lines("/proc/self/limits")) {
      if (line.startsWith("Max open files")) {
        String[] words = line.substring("Max open files".length()).trim().split("\\s+");
        return words[0] + " (hard " + words[1] + ")";
      }
    }
    return "unknown";
  }

  private static List<String> lines(String file) {
    try {
      return Files.readAllLines(Path.of(file));
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }
}
