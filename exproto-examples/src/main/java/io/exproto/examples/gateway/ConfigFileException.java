package io.exproto.examples.gateway;

import java.util.Optional;

/**
 * A configuration file the gateway cannot run with: a syntax error, an unknown or not yet
 * supported key, or a bad value. The message is one line that names the file, the line and the
 * full key path, for example
 * {@code exproto.conf, line 12: gateway.exproto.listeners.ssl: not supported yet ...}.
 */
public final class ConfigFileException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Where the configuration came from. */
  private final String source;
  /** The 1-based line of the offending value, or -1. */
  private final int line;
  /** The full key path, or null for a syntax error. */
  private final String key;
  /** What is wrong, without the location. */
  private final String problem;

  /**
   * Creates an exception.
   *
   * @param source the file (or other origin) the configuration came from, not null
   * @param line the line of the offending value, or -1 when unknown
   * @param key the full key path (e.g. {@code gateway.exproto.idle_timeout}), or null when the
   *     problem is not tied to one key (a syntax error)
   * @param problem what is wrong and how to fix it, not null
   */
  public ConfigFileException(String source, int line, String key, String problem) {
    super(format(source, line, key, problem));
    this.source = source;
    this.line = line;
    this.key = key;
    this.problem = problem;
  }

  private static String format(String source, int line, String key, String problem) {
    StringBuilder message = new StringBuilder(source);
    if (line > 0) {
      message.append(", line ").append(line);
    }
    message.append(": ");
    if (key != null) {
      message.append(key).append(": ");
    }
    // One line, whatever a wrapped library message contains.
    return message.append(problem.replaceAll("\\s*[\\r\\n]+\\s*", " ")).toString();
  }

  /**
   * Returns where the configuration came from.
   *
   * @return the file path or origin description
   */
  public String source() {
    return source;
  }

  /**
   * Returns the line of the offending value.
   *
   * @return the line number (1-based), or -1 when unknown
   */
  public int line() {
    return line;
  }

  /**
   * Returns the full path of the offending key.
   *
   * @return the key path, or empty for a syntax error
   */
  public Optional<String> key() {
    return Optional.ofNullable(key);
  }

  /**
   * Returns what is wrong, without the location.
   *
   * @return the problem
   */
  public String problem() {
    return problem;
  }
}
