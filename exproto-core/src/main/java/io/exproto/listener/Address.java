package io.exproto.listener;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A host and port, as the handler sees it in {@code ConnInfo}.
 *
 * @param host the textual IP address (never null, may be empty when unknown)
 * @param port the port, 0 when unknown
 */
public record Address(String host, int port) {

  /**
   * Validates the fields.
   *
   * @param host the textual IP address
   * @param port the port, 0..65535
   */
  public Address {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, got " + port);
    }
  }

  /**
   * Converts a socket address, using the IP literal rather than a resolved name.
   *
   * @param address the socket address (not null)
   * @return the address
   */
  public static Address of(InetSocketAddress address) {
    String host = address.getAddress() != null
        ? address.getAddress().getHostAddress()
        : address.getHostString();
    return new Address(host, address.getPort());
  }

  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
