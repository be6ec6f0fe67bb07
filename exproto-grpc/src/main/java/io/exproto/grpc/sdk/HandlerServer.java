package io.exproto.grpc.sdk;

import io.exproto.grpc.internal.Addresses;
import io.exproto.grpc.internal.ServerLifecycle;
import io.grpc.InsecureServerCredentials;
import java.io.IOException;
import java.util.Objects;

/**
 * Serves a {@link HandlerService} as {@code emqx.exproto.v1.ConnectionUnaryHandler} over plaintext
 * HTTP/2, for the gateway's {@code handler.address} to point at.
 *
 * <pre>{@code
 * try (HandlerServer server = new HandlerServer(new MyProtocol(), "127.0.0.1:9001")) {
 *   server.start();
 *   ...
 * }
 * }</pre>
 *
 * <p>The service's methods run on gRPC's default executor, which grows with demand, so methods
 * that block do not starve other connections. {@link #start()} and {@link #close()} are
 * idempotent; a closed server cannot start again. Thread-safe.
 */
public final class HandlerServer implements AutoCloseable {

  private final Addresses.HostPort bind;
  private final ServerLifecycle lifecycle;

  /**
   * Prepares a server; nothing is bound until {@link #start()}.
   *
   * @param service the handler service, not null; not owned
   * @param bind {@code "port"} (every interface) or {@code "host:port"}; port 0 picks a free port,
   *     see {@link #port()}
   * @throws IllegalArgumentException when {@code bind} is malformed
   */
  public HandlerServer(HandlerService service, String bind) {
    Objects.requireNonNull(service, "service");
    this.bind = Addresses.parseBind(bind, "bind");
    this.lifecycle = new ServerLifecycle("ConnectionUnaryHandler server", this.bind,
        InsecureServerCredentials.create(), service);
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
   * Returns the address a gateway's {@code handler.address} should use to reach this server when
   * it runs on the same host: {@code http://127.0.0.1:<port>} for a wildcard bind.
   *
   * @return {@code http://host:port}
   * @throws IllegalStateException when the server is not started, or closed
   */
  public String address() {
    String host = bind.host();
    if (host.equals(Addresses.ANY_HOST) || host.equals("::")) {
      host = "127.0.0.1";
    }
    return "http://" + new Addresses.HostPort(host, port());
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
