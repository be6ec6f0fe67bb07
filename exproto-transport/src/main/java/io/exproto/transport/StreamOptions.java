package io.exproto.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of the stream (TCP and TLS) listeners beyond {@link ListenerOptions}: EMQX's
 * {@code tcp_options} and PROXY protocol keys, as validated by a {@link StreamListenerBuilder}.
 * Immutable.
 *
 * @param nodelay {@code tcp_options.nodelay}: TCP_NODELAY on accepted sockets
 * @param backlog {@code tcp_options.backlog}: the accept queue length
 * @param sendTimeout {@code tcp_options.send_timeout}: how long writes to a device may stay unsent;
 *     zero turns the check off
 * @param sendTimeoutClose {@code tcp_options.send_timeout_close}: whether a send timeout closes
 *     the connection
 * @param proxyProtocol {@code proxy_protocol}: whether every connection starts with a PROXY
 *     protocol v1 or v2 header
 * @param proxyProtocolTimeout {@code proxy_protocol_timeout}: how long to wait for that header
 * @param highWatermark {@code tcp_options.high_watermark}: while more bytes than this are queued
 *     for one device and not yet written to its socket, writes to it are refused; once over it,
 *     the listener stops reading the device until the backlog is down to half of it
 */
public record StreamOptions(
    boolean nodelay,
    int backlog,
    Duration sendTimeout,
    boolean sendTimeoutClose,
    boolean proxyProtocol,
    Duration proxyProtocolTimeout,
    int highWatermark) {

  /**
   * Checks the values.
   *
   * @param nodelay any
   * @param backlog at least 1
   * @param sendTimeout not null, not negative
   * @param sendTimeoutClose any
   * @param proxyProtocol any
   * @param proxyProtocolTimeout not null, positive
   * @param highWatermark at least 1
   */
  public StreamOptions {
    Objects.requireNonNull(sendTimeout, "sendTimeout");
    Objects.requireNonNull(proxyProtocolTimeout, "proxyProtocolTimeout");
    if (backlog < 1) {
      throw new IllegalArgumentException("backlog (tcp_options.backlog) must be at least 1, got " + backlog);
    }
    if (sendTimeout.isNegative()) {
      throw new IllegalArgumentException("sendTimeout (tcp_options.send_timeout) must not be negative");
    }
    if (proxyProtocolTimeout.isNegative() || proxyProtocolTimeout.isZero()) {
      throw new IllegalArgumentException("proxyProtocolTimeout (proxy_protocol_timeout) must be positive");
    }
    if (highWatermark < 1) {
      throw new IllegalArgumentException(
          "highWatermark (tcp_options.high_watermark) must be at least 1 byte, got " + highWatermark);
    }
  }
}
