package io.exproto.transport.testkit;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Captures what is written to System.err (where slf4j-simple, the test binding, logs). */
public final class StandardError {

  /** An action that may throw. */
  public interface Action {
    /** Runs the action. */
    void run() throws Exception;
  }

  private StandardError() {}

  /**
   * Runs the action with System.err captured, copies the capture to the real System.err, and
   * returns it.
   */
  public static String capture(Action action) throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.err;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
      original.print(captured.toString(StandardCharsets.UTF_8));
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  /** Counts the lines of a capture that contain the text. */
  public static long linesContaining(String capture, String part) {
    return capture.lines().filter(line -> line.contains(part)).count();
  }
}
