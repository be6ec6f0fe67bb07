/**
 * Admission policies every device listener applies to a new connection before the gateway sees
 * it: {@link io.exproto.transport.policy.AccessRules} (EMQX's {@code access_rules}: allow or deny by
 * client address) and {@link io.exproto.transport.policy.ConnectionRateLimiter} (EMQX's
 * {@code max_conn_rate}: new connections per second). Both are plain Java with no Netty types, so
 * any transport (the Netty listeners here, the DTLS listener) can reuse them; both are thread-safe.
 */
package io.exproto.transport.policy;
