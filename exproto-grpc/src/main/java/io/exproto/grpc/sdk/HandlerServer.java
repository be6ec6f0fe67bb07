package io.exproto.grpc.sdk;

import io.exproto.grpc.ServiceName;
import io.exproto.grpc.internal.Addresses;
import io.exproto.grpc.internal.ServerLifecycle;
import io.exproto.grpc.internal.TlsContexts;
import io.exproto.grpc.tls.ServerTlsOptions;
import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.netty.NettySslContextServerCredentials;
import java.io.IOException;
import java.util.Objects;

/**
 * Serves a {@link HandlerService} for the gateway's {@code handler.address} to point at: as
 * {@code emqx.exproto.v1.ConnectionUnaryHandler} (the default) or as the legacy
 * {@code ConnectionHandler} ({@link ServiceName#STREAMING}, through a
 * {@link StreamingHandlerService}), over plaintext HTTP/2 or TLS.
 *
 * <pre>{@code
 * try (HandlerServer server = new HandlerServer(new MyProtocol(), "127.0.0.1:9001")) {
 *   server.start();
 *   ...
 * }
 * // or, with TLS and mutual TLS:
 * HandlerServer server = HandlerServer.builder(new MyProtocol())
 *     .bind("0.0.0.0:9001")
 *     .tls(ServerTlsOptions.builder().certfile("handler.pem").keyfile("handler.key")
 *         .cacertfile("ca.pem").verify(Verify.VERIFY_PEER).failIfNoPeerCert(true).build())
 *     .build();
 * }</pre>
 *
 * <p>The service's methods run on gRPC's default executor, which grows with demand, so methods
 * that block do not starve other connections; those of a service that declares
 * {@link HandlerService#isNonBlocking()} run directly on gRPC's network threads instead, saving a
 * thread hand-off per call. {@link #start()} and {@link #close()} are
 * idempotent; a closed server cannot start again, but a new one may bind the same port (a handler
 * restart). Thread-safe.
 */
public final class HandlerServer implements AutoCloseable {

  /** The bind address of {@link #builder(HandlerService)}: every interface, EMQX's handler port. */
  public static final String DEFAULT_BIND = "0.0.0.0:9001";

  private final Addresses.HostPort bind;
  private final boolean tls;
  private final ServiceName serviceName;
  private final ServerLifecycle lifecycle;

  /**
   * Prepares a plaintext {@code ConnectionUnaryHandler} server; nothing is bound until
   * {@link #start()}.
   *
   * @param service the handler service, not null; not owned
   * @param bind {@code "port"} (every interface) or {@code "host:port"}; port 0 picks a free port,
   *     see {@link #port()}
   * @throws IllegalArgumentException when {@code bind} is malformed
   */
  public HandlerServer(HandlerService service, String bind) {
    this(builder(service).bind(bind));
  }

  private HandlerServer(Builder builder) {
    this.bind = Addresses.parseBind(builder.bind, "bind");
    this.tls = builder.tls != null;
    this.serviceName = builder.serviceName;
    ServerCredentials credentials = builder.tls == null
        ? InsecureServerCredentials.create()
        : NettySslContextServerCredentials.create(TlsContexts.forServer(builder.tls));
    BindableService served = serviceName == ServiceName.STREAMING
        ? new StreamingHandlerService(builder.service)
        : builder.service;
    this.lifecycle = new ServerLifecycle(serviceName.configName() + " server" + (tls ? " (TLS)" : ""), this.bind,
        credentials, served, builder.service.isNonBlocking() ? ServerLifecycle.DIRECT : null);
  }

  /**
   * Starts a builder: bind {@value #DEFAULT_BIND}, plaintext, {@link ServiceName#UNARY}.
   *
   * @param service the handler service, not null; not owned
   * @return a new builder
   */
  public static Builder builder(HandlerService service) {
    return new Builder(Objects.requireNonNull(service, "service"));
  }

  /**
   * Binds the address and starts serving. Idempotent while started.
   *
   * @throws IOException when the address cannot be bound
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
   * Returns which service this server serves.
   *
   * @return the service
   */
  public ServiceName serviceName() {
    return serviceName;
  }

  /**
   * Returns the address a gateway's {@code handler.address} should use to reach this server when
   * it runs on the same host: {@code http://127.0.0.1:<port>} for a plaintext wildcard bind,
   * {@code https://...} for TLS.
   *
   * @return {@code http://host:port} or {@code https://host:port}
   * @throws IllegalStateException when the server is not started, or closed
   */
  public String address() {
    String host = bind.host();
    if (host.equals(Addresses.ANY_HOST) || host.equals("::")) {
      host = "127.0.0.1";
    }
    return (tls ? "https://" : "http://") + new Addresses.HostPort(host, port());
  }

  /**
   * Stops the server: refuses new calls, lets calls in flight finish for up to 5 seconds, cancels
   * the rest (legacy streams the gateway still holds open among them) and waits for the server to
   * terminate. Idempotent.
   */
  @Override
  public void close() {
    lifecycle.close();
  }

  /** Configures a {@link HandlerServer}. Not thread-safe. */
  public static final class Builder {
    private final HandlerService service;
    private String bind = DEFAULT_BIND;
    private ServerTlsOptions tls;
    private ServiceName serviceName = ServiceName.UNARY;

    private Builder(HandlerService service) {
      this.service = service;
    }

    /**
     * Sets where to listen. Default {@value HandlerServer#DEFAULT_BIND}.
     *
     * @param bind {@code "port"} or {@code "host:port"}; port 0 picks a free port
     * @return this builder
     */
    public Builder bind(String bind) {
      this.bind = bind;
      return this;
    }

    /**
     * Serves TLS (and mutual TLS when the options require client certificates); the gateway's
     * handler address is then {@code https://}. Default: plaintext. Errors about the files name
     * {@code server.ssl_options.*} keys, the options' configuration names.
     *
     * @param tls the options, not null
     * @return this builder
     */
    public Builder tls(ServerTlsOptions tls) {
      this.tls = Objects.requireNonNull(tls, "tls");
      return this;
    }

    /**
     * Sets which service to serve. Default {@link ServiceName#UNARY}; {@link ServiceName#STREAMING}
     * serves the legacy {@code ConnectionHandler} (see {@link StreamingHandlerService}).
     *
     * @param name the service, not null
     * @return this builder
     */
    public Builder serviceName(ServiceName name) {
      this.serviceName = Objects.requireNonNull(name, "serviceName");
      return this;
    }

    /**
     * Builds the server (not started). TLS files are read here.
     *
     * @return the server
     * @throws IllegalArgumentException when the bind address is malformed, or a TLS file is
     *     missing or unusable
     */
    public HandlerServer build() {
      return new HandlerServer(this);
    }
  }
}
