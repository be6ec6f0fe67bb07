package io.exproto.gateway;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway's counters: what it accepted, refused and dropped. Everything the gateway drops is
 * counted here (and logged). Listeners add their own counters under their name. Thread-safe.
 */
public final class GatewayMetrics {

  /** Connections handed to the gateway by listeners. */
  public static final String CONNECTIONS_ACCEPTED = "connections.accepted";
  /** Connections refused because the gateway was stopping. */
  public static final String CONNECTIONS_REFUSED = "connections.refused";
  /** Connections closed, all reasons. */
  public static final String CONNECTIONS_CLOSED = "connections.closed";
  /** Handler callbacks that failed or missed their deadline. */
  public static final String HANDLER_ERRORS = "handler.errors";
  /** Deliveries dropped because a connection's event queue was full. */
  public static final String MESSAGES_DROPPED = "messages.dropped";
  /** Messages a hook dropped, on publish or on delivery. */
  public static final String MESSAGES_DROPPED_BY_HOOK = "messages.dropped_by_hook";
  /** Handler callbacks retried under the retry failure policy. */
  public static final String HANDLER_RETRIES = "handler.retries";
  /** Publishes and subscribes denied by authorization. */
  public static final String AUTHZ_DENIED = "authz.denied";
  /** Queued events dropped because a closing connection could not flush them in time. */
  public static final String EVENTS_DROPPED = "events.dropped";
  /** Authenticate calls denied. */
  public static final String AUTH_DENIED = "auth.denied";
  /** Messages published by connections and RawPublish. */
  public static final String MESSAGES_PUBLISHED = "messages.published";
  /** Messages delivered to connections. */
  public static final String MESSAGES_DELIVERED = "messages.delivered";
  /**
   * Deliveries dropped because the message alone is bigger than the batch byte limit
   * ({@code Gateway.Builder.maxBatchBytes}): no OnReceivedMessages could carry it.
   */
  public static final String MESSAGES_DROPPED_TOO_LARGE = "messages.dropped_too_large";
  /**
   * Broker calls that threw, completed exceptionally, returned null or did not answer within the
   * broker timeout.
   */
  public static final String BROKER_ERRORS = "broker.errors";

  private final ConcurrentHashMap<String, LongAdder> counters = new ConcurrentHashMap<>();

  /** Creates an empty set of counters. */
  public GatewayMetrics() {}

  /**
   * Adds one to a counter, creating it at zero first if needed.
   *
   * @param name the counter's name
   */
  public void increment(String name) {
    add(name, 1);
  }

  /**
   * Adds to a counter, creating it at zero first if needed.
   *
   * @param name the counter's name
   * @param delta the amount
   */
  public void add(String name, long delta) {
    counters.computeIfAbsent(name, n -> new LongAdder()).add(delta);
  }

  /**
   * Reads a counter.
   *
   * @param name the counter's name
   * @return its value, 0 for a counter never incremented
   */
  public long get(String name) {
    LongAdder adder = counters.get(name);
    return adder == null ? 0 : adder.sum();
  }

  /**
   * Reads every counter.
   *
   * @return the counters by name, sorted
   */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
