/**
 * The embedder's entry point: {@link io.exproto.gateway.Gateway} and its builder, which wire
 * listeners, a handler, a broker and authenticators into one running gateway, and its
 * {@link io.exproto.gateway.GatewayMetrics}.
 */
package io.exproto.gateway;
