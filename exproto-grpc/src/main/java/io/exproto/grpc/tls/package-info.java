/**
 * Transport security of the two gRPC links, as immutable option objects whose builders mirror
 * EMQX's configuration keys: {@link io.exproto.grpc.tls.ServerTlsOptions} is
 * {@code server.ssl_options} (the ConnectionAdapter server the handler calls, TLS or mutual TLS),
 * and {@link io.exproto.grpc.tls.ClientTlsOptions} is {@code handler.ssl_options} (the gateway's
 * client of the handler service, used with an {@code https://} handler address). The options only
 * name PEM files; the files are read when a server starts or a client channel is created, and an
 * error names the configuration key at fault. Key material is never logged.
 */
package io.exproto.grpc.tls;
