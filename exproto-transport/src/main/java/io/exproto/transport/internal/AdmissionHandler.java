package io.exproto.transport.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * A pipeline stage that decides, when a channel becomes active, whether it may go on towards the
 * gateway. Not API.
 *
 * <p>An admitted channel's {@code channelActive} is passed on. A refused channel is closed, and
 * neither its {@code channelActive} nor its {@code channelInactive} reaches the handlers behind,
 * so it never reaches the gateway. Subclasses count and log their refusals in {@link #admit}. The
 * per-channel mark lives in a channel attribute, so subclasses without other state can be
 * {@code @Sharable}.
 */
public abstract class AdmissionHandler extends ChannelInboundHandlerAdapter {

  /** Creates the handler. */
  protected AdmissionHandler() {}

  /**
   * Decides about a channel that just became active; a refusal is counted and logged here.
   *
   * @param ctx the handler's context
   * @return whether the channel may go on
   */
  protected abstract boolean admit(ChannelHandlerContext ctx);

  /**
   * Passes the event on for an admitted channel; closes a refused one.
   *
   * @param ctx the handler's context
   */
  @Override
  public final void channelActive(ChannelHandlerContext ctx) {
    if (admit(ctx)) {
      ctx.fireChannelActive();
    } else {
      ctx.channel().attr(ChannelAttributes.REFUSED).set(Boolean.TRUE);
      ctx.close();
    }
  }

  /**
   * Swallows the close of a refused channel; passes any other on.
   *
   * @param ctx the handler's context
   */
  @Override
  public final void channelInactive(ChannelHandlerContext ctx) {
    if (ctx.channel().attr(ChannelAttributes.REFUSED).get() == null) {
      ctx.fireChannelInactive();
    }
  }
}
