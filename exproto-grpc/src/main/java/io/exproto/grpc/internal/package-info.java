/**
 * Implementation details of the gRPC binding shared by its public packages: parsing of bind and
 * service addresses, conversions between protobuf messages and the core's value objects, the
 * lifecycle of a gRPC server, client channels and their TLS contexts, calls with a deadline kept
 * on this side (and the one timer they share), whether a call may have reached its server, and
 * the mapping of failed handler calls onto the gateway's failure policy. Not API: anything here
 * may change without notice, and code outside exproto-grpc must not use it.
 */
package io.exproto.grpc.internal;
