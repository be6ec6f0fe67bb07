package io.exproto.handler;

import java.util.Objects;

/**
 * The last event of every connection, sent exactly once.
 *
 * @param conn the connection id
 * @param reason a plain word saying why, one of {@link CloseReasons}' values
 */
public record SocketClosed(String conn, String reason) {

  /**
   * Validates the fields.
   *
   * @param conn not null
   * @param reason not null
   */
  public SocketClosed {
    Objects.requireNonNull(conn, "conn");
    Objects.requireNonNull(reason, "reason");
  }
}
