package io.exproto.listener;

import io.exproto.gateway.GatewayMetrics;

/**
 * The gateway's entry point for new device connections, handed to each {@link Listener} when it
 * starts. Implemented by the gateway.
 */
public interface ConnectionAcceptor {

  /**
   * Registers a new connection. The gateway sends {@code OnSocketCreated} to the handler before
   * any event reported through the returned object.
   *
   * @param connection the new connection, not null
   * @return where the transport reports this connection's bytes and close, never null
   */
  ConnectionEvents accept(Connection connection);

  /**
   * Returns the gateway's counters, where the listener counts what it refuses or drops (under
   * names prefixed with its own name, e.g. {@code tcp:default.refused.max_connections}).
   *
   * @return the gateway's metrics
   */
  GatewayMetrics metrics();
}
