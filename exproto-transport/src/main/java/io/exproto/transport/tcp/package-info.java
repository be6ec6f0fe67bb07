/**
 * The plain TCP device listener: {@link io.exproto.transport.tcp.TcpListener} accepts sockets on
 * one address and hands each as a connection of socket type TCP to the gateway, with the
 * {@code listeners.tcp} settings of EMQX ExProto (bind, max_connections, max_conn_rate,
 * access_rules, proxy_protocol, mountpoint, tcp_options).
 */
package io.exproto.transport.tcp;
