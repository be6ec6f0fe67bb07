package io.exproto.adapter;

/** The result of an adapter operation; the numbers are the wire values of ExProto v5. */
public enum ResultCode {
  /** The operation succeeded. */
  SUCCESS(0),
  /** An unexpected failure inside the gateway (a bug); logged with a stack trace. */
  UNKNOWN(1),
  /** The connection is unknown, malformed or already closed. */
  CONN_PROCESS_NOT_ALIVE(2),
  /** A required field is empty. */
  REQUIRED_PARAMS_MISSED(3),
  /** A field has a value outside its allowed range or form. */
  PARAMS_TYPE_ERROR(4),
  /** Authentication or authorization denied, or the connection is not (or already) authenticated. */
  PERMISSION_DENY(5);

  private final int number;

  ResultCode(int number) {
    this.number = number;
  }

  /**
   * Returns the wire number of this code.
   *
   * @return the value of the ExProto {@code ResultCode} enum
   */
  public int number() {
    return number;
  }
}
