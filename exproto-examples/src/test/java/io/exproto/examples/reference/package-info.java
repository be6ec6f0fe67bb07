/**
 * The cases of EMQX's ExProto test suite, adapted to this project and run over real TCP and real
 * gRPC: a line-protocol handler service in Java drives the gateway the way EMQX's test handler does.
 */
package io.exproto.examples.reference;
