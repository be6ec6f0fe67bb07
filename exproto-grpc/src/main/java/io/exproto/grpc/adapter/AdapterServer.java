package io.exproto.grpc.adapter;

import io.exproto.adapter.Adapter;
import io.exproto.grpc.internal.Addresses;
import io.exproto.grpc.internal.ServerLifecycle;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import java.io.IOException;
import java.util.Objects;

/**
 * The gateway's {@code ConnectionAdapter} gRPC server: serves an {@link AdapterService} for one
 * {@link Adapter} on a bind address, over plaintext HTTP/2.
 *
 * <pre>{@code
 * try (AdapterServer server = new AdapterServer(gateway.adapter(), "127.0.0.1:9100")) {
 *   server.start();
 *   ...
 * }
 * }</pre>
 *
 * <p>{@link #start()} and {@link #close()} are idempotent; a closed server cannot start again.
 * Thread-safe.
 */
public final class AdapterServer implements AutoCloseable {

  /** The bind address EMQX uses: every IPv4 interface, port 9100. */
  public static final String DEFAULT_BIND = "0.0.0.0:9100";

  private static final String BIND_FIELD = "server.bind";

  private final Addresses.HostPort bind;
  private final ServerLifecycle lifecycle;

  /**
   * Prepares a server on {@link #DEFAULT_BIND}; nothing is bound until {@link #start()}.
   *
   * @param adapter the gateway's adapter operations, not null; not owned
   */
  public AdapterServer(Adapter adapter) {
    this(adapter, DEFAULT_BIND);
  }

  /**
   * Prepares a server; nothing is bound until {@link #start()}.
   *
   * @param adapter the gateway's adapter operations, not null; not owned
   * @param bind {@code "port"} (every interface) or {@code "host:port"} ({@code "[::1]:9100"} for
   *     IPv6); port 0 picks a free port, see {@link #port()}
   * @throws IllegalArgumentException when {@code bind} is malformed (the message names
   *     {@code server.bind})
   */
  public AdapterServer(Adapter adapter, String bind) {
    Objects.requireNonNull(adapter, "adapter");
    this.bind = Addresses.parseBind(bind, BIND_FIELD);
    this.lifecycle = new ServerLifecycle("ConnectionAdapter server", this.bind, serverCredentials(),
        new AdapterService(adapter));
  }

  /**
   * The transport security of the server. Plaintext for now; this is where {@code server.ssl_options}
   * (TLS and mutual TLS, via {@code io.grpc.TlsServerCredentials}) will be applied.
   */
  private static ServerCredentials serverCredentials() {
    return InsecureServerCredentials.create();
  }

  /**
   * Binds the address and starts serving. Idempotent while started.
   *
   * @throws IOException when the address cannot be bound (in use, not local, unknown host)
   * @throws IllegalStateException when the server was closed
   */
  public void start() throws IOException {
    lifecycle.start();
  }

  /**
   * Returns the bound port: the configured one, or the port chosen for port 0.
   *
   * @return the port
   * @throws IllegalStateException when the server is not started, or closed
   */
  public int port() {
    return lifecycle.port();
  }

  /**
   * Returns the configured bind address, normalized ({@code "9100"} becomes {@code 0.0.0.0:9100}).
   *
   * @return the bind address as {@code host:port}
   */
  public String bind() {
    return bind.toString();
  }

  /**
   * Stops the server: refuses new calls, lets calls in flight finish for up to 5 seconds, cancels
   * the rest and waits for the server to terminate. Idempotent.
   */
  @Override
  public void close() {
    lifecycle.close();
  }
}
