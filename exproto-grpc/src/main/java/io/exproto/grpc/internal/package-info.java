/**
 * Implementation details of the gRPC binding shared by its public packages: parsing of bind and
 * handler addresses, conversions between protobuf messages and the core's value objects, and the
 * lifecycle of a gRPC server. Not API: anything here may change without notice, and code outside
 * exproto-grpc must not use it.
 */
package io.exproto.grpc.internal;
