package io.exproto.examples.support;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child process whose standard output and error, merged, are read line by line as they come.
 * {@link #close()} ends it (SIGTERM, then SIGKILL) with its descendants.
 */
public final class ChildProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private ChildProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    this.reader = new Thread(this::readOutput, "child-output-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts a JVM running {@code mainClass} with this JVM's class path.
   *
   * @param mainClass the class with the main method
   * @param args its arguments
   * @return the running child
   * @throws IOException when the process cannot start
   */
  public static ChildProcess java(Class<?> mainClass, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(List.of(args));
    return start(mainClass.getSimpleName(), command, Map.of());
  }

  /**
   * Starts a process.
   *
   * @param name a short name for the output's prefix
   * @param command the command and its arguments
   * @param environment variables added to this process's environment
   * @return the running child
   * @throws IOException when the process cannot start
   */
  public static ChildProcess start(String name, List<String> command, Map<String, String> environment)
      throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(environment);
    builder.redirectInput(ProcessBuilder.Redirect.PIPE);
    Process process = builder.start();
    process.getOutputStream().close();
    return new ChildProcess(name, process);
  }

  private void readOutput() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        lines.add(line);
        System.out.println("[" + name + "] " + line);
      }
    } catch (IOException e) {
      // The process was killed: its output ended.
    }
  }

  /**
   * Waits for an output line matching {@code pattern} (searched, not fully matched).
   *
   * @param pattern the pattern
   * @param timeout how long to wait
   * @return the match
   * @throws AssertionError when the process ends without printing it
   */
  public Matcher awaitLine(Pattern pattern, Duration timeout) {
    Matcher[] found = new Matcher[1];
    await("a line matching " + pattern + " from " + name).atMost(timeout).until(() -> {
      for (String line : lines) {
        Matcher m = pattern.matcher(line);
        if (m.find()) {
          found[0] = m;
          return true;
        }
      }
      if (!process.isAlive() && !reader.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + " without printing a line matching "
            + pattern + "; its output:\n" + output());
      }
      return false;
    });
    return found[0];
  }

  /**
   * Waits for the process to exit and for its output to be read.
   *
   * @param timeout how long to wait
   * @return the exit code
   * @throws InterruptedException when interrupted
   * @throws AssertionError when the process is still running after the timeout
   */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " did not exit within " + timeout + "; its output:\n" + output());
    }
    reader.join(timeout.toMillis());
    return process.exitValue();
  }

  /**
   * Returns the process id, e.g. to send it a signal.
   *
   * @return the pid
   */
  public long pid() {
    return process.pid();
  }

  /**
   * Sends SIGTERM, as a service manager would. Through the process handle: {@link Process#destroy()}
   * would also close the pipes, losing what the process prints while it stops.
   */
  public void terminate() {
    process.toHandle().destroy();
  }

  /**
   * Returns the output read so far.
   *
   * @return the lines, joined with newlines
   */
  public String output() {
    return String.join("\n", lines);
  }

  /**
   * Returns the output lines read so far.
   *
   * @return a snapshot of the lines
   */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** Ends the process and its descendants: SIGTERM, then SIGKILL after 10 seconds. */
  @Override
  public void close() throws InterruptedException {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.toHandle().destroy();
    descendants.forEach(ProcessHandle::destroy);
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    descendants.forEach(ProcessHandle::destroyForcibly);
    reader.join(TimeUnit.SECONDS.toMillis(5));
  }
}
