package io.exproto.grpc.adapter;

import io.exproto.adapter.Adapter;
import io.exproto.grpc.internal.Addresses;
import io.exproto.grpc.internal.ServerLifecycle;
import io.exproto.grpc.internal.TlsContexts;
import io.exproto.grpc.tls.ServerTlsOptions;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.netty.NettySslContextServerCredentials;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The gateway's {@code ConnectionAdapter} gRPC server: serves an {@link AdapterService} for one
 * {@link Adapter} on a bind address, over plaintext HTTP/2 or, with {@link ServerTlsOptions}
 * ({@code server.ssl_options}), over TLS, optionally requiring a client certificate (mutual TLS).
 *
 * <pre>{@code
 * try (AdapterServer server = new AdapterServer(gateway.adapter(), "127.0.0.1:9100")) {
 *   server.start();
 *   ...
 * }
 * }</pre>
 *
 * <p>Unlike EMQX 5, whose adapter TLS setting silently serves plaintext, TLS options here are
 * applied or refused with an error: a handler then calls {@code https://host:port}.
 *
 * <p>Threading: each call runs directly on the server's network threads, with no hand-off to an
 * executor, so the adapter's operations must not block. The gateway's own adapter does not, as
 * long as the host's SPIs keep their contracts (authenticators, authorizers and hooks do not
 * block, and neither does the {@link io.exproto.broker.Broker}'s publish, subscribe and
 * unsubscribe); for a broker that may block, give the server an executor
 * ({@link #AdapterServer(Adapter, String, ServerTlsOptions, Executor)}, or
 * {@code GrpcHandler.Builder.adapterExecutor}).
 *
 * <p>{@link #start()} and {@link #close()} are idempotent; a closed server cannot start again.
 * Thread-safe.
 */
public final class AdapterServer implements AutoCloseable {

  /** The bind address EMQX uses: every IPv4 interface, port 9100. */
  public static final String DEFAULT_BIND = "0.0.0.0:9100";

  private static final String BIND_FIELD = "server.bind";

  private final Addresses.HostPort bind;
  private final boolean tls;
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
    this(adapter, bind, null, null);
  }

  /**
   * Prepares a TLS server; nothing is bound until {@link #start()}. The certificate and key files
   * are read here, so a bad file fails now, not at the first handshake.
   *
   * @param adapter the gateway's adapter operations, not null; not owned
   * @param bind {@code "port"} or {@code "host:port"}; port 0 picks a free port
   * @param tls the TLS options ({@code server.ssl_options}), not null
   * @throws IllegalArgumentException when {@code bind} is malformed, or a TLS file is missing or
   *     unusable; the message names the key, e.g. {@code server.ssl_options.certfile: file not found}
   */
  public AdapterServer(Adapter adapter, String bind, ServerTlsOptions tls) {
    this(adapter, bind, Objects.requireNonNull(tls, "tls"), null);
  }

  /**
   * Prepares a server whose operations may run on an executor; nothing is bound until
   * {@link #start()}.
   *
   * @param adapter the gateway's adapter operations, not null; not owned
   * @param bind {@code "port"} or {@code "host:port"}; port 0 picks a free port
   * @param tls the TLS options ({@code server.ssl_options}), or null for plaintext
   * @param executor where the adapter's operations run (for an adapter that may block; not
   *     owned), or null to run them on the server's network threads
   * @throws IllegalArgumentException when {@code bind} is malformed, or a TLS file is missing or
   *     unusable; the message names the key
   */
  public AdapterServer(Adapter adapter, String bind, ServerTlsOptions tls, Executor executor) {
    Objects.requireNonNull(adapter, "adapter");
    this.bind = Addresses.parseBind(bind, BIND_FIELD);
    this.tls = tls != null;
    this.lifecycle = new ServerLifecycle(this.tls ? "ConnectionAdapter server (TLS)" : "ConnectionAdapter server",
        this.bind, serverCredentials(tls), new AdapterService(adapter),
        executor == null ? ServerLifecycle.DIRECT : executor);
  }

  /** The transport security of the server: {@code server.ssl_options}, or plaintext without. */
  private static ServerCredentials serverCredentials(ServerTlsOptions tls) {
    if (tls == null) {
      return InsecureServerCredentials.create();
    }
    return NettySslContextServerCredentials.create(TlsContexts.forServer(tls));
  }

  /**
   * Tells whether the server serves TLS.
   *
   * @return true when created with {@link ServerTlsOptions}
   */
  public boolean isTls() {
    return tls;
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
