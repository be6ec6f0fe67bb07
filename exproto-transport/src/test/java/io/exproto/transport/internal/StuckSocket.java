package io.exproto.transport.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Stands for a socket whose send buffer is full, at the socket end of an embedded channel's
 * pipeline: writes complete only when the test says so.
 */
final class StuckSocket extends ChannelOutboundHandlerAdapter {
  final Deque<Object> messages = new ArrayDeque<>();
  final Deque<ChannelPromise> promises = new ArrayDeque<>();

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    messages.add(msg);
    promises.add(promise);
  }

  /** Completes the oldest write. */
  void completeOne() {
    ReferenceCountUtil.release(messages.poll());
    promises.poll().setSuccess();
  }

  /** Fails the oldest write with the given cause. */
  void failOne(Throwable cause) {
    ReferenceCountUtil.release(messages.poll());
    promises.poll().setFailure(cause);
  }

  /** Fails every write still held, as a closing channel does, and releases its message. */
  void releaseAll() {
    while (!messages.isEmpty()) {
      ReferenceCountUtil.release(messages.poll());
      promises.poll().tryFailure(new ClosedChannelException());
    }
  }
}
