package io.exproto.transport.internal;

import io.exproto.listener.Address;
import io.exproto.listener.ConnectionAcceptor;
import io.exproto.listener.ConnectionEvents;
import io.exproto.listener.ConnectionInfo;
import io.exproto.listener.SocketType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a device channel's pipeline: it registers the channel with the gateway and
 * reports what happens on it. Not API.
 *
 * <p>The connection's identity comes from the channel and from what the handlers in front learnt
 * ({@link ChannelAttributes}): the PROXY protocol's client and destination addresses replace the
 * socket's, and a TLS client's certificate subject fills {@code peerCertificate}.
 *
 * <ul>
 *   <li>{@code channelActive}: wraps the channel in a {@link NettyConnection} and hands it to
 *       {@link ConnectionAcceptor#accept}; the gateway answers with the connection's
 *       {@link ConnectionEvents}. Handlers in front of this one decide when a connection counts
 *       as active: a refused connection never fires it, and a PROXY protocol or TLS handler can
 *       hold it back until the header is read or the handshake is done.</li>
 *   <li>{@code channelRead}: copies each inbound {@link ByteBuf} into a new {@code byte[]},
 *       releases the buffer, and hands the copy to {@link ConnectionEvents#onBytes}. The gateway
 *       therefore never sees a reference-counted object. Empty buffers are dropped.</li>
 *   <li>{@code channelInactive}: reports the close reason once, unless the gateway closed the
 *       connection itself: the one a handler in front set when it closed the channel
 *       ({@code send_timeout}), else the transport's ({@code tcp_closed}, {@code ssl_closed}).</li>
 *   <li>{@code exceptionCaught}: logs at debug level (never the bytes) and closes the channel,
 *       which then reports its close as above.</li>
 * </ul>
 *
 * <p>Stateful: one instance per channel. All methods run on the channel's event loop, which is
 * what makes the gateway's "one thread at a time per connection" rule hold.
 */
public final class ForwardingHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(ForwardingHandler.class);

  private final ConnectionAcceptor acceptor;
  private final SocketType socketType;
  private final String listenerName;
  private final String closeReason;
  private final OutputLimits limits;
  private NettyConnection connection;
  private ConnectionEvents events;
  private boolean closeReported;

  /**
   * Creates the handler of one channel.
   *
   * @param acceptor the gateway's entry point, not null
   * @param socketType the socket type the handler sees in ConnInfo, not null
   * @param listenerName the listener's name, not null
   * @param closeReason the reason reported when the device side closes, e.g. {@code tcp_closed}
   * @param limits the listener's output limits, not null
   */
  public ForwardingHandler(ConnectionAcceptor acceptor, SocketType socketType, String listenerName,
      String closeReason, OutputLimits limits) {
    this.acceptor = Objects.requireNonNull(acceptor, "acceptor");
    this.socketType = Objects.requireNonNull(socketType, "socketType");
    this.listenerName = Objects.requireNonNull(listenerName, "listenerName");
    this.closeReason = Objects.requireNonNull(closeReason, "closeReason");
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /**
   * Registers the channel with the gateway, then passes the event on.
   *
   * @param ctx the handler's context
   */
  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    Channel channel = ctx.channel();
    ConnectionInfo info = new ConnectionInfo(socketType, address(ChannelAttributes.peer(channel)),
        address(ChannelAttributes.local(channel)),
        Optional.ofNullable(channel.attr(ChannelAttributes.PEER_CERTIFICATE).get()), listenerName);
    connection = new NettyConnection(channel, info, limits);
    events = Objects.requireNonNull(acceptor.accept(connection), "the acceptor returned no events");
    ctx.fireChannelActive();
  }

  /**
   * Copies the bytes to the gateway and releases the buffer; anything that is not a
   * {@link ByteBuf} is released and dropped.
   *
   * @param ctx the handler's context
   * @param msg the inbound message
   */
  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buf)) {
      log.debug("Dropped an inbound {} on {}: only bytes are forwarded",
          msg.getClass().getSimpleName(), listenerName);
      ReferenceCountUtil.release(msg);
      return;
    }
    byte[] bytes;
    try {
      if (events == null || closeReported || !buf.isReadable()) {
        return;
      }
      bytes = ByteBufUtil.getBytes(buf);
    } finally {
      buf.release();
    }
    events.onBytes(bytes);
  }

  /**
   * Reports the close to the gateway once, then passes the event on.
   *
   * @param ctx the handler's context
   */
  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (events != null && !closeReported) {
      closeReported = true;
      if (!connection.closeRequested()) {
        String reason = ctx.channel().attr(ChannelAttributes.CLOSE_REASON).get();
        events.onClosed(reason != null ? reason : closeReason);
      }
    }
    ctx.fireChannelInactive();
  }

  /**
   * Logs the failure at debug level and closes the channel.
   *
   * @param ctx the handler's context
   * @param cause the failure
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (log.isDebugEnabled()) {
      log.debug("Connection from {} on {} failed; closing it", ctx.channel().remoteAddress(),
          listenerName, cause);
    }
    ctx.close();
  }

  private static Address address(SocketAddress address) {
    return address instanceof InetSocketAddress inet ? Address.of(inet) : new Address("", 0);
  }
}
