package io.exproto.transport.internal;

import io.exproto.listener.Connection;
import io.exproto.listener.ConnectionInfo;
import io.exproto.listener.WriteResult;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A device connection backed by one Netty stream channel. Not API.
 *
 * <p>Every method is safe from any thread and never blocks: Netty runs channel operations called
 * from outside the channel's event loop on that loop, in call order. Byte arrays handed to
 * {@link #write(byte[])} are wrapped, not copied; the gateway gives up ownership of them, so the
 * wrapping buffer is the only reference and Netty releases it once written (or once the channel
 * closes with it still queued).
 *
 * <p>Bounded output: the connection counts the bytes it has handed to the channel that are not
 * yet written to the socket (its backlog). A write that finds the backlog over the listener's
 * high-water mark ({@link OutputLimits}) is refused: not queued, counted, logged (rate-limited),
 * and reported to the gateway, which answers the handler's Send with the reason. So the backlog
 * stays under the mark plus one write. While the backlog is over the mark the connection also
 * stops reading from the device, until it is down to the low-water mark.
 *
 * <p>Reading is off while either the gateway ({@link #pauseReading()}) or the backlog wants it
 * off. Both wishes are kept in fields and applied to the channel's auto-read on its event loop,
 * each application reading the latest of both, so the channel ends in the state of the last
 * change whatever order the applications run in.
 */
public final class NettyConnection implements Connection {

  private final Channel channel;
  private final ConnectionInfo info;
  private final OutputLimits limits;
  private final AtomicLong backlog = new AtomicLong();
  private volatile boolean closeRequested;
  private volatile boolean gatewayPaused;
  // Event loop only.
  private boolean backlogPaused;

  /**
   * Wraps a channel.
   *
   * @param channel the device's channel, not null
   * @param info the connection's identity, not null
   * @param limits the listener's output limits, not null
   */
  public NettyConnection(Channel channel, ConnectionInfo info, OutputLimits limits) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.info = Objects.requireNonNull(info, "info");
    this.limits = Objects.requireNonNull(limits, "limits");
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
   * Writes and flushes the bytes, unless the backlog is over the high-water mark: then refuses
   * them (counted as {@code <listener>.dropped.writes}). Does nothing when the channel is no
   * longer active or the array is empty. A write that fails later closes the channel (the device
   * then sees its socket close, and the gateway gets the transport's close reason); a failure
   * other than a closed or broken socket, such as an allocation failure, is logged at ERROR.
   *
   * @param bytes the bytes, not null; owned by the connection after the call
   * @return accepted, or refused with the reason naming the mark
   */
  @Override
  public WriteResult write(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length == 0 || !channel.isActive()) {
      return WriteResult.ACCEPTED;
    }
    int size = bytes.length;
    long before;
    do {
      before = backlog.get();
      if (before > limits.highWatermark()) {
        limits.refused(info, size, before);
        return WriteResult.refused(limits.refusalReason());
      }
    } while (!backlog.compareAndSet(before, before + size));
    channel.writeAndFlush(Unpooled.wrappedBuffer(bytes)).addListener((ChannelFuture done) -> {
      // On the event loop.
      backlog.addAndGet(-size);
      updateBacklog();
      if (!done.isSuccess()) {
        limits.writeFailed(info, size, done.cause());
        done.channel().close();
      }
    });
    if (before + size > limits.highWatermark()) {
      onEventLoop(this::updateBacklog);
    }
    return WriteResult.ACCEPTED;
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

  /**
   * Stops reading for the gateway: turns the channel's auto-read off, so the socket's receive
   * window fills.
   */
  @Override
  public void pauseReading() {
    gatewayPaused = true;
    onEventLoop(this::applyReading);
  }

  /**
   * Turns auto-read back on (which asks for a read, so bytes the kernel buffered meanwhile
   * arrive), unless the backlog still keeps reading paused.
   */
  @Override
  public void resumeReading() {
    gatewayPaused = false;
    onEventLoop(this::applyReading);
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
   * Returns the bytes handed to the channel and not yet written to the socket, for tests.
   *
   * @return the backlog in bytes
   */
  long backlog() {
    return backlog.get();
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

  /** Pauses or resumes reading for the backlog, with hysteresis; event loop only. */
  private void updateBacklog() {
    long now = backlog.get();
    if (!backlogPaused && now > limits.highWatermark()) {
      backlogPaused = true;
    } else if (backlogPaused && now <= limits.lowWatermark()) {
      backlogPaused = false;
    } else {
      return;
    }
    applyReading();
  }

  /** Sets auto-read from both wishes; event loop only. */
  private void applyReading() {
    if (!channel.isOpen()) {
      return;
    }
    boolean read = !gatewayPaused && !backlogPaused;
    if (channel.config().isAutoRead() != read) {
      channel.config().setAutoRead(read); // turning it on also asks for a read
    }
  }

  private void onEventLoop(Runnable task) {
    EventLoop loop = channel.eventLoop();
    if (loop.inEventLoop()) {
      task.run();
      return;
    }
    try {
      loop.execute(task);
    } catch (RejectedExecutionException stopped) {
      // The listener is stopping; the channel is being closed.
    }
  }

  @Override
  public String toString() {
    return info.socketType() + " connection from " + info.peer() + " on " + info.listenerName();
  }
}
