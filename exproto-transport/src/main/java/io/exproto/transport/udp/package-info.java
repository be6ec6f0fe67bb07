/**
 * The UDP device listener: {@link io.exproto.transport.udp.UdpListener} serves one datagram
 * socket and hands each peer address to the gateway as a connection of socket type UDP (one
 * datagram in, one OnReceivedBytes; one Send, one datagram out), with the {@code listeners.udp}
 * settings of EMQX ExProto (bind, max_connections, max_conn_rate, access_rules, mountpoint,
 * udp_options).
 */
package io.exproto.transport.udp;
