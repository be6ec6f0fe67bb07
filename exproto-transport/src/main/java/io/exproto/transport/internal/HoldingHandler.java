package io.exproto.transport.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * A pipeline stage that holds a new channel back until something it waits for (a PROXY protocol
 * header, a completed TLS handshake) has come, then lets it through or refuses it. Not API.
 *
 * <p>The state it shares with its subclasses: <em>waiting</em> at first; <em>passed</em> once the
 * subclass {@linkplain #pass() let the channel through}, after which every event goes on to the
 * handlers behind; <em>refused</em> once the subclass {@linkplain #refuse() refused it}. While
 * not passed, inbound messages are released, a failure is handed to {@link #failedWhileWaiting}
 * (only while waiting) and the channel's close is swallowed, so the handlers behind never see a
 * channel that did not pass.
 *
 * <p>Stateful: one instance per channel; every method runs on the channel's event loop.
 */
abstract class HoldingHandler extends ChannelInboundHandlerAdapter {

  private enum State { WAITING, PASSED, REFUSED }

  private State state = State.WAITING;

  /**
   * Tells whether the channel is still held, neither passed nor refused.
   *
   * @return whether it is waiting
   */
  final boolean waiting() {
    return state == State.WAITING;
  }

  /** Lets the channel through: every event from now on goes on. */
  final void pass() {
    state = State.PASSED;
  }

  /**
   * Refuses the channel, once.
   *
   * @return true when it was waiting until now, so the caller counts, logs and closes it
   */
  final boolean refuse() {
    if (state != State.WAITING) {
      return false;
    }
    state = State.REFUSED;
    return true;
  }

  /**
   * Handles a failure while the channel is held; typically refuses it.
   *
   * @param ctx the handler's context
   * @param cause the failure
   */
  abstract void failedWhileWaiting(ChannelHandlerContext ctx, Throwable cause);

  /**
   * Called when a channel that did not pass closes. Does nothing by default.
   *
   * @param ctx the handler's context
   */
  void closedWhileHeld(ChannelHandlerContext ctx) {}

  /**
   * Passes a message on once the channel passed; releases it otherwise.
   *
   * @param ctx the handler's context
   * @param msg the inbound message
   */
  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (state == State.PASSED) {
      ctx.fireChannelRead(msg);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  /**
   * Passes a failure on once the channel passed; hands it to {@link #failedWhileWaiting} while
   * waiting; ignores it after a refusal.
   *
   * @param ctx the handler's context
   * @param cause the failure
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (state == State.PASSED) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    if (state == State.WAITING) {
      failedWhileWaiting(ctx, cause);
    }
  }

  /**
   * Passes the close on once the channel passed; swallows it otherwise.
   *
   * @param ctx the handler's context
   */
  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (state == State.PASSED) {
      ctx.fireChannelInactive();
    } else {
      closedWhileHeld(ctx);
    }
  }
}
