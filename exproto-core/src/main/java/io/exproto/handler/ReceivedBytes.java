package io.exproto.handler;

import java.util.Objects;

/**
 * Bytes a device sent, in arrival order.
 *
 * @param conn the connection id
 * @param bytes the bytes; the handler must not change them
 */
public record ReceivedBytes(String conn, byte[] bytes) {

  /**
   * Validates the fields.
   *
   * @param conn not null
   * @param bytes not null
   */
  public ReceivedBytes {
    Objects.requireNonNull(conn, "conn");
    Objects.requireNonNull(bytes, "bytes");
  }
}
