/**
 * Where device events go: the {@link io.exproto.handler.ConnectionHandler} SPI (the five ExProto
 * callbacks), their event value objects, and the close reasons.
 */
package io.exproto.handler;
