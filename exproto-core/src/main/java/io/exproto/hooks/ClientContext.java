package io.exproto.hooks;

import io.exproto.adapter.ClientInfo;
import io.exproto.listener.ConnectionInfo;
import java.util.Objects;

/**
 * The client an event is about.
 *
 * @param conn the connection id
 * @param client the client as it authenticated
 * @param connection the connection's identity
 */
public record ClientContext(String conn, ClientInfo client, ConnectionInfo connection) {

  /**
   * Validates the fields.
   *
   * @param conn not null
   * @param client not null
   * @param connection not null
   */
  public ClientContext {
    Objects.requireNonNull(conn, "conn");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(connection, "connection");
  }
}
