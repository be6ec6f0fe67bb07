package io.exproto.listener;

import java.util.Objects;
import java.util.Optional;

/**
 * The immutable identity of one device endpoint: how it connected and from where.
 *
 * @param socketType the transport
 * @param peer the device's address (for PROXY protocol connections, the original client's)
 * @param local the gateway's address the device connected to
 * @param peerCertificate the client certificate's subject, when the device presented one
 * @param listenerName the name of the listener that accepted the connection, e.g. {@code tcp:default}
 */
public record ConnectionInfo(
    SocketType socketType,
    Address peer,
    Address local,
    Optional<CertificateInfo> peerCertificate,
    String listenerName) {

  /**
   * Validates the fields.
   *
   * @param socketType the transport, not null
   * @param peer the peer address, not null
   * @param local the local address, not null
   * @param peerCertificate the peer certificate, not null (use {@link Optional#empty()})
   * @param listenerName the listener name, not null
   */
  public ConnectionInfo {
    Objects.requireNonNull(socketType, "socketType");
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(local, "local");
    Objects.requireNonNull(peerCertificate, "peerCertificate");
    Objects.requireNonNull(listenerName, "listenerName");
  }

  /**
   * Creates the information of a connection without a client certificate.
   *
   * @param socketType the transport
   * @param peer the peer address
   * @param local the local address
   * @param listenerName the listener name
   * @return the connection information
   */
  public static ConnectionInfo of(SocketType socketType, Address peer, Address local, String listenerName) {
    return new ConnectionInfo(socketType, peer, local, Optional.empty(), listenerName);
  }
}
