package io.exproto.transport.udp;

import io.exproto.listener.ConnectionAcceptor;
import io.exproto.listener.Listener;
import io.exproto.listener.SocketType;
import io.exproto.transport.ListenerBuilder;
import io.exproto.transport.ListenerOptions;
import io.exproto.transport.internal.ListenerLifecycle;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP device listener (EMQX's {@code listeners.udp}): one datagram socket, one gateway
 * connection per peer address, with socket type {@link SocketType#UDP}.
 *
 * <pre>{@code
 * UdpListener listener = UdpListener.builder().bind("0.0.0.0:7993").maxConnections(10_000).build();
 * }</pre>
 *
 * <ul>
 *   <li>The first datagram from a new peer {@code ip:port} creates its connection (the handler
 *       gets OnSocketCreated, then the datagram); each datagram is one OnReceivedBytes.</li>
 *   <li>{@code Send} to the connection sends one datagram back to that peer.</li>
 *   <li>Closing a connection (the handler's Close, the gateway's idle or keepalive timeout)
 *       forgets only that peer; the socket stays open, and the peer's next datagram starts a new
 *       connection. UDP has no close from the device side: the gateway's idle_timeout and
 *       keepalive rules close silent peers.</li>
 *   <li>max_connections counts peers; max_conn_rate and the access rules apply to new peers.
 *       Datagrams of refused new peers are dropped and counted as
 *       {@code <name>.refused.<why>}.</li>
 *   <li>Backpressure: while the gateway has paused a peer, its datagrams are dropped and counted
 *       as {@code <name>.dropped.backpressure} (UDP cannot push back).</li>
 *   <li>A datagram to a peer that cannot be sent (too large, a socket error, the listener
 *       stopped) is dropped and counted as {@code <name>.dropped.writes}. So is a Send while the
 *       socket has more than {@link #SEND_QUEUE_LIMIT} bytes queued that the system has not taken
 *       yet (the socket is shared by every peer): it is refused at once, and the handler's Send
 *       answers UNKNOWN with the reason, until the queue is down to half that.</li>
 *   <li>Stopping the listener closes every peer's connection with reason {@code udp_closed}, then
 *       the socket.</li>
 * </ul>
 *
 * <p>A datagram longer than {@link Builder#maxDatagramSize} is cut by the system to that size.
 *
 * <p>Event loops: one datagram channel uses one event loop thread; unless
 * {@link Builder#eventLoopGroup} supplies a shared group, the listener creates its own (one
 * thread) when it starts and shuts it down when it stops. Lifecycle: {@link #start} once,
 * {@link #stop} any number of times. Thread-safe.
 */
public final class UdpListener implements Listener {

  /**
   * The most bytes queued on the shared socket and not yet taken by the system before further
   * Sends are refused: 1 MiB, as the stream listeners' default high-water mark. Sends are taken
   * again once the queue is down to half.
   */
  public static final int SEND_QUEUE_LIMIT = 1024 * 1024;

  private static final Logger log = LoggerFactory.getLogger(UdpListener.class);

  private final ListenerOptions options;
  private final EventLoopGroup sharedGroup;
  private final int maxDatagramSize;
  private final ListenerLifecycle lifecycle;

  // Guarded by this.
  private EventLoopGroup ownedGroup;
  private Channel channel;
  private UdpPeerHandler peers;

  private UdpListener(ListenerOptions options, EventLoopGroup sharedGroup, int maxDatagramSize) {
    this.options = options;
    this.sharedGroup = sharedGroup;
    this.maxDatagramSize = maxDatagramSize;
    this.lifecycle = new ListenerLifecycle(options);
  }

  /**
   * Starts a builder with EMQX's defaults: name {@code udp:default}, bind {@code 0.0.0.0:7993},
   * max_connections 1024000, no max_conn_rate, allow all, datagrams up to 65535 bytes.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the listener's name.
   *
   * @return the name, e.g. {@code udp:default}
   */
  @Override
  public String name() {
    return options.name();
  }

  /**
   * Returns the mountpoint configured for this listener.
   *
   * @return the mountpoint template, or empty to use the gateway's
   */
  @Override
  public Optional<String> mountpoint() {
    return options.mountpoint();
  }

  /**
   * Binds the datagram socket and starts serving peers; returns once bound.
   *
   * @param acceptor where new connections go, not null
   * @throws IOException when the address cannot be bound (a {@link BindException} when the port
   *     is in use or the address is not local); the message names the listener and the address
   * @throws IllegalStateException when the listener was already started or stopped
   */
  @Override
  public synchronized void start(ConnectionAcceptor acceptor) throws IOException {
    Objects.requireNonNull(acceptor, "acceptor");
    lifecycle.checkStartable();
    EventLoopGroup group = sharedGroup;
    if (group == null) {
      ownedGroup = lifecycle.newEventLoopGroup(1, "io");
      group = ownedGroup;
    }
    UdpPeerHandler handler = new UdpPeerHandler(options, acceptor);
    Bootstrap bootstrap = new Bootstrap()
        .group(group)
        .channel(NioDatagramChannel.class)
        .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(maxDatagramSize))
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
            new WriteBufferWaterMark(SEND_QUEUE_LIMIT / 2, SEND_QUEUE_LIMIT))
        .handler(handler);
    options.recbuf().ifPresent(bytes -> bootstrap.option(ChannelOption.SO_RCVBUF, bytes));
    options.sndbuf().ifPresent(bytes -> bootstrap.option(ChannelOption.SO_SNDBUF, bytes));

    ChannelFuture bound = bootstrap.bind(options.bind()).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      IOException failure = lifecycle.startFailed(bound.cause());
      bound.channel().close();
      shutDownOwnedEventLoop();
      throw failure;
    }
    channel = bound.channel();
    peers = handler;
    InetSocketAddress boundAddress = (InetSocketAddress) channel.localAddress();
    lifecycle.started(boundAddress);
    log.info("Listener {} bound to {}", options.name(), ListenerOptions.describe(boundAddress));
  }

  /**
   * Closes every peer's connection (each reports {@code udp_closed} to the gateway unless the
   * gateway closed it first), then the socket, and shuts down an event loop the listener created
   * (waiting up to a few seconds). A shared group is left running. Idempotent; before
   * {@link #start} it only prevents a later start.
   */
  @Override
  public void stop() {
    Channel socket;
    synchronized (this) {
      if (!lifecycle.stop()) {
        return;
      }
      socket = channel;
    }
    // Closing the socket makes the peer handler report udp_closed for every peer, on its loop.
    ListenerLifecycle.awaitQuietly(socket.close());
    synchronized (this) {
      shutDownOwnedEventLoop();
    }
    log.info("Listener {} stopped", options.name());
  }

  /**
   * Returns the address the listener is bound to; with port 0 configured, this has the port the
   * system chose.
   *
   * @return the bound address
   * @throws IllegalStateException before the listener started
   */
  public InetSocketAddress localAddress() {
    return lifecycle.localAddress();
  }

  /**
   * Returns the datagram channel, for tests in this package.
   *
   * @return the channel, null before start
   */
  synchronized Channel channel() {
    return channel;
  }

  /**
   * Counts the peers with an open connection, for tests in this package.
   *
   * @return the number of peers
   */
  synchronized int peerCount() {
    return peers == null ? 0 : peers.peerCount();
  }

  /**
   * Tells whether the datagram socket is open, for tests in this package.
   *
   * @return whether it is open
   */
  synchronized boolean socketOpen() {
    return channel != null && channel.isOpen();
  }

  private void shutDownOwnedEventLoop() {
    ListenerLifecycle.shutDown(ownedGroup);
    ownedGroup = null;
  }

  @Override
  public String toString() {
    return "UdpListener{" + options.name() + ", " + lifecycle.describeAddress() + "}";
  }

  /**
   * Configures a {@link UdpListener}: the common listener settings of {@link ListenerBuilder}
   * ({@code recbuf} and {@code sndbuf} are EMQX's {@code udp_options}) plus the datagram size and
   * the event loop. Each setter validates at once and says which setting is wrong. Not
   * thread-safe.
   */
  public static final class Builder extends ListenerBuilder<Builder> {

    private EventLoopGroup group;
    private int maxDatagramSize = 65_535;

    private Builder() {
      super("udp:default", "0.0.0.0:7993");
    }

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * Sets the largest datagram read in full; longer ones are cut to this size. Default 65535.
     *
     * @param bytes 1..65535
     * @return this builder
     */
    public Builder maxDatagramSize(int bytes) {
      if (bytes < 1 || bytes > 65_535) {
        throw new IllegalArgumentException("maxDatagramSize must be 1..65535 bytes, got " + bytes);
      }
      this.maxDatagramSize = bytes;
      return this;
    }

    /**
     * Runs the listener's socket on an event loop group the host owns; the listener never shuts
     * it down. The group must run NIO channels, e.g. created with
     * {@code new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory())}.
     *
     * @param group the group, not null
     * @return this builder
     * @throws IllegalArgumentException when the group cannot run NIO channels
     */
    public Builder eventLoopGroup(EventLoopGroup group) {
      Objects.requireNonNull(group, "eventLoopGroup");
      if (group instanceof IoEventLoopGroup io && !io.isIoType(NioIoHandler.class)) {
        throw new IllegalArgumentException("eventLoopGroup: the group does not run NIO channels; create it"
            + " with new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory())");
      }
      this.group = group;
      return this;
    }

    /**
     * Builds the listener; it binds nothing until the gateway starts it.
     *
     * @return the listener
     */
    public UdpListener build() {
      return new UdpListener(listenerOptions(), group, maxDatagramSize);
    }
  }
}
