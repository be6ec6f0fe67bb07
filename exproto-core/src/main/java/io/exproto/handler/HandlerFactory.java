package io.exproto.handler;

import io.exproto.adapter.Adapter;

/**
 * Creates a gateway's handler when the gateway starts, giving it the gateway's adapter. If the
 * created handler is {@link AutoCloseable}, the gateway closes it when it stops, after the last
 * {@code OnSocketClosed}.
 */
@FunctionalInterface
public interface HandlerFactory {

  /**
   * Creates the handler.
   *
   * @param adapter the gateway's adapter operations, not null
   * @return the handler, not null
   * @throws Exception when the handler cannot start (the gateway then fails to start)
   */
  ConnectionHandler create(Adapter adapter) throws Exception;
}
