package io.exproto.transport.udp;

import io.exproto.listener.Connection;
import io.exproto.listener.ConnectionEvents;
import io.exproto.listener.ConnectionInfo;
import io.exproto.listener.WriteResult;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One UDP peer's connection: the listener's shared datagram channel plus the peer's address.
 *
 * <p>Thread-safe and non-blocking. {@link #write} sends one datagram to the peer. {@link #close}
 * forgets the peer (its next datagram starts a new connection) and never closes the shared
 * socket. Pausing makes the listener drop the peer's datagrams (and count them) until resumed.
 * {@link #events} is set and read on the channel's event loop only.
 */
final class UdpConnection implements Connection {

  private final Channel channel;
  private final InetSocketAddress peer;
  private final ConnectionInfo info;
  private final UdpPeerHandler owner;
  private volatile boolean closed;
  private volatile boolean paused;
  private ConnectionEvents events;

  /**
   * Creates the connection of one peer.
   *
   * @param channel the listener's datagram channel, not null
   * @param peer the peer's address, not null
   * @param info the connection's identity, not null
   * @param owner the peer table that forgets the connection when it closes, not null
   */
  UdpConnection(Channel channel, InetSocketAddress peer, ConnectionInfo info, UdpPeerHandler owner) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.peer = Objects.requireNonNull(peer, "peer");
    this.info = Objects.requireNonNull(info, "info");
    this.owner = Objects.requireNonNull(owner, "owner");
  }

  /**
   * Returns the identity fixed on the peer's first datagram.
   *
   * @return the connection information
   */
  @Override
  public ConnectionInfo info() {
    return info;
  }

  /**
   * Sends the bytes to the peer as one datagram; does nothing once closed or for an empty array.
   * While the shared socket's send queue is over {@link UdpListener#SEND_QUEUE_LIMIT} (Netty's
   * writability of the channel), the datagram is refused: not queued, counted as
   * {@code <listener>.dropped.writes}, logged (rate-limited) and reported. A datagram that cannot
   * be sent (the socket is closed, the datagram is too large, the send fails) is dropped, counted
   * the same way and logged at debug level, as UDP promises no delivery; it never closes the
   * socket.
   *
   * @param bytes the datagram's payload, not null; owned by the connection after the call
   * @return accepted, or refused when the socket's queue is full or the socket is closed
   */
  @Override
  public WriteResult write(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (closed || bytes.length == 0) {
      return WriteResult.ACCEPTED;
    }
    if (!channel.isActive()) {
      owner.droppedWrite(peer, "the socket is closed");
      return WriteResult.refused("the listener's socket is closed");
    }
    if (!channel.isWritable()) {
      return WriteResult.refused(owner.refusedWrite(peer, bytes.length));
    }
    channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(bytes), peer))
        .addListener((ChannelFuture done) -> {
          if (!done.isSuccess()) {
            owner.droppedWrite(peer, String.valueOf(done.cause()));
          }
        });
    return WriteResult.ACCEPTED;
  }

  /** Forgets the peer; the shared socket stays open. Idempotent; not reported back to the gateway. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (channel.eventLoop().inEventLoop()) {
      owner.forget(this);
    } else {
      channel.eventLoop().execute(() -> owner.forget(this));
    }
  }

  /** Drops the peer's datagrams, counting them, until {@link #resumeReading()}. */
  @Override
  public void pauseReading() {
    paused = true;
  }

  /** Delivers the peer's datagrams again. */
  @Override
  public void resumeReading() {
    paused = false;
  }

  /**
   * Returns the peer's address.
   *
   * @return the address
   */
  InetSocketAddress peer() {
    return peer;
  }

  /**
   * Tells whether the connection was closed, by the gateway or the listener.
   *
   * @return whether it is closed
   */
  boolean isClosed() {
    return closed;
  }

  /**
   * Tells whether the gateway paused reading for this peer.
   *
   * @return whether it is paused
   */
  boolean isPaused() {
    return paused;
  }

  /**
   * Returns where this connection's events go; event loop only.
   *
   * @return the gateway's events
   */
  ConnectionEvents events() {
    return events;
  }

  /**
   * Sets where this connection's events go, once the gateway accepted it; event loop only.
   *
   * @param events the gateway's events
   */
  void events(ConnectionEvents events) {
    this.events = events;
  }

  /**
   * Marks the connection closed by the listener itself.
   *
   * @return whether it was open until now
   */
  boolean markClosed() {
    boolean wasOpen = !closed;
    closed = true;
    return wasOpen;
  }

  @Override
  public String toString() {
    return "UDP connection from " + info.peer() + " on " + info.listenerName();
  }
}
