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
   * Writes bytes to the device, or refuses them. The array is owned by the connection after the
   * call; the caller must not change it. Writing to a closed connection, or an empty array, does
   * nothing and reports {@link WriteResult#ACCEPTED} (a close is reported separately, through
   * {@link ConnectionEvents#onClosed(String)}).
   *
   * <p>A transport must bound what it queues for one device: when the bytes the device has not
   * yet taken are over the transport's limit (a stream listener's high-water mark; for datagrams,
   * a full socket queue), it refuses the write instead of queuing it: it does not write any of
   * the bytes, counts the refusal (as {@code <listener>.dropped.writes}), and returns
   * {@link WriteResult#refused(String)} with the reason. The gateway answers the handler's Send
   * with that reason. A write that was taken and fails later (the socket breaks) is not reported
   * here; the transport handles it (usually by closing the connection).
   *
   * <p>SPI change: this method returned {@code void} in earlier snapshots, so a transport could
   * neither bound its queue nor tell the handler; implementations now return a
   * {@link WriteResult}.
   *
   * @param bytes the bytes to write, not null
   * @return whether the connection took the bytes, never null
   */
  WriteResult write(byte[] bytes);

  /**
   * Closes the connection. Idempotent. The transport must not report a close back through
   * {@link ConnectionEvents#onClosed(String)} for a close the gateway asked for, though doing so is
   * harmless.
   */
  void close();

  /**
   * Stops reading from the device (backpressure). Idempotent. Datagram transports drop and count
   * what arrives meanwhile. A transport may also pause reading on its own (a stream listener does
   * while the device's send backlog is over its high-water mark); reading then resumes only when
   * neither the gateway nor the transport wants it paused.
   */
  void pauseReading();

  /** Resumes reading from the device after {@link #pauseReading()}. Idempotent. */
  void resumeReading();
}
