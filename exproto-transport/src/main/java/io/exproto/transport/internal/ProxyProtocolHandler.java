package io.exproto.transport.internal;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.logging.RateLimitedLogger;
import io.exproto.transport.ListenerCounters;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a connection back until its PROXY protocol header has been read. Not API.
 *
 * <p>It sits right behind Netty's {@link HAProxyMessageDecoder}, which parses the v1 or v2 header
 * and then removes itself, passing any bytes that followed the header on. This handler:
 *
 * <ul>
 *   <li>swallows {@code channelActive} and starts the header timer;</li>
 *   <li>on the decoded {@link HAProxyMessage}: records the original client as
 *       {@link ChannelAttributes#PEER} and the proxy's destination as {@link ChannelAttributes#LOCAL}
 *       (a {@code LOCAL} command, {@code UNKNOWN} protocol or UNIX socket keeps the socket's own
 *       addresses, as the specification says), releases the message, removes itself and fires
 *       {@code channelActive}, so everything behind it, the gateway included, sees the connection
 *       only now and with the client's address;</li>
 *   <li>on a decoding error (garbage, an oversized header) or when the timer fires first: closes
 *       the channel, counts {@code <listener>.refused.proxy_protocol} and logs the peer address
 *       (at most one line per period and cause for the whole listener: see {@link Refusals});
 *       nothing behind it sees the connection.</li>
 * </ul>
 *
 * <p>Stateful: one instance per channel; every method runs on the channel's event loop.
 */
public final class ProxyProtocolHandler extends HoldingHandler {

  private static final Logger log = LoggerFactory.getLogger(ProxyProtocolHandler.class);

  private final String listenerName;
  private final long timeoutNanos;
  private final GatewayMetrics metrics;
  private final Refusals refusals;
  private ScheduledFuture<?> timer;

  /**
   * The refusal logs of one listener, shared by the handlers of all its channels: a device (or a
   * scanner) can be refused once per connection, so each cause, an invalid header and a header
   * that did not come in time, writes at most one line per period. Thread-safe.
   */
  public static final class Refusals {
    private final RateLimitedLogger invalid = new RateLimitedLogger(log);
    private final RateLimitedLogger timeouts = new RateLimitedLogger(log);

    /** Creates the logs of one listener. */
    public Refusals() {}
  }

  /**
   * Creates the handler of one channel.
   *
   * @param listenerName the listener's name, not null
   * @param timeout how long to wait for the header, positive
   * @param metrics where refusals are counted, not null
   * @param refusals the listener's refusal logs, not null
   */
  public ProxyProtocolHandler(String listenerName, Duration timeout, GatewayMetrics metrics,
      Refusals refusals) {
    this.listenerName = Objects.requireNonNull(listenerName, "listenerName");
    this.timeoutNanos = Objects.requireNonNull(timeout, "timeout").toNanos();
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.refusals = Objects.requireNonNull(refusals, "refusals");
    if (timeoutNanos <= 0) {
      throw new IllegalArgumentException("proxyProtocolTimeout must be positive");
    }
  }

  /**
   * Holds the event back and starts waiting for the header.
   *
   * @param ctx the handler's context
   */
  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (waiting() && timer == null) {
      timer = ctx.executor().schedule(() -> refuse(ctx, refusals.timeouts,
          "no PROXY protocol header within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms"),
          timeoutNanos, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Takes the decoded header; anything else is passed on once the header was accepted and
   * released otherwise.
   *
   * @param ctx the handler's context
   * @param msg the inbound message
   */
  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HAProxyMessage header) {
      try {
        if (waiting()) {
          accept(ctx, header);
        }
      } finally {
        header.release();
      }
    } else {
      super.channelRead(ctx, msg);
    }
  }

  /**
   * Refuses the connection on a header error while waiting (failures after the header go on).
   *
   * @param ctx the handler's context
   * @param cause the failure
   */
  @Override
  void failedWhileWaiting(ChannelHandlerContext ctx, Throwable cause) {
    // The decoder's message quotes what the device sent: only at DEBUG.
    log.debug("{}: invalid PROXY protocol header from {}", listenerName, ctx.channel().remoteAddress(), cause);
    refuse(ctx, refusals.invalid, "invalid PROXY protocol header");
  }

  /**
   * Stops the timer; the close of a connection that never got past the header is swallowed.
   *
   * @param ctx the handler's context
   */
  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelTimer();
    super.channelInactive(ctx);
  }

  /**
   * Marks a connection that closed before its header as refused, without counting it.
   *
   * @param ctx the handler's context
   */
  @Override
  void closedWhileHeld(ChannelHandlerContext ctx) {
    refuse();
  }

  /**
   * Stops the timer when the handler leaves the pipeline.
   *
   * @param ctx the handler's context
   */
  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancelTimer();
  }

  private void accept(ChannelHandlerContext ctx, HAProxyMessage header) {
    cancelTimer();
    pass();
    if (header.command() == HAProxyCommand.PROXY) {
      HAProxyProxiedProtocol.AddressFamily family = header.proxiedProtocol().addressFamily();
      if (family == HAProxyProxiedProtocol.AddressFamily.AF_IPv4
          || family == HAProxyProxiedProtocol.AddressFamily.AF_IPv6) {
        InetSocketAddress source = address(header.sourceAddress(), header.sourcePort());
        InetSocketAddress destination = address(header.destinationAddress(), header.destinationPort());
        if (source != null) {
          ctx.channel().attr(ChannelAttributes.PEER).set(source);
        }
        if (destination != null) {
          ctx.channel().attr(ChannelAttributes.LOCAL).set(destination);
        }
      }
    }
    if (log.isDebugEnabled()) {
      log.debug("{}: PROXY protocol {} header from {}: client {}", listenerName, header.protocolVersion(),
          ctx.channel().remoteAddress(), ChannelAttributes.peer(ctx.channel()));
    }
    ctx.pipeline().remove(this);
    ctx.fireChannelActive();
  }

  private void refuse(ChannelHandlerContext ctx, RateLimitedLogger refusalLog, String why) {
    if (!refuse()) {
      return;
    }
    cancelTimer();
    metrics.increment(ListenerCounters.name(listenerName, ListenerCounters.REFUSED_PROXY_PROTOCOL));
    refusalLog.info("{} refused a connection from {}: {}", listenerName,
        ctx.channel().remoteAddress(), why);
    ctx.close();
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  /** Parses an address the decoder has already validated as an IP literal; never resolves names. */
  private static InetSocketAddress address(String host, int port) {
    if (host == null) {
      return null;
    }
    InetAddress address = NetUtil.createInetAddressFromIpAddressString(host);
    return address == null ? null : new InetSocketAddress(address, port);
  }
}
