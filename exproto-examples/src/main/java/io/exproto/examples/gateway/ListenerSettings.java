package io.exproto.examples.gateway;

import io.exproto.listener.Listener;
import io.exproto.transport.ListenerBuilder;
import io.exproto.transport.StreamListenerBuilder;
import io.exproto.transport.ssl.SslListener;
import io.exproto.transport.tcp.TcpListener;
import io.exproto.transport.udp.UdpListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code listeners.TYPE.NAME} sections of the file, mapped onto the listener builders of
 * exproto-transport and exproto-dtls.
 */
final class ListenerSettings {

  private static final List<String> FILE_KEYS = List.of("certfile", "keyfile", "cacertfile");

  private ListenerSettings() {}

  /** Returns the listener type of a section: {@code tcp}, {@code ssl}, {@code udp} or {@code dtls}. */
  static String type(Setting section) {
    // The pattern is listeners.TYPE.*
    return section.pattern().split("\\.")[1];
  }

  /** Returns the listener's name: {@code TYPE:NAME}. */
  static String name(Setting section) {
    return type(section) + ":" + section.name();
  }

  /** Reads {@code enable} (default true). */
  static boolean enabled(Setting section) throws ConfigFileException {
    Setting enable = section.at("enable");
    return enable == null || enable.bool();
  }

  /**
   * Builds the listener of a section.
   *
   * @param section a {@code listeners.TYPE.NAME} section
   * @return the listener, or null when it has {@code enable = false}
   * @throws ConfigFileException when a value is bad or a file cannot be used
   */
  static Listener build(Setting section) throws ConfigFileException {
    if (!enabled(section)) {
      return null;
    }
    String name = name(section);
    switch (type(section)) {
      case "tcp": {
        TcpListener.Builder builder = TcpListener.builder();
        section.apply(() -> builder.name(name));
        common(section, builder);
        stream(section, builder);
        return section.build(builder::build);
      }
      case "ssl": {
        SslListener.Builder builder = SslListener.builder();
        section.apply(() -> builder.name(name));
        common(section, builder);
        stream(section, builder);
        return ssl(section, builder);
      }
      case "udp": {
        UdpListener.Builder builder = UdpListener.builder();
        section.apply(() -> builder.name(name));
        common(section, builder);
        datagram(section, builder);
        return section.build(builder::build);
      }
      case "dtls":
        return DtlsSettings.build(section, name);
      default:
        throw section.bad("unknown listener type");
    }
  }

  /**
   * Returns what identifies a listener's settings: its keys and the content of the files it reads.
   *
   * @param section a {@code listeners.TYPE.NAME} section
   * @return a value that is equal for equal settings
   */
  static Object fingerprint(Setting section) {
    Map<String, Object> fingerprint = new LinkedHashMap<>();
    fingerprint.put("keys", section.value().unwrapped());
    for (String options : List.of("ssl_options", "dtls_options")) {
      for (String key : FILE_KEYS) {
        Setting file = section.at(options, key);
        if (file != null) {
          fingerprint.put(options + "." + key, digest(file));
        }
      }
    }
    return fingerprint;
  }

  private static String digest(Setting file) {
    try {
      byte[] content = Files.readAllBytes(Path.of(file.path()));
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (IOException | ConfigFileException | NoSuchAlgorithmException | RuntimeException e) {
      // Unreadable now: building the listener reports it.
      return "unreadable: " + e.getClass().getSimpleName();
    }
  }

  /** The keys of every listener type. */
  static <B extends ListenerBuilder<B>> void common(Setting section, B builder) throws ConfigFileException {
    section.applyAt(Setting::bind, builder::bind, "bind");
    section.applyAt(Setting::positiveIntOrInfinity, builder::maxConnections, "max_connections");
    Setting maxConnRate = section.at("max_conn_rate");
    if (maxConnRate != null) {
      int value = maxConnRate.ratePerSecond();
      if (value > 0) {
        maxConnRate.apply(() -> builder.maxConnRate(value));
      }
    }
    section.applyAt(Setting::textList, builder::accessRules, "access_rules");
    section.applyAt(Setting::text, builder::mountpoint, "mountpoint");
  }

  /** The keys of the TCP-based listeners: PROXY protocol and {@code tcp_options}. */
  private static <B extends StreamListenerBuilder<B>> void stream(Setting section, B builder)
      throws ConfigFileException {
    section.applyAt(Setting::bool, builder::proxyProtocol, "proxy_protocol");
    section.applyAt(Setting::positiveDuration, builder::proxyProtocolTimeout, "proxy_protocol_timeout");
    section.applyAt(Setting::bool, builder::nodelay, "tcp_options", "nodelay");
    section.applyAt(Setting::duration, builder::sendTimeout, "tcp_options", "send_timeout");
    section.applyAt(Setting::bool, builder::sendTimeoutClose, "tcp_options", "send_timeout_close");
    section.applyAt(Setting::positiveInt, builder::backlog, "tcp_options", "backlog");
    section.applyAt(Setting::size, builder::highWatermark, "tcp_options", "high_watermark");
    buffers(section, "tcp_options", builder);
  }

  /** The keys of the datagram listeners: {@code udp_options}. */
  static <B extends ListenerBuilder<B>> void datagram(Setting section, B builder) throws ConfigFileException {
    buffers(section, "udp_options", builder);
  }

  private static <B extends ListenerBuilder<B>> void buffers(Setting section, String options, B builder)
      throws ConfigFileException {
    section.applyAt(Setting::size, builder::recbuf, options, "recbuf");
    section.applyAt(Setting::size, builder::sndbuf, options, "sndbuf");
  }

  /** {@code ssl_options}, then build: the builder reads the files and names the key at fault. */
  private static SslListener ssl(Setting section, SslListener.Builder builder) throws ConfigFileException {
    Setting certfile = section.applyAt(Setting::path, builder::certfile, "ssl_options", "certfile");
    Setting keyfile = section.applyAt(Setting::path, builder::keyfile, "ssl_options", "keyfile");
    Setting password = section.applyAt(Setting::text, builder::password, "ssl_options", "password");
    Setting cacertfile = section.applyAt(Setting::path, builder::cacertfile, "ssl_options", "cacertfile");
    section.applyAt(s -> s.choice("verify_none", "verify_peer"), builder::verify, "ssl_options", "verify");
    Setting failIfNoPeerCert = section.applyAt(Setting::bool, builder::failIfNoPeerCert, "ssl_options", "fail_if_no_peer_cert");
    section.applyAt(Setting::textList, builder::versions, "ssl_options", "versions");
    section.applyAt(s -> s.intAtLeast(0), builder::depth, "ssl_options", "depth");
    section.applyAt(Setting::positiveDuration, builder::handshakeTimeout, "ssl_options", "handshake_timeout");
    Setting options = section.at("ssl_options");
    Map<String, Setting> blame = new LinkedHashMap<>();
    blame.put("certfile", certfile);
    blame.put("keyfile", keyfile);
    blame.put("cacertfile", cacertfile);
    blame.put("failIfNoPeerCert", failIfNoPeerCert);
    blame.put("ssl_options", options);
    blame.put("password", password);
    try {
      return (options != null ? options : section).build(builder::build, blame);
    } catch (ConfigFileException e) {
      if (password != null && keyfile != null && e.key().orElse("").equals(keyfile.key())) {
        throw keyfile.bad(e.problem() + " (is ssl_options.password right?)");
      }
      throw e;
    }
  }
}
