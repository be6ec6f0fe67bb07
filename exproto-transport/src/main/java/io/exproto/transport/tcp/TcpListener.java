package io.exproto.transport.tcp;

import io.exproto.handler.CloseReasons;
import io.exproto.listener.ConnectionAcceptor;
import io.exproto.listener.Listener;
import io.exproto.listener.SocketType;
import io.exproto.transport.internal.ConnectionLimitHandler;
import io.exproto.transport.internal.ForwardingHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.BlockingOperationException;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plain TCP device listener: every accepted socket becomes one gateway connection with socket
 * type {@link SocketType#TCP}, and the device closing its socket closes the connection with reason
 * {@code tcp_closed}.
 *
 * <pre>{@code
 * TcpListener listener = TcpListener.builder()
 *     .name("tcp:default")
 *     .bind("0.0.0.0:7993")
 *     .maxConnections(10_000)
 *     .build();
 * Gateway gateway = Gateway.builder().listener(listener).handler(adapter -> ...).build();
 * }</pre>
 *
 * <p>The pipeline of each accepted channel, inbound bytes flowing downwards:
 *
 * <pre>
 *   accepted socket
 *         |
 *   +-----v------------------+
 *   | (later) access-rules   |  allow/deny by peer address, first match wins
 *   | (later) conn-rate      |  max_conn_rate: new connections per second
 *   +------------------------+
 *   | connection-limit       |  {@link ConnectionLimitHandler}, one per listener: beyond
 *   |                        |  max_connections the channel is closed before the gateway sees it
 *   +------------------------+
 *   | (later) proxy-protocol |  reads the PROXY v1/v2 header and holds back channelActive until
 *   |                        |  the original client's address is known
 *   | (later) tls            |  the ssl listener's handshake, also before channelActive
 *   +------------------------+
 *   | forwarding             |  {@link ForwardingHandler}, one per connection: channelActive -&gt;
 *   |                        |  ConnectionAcceptor.accept, bytes -&gt; onBytes (copied, buffer
 *   |                        |  released), channelInactive -&gt; onClosed("tcp_closed")
 *   +-----+------------------+
 *         v
 *   gateway engine
 * </pre>
 *
 * <p>Backpressure: when a connection's event queue in the gateway fills, the gateway pauses the
 * connection, which turns the channel's auto-read off; the kernel's receive buffer then fills and
 * TCP flow control stops the device. Resuming turns auto-read back on.
 *
 * <p>Event loops: unless {@link Builder#eventLoopGroups} supplies shared groups, the listener
 * creates its own boss (one thread) and worker groups when it starts and shuts them down when it
 * stops. Lifecycle: {@link #start} once, {@link #stop} any number of times; a stopped listener
 * cannot start again. Thread-safe.
 */
public final class TcpListener implements Listener {

  private static final Logger log = LoggerFactory.getLogger(TcpListener.class);

  /** The address used when none is configured, as in EMQX's {@code listeners.tcp.default}. */
  private static final String DEFAULT_BIND = "0.0.0.0:7993";
  /** How long {@link #stop()} waits for channels to close and owned event loops to end. */
  private static final long STOP_WAIT_MILLIS = 3_000;

  private enum State { NEW, STARTED, STOPPED }

  private final String name;
  private final InetSocketAddress bindAddress;
  private final int maxConnections;
  private final String mountpoint;
  private final boolean nodelay;
  private final int backlog;
  private final Integer recbuf;
  private final Integer sndbuf;
  private final EventLoopGroup sharedBossGroup;
  private final EventLoopGroup sharedWorkerGroup;

  // Guarded by this.
  private State state = State.NEW;
  private EventLoopGroup ownedBossGroup;
  private EventLoopGroup ownedWorkerGroup;
  private Channel serverChannel;
  private ConnectionLimitHandler connectionLimit;

  private volatile InetSocketAddress boundAddress;
  private volatile ChannelGroup connections;
  private volatile boolean stopping;

  private TcpListener(Builder builder) {
    this.name = builder.name;
    this.bindAddress = builder.bindAddress;
    this.maxConnections = builder.maxConnections;
    this.mountpoint = builder.mountpoint;
    this.nodelay = builder.nodelay;
    this.backlog = builder.backlog;
    this.recbuf = builder.recbuf;
    this.sndbuf = builder.sndbuf;
    this.sharedBossGroup = builder.bossGroup;
    this.sharedWorkerGroup = builder.workerGroup;
  }

  /**
   * Starts a builder with EMQX's defaults: name {@code tcp:default}, bind {@code 0.0.0.0:7993},
   * max_connections 1024000, nodelay on, backlog 1024.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the listener's name.
   *
   * @return the name, e.g. {@code tcp:default}
   */
  @Override
  public String name() {
    return name;
  }

  /**
   * Returns the mountpoint configured for this listener.
   *
   * @return the mountpoint template, or empty to use the gateway's
   */
  @Override
  public Optional<String> mountpoint() {
    return Optional.ofNullable(mountpoint);
  }

  /**
   * Binds the server socket and starts accepting; returns once bound.
   *
   * @param acceptor where new connections go, not null
   * @throws IOException when the address cannot be bound (a {@link BindException} when the port
   *     is in use or the address is not local); the message names the listener and the address
   * @throws IllegalStateException when the listener was already started or stopped
   */
  @Override
  public synchronized void start(ConnectionAcceptor acceptor) throws IOException {
    Objects.requireNonNull(acceptor, "acceptor");
    if (state != State.NEW) {
      throw new IllegalStateException("listener " + name + " was already "
          + (state == State.STARTED ? "started" : "stopped") + "; build a new one");
    }
    EventLoopGroup bossGroup = sharedBossGroup;
    EventLoopGroup workerGroup = sharedWorkerGroup;
    if (bossGroup == null) {
      String threadPrefix = "exproto-" + name.replace(':', '-');
      ownedBossGroup = new MultiThreadIoEventLoopGroup(1,
          new DefaultThreadFactory(threadPrefix + "-boss"), NioIoHandler.newFactory());
      ownedWorkerGroup = new MultiThreadIoEventLoopGroup(0,
          new DefaultThreadFactory(threadPrefix + "-worker"), NioIoHandler.newFactory());
      bossGroup = ownedBossGroup;
      workerGroup = ownedWorkerGroup;
    }
    ChannelGroup group = new DefaultChannelGroup(name, GlobalEventExecutor.INSTANCE);
    connections = group;
    connectionLimit = new ConnectionLimitHandler(name, maxConnections, acceptor.metrics());
    ConnectionLimitHandler limit = connectionLimit;

    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(bossGroup, workerGroup)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, backlog)
        .childOption(ChannelOption.TCP_NODELAY, nodelay)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            group.add(channel);
            if (stopping) {
              // Accepted while stop() was closing the group: it would otherwise stay open.
              channel.close();
              return;
            }
            channel.pipeline()
                .addLast("connection-limit", limit)
                .addLast("forwarding",
                    new ForwardingHandler(acceptor, SocketType.TCP, name, CloseReasons.TCP_CLOSED));
          }
        });
    if (recbuf != null) {
      // On the listening socket too, so the TCP window scale is negotiated for this size.
      bootstrap.option(ChannelOption.SO_RCVBUF, recbuf).childOption(ChannelOption.SO_RCVBUF, recbuf);
    }
    if (sndbuf != null) {
      bootstrap.childOption(ChannelOption.SO_SNDBUF, sndbuf);
    }

    ChannelFuture bound = bootstrap.bind(bindAddress).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      state = State.STOPPED;
      stopping = true;
      bound.channel().close();
      shutDownOwnedEventLoops();
      throw bindFailure(bound.cause());
    }
    serverChannel = bound.channel();
    boundAddress = (InetSocketAddress) serverChannel.localAddress();
    state = State.STARTED;
    log.info("Listener {} bound to {}", name, describe(boundAddress));
  }

  /**
   * Stops accepting, closes every open connection of this listener (each reports
   * {@code tcp_closed} to the gateway unless the gateway closed it first) and, when the listener
   * created its own event loops, shuts them down (waiting up to a few seconds). Shared event loops
   * are left running. Idempotent; before {@link #start} it only prevents a later start.
   */
  @Override
  public void stop() {
    Channel server;
    ChannelGroup group;
    synchronized (this) {
      if (state == State.STOPPED) {
        return;
      }
      boolean started = state == State.STARTED;
      state = State.STOPPED;
      stopping = true;
      if (!started) {
        return;
      }
      server = serverChannel;
      group = connections;
    }
    awaitQuietly(server.close());
    awaitQuietly(group.close());
    synchronized (this) {
      shutDownOwnedEventLoops();
    }
    log.info("Listener {} stopped", name);
  }

  /**
   * Returns the address the listener is bound to; with port 0 configured, this has the port the
   * system chose.
   *
   * @return the bound address
   * @throws IllegalStateException before the listener started
   */
  public InetSocketAddress localAddress() {
    InetSocketAddress address = boundAddress;
    if (address == null) {
      throw new IllegalStateException("listener " + name + " has not started");
    }
    return address;
  }

  /** The channels of the listener's open connections, for tests in this package. */
  List<Channel> openChannels() {
    ChannelGroup group = connections;
    return group == null ? List.of() : new ArrayList<>(group);
  }

  /** The number of connections the connection limit has admitted and not yet seen close. */
  synchronized int admittedConnections() {
    return connectionLimit == null ? 0 : connectionLimit.openConnections();
  }

  private void shutDownOwnedEventLoops() {
    if (ownedBossGroup == null) {
      return;
    }
    Future<?> boss = ownedBossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    Future<?> worker = ownedWorkerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    awaitQuietly(boss);
    awaitQuietly(worker);
    ownedBossGroup = null;
    ownedWorkerGroup = null;
  }

  private static void awaitQuietly(Future<?> future) {
    try {
      future.awaitUninterruptibly(STOP_WAIT_MILLIS);
    } catch (BlockingOperationException e) {
      // stop() was called on an event loop thread, which must not wait for itself.
    }
  }

  private IOException bindFailure(Throwable cause) {
    String reason = cause == null ? "unknown error" : String.valueOf(cause.getMessage());
    String message = "listener " + name + " cannot bind " + describe(bindAddress) + ": " + reason;
    IOException failure = cause instanceof BindException ? new BindException(message) : new IOException(message);
    failure.initCause(cause);
    return failure;
  }

  private static String describe(InetSocketAddress address) {
    String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + address.getPort() : host + ":" + address.getPort();
  }

  @Override
  public String toString() {
    return "TcpListener{" + name + ", " + describe(boundAddress != null ? boundAddress : bindAddress) + "}";
  }

  /**
   * Configures a {@link TcpListener}. Each setter validates at once and says which setting is
   * wrong. Not thread-safe.
   */
  public static final class Builder {
    private String name = "tcp:default";
    private InetSocketAddress bindAddress = parseBind(DEFAULT_BIND);
    private int maxConnections = 1_024_000;
    private String mountpoint;
    private boolean nodelay = true;
    private int backlog = 1024;
    private Integer recbuf;
    private Integer sndbuf;
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;

    private Builder() {}

    /**
     * Sets the listener's name, unique within a gateway; it prefixes the listener's counters and
     * appears in ConnInfo. Default {@code tcp:default}.
     *
     * @param name not empty
     * @return this builder
     */
    public Builder name(String name) {
      if (name == null || name.isEmpty()) {
        throw new IllegalArgumentException("name must not be empty");
      }
      this.name = name;
      return this;
    }

    /**
     * Sets the address to bind, in EMQX's {@code bind} syntax: {@code "7993"} (every interface),
     * {@code "127.0.0.1:7993"}, {@code "[::1]:7993"}, or a host name. Port 0 lets the system
     * choose (see {@link TcpListener#localAddress()}). Default {@code 0.0.0.0:7993}.
     *
     * @param bind the address, not null
     * @return this builder
     * @throws IllegalArgumentException when the text is not a valid address or the host does not
     *     resolve; the message names {@code bind}
     */
    public Builder bind(String bind) {
      this.bindAddress = parseBind(bind);
      return this;
    }

    /**
     * Binds every interface on the given port.
     *
     * @param port 0..65535; 0 lets the system choose
     * @return this builder
     * @throws IllegalArgumentException when the port is out of range
     */
    public Builder bind(int port) {
      checkPort(port, String.valueOf(port));
      this.bindAddress = parseBind("0.0.0.0:" + port);
      return this;
    }

    /**
     * Sets the address to bind.
     *
     * @param address a resolved address, not null
     * @return this builder
     * @throws IllegalArgumentException when the address is unresolved
     */
    public Builder bind(InetSocketAddress address) {
      Objects.requireNonNull(address, "bind");
      if (address.isUnresolved()) {
        throw new IllegalArgumentException("bind: host '" + address.getHostString() + "' is unresolved");
      }
      this.bindAddress = address;
      return this;
    }

    /**
     * Sets the most connections open at once on this listener; a connection beyond it is closed
     * at once and counted as {@code <name>.refused.max_connections}. Default 1024000.
     *
     * @param maxConnections at least 1
     * @return this builder
     */
    public Builder maxConnections(int maxConnections) {
      if (maxConnections < 1) {
        throw new IllegalArgumentException("maxConnections must be at least 1, got " + maxConnections);
      }
      this.maxConnections = maxConnections;
      return this;
    }

    /**
     * Sets this listener's mountpoint template, overriding the gateway's (an empty string means
     * no mountpoint for this listener). Default: none, the gateway's applies.
     *
     * @param mountpoint the template, not null
     * @return this builder
     */
    public Builder mountpoint(String mountpoint) {
      this.mountpoint = Objects.requireNonNull(mountpoint, "mountpoint");
      return this;
    }

    /**
     * Sets TCP_NODELAY on accepted sockets. Default true (small device frames go out at once).
     *
     * @param nodelay whether to disable Nagle's algorithm
     * @return this builder
     */
    public Builder nodelay(boolean nodelay) {
      this.nodelay = nodelay;
      return this;
    }

    /**
     * Sets the accept queue length of the server socket. Default 1024.
     *
     * @param backlog at least 1
     * @return this builder
     */
    public Builder backlog(int backlog) {
      if (backlog < 1) {
        throw new IllegalArgumentException("backlog must be at least 1, got " + backlog);
      }
      this.backlog = backlog;
      return this;
    }

    /**
     * Sets SO_RCVBUF of accepted sockets, in bytes. Default: the operating system's.
     *
     * @param bytes at least 1
     * @return this builder
     */
    public Builder recbuf(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("recbuf must be at least 1 byte, got " + bytes);
      }
      this.recbuf = bytes;
      return this;
    }

    /**
     * Sets SO_SNDBUF of accepted sockets, in bytes. Default: the operating system's.
     *
     * @param bytes at least 1
     * @return this builder
     */
    public Builder sndbuf(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("sndbuf must be at least 1 byte, got " + bytes);
      }
      this.sndbuf = bytes;
      return this;
    }

    /**
     * Runs the listener on event loop groups the host owns (for example the ones its gRPC server
     * uses) instead of creating its own. The listener never shuts these groups down: stopping it
     * only closes its server socket and its connections; the host shuts the groups down after
     * stopping the gateway. The groups must run NIO channels, e.g. created with
     * {@code new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory())}; boss and worker may be
     * the same group.
     *
     * @param boss the group that accepts connections, not null
     * @param worker the group that serves accepted connections, not null
     * @return this builder
     * @throws IllegalArgumentException when a group cannot run NIO channels
     */
    public Builder eventLoopGroups(EventLoopGroup boss, EventLoopGroup worker) {
      this.bossGroup = requireNio(Objects.requireNonNull(boss, "boss"), "boss");
      this.workerGroup = requireNio(Objects.requireNonNull(worker, "worker"), "worker");
      return this;
    }

    /**
     * Builds the listener; it binds nothing until the gateway starts it.
     *
     * @return the listener
     */
    public TcpListener build() {
      return new TcpListener(this);
    }

    private static EventLoopGroup requireNio(EventLoopGroup group, String which) {
      if (group instanceof IoEventLoopGroup io && !io.isIoType(NioIoHandler.class)) {
        throw new IllegalArgumentException("eventLoopGroups: the " + which + " group does not run NIO"
            + " channels; create it with new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory())");
      }
      return group;
    }

    /** Parses {@code port}, {@code host:port} or {@code [ipv6]:port}. */
    static InetSocketAddress parseBind(String bind) {
      if (bind == null || bind.isBlank()) {
        throw new IllegalArgumentException("bind must not be empty; use \"port\" or \"host:port\"");
      }
      String text = bind.trim();
      String host;
      String port;
      if (text.startsWith("[")) {
        int end = text.indexOf(']');
        if (end < 0 || end + 1 >= text.length() || text.charAt(end + 1) != ':') {
          throw new IllegalArgumentException("bind: '" + bind + "' is not \"[ipv6]:port\"");
        }
        host = text.substring(1, end);
        port = text.substring(end + 2);
      } else {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
          host = "0.0.0.0";
          port = text;
        } else if (text.indexOf(':') != colon) {
          throw new IllegalArgumentException("bind: '" + bind + "' has an IPv6 address without"
              + " brackets; write it as \"[ipv6]:port\"");
        } else {
          host = text.substring(0, colon);
          port = text.substring(colon + 1);
        }
      }
      if (host.isEmpty()) {
        throw new IllegalArgumentException("bind: '" + bind + "' has no host before the ':'");
      }
      int number;
      try {
        number = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bind: '" + bind + "' has no valid port; use \"port\" or"
            + " \"host:port\"");
      }
      checkPort(number, bind);
      InetSocketAddress address = new InetSocketAddress(host, number);
      if (address.isUnresolved()) {
        throw new IllegalArgumentException("bind: host '" + host + "' does not resolve");
      }
      return address;
    }

    private static void checkPort(int port, String bind) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("bind: port must be 0..65535, got '" + bind + "'");
      }
    }
  }
}
