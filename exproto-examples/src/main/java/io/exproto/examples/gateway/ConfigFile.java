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
import io.exproto.handler.FailurePolicy;
import io.exproto.listener.Listener;
import io.exproto.transport.tcp.TcpListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The standalone gateway's configuration file: the {@code gateway.exproto} block of a HOCON file,
 * with EMQX's key names, so an EMQX user can paste the ExProto block of their {@code emqx.conf}.
 *
 * <p>The file is a thin layer over the builders, never a second source of truth: every key maps
 * onto one method of {@link Gateway.Builder}, of a listener builder
 * ({@link TcpListener.Builder}, {@link io.exproto.transport.ssl.SslListener.Builder},
 * {@link io.exproto.transport.udp.UdpListener.Builder}, {@link io.exproto.dtls.DtlsListener.Builder}),
 * of {@link GrpcHandler.Builder} and its TLS options, or of an authenticator's builder from
 * exproto-auth; a key the file leaves out keeps that builder's default (EMQX's defaults).
 * Supported keys:
 *
 * <pre>
 * gateway.exproto {
 *   mountpoint = ""                       # Gateway.Builder.mountpoint
 *   idle_timeout = 30s                    # Gateway.Builder.idleTimeout
 *   enable_stats = true                   # accepted, no effect (the gateway always counts)
 *   max_payload_size = 1MB                # (project key) the largest Publish/RawPublish payload:
 *                                         #   Gateway.Builder.maxPayloadBytes
 *   max_subscriptions = 100               # (project key) per connection, or infinity:
 *                                         #   Gateway.Builder.maxSubscriptions
 *   max_topic_length = 4096               # (project key) bytes of UTF-8, at most 65535:
 *                                         #   Gateway.Builder.maxTopicLength
 *   max_topic_levels = 128                # (project key) or infinity:
 *                                         #   Gateway.Builder.maxTopicLevels
 *   server {                              # the ConnectionAdapter gRPC server
 *     bind = "0.0.0.0:9100"               # GrpcHandler.Builder.adapterBind
 *     ssl_options {                       # GrpcHandler.Builder.adapterTls(ServerTlsOptions)
 *       certfile = "adapter.pem", keyfile = "adapter.key", cacertfile = "ca.pem"
 *       verify = verify_peer              # or verify_none (the default)
 *       fail_if_no_peer_cert = true
 *     }
 *   }
 *   handler {                             # the user's handler service
 *     address = "http://127.0.0.1:9001"   # GrpcHandler.Builder.handlerAddress; https:// = TLS
 *     service_name = ConnectionUnaryHandler  # or ConnectionHandler: GrpcHandler.Builder.serviceName
 *     ssl_options {                       # GrpcHandler.Builder.handlerTls(ClientTlsOptions)
 *       enable = true, certfile = "...", keyfile = "...", cacertfile = "ca.pem"
 *       verify = verify_peer, server_name_indication = "handler.internal"
 *     }
 *     failure_policy = close              # (project key) or retry: Gateway.Builder.failurePolicy
 *     retry_window = 60s                  # (project key) Gateway.Builder.retryWindow
 *     queue_size = 1000                   # (project key) events queued per connection for the
 *                                         #   handler: Gateway.Builder.queueCapacity
 *     max_batch_size = 10                 # (project key) messages per OnReceivedMessages:
 *                                         #   Gateway.Builder.maxBatchSize
 *     max_batch_bytes = 2MB               # (project key) bytes per OnReceivedMessages, at least
 *                                         #   max_payload_size + max_topic_length + 1KB:
 *                                         #   Gateway.Builder.maxBatchBytes
 *     request_timeout = 30s               # (project key) the deadline of one callback:
 *                                         #   Gateway.Builder.handlerTimeout, and the same value as
 *                                         #   GrpcHandler.Builder.callTimeout
 *   }
 *   listeners {
 *     tcp.NAME {                          # a TcpListener named "tcp:NAME"
 *       enable = true                     # false: the listener is not created
 *       bind = "0.0.0.0:7993"             # "port" or "host:port"
 *       max_connections = 1024000         # or infinity
 *       max_conn_rate = 1000              # new connections per second ("1000/s" too), or infinity
 *       access_rules = ["allow all"]      # "allow 10.0.0.0/8", "deny 192.168.1.7"; first match wins
 *       proxy_protocol = false
 *       proxy_protocol_timeout = 3s
 *       mountpoint = "..."                # overrides the gateway's
 *       tcp_options { nodelay = true, send_timeout = 15s, send_timeout_close = true,
 *                     recbuf = 64KB, sndbuf = 64KB, backlog = 1024,
 *                     high_watermark = 1MB }  # unsent bytes for a device before it is paused
 *     }
 *     ssl.NAME {                          # an SslListener: the tcp keys, plus
 *       ssl_options { certfile, keyfile, cacertfile, verify, fail_if_no_peer_cert,
 *                     versions = ["tlsv1.3", "tlsv1.2"], depth, password, handshake_timeout }
 *     }
 *     udp.NAME {                          # a UdpListener
 *       enable, bind, max_connections, max_conn_rate, access_rules, mountpoint
 *       udp_options { recbuf = 64KB, sndbuf = 64KB }
 *     }
 *     dtls.NAME {                         # a DtlsListener: the udp keys, plus
 *       dtls_options { certfile, keyfile, cacertfile, verify, fail_if_no_peer_cert,
 *                      ciphers = ["TLS_PSK_WITH_AES_128_CCM_8"]     # IANA names (Scandium's)
 *                      psk = [{identity = "dev-1", secret = "..."}] # (project key) pre-shared keys
 *                    }
 *     }
 *   }
 *   authentication = [                    # optional: one object or a chain (a list), tried in order
 *     { mechanism = password_based, backend = http,          # HttpAuthenticator
 *       method = post, url = "http://127.0.0.1:8080/auth",
 *       headers { "content-type" = "application/json" },
 *       body { username = "${username}", password = "${password}", clientid = "${clientid}" },
 *       request_timeout = 5s }
 *     { mechanism = password_based, backend = built_in_database,  # UserStoreAuthenticator
 *       user_id_type = username,                                # or clientid
 *       users = [{user_id = "alice", password = "...", is_superuser = false}] }  # (project key)
 *     { mechanism = jwt, use_jwks = false,                      # JwtAuthenticator
 *       algorithm = hmac-based, secret = "...", secret_base64_encoded = false
 *       # or: algorithm = public-key, public_key = "-----BEGIN PUBLIC KEY-----..." (or a PEM file path)
 *       # or: use_jwks = true, endpoint = "https://issuer.example/jwks", refresh_interval = 300,
 *       #     ssl { cacertfile = "issuer-ca.pem" }             # the keys of a JWKS endpoint
 *       from = password,                                        # or username: where the token is
 *       verify_claims { clientid = "${clientid}" } }
 *   ]
 *   authorization {                       # (project key) a RuleAuthorizer (Gateway.Builder.authorizer)
 *     no_match = allow                    # or deny: Gateway.Builder.authorizationDefault
 *     rules = [{permission = deny, action = publish, topic = "secret/#"}]  # RuleAuthorizer.Builder
 *   }                                     #   allow/deny; action: publish, subscribe or all (the
 * }                                       #   default); the first matching rule decides
 * </pre>
 *
 * <p>Every authenticator also takes {@code enable = false} (it is then left out of the chain). A
 * file without any listener gets EMQX's default listener {@code tcp:default} on port 7993.
 * Durations are a number and a unit ({@code ms}, {@code s}, {@code m}, {@code h}); sizes a number of
 * bytes, optionally with {@code KB} or {@code MB} (1024-based). Relative file paths
 * ({@code certfile}, ...) are resolved against the directory of the configuration file. Values may
 * come from the environment with HOCON substitutions outside quotes, e.g.
 * {@code secret = ${JWT_SECRET}}.
 *
 * <p>Anything else is an error that names the full key path and the line, even where EMQX knows the
 * key ({@code acceptors}, {@code ciphers} of an ssl listener, {@code password_hash_algorithm}, ...)
 * but this version does not support it: the gateway refuses to start rather than silently ignore
 * a setting. Elements of a list are named by their position from 1, as EMQX does
 * ({@code gateway.exproto.authentication.2.url}). Secret values (key passwords, user passwords,
 * JWT secrets, PSK secrets, HTTP header values) are never shown in an error.
 *
 * <p>Instances are immutable; every call builds fresh builders, so a listener can be built again
 * for a restart.
 */
public final class ConfigFile {

  /** The path of the block this file reads; everything else in the file is an error. */
  public static final String BLOCK = "gateway.exproto";

  /** The listener types, in the order {@link #listeners()} lists them when lines tie. */
  static final List<String> LISTENER_TYPES = List.of("tcp", "ssl", "udp", "dtls");

  /** A syntax error on a line with one of these words may quote a secret: quoted text is withheld. */
  private static final Pattern SECRET_LINE = Pattern.compile("(?i)password|secret|psk|authorization|token");
  private static final Pattern QUOTED = Pattern.compile("'[^']*'|\"[^\"]*\"");

  private final Setting.Origin origin;
  private final Setting root;

  private ConfigFile(Setting.Origin origin, Config parsed) throws ConfigFileException {
    this.origin = origin;
    this.root = new Setting(origin, BLOCK, "", extractBlock(parsed));
    check(root);
  }

  /**
   * Reads and checks a configuration file. Every key is checked here; values are checked when they
   * are applied to a builder. Relative file paths in the file are resolved against its directory.
   *
   * @param file a HOCON file, not null
   * @return the configuration
   * @throws ConfigFileException when the file cannot be read, is not valid HOCON, or holds a key
   *     that is unknown or not supported
   */
  public static ConfigFile load(Path file) throws ConfigFileException {
    Objects.requireNonNull(file, "file");
    String source = file.toString();
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new ConfigFileException(source, -1, null, "cannot read the file (missing, not a file, or not readable)");
    }
    Config parsed;
    try {
      parsed = ConfigFactory.parseFile(file.toFile(), options(source)).resolve();
    } catch (ConfigException e) {
      String text;
      try {
        text = Files.readString(file);
      } catch (IOException | RuntimeException unreadable) {
        text = null;
      }
      throw fromLibrary(source, e, text);
    }
    Path directory = file.toAbsolutePath().getParent();
    return new ConfigFile(new Setting.Origin(source, directory), parsed);
  }

  /**
   * Reads and checks configuration text, as {@link #load(Path)} does for a file. Relative file
   * paths stay relative to the working directory.
   *
   * @param hocon the HOCON text, not null
   * @param source how error messages name the text's origin, not null
   * @return the configuration
   * @throws ConfigFileException when the text is not valid HOCON or holds a key that is unknown or
   *     not supported
   */
  public static ConfigFile parse(String hocon, String source) throws ConfigFileException {
    Objects.requireNonNull(hocon, "hocon");
    Objects.requireNonNull(source, "source");
    Config parsed;
    try {
      parsed = ConfigFactory.parseString(hocon, options(source)).resolve();
    } catch (ConfigException e) {
      throw fromLibrary(source, e, hocon);
    }
    return new ConfigFile(new Setting.Origin(source, null), parsed);
  }

  /**
   * Returns the configuration of a file with no {@code gateway.exproto} block: every builder keeps
   * its default, which are EMQX's.
   *
   * @return the empty configuration
   */
  public static ConfigFile defaults() {
    try {
      return new ConfigFile(new Setting.Origin("(defaults)", null), ConfigFactory.empty());
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
    return origin.source();
  }

  /**
   * Applies the gateway-wide keys: {@code mountpoint}, {@code idle_timeout}, {@code enable_stats}
   * (accepted and checked, no effect: the gateway always keeps its counters),
   * {@code handler.failure_policy}, {@code handler.retry_window}, {@code handler.request_timeout},
   * {@code handler.queue_size}, {@code handler.max_batch_size}, {@code handler.max_batch_bytes},
   * {@code max_payload_size}, {@code max_subscriptions}, {@code max_topic_length},
   * {@code max_topic_levels}, {@code authentication} (each
   * authenticator appended to the chain, in file order) and {@code authorization}. Users of a {@code built_in_database} authenticator are hashed here
   * (deliberately slow: PBKDF2).
   *
   * @param gateway the builder to configure, not null
   * @return the same builder
   * @throws ConfigFileException when a value is bad
   */
  public Gateway.Builder applyTo(Gateway.Builder gateway) throws ConfigFileException {
    Objects.requireNonNull(gateway, "gateway");
    Setting mountpoint = root.applyAt(Setting::text, gateway::mountpoint, "mountpoint");
    root.applyAt(Setting::duration, gateway::idleTimeout, "idle_timeout");
    Setting enableStats = root.at("enable_stats");
    if (enableStats != null) {
      enableStats.bool();
    }
    Setting failurePolicy = root.at("handler", "failure_policy");
    if (failurePolicy != null) {
      FailurePolicy value = failurePolicy.choice("close", "retry").equals("retry")
          ? FailurePolicy.RETRY : FailurePolicy.CLOSE;
      failurePolicy.apply(() -> gateway.failurePolicy(value));
    }
    root.applyAt(Setting::positiveDuration, gateway::retryWindow, "handler", "retry_window");
    root.applyAt(Setting::positiveDuration, gateway::handlerTimeout, "handler", "request_timeout");
    root.applyAt(s -> s.intAtLeast(2), gateway::queueCapacity, "handler", "queue_size");
    root.applyAt(Setting::positiveInt, gateway::maxBatchSize, "handler", "max_batch_size");
    Setting maxBatchBytes =
        root.applyAt(Setting::size, gateway::maxBatchBytes, "handler", "max_batch_bytes");
    Setting maxPayload = root.applyAt(Setting::size, gateway::maxPayloadBytes, "max_payload_size");
    root.applyAt(Setting::positiveIntOrInfinity, gateway::maxSubscriptions, "max_subscriptions");
    Setting maxTopicLength =
        root.applyAt(Setting::positiveInt, gateway::maxTopicLength, "max_topic_length");
    root.applyAt(Setting::positiveIntOrInfinity, gateway::maxTopicLevels, "max_topic_levels");
    // Batches must hold the largest message the other keys let through; the error goes to the
    // key that sets the batch size, else to the one that made messages bigger.
    Map<String, Setting> batchBlame = new LinkedHashMap<>();
    batchBlame.put("maxBatchBytes", maxBatchBytes != null ? maxBatchBytes
        : maxPayload != null ? maxPayload : maxTopicLength);
    root.build(gateway::checkLimits, batchBlame);
    SecuritySettings.applyAuthentication(root.at("authentication"), gateway);
    SecuritySettings.applyAuthorization(root.at("authorization"), gateway);
    return gateway;
  }

  /**
   * Builds the device listeners of {@code listeners}, in file order, each named
   * {@code TYPE:NAME} ({@code tcp:default}, {@code ssl:secure}, ...); listeners with
   * {@code enable = false} are left out. With none in the file, returns EMQX's default listener
   * {@code tcp:default} (on port 7993, the {@link TcpListener.Builder}'s default). Every call builds
   * new, unstarted listeners.
   *
   * @return the listeners, not started
   * @throws ConfigFileException when a value is bad or a certificate file cannot be used
   */
  public List<Listener> listeners() throws ConfigFileException {
    List<Listener> listeners = new ArrayList<>();
    for (Setting section : listenerSections()) {
      Listener listener = ListenerSettings.build(section);
      if (listener != null) {
        listeners.add(listener);
      }
    }
    if (listeners.isEmpty() && listenerSections().isEmpty()) {
      listeners.add(TcpListener.builder().build());
    }
    return List.copyOf(listeners);
  }

  /**
   * Builds one listener again, for a restart.
   *
   * @param name the listener's name, e.g. {@code tcp:default}
   * @return the listener, not started
   * @throws ConfigFileException when a value is bad
   * @throws IllegalArgumentException when the file has no enabled listener of that name
   */
  Listener listener(String name) throws ConfigFileException {
    for (Setting section : listenerSections()) {
      if (ListenerSettings.name(section).equals(name)) {
        Listener listener = ListenerSettings.build(section);
        if (listener != null) {
          return listener;
        }
      }
    }
    if (listenerSections().isEmpty() && name.equals("tcp:default")) {
      return TcpListener.builder().build();
    }
    throw new IllegalArgumentException("no enabled listener named " + name);
  }

  /**
   * Returns, for every enabled listener, what identifies its settings: two configurations with
   * equal fingerprints for a name build equal listeners. The fingerprint holds the listener's keys
   * and the content of the files it reads (so a renewed certificate counts as a change).
   *
   * @return listener name to fingerprint, in file order
   * @throws ConfigFileException when {@code enable} is bad
   */
  Map<String, Object> listenerFingerprints() throws ConfigFileException {
    Map<String, Object> fingerprints = new LinkedHashMap<>();
    for (Setting section : listenerSections()) {
      if (ListenerSettings.enabled(section)) {
        fingerprints.put(ListenerSettings.name(section), ListenerSettings.fingerprint(section));
      }
    }
    if (listenerSections().isEmpty()) {
      fingerprints.put("tcp:default", Map.of());
    }
    return fingerprints;
  }

  /**
   * Lists the gateway-wide keys (everything outside {@code listeners}) whose values differ between
   * this configuration and another: those a running gateway cannot take without a restart.
   *
   * @param other the other configuration, not null
   * @return the full key paths, sorted; never values
   */
  List<String> gatewayWideChanges(ConfigFile other) {
    Map<String, Object> mine = new TreeMap<>();
    Map<String, Object> theirs = new TreeMap<>();
    flatten(root, mine);
    flatten(other.root, theirs);
    java.util.TreeSet<String> keys = new java.util.TreeSet<>(mine.keySet());
    keys.addAll(theirs.keySet());
    List<String> changed = new ArrayList<>();
    for (String key : keys) {
      if (!Objects.equals(mine.get(key), theirs.get(key))) {
        changed.add(key);
      }
    }
    return changed;
  }

  private static void flatten(Setting setting, Map<String, Object> into) {
    if (setting.isObject() && !isMapKind(setting)) {
      for (Setting child : setting.children()) {
        if (!child.key().equals(BLOCK + ".listeners")) {
          flatten(child, into);
        }
      }
    } else {
      into.put(setting.key(), setting.value().unwrapped());
    }
  }

  private static boolean isMapKind(Setting setting) {
    ConfigSchema.Entry entry = ConfigSchema.entry(setting.pattern());
    return entry != null && entry.kind() == ConfigSchema.Kind.MAP;
  }

  /** Returns the listener sections of every type, in file order. */
  private List<Setting> listenerSections() {
    List<Setting> sections = new ArrayList<>();
    for (String type : LISTENER_TYPES) {
      Setting ofType = root.at("listeners", type);
      if (ofType != null) {
        sections.addAll(ofType.children());
      }
    }
    sections.sort(Comparator.comparingInt(Setting::line));
    return sections;
  }

  /**
   * Builds the gRPC binding from {@code server} (the ConnectionAdapter server the handler calls)
   * and {@code handler} (the handler service the gateway calls): {@code server.bind},
   * {@code server.ssl_options}, {@code handler.address}, {@code handler.service_name},
   * {@code handler.ssl_options} and {@code handler.request_timeout} (as the call deadline).
   * TLS files are read when the gateway starts.
   *
   * @return the handler factory to pass to {@link Gateway.Builder#handler}
   * @throws ConfigFileException when a value is bad
   */
  public GrpcHandler grpcHandler() throws ConfigFileException {
    return HandlerSettings.build(root);
  }

  // ---- reading the tree ----

  private static ConfigParseOptions options(String source) {
    return ConfigParseOptions.defaults()
        .setSyntax(ConfigSyntax.CONF)
        .setAllowMissing(false)
        .setOriginDescription(source);
  }

  private static ConfigFileException fromLibrary(String source, ConfigException e, String text) {
    ConfigOrigin origin = e.origin();
    int line = origin == null ? -1 : origin.lineNumber();
    String message = String.valueOf(e.getMessage());
    if (origin != null && message.startsWith(origin.description() + ": ")) {
      message = message.substring(origin.description().length() + 2);
    }
    if (e instanceof ConfigException.UnresolvedSubstitution) {
      message += " (placeholders such as ${clientid} in a mountpoint must be inside double quotes)";
    }
    if (mayQuoteSecret(text, line)) {
      message = QUOTED.matcher(message).replaceAll("'(withheld: this line may hold a secret)'");
    }
    return new ConfigFileException(source, line, null, message);
  }

  private static boolean mayQuoteSecret(String text, int line) {
    if (text == null || line < 1) {
      return true;
    }
    String[] lines = text.split("\\R", -1);
    if (line > lines.length) {
      return true;
    }
    return SECRET_LINE.matcher(lines[line - 1]).find();
  }

  private ConfigValue extractBlock(Config parsed) throws ConfigFileException {
    ConfigObject top = parsed.root();
    for (Setting setting : new Setting(origin, "", "", top).children()) {
      if (!setting.name().equals("gateway")) {
        throw setting.bad("unknown key; this file configures only " + BLOCK);
      }
      if (!setting.isObject()) {
        throw setting.bad("must be an object holding exproto { ... }");
      }
      for (Setting inner : setting.children()) {
        if (!inner.name().equals("exproto")) {
          throw inner.bad("unknown key; this file configures only " + BLOCK);
        }
      }
    }
    ConfigValue block = top.get("gateway") instanceof ConfigObject gateway ? gateway.get("exproto") : null;
    if (block == null) {
      return ConfigFactory.empty().root();
    }
    if (!(block instanceof ConfigObject)) {
      throw new Setting(origin, BLOCK, "", block).bad("must be an object: " + BLOCK + " { ... }");
    }
    return block;
  }

  /** Checks every key against the schema, depth first in file order. */
  private static void check(Setting object) throws ConfigFileException {
    for (Setting child : object.children()) {
      ConfigSchema.Entry entry = ConfigSchema.entry(child.pattern());
      String supported = String.join(", ", ConfigSchema.supportedUnder(object.pattern()));
      if (entry == null) {
        throw child.bad("unknown key; supported here: " + supported);
      }
      switch (entry.kind()) {
        case NOT_SUPPORTED -> throw child.bad(entry.note() != null ? entry.note()
            : "not supported yet by this version of the standalone gateway; remove it (supported here: "
                + supported + ")");
        case SECTION -> {
          requireObject(child);
          check(child);
        }
        case VALUE -> {
          if (child.value().valueType() == ConfigValueType.OBJECT) {
            throw child.bad("must be a single value, not an object");
          }
        }
        case MAP -> {
          requireObject(child);
          for (Setting value : child.children()) {
            ConfigValueType type = value.value().valueType();
            if (type == ConfigValueType.OBJECT || type == ConfigValueType.LIST) {
              throw value.bad("must be a single value, got " + value.describe());
            }
          }
        }
        case OBJECT_LIST -> {
          if (!child.isList()) {
            throw child.bad("must be a list of objects: [{...}, {...}], got " + child.describe());
          }
          checkElements(child);
        }
        case OBJECT_OR_LIST -> {
          if (child.isList()) {
            checkElements(child);
          } else if (child.isObject()) {
            check(child);
          } else {
            throw child.bad("must be an object {...} or a list of objects [{...}, {...}], got " + child.describe());
          }
        }
      }
    }
  }

  private static void checkElements(Setting list) throws ConfigFileException {
    for (Setting element : list.elements()) {
      if (!element.isObject()) {
        throw element.bad("must be an object {...}, got " + element.describe());
      }
      check(element);
    }
  }

  private static void requireObject(Setting setting) throws ConfigFileException {
    if (!setting.isObject()) {
      throw setting.bad("must be an object: " + setting.name() + " { ... }");
    }
  }
}
