/**
 * Not API: the Netty pipeline handlers and the {@link io.exproto.listener.Connection} adapter the
 * stream listeners share. One handler per concern (connection limit, forwarding to the gateway);
 * these types may change in any release and hosts must not use them.
 */
package io.exproto.transport.internal;
