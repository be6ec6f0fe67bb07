package io.exproto.transport.internal;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.logging.RateLimitedLogger;
import io.exproto.transport.ListenerCounters;
import io.exproto.transport.policy.AccessRules;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces a listener's {@code access_rules} on each new channel. Not API.
 *
 * <p>It checks the device's address as {@link ChannelAttributes#peer} reports it, so placed behind
 * the PROXY protocol handler it checks the original client. A refused channel is closed before
 * the gateway sees it, counted as {@code <listener>.refused.access_rules} and logged with its
 * address, at most once per period (a flood of refused connections writes one line per period,
 * which says how many were left out). A channel without an IP address (an in-memory channel) is
 * allowed.
 *
 * <p>{@link Sharable}: one instance per listener; the rules are immutable and the log limiter is
 * thread-safe.
 */
@Sharable
public final class AccessRulesHandler extends AdmissionHandler {

  private static final Logger log = LoggerFactory.getLogger(AccessRulesHandler.class);

  private final String listenerName;
  private final AccessRules rules;
  private final GatewayMetrics metrics;
  private final String refusedCounter;
  private final RateLimitedLogger refusals = new RateLimitedLogger(log);

  /**
   * Creates the check of one listener.
   *
   * @param listenerName the listener's name, not null
   * @param rules the rules, not null
   * @param metrics where refusals are counted, not null
   */
  public AccessRulesHandler(String listenerName, AccessRules rules, GatewayMetrics metrics) {
    this.listenerName = Objects.requireNonNull(listenerName, "listenerName");
    this.rules = Objects.requireNonNull(rules, "rules");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.refusedCounter = ListenerCounters.name(listenerName, ListenerCounters.REFUSED_ACCESS_RULES);
  }

  @Override
  protected boolean admit(ChannelHandlerContext ctx) {
    SocketAddress peer = ChannelAttributes.peer(ctx.channel());
    if (!(peer instanceof InetSocketAddress inet) || inet.getAddress() == null
        || rules.allows(inet.getAddress())) {
      return true;
    }
    metrics.increment(refusedCounter);
    refusals.info("{} refused a connection from {}: denied by access_rules", listenerName, peer);
    return false;
  }
}
