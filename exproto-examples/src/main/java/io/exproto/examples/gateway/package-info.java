/**
 * The standalone gateway: a runnable ExProto gateway configured by a HOCON file whose
 * {@code gateway.exproto} block uses EMQX's key names ({@link io.exproto.examples.gateway.ConfigFile}),
 * with device listeners from exproto-transport and either a remote handler service reached over
 * gRPC (exproto-grpc) or the in-process {@link io.exproto.examples.echo.EchoHandler}. Start it with
 * {@link io.exproto.examples.gateway.StandaloneGateway#main(String[])}; the device port is set in the
 * config file ({@code listeners.tcp.<name>.bind}).
 */
package io.exproto.examples.gateway;
