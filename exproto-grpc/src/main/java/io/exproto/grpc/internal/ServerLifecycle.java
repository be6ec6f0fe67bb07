package io.exproto.grpc.internal;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One grpc-netty server serving one service on one address: start once, report the bound port,
 * close idempotently (graceful shutdown, then forced). Thread-safe.
 *
 * <p>Internal: not part of the public API.
 */
public final class ServerLifecycle {

  private static final Logger log = LoggerFactory.getLogger(ServerLifecycle.class);
  private static final long GRACE_MILLIS = 5_000;

  /** Runs a service's methods on the server's network threads: see the constructor. */
  public static final Executor DIRECT = Runnable::run;

  private enum State { NEW, STARTED, CLOSED }

  private final String name;
  private final Addresses.HostPort bind;
  private final ServerCredentials credentials;
  private final BindableService service;
  private final Executor executor;
  private State state = State.NEW;
  private Server server;

  /**
   * Prepares a server; nothing is bound until {@link #start()}.
   *
   * @param name what the server is, for log lines and errors, e.g. {@code ConnectionAdapter server}
   * @param bind the address to bind
   * @param credentials the transport security
   * @param service the service to serve
   * @param executor where the service's methods run: {@link #DIRECT} for the network threads
   *     (only for a service that never blocks), another executor (not owned), or null for gRPC's
   *     default executor
   */
  public ServerLifecycle(String name, Addresses.HostPort bind, ServerCredentials credentials,
      BindableService service, Executor executor) {
    this.name = name;
    this.bind = bind;
    this.credentials = credentials;
    this.service = service;
    this.executor = executor;
  }

  /**
   * Binds and starts serving. Idempotent while started.
   *
   * @throws IOException when the address cannot be bound (the message names it)
   * @throws IllegalStateException when closed
   */
  public synchronized void start() throws IOException {
    if (state == State.STARTED) {
      return;
    }
    if (state == State.CLOSED) {
      throw new IllegalStateException(name + " is closed; create a new one");
    }
    InetSocketAddress address = bind.toSocketAddress();
    if (address.isUnresolved()) {
      throw new IOException(name + ": cannot bind " + bind + ": unknown host '" + bind.host() + "'");
    }
    NettyServerBuilder builder = NettyServerBuilder.forAddress(address, credentials).addService(service);
    if (executor == DIRECT) {
      builder.directExecutor();
    } else if (executor != null) {
      builder.executor(executor);
    }
    Server candidate = builder.build();
    try {
      candidate.start();
    } catch (IOException e) {
      candidate.shutdownNow();
      throw new IOException(name + ": cannot bind " + bind + ": " + e.getMessage(), e);
    }
    server = candidate;
    state = State.STARTED;
    log.info("{} listening on {}:{}", name, bind.host(), server.getPort());
  }

  /**
   * Returns the bound port (the chosen one when the bind port was 0).
   *
   * @return the port
   * @throws IllegalStateException when not started
   */
  public synchronized int port() {
    if (state != State.STARTED) {
      throw new IllegalStateException(name + " is not started");
    }
    return server.getPort();
  }

  /**
   * Stops accepting calls, lets calls in flight finish for a few seconds, then cancels the rest
   * and waits for termination. Idempotent.
   */
  public void close() {
    Server current;
    synchronized (this) {
      if (state == State.CLOSED) {
        return;
      }
      state = State.CLOSED;
      current = server;
    }
    if (current == null) {
      return;
    }
    current.shutdown();
    try {
      if (!current.awaitTermination(GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
        current.shutdownNow();
        current.awaitTermination(GRACE_MILLIS, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      current.shutdownNow();
      Thread.currentThread().interrupt();
    }
    log.info("{} on {} stopped", name, bind);
  }
}
