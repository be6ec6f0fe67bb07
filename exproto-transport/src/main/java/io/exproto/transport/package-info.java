/**
 * Netty device listeners behind the core {@link io.exproto.listener.Listener} SPI: each
 * sub-package is one transport ({@link io.exproto.transport.tcp tcp},
 * {@link io.exproto.transport.ssl ssl}, {@link io.exproto.transport.udp udp}) that turns sockets
 * into {@link io.exproto.listener.Connection}s for the gateway, with nothing protocol-specific.
 * This package holds what they share in their API: the builders of the common settings
 * ({@link io.exproto.transport.ListenerBuilder}, {@link io.exproto.transport.StreamListenerBuilder})
 * and what they build, and the names of the counters listeners add to the gateway's metrics. The
 * admission policies live in {@link io.exproto.transport.policy}; the pipeline handlers in
 * {@code io.exproto.transport.internal}, which is not API.
 */
package io.exproto.transport;
