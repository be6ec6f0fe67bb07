/**
 * The gateway side of the callbacks: {@link io.exproto.grpc.handler.RemoteHandler} implements the
 * core {@link io.exproto.handler.ConnectionHandler} by calling a user's
 * {@code emqx.exproto.v1.ConnectionUnaryHandler} service, so a device's events (socket created,
 * bytes received, timer timeout, messages delivered, socket closed) leave the gateway here on
 * their way to the handler service, in whatever language it is written.
 */
package io.exproto.grpc.handler;
