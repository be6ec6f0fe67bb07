package io.exproto.transport;

import io.exproto.transport.policy.AccessRules;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.LongSupplier;

/**
 * The settings every device listener's builder has, in EMQX's terms: name, {@code bind},
 * {@code max_connections}, {@code max_conn_rate}, {@code access_rules}, {@code mountpoint} and the
 * socket buffer sizes. Each setter validates at once and the message names the setting (the
 * builder method and, where they differ, EMQX's key). Not thread-safe.
 *
 * <p>Transports extend it with their own settings; {@code B} is the concrete builder, so chained
 * calls keep its type:
 *
 * <pre>{@code
 * TcpListener.builder().bind("0.0.0.0:7993").maxConnRate(1000).accessRules(List.of("deny all")).build();
 * }</pre>
 *
 * @param <B> the concrete builder type
 */
public abstract class ListenerBuilder<B extends ListenerBuilder<B>> {

  private String name;
  private InetSocketAddress bindAddress;
  private int maxConnections = 1_024_000;
  private OptionalInt maxConnRate = OptionalInt.empty();
  private AccessRules accessRules = AccessRules.allowAll();
  private String mountpoint;
  private OptionalInt recbuf = OptionalInt.empty();
  private OptionalInt sndbuf = OptionalInt.empty();
  private LongSupplier nanoClock = System::nanoTime;

  /**
   * Starts a builder with a transport's defaults.
   *
   * @param defaultName the name used unless {@link #name} is called, e.g. {@code tcp:default}
   * @param defaultBind the address used unless {@link #bind(String)} is called, in {@code bind} syntax
   */
  protected ListenerBuilder(String defaultName, String defaultBind) {
    this.name = Objects.requireNonNull(defaultName, "defaultName");
    this.bindAddress = parseBind(defaultBind);
  }

  /**
   * Returns this builder as its concrete type.
   *
   * @return {@code this}
   */
  protected abstract B self();

  /**
   * Sets the listener's name, unique within a gateway; it prefixes the listener's counters and
   * appears in ConnInfo.
   *
   * @param name not empty
   * @return this builder
   */
  public B name(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("name must not be empty");
    }
    this.name = name;
    return self();
  }

  /**
   * Sets the address to bind, in EMQX's {@code bind} syntax: {@code "7993"} (every interface),
   * {@code "127.0.0.1:7993"}, {@code "[::1]:7993"}, or a host name. Port 0 lets the system
   * choose (the listener's {@code localAddress()} then tells the port).
   *
   * @param bind the address, not null
   * @return this builder
   * @throws IllegalArgumentException when the text is not a valid address or the host does not
   *     resolve; the message starts with {@code bind}
   */
  public B bind(String bind) {
    this.bindAddress = parseBind(bind);
    return self();
  }

  /**
   * Binds every interface on the given port.
   *
   * @param port 0..65535; 0 lets the system choose
   * @return this builder
   * @throws IllegalArgumentException when the port is out of range
   */
  public B bind(int port) {
    checkPort(port, String.valueOf(port));
    this.bindAddress = parseBind("0.0.0.0:" + port);
    return self();
  }

  /**
   * Sets the address to bind.
   *
   * @param address a resolved address, not null
   * @return this builder
   * @throws IllegalArgumentException when the address is unresolved
   */
  public B bind(InetSocketAddress address) {
    Objects.requireNonNull(address, "bind");
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("bind: host '" + address.getHostString() + "' is unresolved");
    }
    this.bindAddress = address;
    return self();
  }

  /**
   * Sets the most connections open at once on this listener (for UDP: peers); one beyond it is
   * refused before the gateway sees it and counted as {@code <name>.refused.max_connections}.
   * Default 1024000.
   *
   * @param maxConnections at least 1
   * @return this builder
   */
  public B maxConnections(int maxConnections) {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections (max_connections) must be at least 1, got " + maxConnections);
    }
    this.maxConnections = maxConnections;
    return self();
  }

  /**
   * Sets the most new connections (for UDP: new peers) admitted per second; excess ones are
   * refused at once, not queued, and counted as {@code <name>.refused.max_conn_rate}. Up to one
   * second's worth may arrive at once. Default: no limit (EMQX's {@code infinity}).
   *
   * @param perSecond at least 1
   * @return this builder
   */
  public B maxConnRate(int perSecond) {
    if (perSecond < 1) {
      throw new IllegalArgumentException("maxConnRate (max_conn_rate) must be at least 1 per second, got " + perSecond);
    }
    this.maxConnRate = OptionalInt.of(perSecond);
    return self();
  }

  /**
   * Sets the access rules, e.g. {@code ["allow 10.0.0.0/8", "deny all"]}: the first rule that
   * matches the client's address decides, and an address no rule matches is allowed (see
   * {@link AccessRules}). A refused client never reaches the gateway; it is counted as
   * {@code <name>.refused.access_rules}. With the PROXY protocol, the rules see the original
   * client's address. Default: allow all.
   *
   * @param rules the rules in EMQX's syntax, not null
   * @return this builder
   * @throws IllegalArgumentException when a rule is malformed; the message starts with
   *     {@code access_rules} and quotes the rule
   */
  public B accessRules(List<String> rules) {
    this.accessRules = AccessRules.parse(rules);
    return self();
  }

  /**
   * Sets this listener's mountpoint template, overriding the gateway's (an empty string means
   * no mountpoint for this listener). Default: none, the gateway's applies.
   *
   * @param mountpoint the template, not null
   * @return this builder
   */
  public B mountpoint(String mountpoint) {
    this.mountpoint = Objects.requireNonNull(mountpoint, "mountpoint");
    return self();
  }

  /**
   * Sets SO_RCVBUF of the listener's sockets, in bytes. Default: the operating system's.
   *
   * @param bytes at least 1
   * @return this builder
   */
  public B recbuf(int bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("recbuf must be at least 1 byte, got " + bytes);
    }
    this.recbuf = OptionalInt.of(bytes);
    return self();
  }

  /**
   * Sets SO_SNDBUF of the listener's sockets, in bytes. Default: the operating system's.
   *
   * @param bytes at least 1
   * @return this builder
   */
  public B sndbuf(int bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("sndbuf must be at least 1 byte, got " + bytes);
    }
    this.sndbuf = OptionalInt.of(bytes);
    return self();
  }

  /**
   * Sets the monotonic clock, in nanoseconds, that {@code max_conn_rate} measures time with.
   * Default {@code System::nanoTime}; tests pass a fake clock to move time by hand.
   *
   * @param nanoTime the clock, not null
   * @return this builder
   */
  public B nanoClock(LongSupplier nanoTime) {
    this.nanoClock = Objects.requireNonNull(nanoTime, "nanoClock");
    return self();
  }

  /**
   * Returns the settings made so far, for the concrete builder's {@code build()}.
   *
   * @return the common settings
   */
  protected ListenerOptions listenerOptions() {
    return new ListenerOptions(name, bindAddress, maxConnections, maxConnRate, accessRules,
        Optional.ofNullable(mountpoint), recbuf, sndbuf, nanoClock);
  }

  /**
   * Parses EMQX's {@code bind} syntax: {@code port}, {@code host:port} or {@code [ipv6]:port}.
   *
   * @param bind the text
   * @return the address, resolved
   * @throws IllegalArgumentException when the text is not valid or the host does not resolve; the
   *     message starts with {@code bind}
   */
  public static InetSocketAddress parseBind(String bind) {
    if (bind == null || bind.isBlank()) {
      throw new IllegalArgumentException("bind must not be empty; use \"port\" or \"host:port\"");
    }
    String text = bind.trim();
    String host;
    String port;
    if (text.startsWith("[")) {
      int end = text.indexOf(']');
      if (end < 0 || end + 1 >= text.length() || text.charAt(end + 1) != ':') {
        throw new IllegalArgumentException("bind: '" + bind + "' is not \"[ipv6]:port\"");
      }
      host = text.substring(1, end);
      port = text.substring(end + 2);
    } else {
      int colon = text.lastIndexOf(':');
      if (colon < 0) {
        host = "0.0.0.0";
        port = text;
      } else if (text.indexOf(':') != colon) {
        throw new IllegalArgumentException("bind: '" + bind + "' has an IPv6 address without"
            + " brackets; write it as \"[ipv6]:port\"");
      } else {
        host = text.substring(0, colon);
        port = text.substring(colon + 1);
      }
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException("bind: '" + bind + "' has no host before the ':'");
    }
    int number;
    try {
      number = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bind: '" + bind + "' has no valid port; use \"port\" or"
          + " \"host:port\"");
    }
    checkPort(number, bind);
    InetSocketAddress address = new InetSocketAddress(host, number);
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("bind: host '" + host + "' does not resolve");
    }
    return address;
  }

  private static void checkPort(int port, String bind) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("bind: port must be 0..65535, got '" + bind + "'");
    }
  }
}
