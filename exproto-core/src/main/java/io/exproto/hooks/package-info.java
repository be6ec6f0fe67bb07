/**
 * What the host hears: {@link io.exproto.hooks.GatewayHooks} for connections, authentication,
 * subscriptions and messages (with the power to rewrite or drop a message), registered through the
 * gateway builder.
 */
package io.exproto.hooks;
