/**
 * The ExProto v5 gRPC binding's entry point: {@link io.exproto.grpc.GrpcHandler} plugs into
 * {@code Gateway.builder().handler(...)} and connects a gateway to a handler service written in
 * any language, exactly as EMQX ExProto does: device events leave through
 * {@link io.exproto.grpc.handler} (to the service {@link io.exproto.grpc.ServiceName} names) and
 * the handler's adapter calls come back through {@link io.exproto.grpc.adapter}, each link
 * plaintext or TLS ({@link io.exproto.grpc.tls}). Handler services written in Java can use
 * {@link io.exproto.grpc.sdk}.
 */
package io.exproto.grpc;
