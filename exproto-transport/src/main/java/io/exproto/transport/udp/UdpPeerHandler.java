package io.exproto.transport.udp;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.handler.CloseReasons;
import io.exproto.listener.Address;
import io.exproto.listener.ConnectionAcceptor;
import io.exproto.listener.ConnectionEvents;
import io.exproto.listener.ConnectionInfo;
import io.exproto.listener.SocketType;
import io.exproto.logging.RateLimitedLogger;
import io.exproto.transport.ListenerCounters;
import io.exproto.transport.ListenerOptions;
import io.exproto.transport.policy.AccessRules;
import io.exproto.transport.policy.ConnectionRateLimiter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only handler of a UDP listener's datagram channel: it demultiplexes datagrams into one
 * connection per peer address.
 *
 * <ul>
 *   <li>A datagram from an unknown peer (or one whose connection closed) starts a new connection,
 *       once the peer passes the access rules, max_conn_rate and max_connections (a refused
 *       datagram is dropped and counted as {@code <listener>.refused.<why>}); the gateway's
 *       accept sends OnSocketCreated.</li>
 *   <li>Each datagram's payload is copied into a new array (the buffer is released at once) and
 *       reported with one {@code onBytes}; a paused peer's datagrams are dropped instead and
 *       counted as {@code <listener>.dropped.backpressure}; empty datagrams are ignored.</li>
 *   <li>A datagram to a peer that cannot be sent is dropped and counted as
 *       {@code <listener>.dropped.writes} ({@link #droppedWrite}).</li>
 *   <li>When the socket closes (the listener stops), every peer's connection reports
 *       {@code udp_closed}.</li>
 * </ul>
 *
 * <p>Peers are added and removed on the channel's event loop only, which is also where every
 * event of a connection is reported, so each connection's events are in order and none follows
 * its close. The peer table is concurrent only so other threads can count it.
 */
final class UdpPeerHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(UdpPeerHandler.class);

  private final String listenerName;
  private final ConnectionAcceptor acceptor;
  private final GatewayMetrics metrics;
  private final AccessRules accessRules;
  private final ConnectionRateLimiter rateLimiter;
  private final int maxConnections;
  private final String refusedAccess;
  private final String refusedRate;
  private final String refusedLimit;
  private final String droppedPaused;
  private final String droppedWrites;
  private final Map<InetSocketAddress, UdpConnection> peers = new ConcurrentHashMap<>();
  private final RateLimitedLogger refusedWrites = new RateLimitedLogger(log);
  private final RateLimitedLogger acceptFailures = new RateLimitedLogger(log);
  private final String refusal = "the listener's socket has over " + UdpListener.SEND_QUEUE_LIMIT
      + " bytes queued for sending (the network is not keeping up)";

  /**
   * Creates the peer table of one listener.
   *
   * @param options the listener's settings, not null
   * @param acceptor where new connections go, not null
   */
  UdpPeerHandler(ListenerOptions options, ConnectionAcceptor acceptor) {
    this.listenerName = options.name();
    this.acceptor = Objects.requireNonNull(acceptor, "acceptor");
    this.metrics = acceptor.metrics();
    this.accessRules = options.accessRules();
    this.rateLimiter = options.newRateLimiter().orElse(null);
    this.maxConnections = options.maxConnections();
    this.refusedAccess = ListenerCounters.name(listenerName, ListenerCounters.REFUSED_ACCESS_RULES);
    this.refusedRate = ListenerCounters.name(listenerName, ListenerCounters.REFUSED_MAX_CONN_RATE);
    this.refusedLimit = ListenerCounters.name(listenerName, ListenerCounters.REFUSED_MAX_CONNECTIONS);
    this.droppedPaused = ListenerCounters.name(listenerName, ListenerCounters.DROPPED_BACKPRESSURE);
    this.droppedWrites = ListenerCounters.name(listenerName, ListenerCounters.DROPPED_WRITES);
  }

  /**
   * Counts and logs a datagram to a peer that could not be sent.
   *
   * @param peer the peer
   * @param why what went wrong
   */
  void droppedWrite(InetSocketAddress peer, String why) {
    metrics.increment(droppedWrites);
    log.debug("{} dropped a datagram to {}: {}", listenerName, peer, why);
  }

  /**
   * Counts and logs (at most once per period) a datagram refused because the socket's send queue
   * is full.
   *
   * @param peer the peer
   * @param size the datagram's size
   * @return the reason the refusal gives
   */
  String refusedWrite(InetSocketAddress peer, int size) {
    metrics.increment(droppedWrites);
    refusedWrites.warn("{} refused a datagram of {} bytes to {}: {}", listenerName, size, peer,
        refusal);
    return refusal;
  }

  /**
   * Routes one datagram to its peer's connection, creating it for a new peer; releases the
   * datagram in every case.
   *
   * @param ctx the handler's context
   * @param msg the inbound message, a {@link DatagramPacket}
   */
  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof DatagramPacket packet)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    UdpConnection connection;
    byte[] bytes;
    try {
      ByteBuf content = packet.content();
      InetSocketAddress sender = packet.sender();
      if (!content.isReadable() || sender == null) {
        return;
      }
      connection = peers.get(sender);
      if (connection != null && connection.isClosed()) {
        peers.remove(sender, connection);
        connection = null;
      }
      if (connection == null) {
        connection = admit(ctx, sender);
        if (connection == null) {
          return;
        }
      }
      if (connection.isPaused()) {
        metrics.increment(droppedPaused);
        log.debug("{} dropped a datagram from {}: reading is paused for it", listenerName, sender);
        return;
      }
      bytes = ByteBufUtil.getBytes(content);
    } finally {
      packet.release();
    }
    connection.events().onBytes(bytes);
  }

  /** Creates the connection of a new peer, or returns null when the peer is refused. */
  private UdpConnection admit(ChannelHandlerContext ctx, InetSocketAddress sender) {
    if (sender.getAddress() != null && !accessRules.allows(sender.getAddress())) {
      metrics.increment(refusedAccess);
      log.debug("{} dropped a datagram from {}: denied by access_rules", listenerName, sender);
      return null;
    }
    if (peers.size() >= maxConnections) {
      metrics.increment(refusedLimit);
      log.debug("{} dropped a datagram from new peer {}: max_connections ({}) reached", listenerName,
          sender, maxConnections);
      return null;
    }
    if (rateLimiter != null && !rateLimiter.tryAcquire()) {
      metrics.increment(refusedRate);
      log.debug("{} dropped a datagram from new peer {}: max_conn_rate ({}/s) exceeded", listenerName,
          sender, rateLimiter.perSecond());
      return null;
    }
    ConnectionInfo info = ConnectionInfo.of(SocketType.UDP, Address.of(sender), local(ctx.channel().localAddress()),
        listenerName);
    UdpConnection connection = new UdpConnection(ctx.channel(), sender, info, this);
    ConnectionEvents events;
    try {
      events = Objects.requireNonNull(acceptor.accept(connection), "the acceptor returned no events");
    } catch (RuntimeException e) {
      // Each new peer's datagram comes here again: at most one line per period.
      acceptFailures.warn("{}: the gateway failed to accept the peer {}; dropping its datagram",
          listenerName, sender, e);
      return null;
    }
    connection.events(events);
    if (connection.isClosed()) {
      // The gateway refused it inside accept (it is stopping).
      return null;
    }
    peers.put(sender, connection);
    return connection;
  }

  /**
   * Removes a connection the gateway closed; runs on the event loop.
   *
   * @param connection the closed connection
   */
  void forget(UdpConnection connection) {
    peers.remove(connection.peer(), connection);
  }

  /**
   * Reports {@code udp_closed} for every peer once the socket is closed.
   *
   * @param ctx the handler's context
   */
  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closeAll();
    ctx.fireChannelInactive();
  }

  /**
   * Logs a socket error (for example an ICMP error surfaced by the system) and keeps serving.
   *
   * @param ctx the handler's context
   * @param cause the failure
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("{}: datagram socket error, still serving", listenerName, cause);
  }

  /** Closes every peer's connection with {@code udp_closed}; runs on the event loop. */
  void closeAll() {
    List<UdpConnection> open = new ArrayList<>(peers.values());
    peers.clear();
    for (UdpConnection connection : open) {
      if (connection.markClosed()) {
        connection.events().onClosed(CloseReasons.UDP_CLOSED);
      }
    }
  }

  /**
   * Counts the peers with an open connection.
   *
   * @return the number of peers
   */
  int peerCount() {
    return peers.size();
  }

  private static Address local(SocketAddress address) {
    return address instanceof InetSocketAddress inet ? Address.of(inet) : new Address("", 0);
  }
}
