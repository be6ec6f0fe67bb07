package io.exproto.logging;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * A logger for tests: keeps each line as "LEVEL message" and each cause, so a test can count
 * what a component wrote. Thread-safe.
 */
public final class RecordingLogger extends AbstractLogger {
  private final List<String> lines = new ArrayList<>();
  private final List<Throwable> causes = new ArrayList<>();
  private volatile boolean warnEnabled = true;

  /** Creates a logger with every level enabled. */
  public RecordingLogger() {}

  /**
   * Returns the lines written so far.
   *
   * @return a copy, in order
   */
  public synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  /**
   * Returns the causes logged so far.
   *
   * @return a copy, in order
   */
  public synchronized List<Throwable> causes() {
    return List.copyOf(causes);
  }

  /**
   * Turns WARN on or off.
   *
   * @param enabled whether WARN lines are enabled
   */
  public void setWarnEnabled(boolean enabled) {
    warnEnabled = enabled;
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected synchronized void handleNormalizedLoggingCall(
      Level level, Marker marker, String format, Object[] args, Throwable cause) {
    lines.add(level + " " + MessageFormatter.basicArrayFormat(format, args));
    if (cause != null) {
      causes.add(cause);
    }
  }

  @Override
  public boolean isTraceEnabled() {
    return true;
  }

  @Override
  public boolean isTraceEnabled(Marker marker) {
    return true;
  }

  @Override
  public boolean isDebugEnabled() {
    return true;
  }

  @Override
  public boolean isDebugEnabled(Marker marker) {
    return true;
  }

  @Override
  public boolean isInfoEnabled() {
    return true;
  }

  @Override
  public boolean isInfoEnabled(Marker marker) {
    return true;
  }

  @Override
  public boolean isWarnEnabled() {
    return warnEnabled;
  }

  @Override
  public boolean isWarnEnabled(Marker marker) {
    return warnEnabled;
  }

  @Override
  public boolean isErrorEnabled() {
    return true;
  }

  @Override
  public boolean isErrorEnabled(Marker marker) {
    return true;
  }
}
