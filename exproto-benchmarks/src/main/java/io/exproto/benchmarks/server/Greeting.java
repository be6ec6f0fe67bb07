package io.exproto.benchmarks.server;

/**
 * The one byte every benchmark server sends a new connection once it is ready for it: for a
 * gateway, after the handler has authenticated the connection (and, on the EMQX path, subscribed
 * it). The load generator waits for it before sending, and the connection setup benchmark counts a
 * connection as set up when it arrives. It is not counted as echoed bytes.
 */
public final class Greeting {

  /** The greeting byte, {@code '*'}. */
  public static final byte BYTE = 0x2A;

  private Greeting() {}

  /**
   * Returns a fresh one-byte array holding the greeting, for APIs that take ownership of arrays.
   *
   * @return {@code {'*'}}
   */
  public static byte[] bytes() {
    return new byte[] {BYTE};
  }
}
