package io.exproto.dtls.internal;

import io.exproto.listener.Connection;
import io.exproto.listener.ConnectionEvents;
import io.exproto.listener.ConnectionInfo;
import io.exproto.listener.WriteResult;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.californium.elements.DtlsEndpointContext;
import org.eclipse.californium.scandium.dtls.ConnectionId;

/**
 * One gateway connection: one DTLS association (one completed handshake) with one peer
 * {@code ip:port}, on the listener's shared socket. Not API.
 *
 * <p>Threading: the gateway may call the {@link Connection} methods from any thread; none of them
 * blocks or takes the lock below, and closing never touches the shared socket. Reports to the
 * gateway ({@link #receive}, {@link #reportClosed}) come from Scandium's threads and the
 * listener's report thread; a per-connection lock makes them one at a time, and nothing is
 * reported after the close.
 */
public final class DtlsConnection implements Connection {

  /**
   * The most bytes of one connection's records handed to Scandium and not yet sent before further
   * writes are refused: 1 MiB, as the stream listeners' default high-water mark.
   */
  public static final int SEND_QUEUE_LIMIT = 1024 * 1024;

  private final PeerTable table;
  private final InetSocketAddress peer;
  private final DtlsEndpointContext context;
  private final ConnectionId association;
  private final ConnectionInfo info;

  /** Serializes the reports to the gateway; never held while calling into Scandium. */
  private final Object reportLock = new Object();
  // Guarded by reportLock.
  private ConnectionEvents events;

  private final AtomicBoolean closeRequested = new AtomicBoolean();
  private final AtomicBoolean released = new AtomicBoolean();
  private volatile boolean ended;
  private volatile boolean paused;
  private final AtomicLong backlog = new AtomicLong();

  /**
   * Creates the connection of an association.
   *
   * @param table the listener's peer table, not null
   * @param peer the peer's address, not null
   * @param context the DTLS context of the association's first datagram, not null; writes go to
   *     this association only
   * @param association Scandium's id of the association, null when unknown
   * @param info the connection's identity, not null
   */
  DtlsConnection(PeerTable table, InetSocketAddress peer, DtlsEndpointContext context,
      ConnectionId association, ConnectionInfo info) {
    this.table = Objects.requireNonNull(table, "table");
    this.peer = Objects.requireNonNull(peer, "peer");
    this.context = Objects.requireNonNull(context, "context");
    this.association = association;
    this.info = Objects.requireNonNull(info, "info");
  }

  /**
   * Returns the identity fixed at the association's first datagram.
   *
   * @return the connection information
   */
  @Override
  public ConnectionInfo info() {
    return info;
  }

  /**
   * Sends the bytes to the peer as one DTLS record of this association. Does nothing after a close
   * or for an empty array. While this connection's records not yet sent are over
   * {@link #SEND_QUEUE_LIMIT} bytes, or when Scandium turns the record down at once (its shared
   * outbound queue is full), the write is refused and reported. A write that cannot be sent (the
   * association ended, the record is too large, the listener stopped) is counted as
   * {@code <listener>.dropped.writes}, as is a refused one.
   *
   * @param bytes the bytes, not null; owned by the connection after the call
   * @return accepted, or refused with the reason
   */
  @Override
  public WriteResult write(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length == 0 || closeRequested.get() || ended) {
      return WriteResult.ACCEPTED;
    }
    return table.send(this, bytes);
  }

  /**
   * Adds a write to the backlog unless the backlog is already over {@link #SEND_QUEUE_LIMIT}.
   *
   * @param size the write's size
   * @return whether it was added
   */
  boolean reserve(int size) {
    long before;
    do {
      before = backlog.get();
      if (before > SEND_QUEUE_LIMIT) {
        return false;
      }
    } while (!backlog.compareAndSet(before, before + size));
    return true;
  }

  /**
   * Takes a sent or failed write off the backlog.
   *
   * @param size the write's size
   */
  void unreserve(int size) {
    backlog.addAndGet(-size);
  }

  /**
   * Returns the backlog: the bytes of this connection's records handed to Scandium and not yet
   * sent or failed.
   *
   * @return bytes
   */
  long backlog() {
    return backlog.get();
  }

  /**
   * Ends this peer's connection: sends the peer a DTLS close_notify, so its next datagram needs a
   * new handshake and makes a new connection. The shared socket and every other peer stay.
   * Idempotent; not reported back to the gateway.
   */
  @Override
  public void close() {
    if (!closeRequested.compareAndSet(false, true)) {
      return;
    }
    table.release(this);
    if (!ended) {
      table.closeAssociation(this);
    }
  }

  /** Drops (and counts) this peer's datagrams from now on, until {@link #resumeReading()}. */
  @Override
  public void pauseReading() {
    paused = true;
  }

  /** Delivers this peer's datagrams again; those dropped meanwhile are lost. */
  @Override
  public void resumeReading() {
    paused = false;
  }

  /**
   * Hands one application datagram to the gateway, registering the connection first if this is
   * its first datagram (that is when the gateway sends OnSocketCreated).
   *
   * @param bytes the datagram's payload, not empty
   * @return false when the datagram was dropped because reading is paused
   */
  boolean receive(byte[] bytes) {
    if (paused) {
      return false;
    }
    synchronized (reportLock) {
      if (ended || closeRequested.get()) {
        return true;
      }
      if (events == null) {
        events = Objects.requireNonNull(table.accept(this), "the acceptor returned no events");
        if (closeRequested.get()) {
          // The gateway refused the connection (it is stopping).
          return true;
        }
      }
      events.onBytes(bytes);
    }
    return true;
  }

  /**
   * Reports that the association ended on the transport side, once, unless the gateway closed
   * the connection itself or never saw it.
   *
   * @param reason the close reason, e.g. {@code udp_closed}
   */
  void reportClosed(String reason) {
    synchronized (reportLock) {
      if (ended) {
        return;
      }
      ended = true;
      if (events != null && !closeRequested.get()) {
        events.onClosed(reason);
      }
    }
  }

  /**
   * Tells whether a datagram's DTLS context is this connection's association: the same session
   * and the same handshake.
   *
   * @param other the context of a received datagram
   * @return whether it belongs to this connection
   */
  boolean belongsTo(DtlsEndpointContext other) {
    return sameAssociation(context, other);
  }

  /**
   * Tells whether two DTLS contexts are of the same association: the same session and the same
   * handshake.
   *
   * @param one a context
   * @param other another context
   * @return whether they belong together
   */
  static boolean sameAssociation(DtlsEndpointContext one, DtlsEndpointContext other) {
    return Objects.equals(one.getSessionId(), other.getSessionId())
        && Objects.equals(one.getHandshakeTimestamp(), other.getHandshakeTimestamp());
  }

  /**
   * Marks the connection as released from the peer table, once.
   *
   * @return true the first time
   */
  boolean markReleased() {
    return released.compareAndSet(false, true);
  }

  InetSocketAddress peer() {
    return peer;
  }

  DtlsEndpointContext context() {
    return context;
  }

  ConnectionId association() {
    return association;
  }

  boolean isEnded() {
    return ended || closeRequested.get();
  }

  @Override
  public String toString() {
    return "DTLS connection from " + info.peer() + " on " + info.listenerName();
  }
}
