/**
 * The gateway side of the callbacks: a device's events (socket created, bytes received, timer
 * timeout, messages delivered, socket closed) leave the gateway here on their way to the user's
 * handler service, in whatever language it is written. {@link io.exproto.grpc.handler.RemoteHandler}
 * implements the core {@link io.exproto.handler.ConnectionHandler} with one unary call per event to
 * {@code emqx.exproto.v1.ConnectionUnaryHandler}; {@link io.exproto.grpc.handler.StreamingRemoteHandler}
 * writes the events on five long-lived client streams to the legacy
 * {@code emqx.exproto.v1.ConnectionHandler}. Both wait for the handler's connection while it is
 * being set up again (a handler restart), report an event that never reached the handler as a
 * {@link io.exproto.handler.HandlerUnavailableException}, which the gateway's retry policy sends
 * again, and every other failure as it is (the handler may have acted on the event, so it is not
 * sent twice); both speak plaintext or TLS ({@link io.exproto.grpc.tls.ClientTlsOptions}).
 */
package io.exproto.grpc.handler;
