package io.exproto.transport;

import java.util.Objects;

/**
 * The names of the counters a listener adds to the gateway's
 * {@link io.exproto.gateway.GatewayMetrics}: each is the listener's name, a dot, and one of the
 * suffixes below, e.g. {@code tcp:default.refused.access_rules}. Every connection or datagram a
 * listener refuses or drops is counted under one of them.
 */
public final class ListenerCounters {

  /** Connections refused because the listener had max_connections open (UDP: datagrams of new peers). */
  public static final String REFUSED_MAX_CONNECTIONS = "refused.max_connections";
  /** Datagrams of new UDP and DTLS peers dropped because they exceeded max_conn_rate. */
  public static final String REFUSED_MAX_CONN_RATE = "refused.max_conn_rate";
  /**
   * Stream connections (TCP, TLS) whose accept max_conn_rate delayed: the listener stopped
   * accepting until a token returned, and served them then.
   */
  public static final String DELAYED_MAX_CONN_RATE = "delayed.max_conn_rate";
  /** Connections refused by the access rules (UDP: datagrams of new peers). */
  public static final String REFUSED_ACCESS_RULES = "refused.access_rules";
  /** Connections closed because they sent no valid PROXY protocol header in time. */
  public static final String REFUSED_PROXY_PROTOCOL = "refused.proxy_protocol";
  /** Connections whose TLS handshake failed or timed out. */
  public static final String REFUSED_TLS_HANDSHAKE = "refused.tls_handshake";
  /** Datagrams dropped because the gateway had paused reading for their peer. */
  public static final String DROPPED_BACKPRESSURE = "dropped.backpressure";
  /**
   * Writes to a device that were not sent: refused because the device's send backlog was over its
   * high-water mark (or, for datagrams, the socket's queue was full), or a datagram that could not
   * be sent (too large, socket error, listener stopped).
   */
  public static final String DROPPED_WRITES = "dropped.writes";
  /** Writes to a device that stayed unsent past send_timeout. */
  public static final String SEND_TIMEOUT = "send_timeout";

  private ListenerCounters() {}

  /**
   * Builds the full name of one listener's counter.
   *
   * @param listenerName the listener's name, e.g. {@code tcp:default}; not null
   * @param suffix one of the constants of this class; not null
   * @return {@code listenerName + "." + suffix}
   */
  public static String name(String listenerName, String suffix) {
    return Objects.requireNonNull(listenerName, "listenerName") + "." + Objects.requireNonNull(suffix, "suffix");
  }
}
