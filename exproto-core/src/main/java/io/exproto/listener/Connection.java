package io.exproto.listener;

/**
 * One device endpoint, implemented by a transport and driven by the gateway.
 *
 * <p>Implementations must be thread-safe: the gateway calls these methods from any thread.
 * None of them may block.
 */
public interface Connection {

  /**
   * Returns the immutable identity of this connection.
   *
   * @return the connection information, never null
   */
  ConnectionInfo info();

  /**
   * Writes bytes to the device. The array is owned by the connection after the call; the caller
   * must not change it. Writing to a closed connection does nothing.
   *
   * @param bytes the bytes to write, not null
   */
  void write(byte[] bytes);

  /**
   * Closes the connection. Idempotent. The transport must not report a close back through
   * {@link ConnectionEvents#onClosed(String)} for a close the gateway asked for, though doing so is
   * harmless.
   */
  void close();

  /** Stops reading from the device (backpressure). Idempotent. Datagram transports drop and count what arrives meanwhile. */
  void pauseReading();

  /** Resumes reading from the device after {@link #pauseReading()}. Idempotent. */
  void resumeReading();
}
