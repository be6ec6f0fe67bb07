package io.exproto.handler;

import io.exproto.adapter.TimerType;
import java.util.Objects;

/**
 * A timer fired: for {@link TimerType#KEEPALIVE}, the gateway closes the connection with reason
 * {@code keepalive_timeout} right after this event.
 *
 * @param conn the connection id
 * @param type the timer that fired
 */
public record TimerTimeout(String conn, TimerType type) {

  /**
   * Validates the fields.
   *
   * @param conn not null
   * @param type not null
   */
  public TimerTimeout {
    Objects.requireNonNull(conn, "conn");
    Objects.requireNonNull(type, "type");
  }
}
