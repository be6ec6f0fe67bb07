/**
 * What a handler answers with: the {@link io.exproto.adapter.Adapter} operations (send, close,
 * authenticate, start a timer, publish, subscribe, unsubscribe, raw publish) and their
 * {@link io.exproto.adapter.Result} codes, shared by in-process handlers and the gRPC adapter
 * server.
 */
package io.exproto.adapter;
