/**
 * Not API: the glue between Eclipse Scandium's {@code DTLSConnector} and the gateway. One
 * {@link io.exproto.dtls.internal.PeerTable} per running listener maps peers to
 * {@link io.exproto.dtls.internal.DtlsConnection}s and reports their bytes and closes; the other
 * classes configure Scandium (PEM credentials, the pre-shared key store, access rules as a datagram
 * filter, handshake failure counting). These types may change in any release.
 */
package io.exproto.dtls.internal;
