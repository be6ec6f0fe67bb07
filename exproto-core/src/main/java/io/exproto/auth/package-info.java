/**
 * Who gets in: the {@link io.exproto.auth.Authenticator} SPI the gateway consults on
 * Authenticate, with its request and result values.
 */
package io.exproto.auth;
