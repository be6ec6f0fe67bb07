/**
 * Internal, not API: the engine. One {@code Channel} per device connection (ordered event queue,
 * client state, timers, subscriptions) and the adapter operations that act on them. Hosts use
 * {@link io.exproto.gateway.Gateway} instead.
 */
package io.exproto.internal.engine;
