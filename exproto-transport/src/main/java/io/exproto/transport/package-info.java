/**
 * Netty device listeners behind the core {@link io.exproto.listener.Listener} SPI: each
 * sub-package is one transport ({@link io.exproto.transport.tcp tcp}) that turns sockets into
 * {@link io.exproto.listener.Connection}s for the gateway, with nothing protocol-specific; the
 * pipeline handlers they share live in {@code io.exproto.transport.internal}, which is not API.
 */
package io.exproto.transport;
