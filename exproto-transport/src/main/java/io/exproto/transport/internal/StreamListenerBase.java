package io.exproto.transport.internal;

import io.exproto.listener.ConnectionAcceptor;
import io.exproto.listener.Listener;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * The public face the stream listeners ({@link io.exproto.transport.tcp.TcpListener} and
 * {@link io.exproto.transport.ssl.SslListener}) share: each is a {@link Listener} over one
 * {@link StreamServer}, and everything but building that server is the same. Not API: public only
 * because those listeners live in other packages; hosts use the listeners, never this type, which
 * may change in any release.
 *
 * <p>Lifecycle: {@link #start} once, {@link #stop} any number of times; a stopped listener cannot
 * start again. Thread-safe.
 */
public abstract class StreamListenerBase implements Listener {

  private final StreamServer server;

  /**
   * Creates the face of a server.
   *
   * @param server the listener's server, not null
   */
  protected StreamListenerBase(StreamServer server) {
    this.server = Objects.requireNonNull(server, "server");
  }

  /**
   * Returns the listener's server, for the subclasses' test hooks.
   *
   * @return the server
   */
  protected final StreamServer server() {
    return server;
  }

  /**
   * Returns the listener's name.
   *
   * @return the name, e.g. {@code tcp:default} or {@code ssl:default}
   */
  @Override
  public final String name() {
    return server.options().name();
  }

  /**
   * Returns the mountpoint configured for this listener.
   *
   * @return the mountpoint template, or empty to use the gateway's
   */
  @Override
  public final Optional<String> mountpoint() {
    return server.options().mountpoint();
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
  public final void start(ConnectionAcceptor acceptor) throws IOException {
    server.start(Objects.requireNonNull(acceptor, "acceptor"));
  }

  /**
   * Stops accepting, closes every open connection of this listener (each reports the listener's
   * close reason, {@code tcp_closed} or {@code ssl_closed}, to the gateway unless the gateway
   * closed it first) and, when the listener created its own event loops, shuts them down (waiting
   * up to a few seconds). Shared event loops are left running. Idempotent; before {@link #start}
   * it only prevents a later start.
   */
  @Override
  public final void stop() {
    server.stop();
  }

  /**
   * Returns the address the listener is bound to; with port 0 configured, this has the port the
   * system chose.
   *
   * @return the bound address
   * @throws IllegalStateException before the listener started
   */
  public final InetSocketAddress localAddress() {
    return server.localAddress();
  }

  /**
   * Describes the listener: its type, name and address (the bound one once started).
   *
   * @return e.g. {@code TcpListener{tcp:default, 0.0.0.0:7993}}
   */
  @Override
  public String toString() {
    return getClass().getSimpleName() + "{" + name() + ", " + server.describeAddress() + "}";
  }
}
