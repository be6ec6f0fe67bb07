/**
 * The standalone gateway: a runnable ExProto gateway configured by a HOCON file whose
 * {@code gateway.exproto} block uses EMQX's key names ({@link io.exproto.examples.gateway.ConfigFile},
 * a thin layer over the builders), with TCP, TLS, UDP and DTLS device listeners, EMQX-style
 * authentication and topic rules, and either a remote handler service reached over gRPC
 * (exproto-grpc, optionally over TLS) or the in-process {@link io.exproto.examples.echo.EchoHandler}.
 * Start it with {@link io.exproto.examples.gateway.StandaloneGateway#main(String[])}; SIGHUP reloads
 * the file's listeners without touching the unchanged ones
 * ({@link io.exproto.examples.gateway.StandaloneGateway#reload(io.exproto.examples.gateway.ConfigFile)}).
 */
package io.exproto.examples.gateway;
