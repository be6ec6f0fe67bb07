/**
 * The end-to-end load generator ({@link io.exproto.benchmarks.load.LoadGenerator}): a Netty
 * client that plays many devices on loopback ({@link io.exproto.benchmarks.load.EchoClient}), a
 * bare gRPC client for the gRPC reference point ({@link io.exproto.benchmarks.load.GrpcPingClient}),
 * the scenarios that start server JVMs ({@link io.exproto.benchmarks.load.Scenario}) and the
 * measurements they produce ({@link io.exproto.benchmarks.load.Results}), with latency kept in a
 * small log-linear histogram ({@link io.exproto.benchmarks.load.LatencyHistogram}).
 */
package io.exproto.benchmarks.load;
