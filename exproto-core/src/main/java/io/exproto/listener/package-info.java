/**
 * Where device bytes enter: the transport-neutral {@link io.exproto.listener.Listener} and
 * {@link io.exproto.listener.Connection} SPIs that transports implement, and the
 * {@link io.exproto.listener.ConnectionAcceptor} / {@link io.exproto.listener.ConnectionEvents}
 * through which they hand connections and bytes to the gateway.
 */
package io.exproto.listener;
