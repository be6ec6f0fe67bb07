package io.exproto.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings the stream listeners (TCP and TLS over TCP) add to {@link ListenerBuilder}: EMQX's
 * {@code tcp_options} ({@code nodelay}, {@code backlog}, {@code send_timeout},
 * {@code send_timeout_close}, {@code high_watermark}; {@code recbuf} and {@code sndbuf} come from
 * the base),
 * {@code proxy_protocol} and {@code proxy_protocol_timeout}, and the event loops. Defaults follow
 * EMQX. Not thread-safe.
 *
 * @param <B> the concrete builder type
 */
public abstract class StreamListenerBuilder<B extends StreamListenerBuilder<B>> extends ListenerBuilder<B> {

  /** The default {@link #highWatermark(int)}: 1 MiB, as EMQX's tcp_options.high_watermark. */
  public static final int DEFAULT_HIGH_WATERMARK = 1024 * 1024;

  private boolean nodelay = true;
  private int backlog = 1024;
  private Duration sendTimeout = Duration.ofSeconds(15);
  private boolean sendTimeoutClose = true;
  private int highWatermark = DEFAULT_HIGH_WATERMARK;
  private boolean proxyProtocol;
  private Duration proxyProtocolTimeout = Duration.ofSeconds(3);
  private EventLoopGroup bossGroup;
  private EventLoopGroup workerGroup;

  /**
   * Starts a builder with a transport's defaults.
   *
   * @param defaultName the name used unless {@link #name} is called
   * @param defaultBind the address used unless {@link #bind(String)} is called
   */
  protected StreamListenerBuilder(String defaultName, String defaultBind) {
    super(defaultName, defaultBind);
  }

  /**
   * Sets TCP_NODELAY on accepted sockets. Default true (small device frames go out at once).
   *
   * @param nodelay whether to disable Nagle's algorithm
   * @return this builder
   */
  public B nodelay(boolean nodelay) {
    this.nodelay = nodelay;
    return self();
  }

  /**
   * Sets the accept queue length of the server socket. Default 1024.
   *
   * @param backlog at least 1
   * @return this builder
   */
  public B backlog(int backlog) {
    if (backlog < 1) {
      throw new IllegalArgumentException("backlog (tcp_options.backlog) must be at least 1, got " + backlog);
    }
    this.backlog = backlog;
    return self();
  }

  /**
   * Sets how long writes to a device may stay unsent (queued because the device does not read
   * and the socket's send buffer is full) before it counts as a send timeout: counted as
   * {@code <name>.send_timeout} and, with {@link #sendTimeoutClose(boolean)}, the connection is
   * closed (the handler gets OnSocketClosed with reason {@code send_timeout}). Default 15 s;
   * {@link Duration#ZERO} turns the check off.
   *
   * @param timeout not negative
   * @return this builder
   */
  public B sendTimeout(Duration timeout) {
    if (timeout == null || timeout.isNegative()) {
      throw new IllegalArgumentException("sendTimeout (tcp_options.send_timeout) must not be negative");
    }
    this.sendTimeout = timeout;
    return self();
  }

  /**
   * Sets whether a send timeout closes the connection. Default true. When false, the timeout is
   * only counted and logged, and the writes stay queued.
   *
   * @param close whether to close
   * @return this builder
   */
  public B sendTimeoutClose(boolean close) {
    this.sendTimeoutClose = close;
    return self();
  }

  /**
   * Sets the most bytes queued for one device and not yet written to its socket (EMQX's
   * {@code tcp_options.high_watermark}). A device that does not read as fast as the gateway writes
   * to it builds a backlog. While the backlog is over this mark, writes to the device are
   * refused: the handler's Send answers UNKNOWN with a message naming the mark, and each refusal
   * is counted as {@code <name>.dropped.writes}; so the backlog stays under the mark plus one
   * write. Once over the mark, the listener also stops reading from the device (so a protocol
   * that answers every message stops too) until the backlog is down to half the mark. Default
   * 1 MiB ({@link #DEFAULT_HIGH_WATERMARK}).
   *
   * @param bytes at least 1
   * @return this builder
   */
  public B highWatermark(int bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException(
          "highWatermark (tcp_options.high_watermark) must be at least 1 byte, got " + bytes);
    }
    this.highWatermark = bytes;
    return self();
  }

  /**
   * Expects every connection to start with a PROXY protocol header (v1 text or v2 binary, as a
   * load balancer such as HAProxy sends). The connection reaches the gateway only once the header
   * is read, with the original client's address as its peer (and the proxy's destination as its
   * local address); the access rules then apply to that client address. A connection whose
   * header is invalid, or missing after {@link #proxyProtocolTimeout}, is closed and counted as
   * {@code <name>.refused.proxy_protocol}. Default false.
   *
   * @param enabled whether the header is expected
   * @return this builder
   */
  public B proxyProtocol(boolean enabled) {
    this.proxyProtocol = enabled;
    return self();
  }

  /**
   * Sets how long to wait for the PROXY protocol header. Default 3 s.
   *
   * @param timeout positive
   * @return this builder
   */
  public B proxyProtocolTimeout(Duration timeout) {
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("proxyProtocolTimeout (proxy_protocol_timeout) must be positive");
    }
    this.proxyProtocolTimeout = timeout;
    return self();
  }

  /**
   * Runs the listener on event loop groups the host owns (for example the ones its gRPC server
   * uses) instead of creating its own: by default each listener has one boss thread and one worker
   * thread per core, or {@code -Dio.netty.eventLoopThreads} when set (half Netty's default, which
   * on 2 cores made the remote-handler echo 1.6 times as fast; see benchmarks/PROFILES.md). The
   * listener never shuts these groups down: stopping it only closes its server socket and its
   * connections; the host shuts the groups down after stopping the gateway. The groups must run
   * NIO channels, e.g. created with {@code new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory())};
   * boss and worker may be the same group.
   *
   * @param boss the group that accepts connections, not null
   * @param worker the group that serves accepted connections, not null
   * @return this builder
   * @throws IllegalArgumentException when a group cannot run NIO channels
   */
  public B eventLoopGroups(EventLoopGroup boss, EventLoopGroup worker) {
    this.bossGroup = requireNio(Objects.requireNonNull(boss, "boss"), "eventLoopGroups: the boss");
    this.workerGroup = requireNio(Objects.requireNonNull(worker, "worker"), "eventLoopGroups: the worker");
    return self();
  }

  /**
   * Returns the stream settings made so far, for the concrete builder's {@code build()}.
   *
   * @return the stream settings
   */
  protected StreamOptions streamOptions() {
    return new StreamOptions(nodelay, backlog, sendTimeout, sendTimeoutClose, proxyProtocol,
        proxyProtocolTimeout, highWatermark);
  }

  /**
   * Returns the host's boss group, when {@link #eventLoopGroups} was called.
   *
   * @return the group, or empty when the listener creates its own
   */
  protected Optional<EventLoopGroup> bossGroup() {
    return Optional.ofNullable(bossGroup);
  }

  /**
   * Returns the host's worker group, when {@link #eventLoopGroups} was called.
   *
   * @return the group, or empty when the listener creates its own
   */
  protected Optional<EventLoopGroup> workerGroup() {
    return Optional.ofNullable(workerGroup);
  }

  /**
   * Checks that a group can run NIO channels.
   *
   * @param group the group, not null
   * @param what how the error message names the group
   * @return the group
   * @throws IllegalArgumentException when it cannot
   */
  protected static EventLoopGroup requireNio(EventLoopGroup group, String what) {
    if (group instanceof IoEventLoopGroup io && !io.isIoType(NioIoHandler.class)) {
      throw new IllegalArgumentException(what + " group does not run NIO channels; create it with"
          + " new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory())");
    }
    return group;
  }
}
