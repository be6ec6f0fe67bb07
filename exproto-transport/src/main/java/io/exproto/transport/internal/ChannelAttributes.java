package io.exproto.transport.internal;

import io.exproto.listener.CertificateInfo;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * What the handlers in front of {@link ForwardingHandler} learn about a connection before it
 * reaches the gateway, kept as channel attributes. Not API.
 *
 * <p>The PROXY protocol handler sets the original client's address ({@link #PEER}) and the
 * proxy's destination ({@link #LOCAL}); the TLS handshake handler sets the client certificate's
 * subject ({@link #PEER_CERTIFICATE}); the access rules and {@link ForwardingHandler} read them.
 */
public final class ChannelAttributes {

  /** The device's address when it differs from the socket's peer (PROXY protocol). */
  public static final AttributeKey<InetSocketAddress> PEER =
      AttributeKey.valueOf(ChannelAttributes.class, "peer");
  /** The address the device connected to when it differs from the socket's own (PROXY protocol). */
  public static final AttributeKey<InetSocketAddress> LOCAL =
      AttributeKey.valueOf(ChannelAttributes.class, "local");
  /** The subject of the certificate the device presented in the TLS handshake. */
  public static final AttributeKey<CertificateInfo> PEER_CERTIFICATE =
      AttributeKey.valueOf(ChannelAttributes.class, "peerCertificate");
  /** Set by an admission handler that refused the channel, so handlers behind it stay silent. */
  static final AttributeKey<Boolean> REFUSED = AttributeKey.valueOf(ChannelAttributes.class, "refused");
  /**
   * The close reason a handler that closes the channel itself wants the gateway to see instead of
   * the transport's own (e.g. {@code send_timeout}); {@link ForwardingHandler} reports it.
   */
  static final AttributeKey<String> CLOSE_REASON =
      AttributeKey.valueOf(ChannelAttributes.class, "closeReason");

  private ChannelAttributes() {}

  /**
   * Returns the device's address: the PROXY protocol's client when known, else the socket's peer.
   *
   * @param channel the device's channel
   * @return the address, or the channel's own remote address when that is not an IP address
   */
  public static SocketAddress peer(Channel channel) {
    InetSocketAddress proxied = channel.attr(PEER).get();
    return proxied != null ? proxied : channel.remoteAddress();
  }

  /**
   * Returns the address the device connected to: the PROXY protocol's destination when known,
   * else the socket's local address.
   *
   * @param channel the device's channel
   * @return the address
   */
  public static SocketAddress local(Channel channel) {
    InetSocketAddress proxied = channel.attr(LOCAL).get();
    return proxied != null ? proxied : channel.localAddress();
  }
}
