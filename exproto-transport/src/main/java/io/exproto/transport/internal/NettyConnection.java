package io.exproto.transport.internal;

import io.exproto.listener.Connection;
import io.exproto.listener.ConnectionInfo;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device connection backed by one Netty stream channel. Not API.
 *
 * <p>Every method is safe from any thread and never blocks: Netty runs channel operations called
 * from outside the channel's event loop on that loop, in call order. Byte arrays handed to
 * {@link #write(byte[])} are wrapped, not copied; the gateway gives up ownership of them, so the
 * wrapping buffer is the only reference and Netty releases it once written.
 */
public final class NettyConnection implements Connection {

  private static final Logger log = LoggerFactory.getLogger(NettyConnection.class);

  private final Channel channel;
  private final ConnectionInfo info;
  private volatile boolean closeRequested;

  /**
   * Wraps a channel.
   *
   * @param channel the device's channel, not null
   * @param info the connection's identity, not null
   */
  public NettyConnection(Channel channel, ConnectionInfo info) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.info = Objects.requireNonNull(info, "info");
  }

  /**
   * Returns the identity fixed when the channel became active.
   *
   * @return the connection information
   */
  @Override
  public ConnectionInfo info() {
    return info;
  }

  /**
   * Writes and flushes the bytes; does nothing when the channel is no longer active or the array
   * is empty. A failed write closes the channel (the device then sees its socket close, and the
   * gateway gets the transport's close reason).
   *
   * @param bytes the bytes, not null; owned by the connection after the call
   */
  @Override
  public void write(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length == 0 || !channel.isActive()) {
      return;
    }
    channel.writeAndFlush(Unpooled.wrappedBuffer(bytes)).addListener((ChannelFuture done) -> {
      if (!done.isSuccess()) {
        log.debug("Write to {} on {} failed; closing the connection: {}",
            info.peer(), info.listenerName(), String.valueOf(done.cause()));
        done.channel().close();
      }
    });
  }

  /**
   * Closes the channel. Idempotent. A close asked for here is not reported back to the gateway
   * as a device close.
   */
  @Override
  public void close() {
    closeRequested = true;
    channel.close();
  }

  /** Stops reading: turns the channel's auto-read off, so the socket's receive window fills. */
  @Override
  public void pauseReading() {
    channel.config().setAutoRead(false);
  }

  /** Turns auto-read back on and asks for a read, so bytes the kernel buffered meanwhile arrive. */
  @Override
  public void resumeReading() {
    if (!channel.isOpen()) {
      return;
    }
    channel.config().setAutoRead(true);
    channel.read();
  }

  /**
   * Tells whether the gateway closed this connection through {@link #close()}.
   *
   * @return whether the gateway asked for the close
   */
  boolean closeRequested() {
    return closeRequested;
  }

  /**
   * Returns the underlying channel, for tests and diagnostics; callers must not read from it or
   * write to it.
   *
   * @return the channel
   */
  public Channel channel() {
    return channel;
  }

  @Override
  public String toString() {
    return info.socketType() + " connection from " + info.peer() + " on " + info.listenerName();
  }
}
