package io.exproto.listener;

/** The transport a device connection arrived on; the numbers are the wire values of ExProto v5. */
public enum SocketType {
  /** Plain TCP. */
  TCP(0),
  /** TLS over TCP. */
  SSL(1),
  /** Plain UDP, one connection per peer address. */
  UDP(2),
  /** DTLS over UDP. */
  DTLS(3);

  private final int number;

  SocketType(int number) {
    this.number = number;
  }

  /**
   * Returns the wire number of this socket type.
   *
   * @return the value of the ExProto {@code SocketType} enum
   */
  public int number() {
    return number;
  }
}
