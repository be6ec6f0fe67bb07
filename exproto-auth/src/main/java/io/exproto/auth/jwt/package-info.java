/**
 * JWT authentication: {@link io.exproto.auth.jwt.JwtAuthenticator} takes the client's password (or
 * username) as a JSON Web Token, has Nimbus JOSE+JWT check its signature (HMAC with a shared
 * secret, RSA or ECDSA with a public key, or with the keys of a JWKS endpoint, fetched, cached and
 * refreshed with bounded requests), checks its time claims and optional claims bound to the client
 * id or username, and turns its {@code exp} into the connection's expiry.
 */
package io.exproto.auth.jwt;
