/**
 * The ExProto v5 protocol buffers, generated from {@code exproto.proto} (package
 * {@code emqx.exproto.v1}): the {@code ConnectionAdapter} service the gateway serves, the
 * {@code ConnectionUnaryHandler} and legacy {@code ConnectionHandler} services a user's handler
 * serves, and their messages. Their names and field numbers are fixed by wire compatibility with
 * handler services written for EMQX ExProto.
 */
package io.exproto.grpc.proto;
