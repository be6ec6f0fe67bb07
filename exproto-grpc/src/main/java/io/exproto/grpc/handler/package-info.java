/**
 * The gateway side of the callbacks: a device's events (socket created, bytes received, timer
 * timeout, messages delivered, socket closed) leave the gateway here on their way to the user's
 * handler service, in whatever language it is written. {@link io.exproto.grpc.handler.RemoteHandler}
 * implements the core {@link io.exproto.handler.ConnectionHandler} with one unary call per event to
 * {@code emqx.exproto.v1.ConnectionUnaryHandler}; {@link io.exproto.grpc.handler.StreamingRemoteHandler}
 * writes the events on five long-lived client streams to the legacy
 * {@code emqx.exproto.v1.ConnectionHandler}. Both report an unreachable or too slow handler as a
 * {@link io.exproto.handler.HandlerUnavailableException}, which the gateway's retry policy retries,
 * and both speak plaintext or TLS ({@link io.exproto.grpc.tls.ClientTlsOptions}).
 */
package io.exproto.grpc.handler;
