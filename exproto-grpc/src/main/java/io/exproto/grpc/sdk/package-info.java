/**
 * The handler side, for people who write their ExProto handler service in Java and run it apart
 * from the gateway: extend {@link io.exproto.grpc.sdk.HandlerService} to receive a device's events,
 * serve it with {@link io.exproto.grpc.sdk.HandlerServer} (as the unary service, or as the legacy
 * streaming one through {@link io.exproto.grpc.sdk.StreamingHandlerService}; plaintext or TLS), and
 * act on devices and the broker with the blocking {@link io.exproto.grpc.sdk.AdapterClient}
 * ({@code http://} or {@code https://}). Wire-compatible with EMQX ExProto v5, so such a service
 * also works against EMQX. (A handler running inside the gateway's JVM can instead implement the
 * core {@link io.exproto.handler.ConnectionHandler} directly, with no gRPC.)
 */
package io.exproto.grpc.sdk;
