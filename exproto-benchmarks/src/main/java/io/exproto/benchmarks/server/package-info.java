/**
 * The server side of the load benchmarks, each a {@code main} the load generator starts in a JVM
 * of its own and drives through {@link io.exproto.benchmarks.server.ServerControl} over standard
 * input and output: the gateway under test ({@link io.exproto.benchmarks.server.GatewayServer})
 * with an in-process handler or a remote one
 * ({@link io.exproto.benchmarks.server.RemoteHandlerServer}), and the two reference points that
 * bound what the gateway can reach on the same machine, a bare Netty echo server
 * ({@link io.exproto.benchmarks.server.BareEchoServer}) and a bare gRPC unary server
 * ({@link io.exproto.benchmarks.server.PingServer}).
 */
package io.exproto.benchmarks.server;
