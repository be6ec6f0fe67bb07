/**
 * Not API: the Netty pipeline handlers and the server the stream listeners share, and the
 * {@link io.exproto.listener.Connection} adapter of a stream channel. One handler per concern
 * (send timeout, access rules, connection rate, connection limit, PROXY protocol, TLS handshake,
 * forwarding to the gateway; see {@link io.exproto.transport.internal.StreamServer} for their
 * order); the lifecycle every listener shares ({@link io.exproto.transport.internal.ListenerLifecycle},
 * also used by the DTLS module) and the common face of the TCP and TLS listeners
 * ({@link io.exproto.transport.internal.StreamListenerBase}). These types may change in any
 * release and hosts must not use them.
 */
package io.exproto.transport.internal;
