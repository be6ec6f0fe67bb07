package io.exproto.handler;

/** The {@code reason} strings of {@link SocketClosed}. */
public final class CloseReasons {
  /** The TCP peer closed or the socket failed. */
  public static final String TCP_CLOSED = "tcp_closed";
  /** The TLS peer closed or the socket failed. */
  public static final String SSL_CLOSED = "ssl_closed";
  /** The UDP or DTLS peer's conn was closed by its transport. */
  public static final String UDP_CLOSED = "udp_closed";
  /**
   * A stream listener closed the connection because writes to the device made no progress for
   * {@code tcp_options.send_timeout} (with {@code send_timeout_close}): the device stopped
   * reading.
   */
  public static final String SEND_TIMEOUT = "send_timeout";
  /** The handler called Close. */
  public static final String NORMAL = "normal";
  /** The host kicked the connection. */
  public static final String KICKED = "kicked";
  /** The same client id authenticated on another connection. */
  public static final String DISCARDED = "discarded";
  /** No inbound bytes for 1.5 times the keepalive interval. */
  public static final String KEEPALIVE_TIMEOUT = "keepalive_timeout";
  /** No inbound bytes (or no authentication) within the idle timeout. */
  public static final String IDLE_TIMEOUT = "idle_timeout";
  /** The authentication's expiry time passed. */
  public static final String EXPIRED = "expired";
  /** A handler callback failed or missed its deadline. */
  public static final String HANDLER_ERROR = "handler_error";
  /** The gateway stopped. */
  public static final String GATEWAY_STOPPED = "gateway_stopped";
  /** The connection's event queue overflowed although reading was paused. */
  public static final String BACKPRESSURE_OVERFLOW = "backpressure_overflow";

  private CloseReasons() {}
}
