package io.exproto.listener;

import java.util.Optional;

/**
 * A transport-neutral source of device connections (a TCP, TLS, UDP or DTLS server socket, or an
 * in-process source for tests). Implemented by transports; the gateway starts and stops it.
 */
public interface Listener {

  /**
   * Returns the listener's name, unique within one gateway, e.g. {@code tcp:default}.
   *
   * @return the name, never null
   */
  String name();

  /**
   * Returns the mountpoint of this listener's connections, overriding the gateway's.
   *
   * @return the mountpoint template, or empty to use the gateway's
   */
  default Optional<String> mountpoint() {
    return Optional.empty();
  }

  /**
   * Starts accepting connections and hands each one to {@code acceptor}. Called once.
   *
   * @param acceptor where new connections go, not null
   * @throws Exception when the listener cannot start (for example the port is in use)
   */
  void start(ConnectionAcceptor acceptor) throws Exception;

  /**
   * Stops accepting connections and releases the listener's resources. Open connections are
   * closed. Idempotent.
   */
  void stop();
}
