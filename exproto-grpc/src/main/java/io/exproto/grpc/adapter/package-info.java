/**
 * The gateway side of the handler's adapter calls: {@link io.exproto.grpc.adapter.AdapterService}
 * maps each {@code emqx.exproto.v1.ConnectionAdapter} rpc (Send, Close, Authenticate, StartTimer,
 * Publish, Subscribe, Unsubscribe, RawPublish) onto the core {@link io.exproto.adapter.Adapter}
 * and answers with its result code, and {@link io.exproto.grpc.adapter.AdapterServer} serves it on
 * a bind address. This is where a handler's reply enters the gateway on its way to a device or the
 * broker.
 */
package io.exproto.grpc.adapter;
