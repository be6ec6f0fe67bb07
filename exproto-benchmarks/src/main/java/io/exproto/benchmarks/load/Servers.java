package io.exproto.benchmarks.load;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The running server JVMs of one scenario: the one the devices connect to (a gateway, or a bare
 * echo server) and, for the gRPC scenarios, the remote handler.
 */
public final class Servers implements AutoCloseable {

  private final ChildJvm server;
  private final ChildJvm handler;

  /**
   * Wraps running servers.
   *
   * @param server the JVM the devices connect to; it announced {@code port}
   * @param handler the remote handler's JVM, or null
   */
  public Servers(ChildJvm server, ChildJvm handler) {
    this.server = server;
    this.handler = handler;
  }

  /**
   * Returns the address devices connect to.
   *
   * @return 127.0.0.1 and the announced port
   */
  public InetSocketAddress deviceAddress() {
    return new InetSocketAddress("127.0.0.1", server.readyInt("port"));
  }

  /**
   * Returns the JVM the devices connect to.
   *
   * @return the gateway or bare server
   */
  public ChildJvm server() {
    return server;
  }

  /**
   * Returns the remote handler's JVM.
   *
   * @return the handler, or null when the scenario has none
   */
  public ChildJvm handler() {
    return handler;
  }

  /**
   * Samples the CPU time used so far by the server and the handler.
   *
   * @return {@code [server nanos, handler nanos or 0]}
   * @throws IOException when a JVM does not answer
   */
  public long[] cpuNanos() throws IOException {
    return new long[] {server.cpuNanos(), handler == null ? 0 : handler.cpuNanos()};
  }

  /**
   * Returns the JIT compilation time of the server and the handler so far.
   *
   * @return milliseconds summed over both JVMs
   * @throws IOException when a JVM does not answer
   */
  public long jitMillis() throws IOException {
    return server.jitMillis() + (handler == null ? 0 : handler.jitMillis());
  }

  /** Stops the server first (its connections then close), then the handler. */
  @Override
  public void close() {
    try {
      server.close();
    } finally {
      if (handler != null) {
        handler.close();
      }
    }
  }
}
