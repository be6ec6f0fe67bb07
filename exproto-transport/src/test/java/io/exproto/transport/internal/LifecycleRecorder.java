package io.exproto.transport.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Stands behind the handler under test and records what gets past it: lifecycle events, bytes
 * (copied, buffers released) and the channel's peer address at the moment it became active.
 */
final class LifecycleRecorder extends ChannelInboundHandlerAdapter {
  int active;
  int inactive;
  final List<Throwable> failures = new ArrayList<>();
  final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  Object peerWhenActive;
  Object localWhenActive;

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    active++;
    peerWhenActive = ChannelAttributes.peer(ctx.channel());
    localWhenActive = ChannelAttributes.local(ctx.channel());
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    inactive++;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof ByteBuf buf) {
        byte[] copy = new byte[buf.readableBytes()];
        buf.readBytes(copy);
        bytes.writeBytes(copy);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    failures.add(cause);
  }
}
