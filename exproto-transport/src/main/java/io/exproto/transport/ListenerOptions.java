package io.exproto.transport;

import io.exproto.transport.policy.AccessRules;
import io.exproto.transport.policy.ConnectionRateLimiter;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.LongSupplier;

/**
 * The settings every device listener has (EMQX's common listener keys), as validated by a
 * {@link ListenerBuilder}. Immutable.
 *
 * @param name the listener's name, unique within a gateway, e.g. {@code tcp:default}
 * @param bind the address to bind; port 0 lets the system choose
 * @param maxConnections {@code max_connections}: the most connections (UDP: peers) open at once
 * @param maxConnRate {@code max_conn_rate}: new connections (UDP: new peers) per second, empty for
 *     no limit
 * @param accessRules {@code access_rules}: which client addresses may connect
 * @param mountpoint the listener's mountpoint template, empty to use the gateway's
 * @param recbuf SO_RCVBUF in bytes, empty for the system's
 * @param sndbuf SO_SNDBUF in bytes, empty for the system's
 * @param nanoClock the monotonic clock {@code max_conn_rate} measures time with
 */
public record ListenerOptions(
    String name,
    InetSocketAddress bind,
    int maxConnections,
    OptionalInt maxConnRate,
    AccessRules accessRules,
    Optional<String> mountpoint,
    OptionalInt recbuf,
    OptionalInt sndbuf,
    LongSupplier nanoClock) {

  /**
   * Checks that no field is null and the numbers are in range.
   *
   * @param name not empty
   * @param bind not null
   * @param maxConnections at least 1
   * @param maxConnRate not null; when present at least 1
   * @param accessRules not null
   * @param mountpoint not null
   * @param recbuf not null; when present at least 1
   * @param sndbuf not null; when present at least 1
   * @param nanoClock not null
   */
  public ListenerOptions {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(maxConnRate, "maxConnRate");
    Objects.requireNonNull(accessRules, "accessRules");
    Objects.requireNonNull(mountpoint, "mountpoint");
    Objects.requireNonNull(recbuf, "recbuf");
    Objects.requireNonNull(sndbuf, "sndbuf");
    Objects.requireNonNull(nanoClock, "nanoClock");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("name must not be empty");
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections (max_connections) must be at least 1, got " + maxConnections);
    }
    if (maxConnRate.isPresent() && maxConnRate.getAsInt() < 1) {
      throw new IllegalArgumentException("maxConnRate (max_conn_rate) must be at least 1, got " + maxConnRate.getAsInt());
    }
  }

  /**
   * Creates the rate limiter these options ask for: a fresh one, so each listener start counts
   * from a full bucket.
   *
   * @return the limiter, or empty when {@code max_conn_rate} is not set
   */
  public Optional<ConnectionRateLimiter> newRateLimiter() {
    if (maxConnRate.isEmpty()) {
      return Optional.empty();
    }
    int rate = maxConnRate.getAsInt();
    return Optional.of(new ConnectionRateLimiter(rate, rate, nanoClock));
  }

  /**
   * Formats the bind address as {@code host:port} or {@code [ipv6]:port}.
   *
   * @param address the address, not null
   * @return the text
   */
  public static String describe(InetSocketAddress address) {
    String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + address.getPort() : host + ":" + address.getPort();
  }
}
