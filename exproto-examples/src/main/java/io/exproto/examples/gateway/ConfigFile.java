package io.exproto.examples.gateway;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.exproto.gateway.Gateway;
import io.exproto.grpc.GrpcHandler;
import io.exproto.transport.tcp.TcpListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The standalone gateway's configuration file: the {@code gateway.exproto} block of a HOCON file,
 * with EMQX's key names, so an EMQX user can paste the ExProto block of their {@code emqx.conf}.
 *
 * <p>The file is a thin layer over the builders, never a second source of truth: every key maps
 * onto one method of {@link Gateway.Builder}, {@link TcpListener.Builder} or
 * {@link GrpcHandler.Builder}, and a key the file leaves out keeps that builder's default (EMQX's
 * defaults). Supported keys:
 *
 * <pre>
 * gateway.exproto {
 *   mountpoint = ""                      # Gateway.Builder.mountpoint
 *   idle_timeout = 30s                   # Gateway.Builder.idleTimeout
 *   enable_stats = true                  # accepted, no effect yet (the gateway always counts)
 *   server.bind = "0.0.0.0:9100"         # GrpcHandler.Builder.adapterBind
 *   handler {
 *     address = "http://127.0.0.1:9001"  # GrpcHandler.Builder.handlerAddress
 *     service_name = ConnectionUnaryHandler   # the only one supported yet
 *   }
 *   listeners.tcp.NAME {                 # a TcpListener named "tcp:NAME"
 *     bind = "0.0.0.0:7993"              # "port" or "host:port"
 *     max_connections = 1024000          # or infinity
 *     mountpoint = "..."                 # overrides the gateway's
 *     tcp_options { nodelay = true, backlog = 1024, recbuf = 64KB, sndbuf = 64KB }
 *   }
 * }
 * </pre>
 *
 * <p>A file without any {@code listeners.tcp} entry gets EMQX's default listener {@code tcp:default}
 * on port 7993. Durations are a number and a unit ({@code ms}, {@code s}, {@code m}, {@code h}); sizes
 * a number of bytes, optionally with {@code KB} or {@code MB} (1024-based).
 *
 * <p>Anything else is an error that names the full key path and the line, even where EMQX knows the
 * key ({@code listeners.ssl}, {@code authentication}, {@code max_conn_rate}, {@code access_rules},
 * {@code proxy_protocol}, {@code ssl_options}, ...) but this version does not support it yet: the
 * gateway refuses to start rather than silently ignore a setting. Instances are immutable.
 */
public final class ConfigFile {

  /** The path of the block this file reads; everything else in the file is an error. */
  public static final String BLOCK = "gateway.exproto";

  private static final String SUPPORTED_SERVICE = "ConnectionUnaryHandler";
  private static final String LEGACY_SERVICE = "ConnectionHandler";

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)", Pattern.CASE_INSENSITIVE);
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kb|mb)?", Pattern.CASE_INSENSITIVE);

  /** What a key (relative to the block; a listener name is {@code *}) is to this version. */
  private enum Kind { SECTION, VALUE, NOT_YET }

  private static final Map<String, Kind> SCHEMA = new LinkedHashMap<>();

  static {
    SCHEMA.put("mountpoint", Kind.VALUE);
    SCHEMA.put("idle_timeout", Kind.VALUE);
    SCHEMA.put("enable_stats", Kind.VALUE);
    SCHEMA.put("enable", Kind.NOT_YET);
    SCHEMA.put("clientinfo_override", Kind.NOT_YET);
    SCHEMA.put("authentication", Kind.NOT_YET);
    SCHEMA.put("server", Kind.SECTION);
    SCHEMA.put("server.bind", Kind.VALUE);
    SCHEMA.put("server.ssl_options", Kind.NOT_YET);
    SCHEMA.put("handler", Kind.SECTION);
    SCHEMA.put("handler.address", Kind.VALUE);
    SCHEMA.put("handler.service_name", Kind.VALUE);
    SCHEMA.put("handler.ssl_options", Kind.NOT_YET);
    SCHEMA.put("listeners", Kind.SECTION);
    SCHEMA.put("listeners.tcp", Kind.SECTION);
    SCHEMA.put("listeners.ssl", Kind.NOT_YET);
    SCHEMA.put("listeners.udp", Kind.NOT_YET);
    SCHEMA.put("listeners.dtls", Kind.NOT_YET);
    SCHEMA.put("listeners.tcp.*", Kind.SECTION);
    SCHEMA.put("listeners.tcp.*.bind", Kind.VALUE);
    SCHEMA.put("listeners.tcp.*.max_connections", Kind.VALUE);
    SCHEMA.put("listeners.tcp.*.mountpoint", Kind.VALUE);
    SCHEMA.put("listeners.tcp.*.tcp_options", Kind.SECTION);
    SCHEMA.put("listeners.tcp.*.tcp_options.nodelay", Kind.VALUE);
    SCHEMA.put("listeners.tcp.*.tcp_options.backlog", Kind.VALUE);
    SCHEMA.put("listeners.tcp.*.tcp_options.recbuf", Kind.VALUE);
    SCHEMA.put("listeners.tcp.*.tcp_options.sndbuf", Kind.VALUE);
    for (String key : List.of("send_timeout", "send_timeout_close", "active_n", "buffer",
        "high_watermark", "reuseaddr", "keepalive")) {
      SCHEMA.put("listeners.tcp.*.tcp_options." + key, Kind.NOT_YET);
    }
    for (String key : List.of("enable", "enable_authn", "acceptors", "max_conn_rate", "access_rules",
        "proxy_protocol", "proxy_protocol_timeout", "ssl_options", "zone", "limiter")) {
      SCHEMA.put("listeners.tcp.*." + key, Kind.NOT_YET);
    }
  }

  private final String source;
  private final ConfigObject block;

  private ConfigFile(String source, Config parsed) throws ConfigFileException {
    this.source = source;
    this.block = extractBlock(parsed);
    check(block, "", BLOCK);
  }

  /**
   * Reads and checks a configuration file. Every key is checked here; values are checked when they
   * are applied to a builder.
   *
   * @param file a HOCON file, not null
   * @return the configuration
   * @throws ConfigFileException when the file cannot be read, is not valid HOCON, or holds a key
   *     that is unknown or not supported yet
   */
  public static ConfigFile load(Path file) throws ConfigFileException {
    String source = file.toString();
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new ConfigFileException(source, -1, null, "cannot read the file (missing, not a file, or not readable)");
    }
    Config parsed;
    try {
      parsed = ConfigFactory.parseFile(file.toFile(), options(source)).resolve();
    } catch (ConfigException e) {
      throw fromLibrary(source, e);
    }
    return new ConfigFile(source, parsed);
  }

  /**
   * Reads and checks configuration text, as {@link #load(Path)} does for a file.
   *
   * @param hocon the HOCON text, not null
   * @param source how error messages name the text's origin, not null
   * @return the configuration
   * @throws ConfigFileException when the text is not valid HOCON or holds a key that is unknown or
   *     not supported yet
   */
  public static ConfigFile parse(String hocon, String source) throws ConfigFileException {
    Config parsed;
    try {
      parsed = ConfigFactory.parseString(hocon, options(source)).resolve();
    } catch (ConfigException e) {
      throw fromLibrary(source, e);
    }
    return new ConfigFile(source, parsed);
  }

  /**
   * Returns the configuration of a file with no {@code gateway.exproto} block: every builder keeps
   * its default, which are EMQX's.
   *
   * @return the empty configuration
   */
  public static ConfigFile defaults() {
    try {
      return new ConfigFile("(defaults)", ConfigFactory.empty());
    } catch (ConfigFileException e) {
      throw new AssertionError("an empty configuration is valid", e);
    }
  }

  /**
   * Returns where this configuration came from, as error messages name it.
   *
   * @return the file path or source description
   */
  public String source() {
    return source;
  }

  /**
   * Applies the gateway-wide keys: {@code mountpoint}, {@code idle_timeout} and
   * {@code enable_stats} (accepted and checked, no effect yet: the gateway always keeps its
   * counters).
   *
   * @param gateway the builder to configure, not null
   * @return the same builder
   * @throws ConfigFileException when a value is bad
   */
  public Gateway.Builder applyTo(Gateway.Builder gateway) throws ConfigFileException {
    Setting mountpoint = setting("mountpoint");
    if (mountpoint != null) {
      String value = mountpoint.text();
      mountpoint.apply(() -> gateway.mountpoint(value));
    }
    Setting idleTimeout = setting("idle_timeout");
    if (idleTimeout != null) {
      Duration value = idleTimeout.duration();
      idleTimeout.apply(() -> gateway.idleTimeout(value));
    }
    Setting enableStats = setting("enable_stats");
    if (enableStats != null) {
      enableStats.bool();
    }
    return gateway;
  }

  /**
   * Builds the TCP listeners of {@code listeners.tcp}, in file order, each named
   * {@code tcp:NAME}. With none in the file, returns EMQX's default listener {@code tcp:default}
   * (on port 7993, the {@link TcpListener.Builder}'s default).
   *
   * @return the listeners, not started
   * @throws ConfigFileException when a value is bad
   */
  public List<TcpListener> tcpListeners() throws ConfigFileException {
    List<TcpListener> listeners = new ArrayList<>();
    ConfigValue tcp = lookup("listeners", "tcp");
    if (tcp instanceof ConfigObject tcpObject) {
      for (Map.Entry<String, ConfigValue> entry : inFileOrder(tcpObject)) {
        listeners.add(tcpListener(entry.getKey(), entry.getValue()));
      }
    }
    if (listeners.isEmpty()) {
      listeners.add(TcpListener.builder().build());
    }
    return List.copyOf(listeners);
  }

  private TcpListener tcpListener(String name, ConfigValue section) throws ConfigFileException {
    TcpListener.Builder builder = TcpListener.builder();
    Setting listener = new Setting(BLOCK + ".listeners.tcp." + quote(name), section);
    listener.apply(() -> builder.name("tcp:" + name));
    Setting bind = setting("listeners", "tcp", name, "bind");
    if (bind != null) {
      String value = bind.bind();
      bind.apply(() -> builder.bind(value));
    }
    Setting maxConnections = setting("listeners", "tcp", name, "max_connections");
    if (maxConnections != null) {
      int value = maxConnections.positiveIntOrInfinity();
      maxConnections.apply(() -> builder.maxConnections(value));
    }
    Setting mountpoint = setting("listeners", "tcp", name, "mountpoint");
    if (mountpoint != null) {
      String value = mountpoint.text();
      mountpoint.apply(() -> builder.mountpoint(value));
    }
    Setting nodelay = setting("listeners", "tcp", name, "tcp_options", "nodelay");
    if (nodelay != null) {
      boolean value = nodelay.bool();
      nodelay.apply(() -> builder.nodelay(value));
    }
    Setting backlog = setting("listeners", "tcp", name, "tcp_options", "backlog");
    if (backlog != null) {
      int value = backlog.positiveInt();
      backlog.apply(() -> builder.backlog(value));
    }
    Setting recbuf = setting("listeners", "tcp", name, "tcp_options", "recbuf");
    if (recbuf != null) {
      int value = recbuf.size();
      recbuf.apply(() -> builder.recbuf(value));
    }
    Setting sndbuf = setting("listeners", "tcp", name, "tcp_options", "sndbuf");
    if (sndbuf != null) {
      int value = sndbuf.size();
      sndbuf.apply(() -> builder.sndbuf(value));
    }
    return listener.build(builder::build);
  }

  /**
   * Builds the gRPC binding from {@code server} (the ConnectionAdapter server the handler calls)
   * and {@code handler} (the handler service the gateway calls).
   *
   * @return the handler factory to pass to {@link Gateway.Builder#handler}
   * @throws ConfigFileException when a value is bad, or {@code handler.service_name} names a service
   *     this version does not support
   */
  public GrpcHandler grpcHandler() throws ConfigFileException {
    GrpcHandler.Builder builder = GrpcHandler.builder();
    Setting bind = setting("server", "bind");
    if (bind != null) {
      String value = bind.bind();
      bind.apply(() -> GrpcHandler.builder().adapterBind(value).build());
      builder.adapterBind(value);
    }
    Setting address = setting("handler", "address");
    if (address != null) {
      String value = address.text();
      // The builder checks addresses in build(); check this one alone so the error has its line.
      address.apply(() -> GrpcHandler.builder().handlerAddress(value).build());
      builder.handlerAddress(value);
    }
    Setting serviceName = setting("handler", "service_name");
    if (serviceName != null) {
      serviceName.serviceName();
    }
    // Every value was checked above, so this cannot fail.
    return builder.build();
  }

  // ---- reading the tree ----

  private static ConfigParseOptions options(String source) {
    return ConfigParseOptions.defaults()
        .setSyntax(ConfigSyntax.CONF)
        .setAllowMissing(false)
        .setOriginDescription(source);
  }

  private static ConfigFileException fromLibrary(String source, ConfigException e) {
    ConfigOrigin origin = e.origin();
    String message = e.getMessage();
    if (origin != null && message.startsWith(origin.description() + ": ")) {
      message = message.substring(origin.description().length() + 2);
    }
    if (e instanceof ConfigException.UnresolvedSubstitution) {
      message += " (placeholders such as ${clientid} in a mountpoint must be inside double quotes)";
    }
    return new ConfigFileException(source, origin == null ? -1 : origin.lineNumber(), null, message);
  }

  private ConfigObject extractBlock(Config parsed) throws ConfigFileException {
    ConfigObject root = parsed.root();
    for (Map.Entry<String, ConfigValue> entry : inFileOrder(root)) {
      if (!entry.getKey().equals("gateway")) {
        throw error(quote(entry.getKey()), entry.getValue(), "unknown key; this file configures only " + BLOCK);
      }
      if (!(entry.getValue() instanceof ConfigObject gateway)) {
        throw error("gateway", entry.getValue(), "must be an object holding exproto { ... }");
      }
      for (Map.Entry<String, ConfigValue> inner : inFileOrder(gateway)) {
        if (!inner.getKey().equals("exproto")) {
          throw error("gateway." + quote(inner.getKey()), inner.getValue(), "unknown key; this file configures only " + BLOCK);
        }
      }
    }
    ConfigValue block = root.get("gateway") instanceof ConfigObject gateway ? gateway.get("exproto") : null;
    if (block == null) {
      return ConfigFactory.empty().root();
    }
    if (!(block instanceof ConfigObject object)) {
      throw error(BLOCK, block, "must be an object: " + BLOCK + " { ... }");
    }
    return object;
  }

  private void check(ConfigObject object, String pattern, String path) throws ConfigFileException {
    for (Map.Entry<String, ConfigValue> entry : inFileOrder(object)) {
      String childPattern = pattern.equals("listeners.tcp") ? pattern + ".*"
          : pattern.isEmpty() ? entry.getKey() : pattern + "." + entry.getKey();
      String childPath = path + "." + quote(entry.getKey());
      ConfigValue value = entry.getValue();
      Kind kind = SCHEMA.get(childPattern);
      if (kind == null) {
        throw error(childPath, value, "unknown key; supported here: " + String.join(", ", supportedUnder(pattern)));
      }
      switch (kind) {
        case NOT_YET -> throw error(childPath, value, "not supported yet by this version of the standalone gateway;"
            + " remove it (supported here: " + String.join(", ", supportedUnder(pattern)) + ")");
        case SECTION -> {
          if (!(value instanceof ConfigObject section)) {
            throw error(childPath, value, "must be an object: " + entry.getKey() + " { ... }");
          }
          check(section, childPattern, childPath);
        }
        case VALUE -> {
          if (value.valueType() == ConfigValueType.OBJECT) {
            throw error(childPath, value, "must be a single value, not an object");
          }
        }
      }
    }
  }

  private static List<String> supportedUnder(String pattern) {
    String prefix = pattern.isEmpty() ? "" : pattern + ".";
    TreeSet<String> names = new TreeSet<>();
    for (Map.Entry<String, Kind> entry : SCHEMA.entrySet()) {
      String key = entry.getKey();
      if (key.startsWith(prefix) && key.indexOf('.', prefix.length()) < 0 && key.length() > prefix.length()
          && entry.getValue() != Kind.NOT_YET) {
        String child = key.substring(prefix.length());
        names.add(child.equals("*") ? "<listener name>" : child);
      }
    }
    return List.copyOf(names);
  }

  private static List<Map.Entry<String, ConfigValue>> inFileOrder(ConfigObject object) {
    List<Map.Entry<String, ConfigValue>> entries = new ArrayList<>(object.entrySet());
    entries.sort(Comparator.comparingInt((Map.Entry<String, ConfigValue> e) -> lineOf(e.getValue()))
        .thenComparing(Map.Entry::getKey));
    return entries;
  }

  private static int lineOf(ConfigValue value) {
    return value == null || value.origin() == null ? -1 : value.origin().lineNumber();
  }

  private static String quote(String key) {
    return key.matches("[A-Za-z0-9_-]+") ? key : "\"" + key.replace("\"", "\\\"") + "\"";
  }

  private ConfigValue lookup(String... segments) {
    ConfigValue current = block;
    for (String segment : segments) {
      if (!(current instanceof ConfigObject object)) {
        return null;
      }
      current = object.get(segment);
    }
    return current;
  }

  private Setting setting(String... segments) {
    ConfigValue value = lookup(segments);
    if (value == null) {
      return null;
    }
    StringBuilder key = new StringBuilder(BLOCK);
    for (String segment : segments) {
      key.append('.').append(quote(segment));
    }
    return new Setting(key.toString(), value);
  }

  private ConfigFileException error(String key, ConfigValue value, String problem) {
    return new ConfigFileException(source, lineOf(value), key, problem);
  }

  /** A builder call that may reject a value. */
  @FunctionalInterface
  private interface BuilderCall {
    void run();
  }

  /** One key of the file with its value: typed reads that fail with the key and the line. */
  private final class Setting {
    private final String key;
    private final ConfigValue value;

    Setting(String key, ConfigValue value) {
      this.key = key;
      this.value = value;
    }

    ConfigFileException bad(String problem) {
      return error(key, value, problem);
    }

    /** Runs a builder call; the builder's own validation error becomes this key's error. */
    void apply(BuilderCall call) throws ConfigFileException {
      try {
        call.run();
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw rejected(e);
      }
    }

    <T> T build(Supplier<T> build) throws ConfigFileException {
      try {
        return build.get();
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw rejected(e);
      }
    }

    private ConfigFileException rejected(RuntimeException e) {
      String message = e.getMessage() == null ? e.toString() : e.getMessage();
      // Builders name their field ("bind: ...", "server.bind: ..."); the error already names the key.
      String suffix = key;
      while (true) {
        if (message.startsWith(suffix + ": ")) {
          message = message.substring(suffix.length() + 2);
          break;
        }
        int dot = suffix.indexOf('.');
        if (dot < 0) {
          break;
        }
        suffix = suffix.substring(dot + 1);
      }
      return bad(message);
    }

    private String describe() {
      return switch (value.valueType()) {
        case NULL -> "null";
        case STRING -> "\"" + value.unwrapped() + "\"";
        case LIST -> "a list";
        case OBJECT -> "an object";
        default -> String.valueOf(value.unwrapped());
      };
    }

    String text() throws ConfigFileException {
      if (value.valueType() != ConfigValueType.STRING) {
        throw bad("must be a string, got " + describe());
      }
      return (String) value.unwrapped();
    }

    boolean bool() throws ConfigFileException {
      if (value.valueType() == ConfigValueType.BOOLEAN) {
        return (Boolean) value.unwrapped();
      }
      if (value.valueType() == ConfigValueType.STRING) {
        String text = ((String) value.unwrapped()).trim();
        if (text.equals("true") || text.equals("false")) {
          return Boolean.parseBoolean(text);
        }
      }
      throw bad("must be true or false, got " + describe());
    }

    Duration duration() throws ConfigFileException {
      if (value.valueType() == ConfigValueType.NUMBER) {
        throw bad("a duration needs a unit: ms, s, m or h (e.g. " + value.unwrapped() + "s), got " + describe());
      }
      if (value.valueType() != ConfigValueType.STRING) {
        throw bad("must be a duration such as 30s (units: ms, s, m, h), got " + describe());
      }
      String text = ((String) value.unwrapped()).trim();
      if (text.startsWith("-")) {
        throw bad("must not be negative, got " + describe());
      }
      Matcher m = DURATION.matcher(text);
      if (!m.matches()) {
        throw bad("must be a duration such as 30s (units: ms, s, m, h), got " + describe());
      }
      double amount = Double.parseDouble(m.group(1));
      double millis = switch (m.group(2).toLowerCase(Locale.ROOT)) {
        case "ms" -> amount;
        case "s" -> amount * 1_000;
        case "m" -> amount * 60_000;
        default -> amount * 3_600_000;
      };
      if (millis > Long.MAX_VALUE / 2) {
        throw bad("is too long, got " + describe());
      }
      return Duration.ofMillis(Math.round(millis));
    }

    int positiveInt() throws ConfigFileException {
      Object unwrapped = value.unwrapped();
      if (value.valueType() != ConfigValueType.NUMBER || !(unwrapped instanceof Integer number)) {
        throw bad("must be a whole number from 1 to " + Integer.MAX_VALUE + ", got " + describe());
      }
      if (number < 1) {
        throw bad("must be at least 1, got " + describe());
      }
      return number;
    }

    int positiveIntOrInfinity() throws ConfigFileException {
      if (value.valueType() == ConfigValueType.STRING && "infinity".equals(value.unwrapped())) {
        return Integer.MAX_VALUE;
      }
      try {
        return positiveInt();
      } catch (ConfigFileException e) {
        throw bad(e.problem() + " (or infinity)");
      }
    }

    int size() throws ConfigFileException {
      long bytes;
      if (value.valueType() == ConfigValueType.NUMBER && value.unwrapped() instanceof Integer number) {
        bytes = number;
      } else if (value.valueType() == ConfigValueType.STRING) {
        Matcher m = SIZE.matcher(((String) value.unwrapped()).trim());
        if (!m.matches() || m.group(1).length() > 10) {
          throw bad("must be a size such as 64KB (a number of bytes, or with KB or MB), got " + describe());
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        bytes = switch (unit) {
          case "kb" -> amount * 1024;
          case "mb" -> amount * 1024 * 1024;
          default -> amount;
        };
      } else {
        throw bad("must be a size such as 64KB (a number of bytes, or with KB or MB), got " + describe());
      }
      if (bytes < 1 || bytes > Integer.MAX_VALUE) {
        throw bad("must be from 1 byte to 2047MB, got " + describe());
      }
      return (int) bytes;
    }

    /** "port" or "host:port" as text; the builder that receives it checks the form. */
    String bind() throws ConfigFileException {
      if (value.valueType() == ConfigValueType.NUMBER && value.unwrapped() instanceof Integer number) {
        return number.toString();
      }
      if (value.valueType() == ConfigValueType.STRING) {
        return ((String) value.unwrapped()).trim();
      }
      throw bad("must be \"port\" or \"host:port\", got " + describe());
    }

    void serviceName() throws ConfigFileException {
      String text = text();
      if (text.equals(LEGACY_SERVICE)) {
        throw bad(LEGACY_SERVICE + " (the legacy streaming handler service) is not supported yet;"
            + " use " + SUPPORTED_SERVICE);
      }
      if (!text.equals(SUPPORTED_SERVICE)) {
        throw bad("unknown service \"" + text + "\"; use " + SUPPORTED_SERVICE);
      }
    }
  }
}
