package io.exproto.transport.internal;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.listener.ConnectionAcceptor;
import io.exproto.listener.SocketType;
import io.exproto.logging.RateLimitedLogger;
import io.exproto.transport.ListenerOptions;
import io.exproto.transport.StreamOptions;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.NettyRuntime;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server socket, event loops and per-connection pipeline the stream listeners (TCP and TLS)
 * share; each listener is a thin public face over one of these. Not API.
 *
 * <p>The pipeline of an accepted channel, from the socket towards the gateway; bracketed stages
 * are present only when configured:
 *
 * <pre>
 *   server socket
 *     | [conn-rate]         {@link ConnectionRateHandler}: max_conn_rate, on the server channel:
 *     |                     delays accepting (auto-read off) until a token returns
 *     v Netty's acceptor    registers each accepted channel, whose pipeline is:
 *   socket
 *     | [send-timeout]      {@link SendTimeoutHandler}: closes a device that stopped reading
 *     | [access-rules]      {@link AccessRulesHandler}, here when there is no PROXY protocol
 *     | connection-limit    {@link ConnectionLimitHandler}: max_connections
 *     | [proxy-decoder]     Netty's HAProxyMessageDecoder: parses the v1/v2 header, then leaves
 *     | [proxy-protocol]    {@link ProxyProtocolHandler}: holds channelActive back until the header
 *     | [access-rules]      here, behind the header, when the PROXY protocol is on
 *     | [tls]               Netty's SslHandler (the ssl listener)
 *     | [tls-handshake]     {@link TlsHandshakeHandler}: holds channelActive back until the handshake
 *     v forwarding          {@link ForwardingHandler}: channelActive -&gt; the gateway's accept;
 *                           its {@link NettyConnection} bounds the device's send backlog
 *                           ({@link OutputLimits}: tcp_options.high_watermark)
 *   gateway
 * </pre>
 *
 * <p>Every stage in front of {@code forwarding} either passes {@code channelActive} on or closes
 * the channel without passing anything on, so a refused connection never reaches the gateway.
 * Lifecycle: {@link #start} once, {@link #stop} any number of times. Thread-safe.
 */
public final class StreamServer {

  private static final Logger log = LoggerFactory.getLogger(StreamServer.class);

  private final ListenerOptions options;
  private final StreamOptions stream;
  private final EventLoopGroup sharedBossGroup;
  private final EventLoopGroup sharedWorkerGroup;
  private final SocketType socketType;
  private final String closeReason;
  private final Function<Channel, SslHandler> tls;
  private final ListenerLifecycle lifecycle;
  // The rate-limited logs of the per-channel handlers, one per log site for the listener.
  private final RateLimitedLogger sendTimeouts = SendTimeoutHandler.newTimeoutLog();
  private final ProxyProtocolHandler.Refusals proxyRefusals = new ProxyProtocolHandler.Refusals();
  private final RateLimitedLogger tlsFailures = TlsHandshakeHandler.newFailureLog();

  // Guarded by this.
  private EventLoopGroup ownedBossGroup;
  private EventLoopGroup ownedWorkerGroup;
  private Channel serverChannel;
  private ConnectionLimitHandler connectionLimit;

  private volatile ChannelGroup connections;
  private volatile boolean stopping;

  /**
   * Creates the server of one listener.
   *
   * @param options the common settings, not null
   * @param stream the stream settings, not null
   * @param bossGroup the host's accepting group, or null to create one
   * @param workerGroup the host's serving group, or null to create one (both or neither)
   * @param socketType the socket type of the connections, not null
   * @param closeReason the reason reported when a device closes, e.g. {@code tcp_closed}
   * @param tls creates the TLS handler of a new channel, or null for plain TCP
   */
  public StreamServer(ListenerOptions options, StreamOptions stream, EventLoopGroup bossGroup,
      EventLoopGroup workerGroup, SocketType socketType, String closeReason, Function<Channel, SslHandler> tls) {
    this.options = Objects.requireNonNull(options, "options");
    this.stream = Objects.requireNonNull(stream, "stream");
    if ((bossGroup == null) != (workerGroup == null)) {
      throw new IllegalArgumentException("eventLoopGroups: give both groups or neither");
    }
    this.sharedBossGroup = bossGroup;
    this.sharedWorkerGroup = workerGroup;
    this.socketType = Objects.requireNonNull(socketType, "socketType");
    this.closeReason = Objects.requireNonNull(closeReason, "closeReason");
    this.tls = tls;
    this.lifecycle = new ListenerLifecycle(options);
  }

  /**
   * Returns the settings.
   *
   * @return the common settings
   */
  public ListenerOptions options() {
    return options;
  }

  /**
   * Binds the server socket and starts accepting; returns once bound.
   *
   * @param acceptor where new connections go, not null
   * @throws IOException when the address cannot be bound (a {@link BindException} when the port
   *     is in use or the address is not local); the message names the listener and the address
   * @throws IllegalStateException when the server was already started or stopped
   */
  public synchronized void start(ConnectionAcceptor acceptor) throws IOException {
    Objects.requireNonNull(acceptor, "acceptor");
    String name = options.name();
    lifecycle.checkStartable();
    EventLoopGroup bossGroup = sharedBossGroup;
    EventLoopGroup workerGroup = sharedWorkerGroup;
    if (bossGroup == null) {
      ownedBossGroup = lifecycle.newEventLoopGroup(1, "boss");
      // One worker per core, half Netty's default: with fewer idle loops to wake, an answer
      // written from another thread (a handler's, gRPC's) more often finds its loop awake.
      ownedWorkerGroup = lifecycle.newEventLoopGroup(
          Math.max(1, Integer.getInteger("io.netty.eventLoopThreads", NettyRuntime.availableProcessors())), "worker");
      bossGroup = ownedBossGroup;
      workerGroup = ownedWorkerGroup;
    }
    ChannelGroup group = new DefaultChannelGroup(name, GlobalEventExecutor.INSTANCE);
    connections = group;
    GatewayMetrics metrics = acceptor.metrics();
    connectionLimit = new ConnectionLimitHandler(name, options.maxConnections(), metrics);
    ConnectionLimitHandler limit = connectionLimit;
    AccessRulesHandler accessRules = options.accessRules().isEmpty()
        ? null : new AccessRulesHandler(name, options.accessRules(), metrics);
    OutputLimits output = new OutputLimits(name, stream.highWatermark(), metrics);

    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(bossGroup, workerGroup)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, stream.backlog())
        .childOption(ChannelOption.TCP_NODELAY, stream.nodelay())
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            group.add(channel);
            if (stopping) {
              // Accepted while stop() was closing the group: it would otherwise stay open.
              channel.close();
              return;
            }
            buildPipeline(channel, acceptor, metrics, accessRules, limit, output);
          }
        });
    options.newRateLimiter().ifPresent(limiter ->
        bootstrap.handler(new ConnectionRateHandler(name, limiter, metrics)));
    options.recbuf().ifPresent(bytes ->
        // On the listening socket too, so the TCP window scale is negotiated for this size.
        bootstrap.option(ChannelOption.SO_RCVBUF, bytes).childOption(ChannelOption.SO_RCVBUF, bytes));
    options.sndbuf().ifPresent(bytes -> bootstrap.childOption(ChannelOption.SO_SNDBUF, bytes));

    ChannelFuture bound = bootstrap.bind(options.bind()).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      IOException failure = lifecycle.startFailed(bound.cause());
      stopping = true;
      bound.channel().close();
      shutDownOwnedEventLoops();
      throw failure;
    }
    serverChannel = bound.channel();
    InetSocketAddress boundAddress = (InetSocketAddress) serverChannel.localAddress();
    lifecycle.started(boundAddress);
    log.info("Listener {} bound to {}", name, ListenerOptions.describe(boundAddress));
  }

  private void buildPipeline(SocketChannel channel, ConnectionAcceptor acceptor, GatewayMetrics metrics,
      AccessRulesHandler accessRules, ConnectionLimitHandler limit, OutputLimits output) {
    String name = options.name();
    ChannelPipeline pipeline = channel.pipeline();
    if (!stream.sendTimeout().isZero()) {
      pipeline.addLast("send-timeout",
          new SendTimeoutHandler(name, stream.sendTimeout(), stream.sendTimeoutClose(), metrics,
              sendTimeouts));
    }
    if (accessRules != null && !stream.proxyProtocol()) {
      pipeline.addLast("access-rules", accessRules);
    }
    pipeline.addLast("connection-limit", limit);
    if (stream.proxyProtocol()) {
      pipeline.addLast("proxy-decoder", new HAProxyMessageDecoder());
      pipeline.addLast("proxy-protocol",
          new ProxyProtocolHandler(name, stream.proxyProtocolTimeout(), metrics, proxyRefusals));
      if (accessRules != null) {
        pipeline.addLast("access-rules", accessRules);
      }
    }
    if (tls != null) {
      pipeline.addLast("tls", tls.apply(channel));
      pipeline.addLast("tls-handshake", new TlsHandshakeHandler(name, metrics, tlsFailures));
    }
    pipeline.addLast("forwarding",
        new ForwardingHandler(acceptor, socketType, name, closeReason, output));
  }

  /**
   * Stops accepting, closes every open connection (each reports the close reason to the gateway
   * unless the gateway closed it first) and, when the server created its own event loops, shuts
   * them down (waiting up to a few seconds). Shared event loops are left running. Idempotent;
   * before {@link #start} it only prevents a later start.
   */
  public void stop() {
    Channel server;
    ChannelGroup group;
    synchronized (this) {
      if (lifecycle.isStopped()) {
        return;
      }
      stopping = true;
      if (!lifecycle.stop()) {
        return;
      }
      server = serverChannel;
      group = connections;
    }
    ListenerLifecycle.awaitQuietly(server.close());
    ListenerLifecycle.awaitQuietly(group.close());
    synchronized (this) {
      shutDownOwnedEventLoops();
    }
    log.info("Listener {} stopped", options.name());
  }

  /**
   * Returns the bound address.
   *
   * @return the address, with the system's port when port 0 was configured
   * @throws IllegalStateException before the server started
   */
  public InetSocketAddress localAddress() {
    return lifecycle.localAddress();
  }

  /**
   * Returns the bound address, or the configured one before start.
   *
   * @return the address as text
   */
  public String describeAddress() {
    return lifecycle.describeAddress();
  }

  /**
   * Returns the channels of the open connections, for tests and diagnostics.
   *
   * @return a snapshot
   */
  public List<Channel> openChannels() {
    ChannelGroup group = connections;
    return group == null ? List.of() : new ArrayList<>(group);
  }

  /**
   * Counts the connections the connection limit has admitted and not yet seen close.
   *
   * @return the number
   */
  public synchronized int admittedConnections() {
    return connectionLimit == null ? 0 : connectionLimit.openConnections();
  }

  private void shutDownOwnedEventLoops() {
    ListenerLifecycle.shutDown(ownedBossGroup, ownedWorkerGroup);
    ownedBossGroup = null;
    ownedWorkerGroup = null;
  }
}
