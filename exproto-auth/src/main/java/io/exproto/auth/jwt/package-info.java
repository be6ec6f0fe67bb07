/**
 * JWT authentication: {@link io.exproto.auth.jwt.JwtAuthenticator} takes the client's password as a
 * JSON Web Token, checks its signature (HMAC with a shared secret or RSA with a public key, JDK
 * crypto only), its time claims and optional claims bound to the client id or username, and turns
 * its {@code exp} into the connection's expiry.
 */
package io.exproto.auth.jwt;
