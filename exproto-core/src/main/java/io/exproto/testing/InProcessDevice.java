package io.exproto.testing;

import io.exproto.listener.Connection;
import io.exproto.listener.ConnectionEvents;
import io.exproto.listener.ConnectionInfo;
import io.exproto.listener.WriteResult;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The device end of an in-process connection: what a test sends and what the gateway wrote back.
 * Thread-safe.
 */
public final class InProcessDevice implements Connection {

  private final ConnectionInfo info;
  private final List<byte[]> written = new ArrayList<>();
  private volatile ConnectionEvents events;
  private boolean closed;
  private boolean paused;
  private int pauseCount;
  private String refusal;

  InProcessDevice(ConnectionInfo info) {
    this.info = info;
  }

  void attach(ConnectionEvents events) {
    this.events = events;
  }

  // ---- the test's side ----

  /**
   * Sends bytes from the device to the gateway.
   *
   * @param bytes the bytes
   */
  public void send(byte[] bytes) {
    events.onBytes(bytes.clone());
  }

  /**
   * Sends UTF-8 text from the device to the gateway.
   *
   * @param text the text
   */
  public void send(String text) {
    send(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Closes the device end, as if the peer hung up: the gateway sees reason {@code tcp_closed}.
   */
  public void disconnect() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    events.onClosed("tcp_closed");
  }

  /**
   * Returns everything the gateway wrote to this device, concatenated.
   *
   * @return the bytes
   */
  public synchronized byte[] received() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    written.forEach(out::writeBytes);
    return out.toByteArray();
  }

  /**
   * Returns everything the gateway wrote to this device, as UTF-8 text.
   *
   * @return the text
   */
  public String receivedText() {
    return new String(received(), StandardCharsets.UTF_8);
  }

  /**
   * Tells whether the connection was closed, by the gateway or by {@link #disconnect()}.
   *
   * @return whether it is closed
   */
  public synchronized boolean isClosed() {
    return closed;
  }

  /**
   * Tells whether the gateway has paused reading from this device (backpressure).
   *
   * @return whether reading is paused
   */
  public synchronized boolean isReadingPaused() {
    return paused;
  }

  /**
   * Makes the connection refuse every write from now on, as a transport does when the device's
   * send backlog is over its limit: the bytes are not recorded and the gateway's Send answers
   * with the reason.
   *
   * @param reason why, not empty
   */
  public synchronized void refuseWrites(String reason) {
    WriteResult.refused(reason); // checks the reason
    refusal = reason;
  }

  /** Takes writes again after {@link #refuseWrites(String)}. */
  public synchronized void acceptWrites() {
    refusal = null;
  }

  /**
   * Counts how often the gateway paused reading.
   *
   * @return the number of pauses
   */
  public synchronized int pauseCount() {
    return pauseCount;
  }

  // ---- the gateway's side ----

  @Override
  public ConnectionInfo info() {
    return info;
  }

  @Override
  public synchronized WriteResult write(byte[] bytes) {
    if (closed) {
      return WriteResult.ACCEPTED;
    }
    if (refusal != null) {
      return WriteResult.refused(refusal);
    }
    written.add(bytes);
    return WriteResult.ACCEPTED;
  }

  @Override
  public synchronized void close() {
    closed = true;
  }

  @Override
  public synchronized void pauseReading() {
    if (!paused) {
      paused = true;
      pauseCount++;
    }
  }

  @Override
  public synchronized void resumeReading() {
    paused = false;
  }
}
