package io.exproto.examples.gateway;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every key the configuration file may hold, as patterns relative to {@code gateway.exproto}: a
 * name chosen by the user (a listener name, a header name, a claim) is {@code *}, and the elements
 * of a list of objects share the list's pattern (the keys of each {@code authentication} element
 * are {@code authentication.url}, {@code authentication.secret}, ...). Keys EMQX knows but this
 * version does not support are listed too, so that the error says so instead of "unknown key".
 */
final class ConfigSchema {

  /** What a key is. */
  enum Kind {
    /** An object whose keys are in the schema. */
    SECTION,
    /** A single value, or a list of values (checked when read). */
    VALUE,
    /** An object of user-chosen names to single values ({@code headers}, {@code body}). */
    MAP,
    /** A list of objects whose keys are in the schema. */
    OBJECT_LIST,
    /** An object, or a list of objects (an authenticator chain). */
    OBJECT_OR_LIST,
    /** A key EMQX knows that this version refuses; the note says why or what to do. */
    NOT_SUPPORTED
  }

  /**
   * One key.
   *
   * @param kind what it is
   * @param note for {@link Kind#NOT_SUPPORTED}: the reason given to the user, or null for the
   *     general "not supported yet"
   */
  record Entry(Kind kind, String note) {}

  private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

  /** The last segments of keys whose values are secrets: never echoed in an error or a log. */
  private static final Set<String> SECRET_PATTERNS = Set.of(
      "listeners.ssl.*.ssl_options.password",
      "listeners.dtls.*.dtls_options.psk.secret",
      "authentication.secret",
      "authentication.headers.*",
      "authentication.users.password");

  static {
    value("mountpoint");
    value("idle_timeout");
    value("enable_stats");
    value("max_payload_size");
    value("max_subscriptions");
    value("max_topic_length");
    value("max_topic_levels");
    notSupported("enable", null);
    notSupported("clientinfo_override", null);

    section("server");
    value("server.bind");
    section("server.ssl_options");
    for (String key : List.of("certfile", "keyfile", "cacertfile", "verify", "fail_if_no_peer_cert")) {
      value("server.ssl_options." + key);
    }
    for (String key : List.of("password", "versions", "ciphers", "depth", "enable")) {
      notSupported("server.ssl_options." + key, null);
    }

    section("handler");
    value("handler.address");
    value("handler.service_name");
    value("handler.failure_policy");
    value("handler.retry_window");
    value("handler.request_timeout");
    value("handler.queue_size");
    value("handler.max_batch_size");
    value("handler.max_batch_bytes");
    section("handler.ssl_options");
    for (String key : List.of("enable", "certfile", "keyfile", "cacertfile", "verify", "server_name_indication")) {
      value("handler.ssl_options." + key);
    }
    for (String key : List.of("password", "versions", "ciphers", "depth")) {
      notSupported("handler.ssl_options." + key, null);
    }

    section("listeners");
    for (String type : ConfigFile.LISTENER_TYPES) {
      section("listeners." + type);
      String listener = "listeners." + type + ".*";
      section(listener);
      for (String key : List.of("enable", "bind", "max_connections", "max_conn_rate", "access_rules", "mountpoint")) {
        value(listener + "." + key);
      }
      for (String key : List.of("enable_authn", "acceptors", "zone", "limiter")) {
        notSupported(listener + "." + key, null);
      }
      boolean stream = type.equals("tcp") || type.equals("ssl");
      if (stream) {
        value(listener + ".proxy_protocol");
        value(listener + ".proxy_protocol_timeout");
        section(listener + ".tcp_options");
        for (String key : List.of("nodelay", "send_timeout", "send_timeout_close", "recbuf", "sndbuf", "backlog",
            "high_watermark")) {
          value(listener + ".tcp_options." + key);
        }
        for (String key : List.of("active_n", "buffer", "reuseaddr", "keepalive")) {
          notSupported(listener + ".tcp_options." + key, null);
        }
        notSupported(listener + ".udp_options", "is for udp and dtls listeners; use tcp_options");
      } else {
        section(listener + ".udp_options");
        value(listener + ".udp_options.recbuf");
        value(listener + ".udp_options.sndbuf");
        for (String key : List.of("active_n", "buffer", "reuseaddr")) {
          notSupported(listener + ".udp_options." + key, null);
        }
        notSupported(listener + ".tcp_options", "is for tcp and ssl listeners; use udp_options");
        notSupported(listener + ".proxy_protocol", "is for tcp and ssl listeners only");
        notSupported(listener + ".proxy_protocol_timeout", "is for tcp and ssl listeners only");
      }
    }
    String ssl = "listeners.ssl.*.ssl_options";
    section(ssl);
    for (String key : List.of("certfile", "keyfile", "cacertfile", "verify", "fail_if_no_peer_cert", "versions",
        "depth", "password", "handshake_timeout")) {
      value(ssl + "." + key);
    }
    for (String key : List.of("ciphers", "secure_renegotiate", "reuse_sessions", "honor_cipher_order",
        "client_renegotiation", "dhfile", "enable_crl_check", "enable_ocsp", "ocsp", "log_level",
        "hibernate_after", "partial_chain", "verify_peer_ext_key_usage", "gc_after_handshake",
        "user_lookup_fun", "server_name_indication")) {
      notSupported(ssl + "." + key, null);
    }
    notSupported("listeners.tcp.*.ssl_options", "is for ssl listeners; a tcp listener has no TLS");
    notSupported("listeners.udp.*.dtls_options", "is for dtls listeners; a udp listener has no DTLS");
    notSupported("listeners.ssl.*.dtls_options", "is for dtls listeners; use ssl_options");
    notSupported("listeners.dtls.*.ssl_options", "is for ssl listeners; use dtls_options");
    String dtls = "listeners.dtls.*.dtls_options";
    section(dtls);
    for (String key : List.of("certfile", "keyfile", "cacertfile", "verify", "fail_if_no_peer_cert", "ciphers")) {
      value(dtls + "." + key);
    }
    ENTRIES.put(dtls + ".psk", new Entry(Kind.OBJECT_LIST, null));
    value(dtls + ".psk.identity");
    value(dtls + ".psk.secret");
    notSupported(dtls + ".versions", "only DTLS 1.2 is supported; remove it");
    notSupported(dtls + ".password", "encrypted key files are not supported for dtls listeners; use an"
        + " unencrypted PKCS#8 key file");
    for (String key : List.of("depth", "handshake_timeout", "secure_renegotiate", "reuse_sessions",
        "honor_cipher_order", "client_renegotiation", "dhfile", "log_level", "hibernate_after",
        "partial_chain", "gc_after_handshake", "user_lookup_fun")) {
      notSupported(dtls + "." + key, null);
    }

    ENTRIES.put("authentication", new Entry(Kind.OBJECT_OR_LIST, null));
    for (String key : List.of("mechanism", "backend", "enable",
        // backend = http
        "method", "url", "request_timeout",
        // backend = built_in_database
        "user_id_type",
        // mechanism = jwt
        "use_jwks", "algorithm", "secret", "secret_base64_encoded", "public_key", "from",
        "disconnect_after_expire", "endpoint", "refresh_interval")) {
      value("authentication." + key);
    }
    // mechanism = jwt with use_jwks = true: the TLS trust of an https:// endpoint
    section("authentication.ssl");
    for (String key : List.of("enable", "cacertfile", "verify")) {
      value("authentication.ssl." + key);
    }
    for (String key : List.of("certfile", "keyfile", "password")) {
      notSupported("authentication.ssl." + key, "is not supported: the JWKS endpoint is fetched"
          + " without a client certificate");
    }
    for (String key : List.of("server_name_indication", "versions", "ciphers", "depth",
        "secure_renegotiate", "reuse_sessions", "log_level", "hibernate_after", "partial_chain",
        "verify_peer_ext_key_usage")) {
      notSupported("authentication.ssl." + key, null);
    }
    map("authentication.headers");
    map("authentication.body");
    map("authentication.verify_claims");
    ENTRIES.put("authentication.users", new Entry(Kind.OBJECT_LIST, null));
    value("authentication.users.user_id");
    value("authentication.users.password");
    value("authentication.users.is_superuser");
    for (String key : List.of("pool_size", "connect_timeout", "enable_pipelining", "max_retries",
        "retry_interval", "acl_claim_name")) {
      notSupported("authentication." + key, null);
    }
    notSupported("authentication.password_hash_algorithm", "is not supported: the passwords of the users"
        + " listed in this file are hashed by the gateway itself (PBKDF2); remove it");
    notSupported("authentication.bootstrap_file", "is not supported: list the users in this file with"
        + " users = [{user_id, password, is_superuser}]");
    notSupported("authentication.bootstrap_type", "is not supported: list the users in this file with"
        + " users = [{user_id, password, is_superuser}]");

    section("authorization");
    value("authorization.no_match");
    ENTRIES.put("authorization.rules", new Entry(Kind.OBJECT_LIST, null));
    value("authorization.rules.permission");
    value("authorization.rules.action");
    value("authorization.rules.topic");
    for (String key : List.of("deny_action", "cache", "sources")) {
      notSupported("authorization." + key, "is an EMQX broker key; this gateway's authorization has"
          + " no_match and rules only");
    }
  }

  private ConfigSchema() {}

  private static void value(String pattern) {
    ENTRIES.put(pattern, new Entry(Kind.VALUE, null));
  }

  private static void section(String pattern) {
    ENTRIES.put(pattern, new Entry(Kind.SECTION, null));
  }

  private static void map(String pattern) {
    ENTRIES.put(pattern, new Entry(Kind.MAP, null));
  }

  private static void notSupported(String pattern, String note) {
    ENTRIES.put(pattern, new Entry(Kind.NOT_SUPPORTED, note));
  }

  /**
   * Returns the pattern of a key inside an object of the given pattern: the exact name when the
   * schema has it, else {@code *} when the object holds user-chosen names.
   *
   * @param parent the object's pattern, empty for the block itself
   * @param key the key
   * @return the pattern of the key (possibly unknown to the schema)
   */
  static String childPattern(String parent, String key) {
    String prefix = parent.isEmpty() ? "" : parent + ".";
    String exact = prefix + key;
    if (ENTRIES.containsKey(exact)) {
      return exact;
    }
    Entry parentEntry = ENTRIES.get(parent);
    if (parentEntry != null && parentEntry.kind() == Kind.MAP) {
      return prefix + "*";
    }
    return ENTRIES.containsKey(prefix + "*") ? prefix + "*" : exact;
  }

  /**
   * Looks a pattern up.
   *
   * @param pattern the pattern
   * @return the entry, or null for an unknown key
   */
  static Entry entry(String pattern) {
    return ENTRIES.get(pattern);
  }

  /**
   * Tells whether the values of a key are secrets.
   *
   * @param pattern the key's pattern
   * @return whether its value must never be shown
   */
  static boolean isSecret(String pattern) {
    return SECRET_PATTERNS.contains(pattern);
  }

  /**
   * Lists the supported keys directly inside an object of the given pattern, for error messages.
   *
   * @param parent the object's pattern, empty for the block itself
   * @return the key names, sorted; {@code <name>} stands for a user-chosen name
   */
  static List<String> supportedUnder(String parent) {
    String prefix = parent.isEmpty() ? "" : parent + ".";
    TreeSet<String> names = new TreeSet<>();
    for (Map.Entry<String, Entry> entry : ENTRIES.entrySet()) {
      String key = entry.getKey();
      if (key.startsWith(prefix) && key.length() > prefix.length() && key.indexOf('.', prefix.length()) < 0
          && entry.getValue().kind() != Kind.NOT_SUPPORTED) {
        String child = key.substring(prefix.length());
        names.add(child.equals("*") ? "<name>" : child);
      }
    }
    return List.copyOf(names);
  }
}
