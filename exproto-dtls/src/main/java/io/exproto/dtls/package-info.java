/**
 * The DTLS device listener: {@link io.exproto.dtls.DtlsListener} turns each DTLS association (one
 * peer {@code ip:port}, one handshake) on a shared UDP socket into a gateway
 * {@link io.exproto.listener.Connection} with socket type {@code DTLS}, authenticated by
 * certificates or pre-shared keys ({@link io.exproto.dtls.PskResolver}). The DTLS protocol itself is
 * Eclipse Scandium's; the Scandium-facing code lives in {@code io.exproto.dtls.internal}, which is
 * not API.
 */
package io.exproto.dtls;
