/**
 * The echo protocol, written twice: {@link io.exproto.examples.echo.EchoHandler} is an in-process
 * Java handler that calls the gateway's adapter directly, and
 * {@link io.exproto.examples.echo.EchoHandlerService} is the same behaviour as a gRPC
 * {@code ConnectionUnaryHandler} service written with the handler-side SDK (its {@code main} takes
 * its port as {@code --port}). Both authenticate each connection, subscribe it to its own topic,
 * publish what the device sends to that topic and send what arrives there back to the device, so
 * bytes travel device, handler, broker, handler, device, as with EMQX's public example handlers.
 */
package io.exproto.examples.echo;
