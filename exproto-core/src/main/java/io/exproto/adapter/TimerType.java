package io.exproto.adapter;

/** The kinds of timer a handler can start; the numbers are the wire values of ExProto v5. */
public enum TimerType {
  /** The connection is dead after 1.5 times the interval without inbound bytes. */
  KEEPALIVE(0);

  private final int number;

  TimerType(int number) {
    this.number = number;
  }

  /**
   * Returns the wire number of this timer type.
   *
   * @return the value of the ExProto {@code TimerType} enum
   */
  public int number() {
    return number;
  }
}
