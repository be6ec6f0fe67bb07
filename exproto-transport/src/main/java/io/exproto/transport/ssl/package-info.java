/**
 * The TLS-over-TCP device listener: {@link io.exproto.transport.ssl.SslListener} completes a TLS
 * handshake (Netty's SslHandler on the JDK provider) before handing each socket to the gateway as
 * a connection of socket type SSL, with the client certificate's subject in its connection info
 * and the {@code listeners.ssl} settings of EMQX ExProto ({@code ssl_options} certfile, keyfile,
 * cacertfile, verify, fail_if_no_peer_cert, versions, depth, plus every TCP listener setting).
 */
package io.exproto.transport.ssl;
