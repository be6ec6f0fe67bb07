package io.exproto.transport.tcp;

import io.exproto.handler.CloseReasons;
import io.exproto.listener.Listener;
import io.exproto.listener.SocketType;
import io.exproto.transport.StreamListenerBuilder;
import io.exproto.transport.internal.StreamListenerBase;
import io.exproto.transport.internal.StreamServer;
import io.netty.channel.Channel;
import java.util.List;

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
 *     .maxConnRate(1000)
 *     .accessRules(List.of("allow 10.0.0.0/8", "deny all"))
 *     .build();
 * Gateway gateway = Gateway.builder().listener(listener).handler(adapter -> ...).build();
 * }</pre>
 *
 * <p>The pipeline of each accepted channel, inbound events flowing downwards; bracketed stages are
 * present only when configured:
 *
 * <pre>
 *   server socket: [conn-rate] max_conn_rate, new connections per second; over the rate the
 *                  listener stops accepting until a token returns (connections wait, none closed)
 *   accepted socket
 *         |
 *   +-----v--------------------+
 *   | [send-timeout]           |  tcp_options.send_timeout: watches writes; a device that stops
 *   |                          |  reading is closed (send_timeout_close, reason send_timeout)
 *   | [access-rules]           |  allow/deny by peer address, first match wins (here when the
 *   |                          |  PROXY protocol is off)
 *   | connection-limit         |  max_connections: beyond it the channel is closed at once
 *   +--------------------------+
 *   | [proxy-decoder]          |  PROXY protocol v1/v2 header (Netty's HAProxyMessageDecoder)
 *   | [proxy-protocol]         |  holds channelActive back until the header set the original
 *   |                          |  client's address; garbage or a timeout closes the channel
 *   | [access-rules]           |  here, on the original client's address, when the PROXY
 *   |                          |  protocol is on
 *   +--------------------------+
 *   | forwarding               |  channelActive -&gt; ConnectionAcceptor.accept (OnSocketCreated),
 *   |                          |  bytes -&gt; onBytes (copied, buffer released),
 *   |                          |  channelInactive -&gt; onClosed("tcp_closed")
 *   +-----+--------------------+
 *         v
 *   gateway engine
 * </pre>
 *
 * <p>A refused connection (access rules, limit, PROXY header) is closed before the gateway
 * sees it, so the handler never gets OnSocketCreated for it; each refusal is counted in the
 * gateway's metrics under {@code <name>.refused.<why>} (see
 * {@link io.exproto.transport.ListenerCounters}).
 *
 * <p>Backpressure: when a connection's event queue in the gateway fills, the gateway pauses the
 * connection, which turns the channel's auto-read off; the kernel's receive buffer then fills and
 * TCP flow control stops the device. Resuming turns auto-read back on. The other way round, when
 * the bytes waiting for a device that does not read pass {@code tcp_options.high_watermark}
 * (default 1 MiB), the listener stops reading that device too and refuses further Sends to it
 * (counted as {@code <name>.dropped.writes}) until the backlog is down to half the mark.
 *
 * <p>Event loops: unless {@link Builder#eventLoopGroups} supplies shared groups, the listener
 * creates its own boss (one thread) and worker (one thread per core) groups when it starts and
 * shuts them down when it stops. Lifecycle: {@link #start} once, {@link #stop} any number of
 * times; a stopped listener cannot start again. Thread-safe.
 */
public final class TcpListener extends StreamListenerBase implements Listener {

  private TcpListener(StreamServer server) {
    super(server);
  }

  /**
   * Starts a builder with EMQX's defaults: name {@code tcp:default}, bind {@code 0.0.0.0:7993},
   * max_connections 1024000, no max_conn_rate, allow all, nodelay on, backlog 1024, send_timeout
   * 15 s with send_timeout_close, high_watermark 1 MiB, no PROXY protocol.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the channels of the listener's open connections, for tests in this package.
   *
   * @return a snapshot
   */
  List<Channel> openChannels() {
    return server().openChannels();
  }

  /**
   * Counts the connections the connection limit has admitted and not yet seen close.
   *
   * @return the number
   */
  int admittedConnections() {
    return server().admittedConnections();
  }

  /**
   * Configures a {@link TcpListener}: the common listener settings of {@link
   * io.exproto.transport.ListenerBuilder} and the TCP ones of {@link StreamListenerBuilder}. Each
   * setter validates at once and says which setting is wrong. Not thread-safe.
   */
  public static final class Builder extends StreamListenerBuilder<Builder> {

    private Builder() {
      super("tcp:default", "0.0.0.0:7993");
    }

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * Builds the listener; it binds nothing until the gateway starts it.
     *
     * @return the listener
     */
    public TcpListener build() {
      return new TcpListener(new StreamServer(listenerOptions(), streamOptions(), bossGroup().orElse(null),
          workerGroup().orElse(null), SocketType.TCP, CloseReasons.TCP_CLOSED, null));
    }
  }
}
