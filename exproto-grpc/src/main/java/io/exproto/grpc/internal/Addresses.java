package io.exproto.grpc.internal;

import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * Parses the two address forms of the configuration: a bind address ({@code "port"} or
 * {@code "host:port"}) and a service address ({@code "http://host:port"} or
 * {@code "https://host:port"}). Every error is an
 * {@link IllegalArgumentException} whose message starts with the configuration field's name and
 * says what to write instead. No name is resolved here: parsing never touches the network.
 *
 * <p>Internal: not part of the public API.
 */
public final class Addresses {

  /** The bind host used when a bind address is only a port: every IPv4 interface, as in EMQX. */
  public static final String ANY_HOST = "0.0.0.0";

  private Addresses() {}

  /**
   * A host (IP literal or name, IPv6 without brackets) and a port.
   *
   * @param host the host, not empty
   * @param port the port, 0..65535
   */
  public record HostPort(String host, int port) {

    /**
     * Makes the socket address to bind or connect to; this resolves a host name.
     *
     * @return the socket address (unresolved when the name does not resolve)
     */
    public InetSocketAddress toSocketAddress() {
      return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
      return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
  }

  /**
   * Parses a bind address: {@code "9100"} (every interface), {@code "127.0.0.1:9100"},
   * {@code "localhost:9100"} or {@code "[::1]:9100"}. Port 0 picks a free port.
   *
   * @param value the configured value, may be null (an error)
   * @param field the configuration field, named in errors, e.g. {@code server.bind}
   * @return the host and port
   * @throws IllegalArgumentException when the value is malformed
   */
  public static HostPort parseBind(String value, String field) {
    String hint = "use \"port\" or \"host:port\", e.g. \"0.0.0.0:9100\"";
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + ": must not be empty; " + hint);
    }
    String text = value.strip();
    if (isDigits(text)) {
      return new HostPort(ANY_HOST, parsePort(text, value, field));
    }
    return splitHostPort(text, value, field, hint);
  }

  /**
   * A service address: plaintext ({@code http://}) or TLS ({@code https://}), and where.
   *
   * @param tls true for {@code https://}
   * @param hostPort the host and port
   */
  public record Target(boolean tls, HostPort hostPort) {

    @Override
    public String toString() {
      return (tls ? "https://" : "http://") + hostPort;
    }
  }

  /**
   * Parses a service address {@code "http://host:port"} (plaintext) or {@code "https://host:port"}
   * (TLS); the scheme is case-insensitive, the host may be an IP literal ({@code [::1]} for IPv6)
   * or a name, and one trailing {@code /} is allowed.
   *
   * @param value the configured value, may be null (an error)
   * @param field the configuration field, named in errors, e.g. {@code handler.address}
   * @return the scheme, host and port
   * @throws IllegalArgumentException when the value is malformed or has another scheme
   */
  public static Target parseServiceAddress(String value, String field) {
    String hint = "use \"http://host:port\" or \"https://host:port\", e.g. \"http://127.0.0.1:9001\"";
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + ": must not be empty; " + hint);
    }
    String text = value.strip();
    int schemeEnd = text.indexOf("://");
    if (schemeEnd < 0) {
      throw new IllegalArgumentException(field + ": '" + value + "' has no scheme; " + hint);
    }
    String scheme = text.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(field + ": '" + value + "' has the unsupported scheme '"
          + text.substring(0, schemeEnd) + "'; " + hint);
    }
    String authority = text.substring(schemeEnd + 3);
    if (authority.endsWith("/")) {
      authority = authority.substring(0, authority.length() - 1);
    }
    if (authority.indexOf('/') >= 0 || authority.indexOf('?') >= 0 || authority.indexOf('#') >= 0
        || authority.indexOf('@') >= 0) {
      throw new IllegalArgumentException(field + ": '" + value
          + "' must be only a scheme, a host and a port (no path, query or user); " + hint);
    }
    return new Target(scheme.equals("https"), splitHostPort(authority, value, field, hint));
  }

  private static HostPort splitHostPort(String text, String value, String field, String hint) {
    String host;
    String portText;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException(field + ": '" + value + "' has an unclosed '[' in its host; " + hint);
      }
      host = text.substring(1, close);
      String rest = text.substring(close + 1);
      if (rest.isEmpty()) {
        throw new IllegalArgumentException(field + ": '" + value + "' has no port; " + hint);
      }
      if (!rest.startsWith(":")) {
        throw new IllegalArgumentException(field + ": '" + value + "' has text after the host's ']' that is not"
            + " ':port'; " + hint);
      }
      portText = rest.substring(1);
      if (!isIpv6Literal(host)) {
        throw new IllegalArgumentException(field + ": '" + value + "' has '" + host
            + "' in brackets, which is not an IPv6 address; " + hint);
      }
    } else {
      int colon = text.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException(field + ": '" + value + "' has no port; " + hint);
      }
      host = text.substring(0, colon);
      portText = text.substring(colon + 1);
      if (host.indexOf(':') >= 0) {
        throw new IllegalArgumentException(field + ": '" + value
            + "' looks like an IPv6 address; put it in brackets, e.g. \"[::1]:9100\"");
      }
      if (!isHostName(host)) {
        throw new IllegalArgumentException(field + ": '" + value + "' has "
            + (host.isEmpty() ? "no host" : "an invalid host '" + host + "'") + "; " + hint);
      }
    }
    if (portText.isEmpty()) {
      throw new IllegalArgumentException(field + ": '" + value + "' has no port; " + hint);
    }
    return new HostPort(host, parsePort(portText, value, field));
  }

  private static int parsePort(String portText, String value, String field) {
    if (!isDigits(portText) || portText.length() > 5 || Integer.parseInt(portText) > 65535) {
      throw new IllegalArgumentException(field + ": '" + value + "' has the port '" + portText
          + "'; a port must be a number from 0 to 65535");
    }
    return Integer.parseInt(portText);
  }

  private static boolean isDigits(String text) {
    if (text.isEmpty()) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** A DNS name or an IPv4 literal: letters, digits, '-', '_' and '.' in non-empty labels. */
  private static boolean isHostName(String host) {
    if (host.isEmpty() || host.length() > 253 || host.startsWith(".") || host.contains("..")) {
      return false;
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Hex digits, ':' and '.' (an embedded IPv4), optionally a '%zone'; at least two colons. */
  private static boolean isIpv6Literal(String host) {
    int percent = host.indexOf('%');
    String address = percent >= 0 ? host.substring(0, percent) : host;
    if (percent >= 0 && percent == host.length() - 1) {
      return false;
    }
    int colons = 0;
    for (int i = 0; i < address.length(); i++) {
      char c = address.charAt(i);
      if (c == ':') {
        colons++;
      } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.')) {
        return false;
      }
    }
    return colons >= 2;
  }
}
