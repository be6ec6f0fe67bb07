package io.exproto.handler;

import io.exproto.listener.ConnectionInfo;
import java.util.Objects;

/**
 * The first event of every connection.
 *
 * @param conn the connection id, opaque and unique for the gateway's lifetime
 * @param info how and from where the device connected
 */
public record SocketCreated(String conn, ConnectionInfo info) {

  /**
   * Validates the fields.
   *
   * @param conn not null
   * @param info not null
   */
  public SocketCreated {
    Objects.requireNonNull(conn, "conn");
    Objects.requireNonNull(info, "info");
  }
}
