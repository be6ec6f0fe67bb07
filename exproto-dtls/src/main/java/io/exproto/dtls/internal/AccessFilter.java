package io.exproto.dtls.internal;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.transport.ListenerCounters;
import io.exproto.transport.policy.AccessRules;
import java.net.DatagramPacket;
import java.util.Objects;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DtlsDatagramFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the listener's {@code access_rules} to every datagram before Scandium parses it, so a
 * denied address never gets a handshake (not even a HelloVerifyRequest); then applies Scandium's
 * default record filter. Not API.
 *
 * <p>Each dropped datagram is counted as {@code <listener>.refused.access_rules} (a denied client
 * usually sends a few ClientHellos before it gives up) and logged at debug level only, since a
 * flood of them would otherwise flood the log. Thread-safe.
 */
public final class AccessFilter extends DtlsDatagramFilter {

  private static final Logger log = LoggerFactory.getLogger(AccessFilter.class);

  private final AccessRules rules;
  private final String listenerName;
  private final GatewayMetrics metrics;
  private final String refusedCounter;

  /**
   * Creates the filter of one listener.
   *
   * @param configuration the listener's Scandium configuration (for the default record filter)
   * @param rules the access rules, not null
   * @param listenerName the listener's name, not null
   * @param metrics where refusals are counted, not null
   */
  public AccessFilter(Configuration configuration, AccessRules rules, String listenerName,
      GatewayMetrics metrics) {
    super(configuration);
    this.rules = Objects.requireNonNull(rules, "rules");
    this.listenerName = Objects.requireNonNull(listenerName, "listenerName");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.refusedCounter = ListenerCounters.name(listenerName, ListenerCounters.REFUSED_ACCESS_RULES);
  }

  /**
   * Drops a datagram from a denied address; passes the others to the default record filter.
   *
   * @param packet the received datagram
   * @return whether Scandium should process the datagram
   */
  @Override
  public boolean onReceiving(DatagramPacket packet) {
    if (!rules.isEmpty() && !rules.allows(packet.getAddress())) {
      metrics.increment(refusedCounter);
      log.debug("{} dropped a datagram from {}: denied by access_rules", listenerName,
          packet.getSocketAddress());
      return false;
    }
    return super.onReceiving(packet);
  }
}
