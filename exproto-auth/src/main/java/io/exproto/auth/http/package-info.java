/**
 * EMQX's HTTP authentication backend: {@link io.exproto.auth.http.HttpAuthenticator} asks an HTTP
 * service about each client (placeholders rendered into a JSON, form or query template) and maps
 * its answer, or its failure, onto the gateway's ALLOW / DENY / IGNORE chain.
 */
package io.exproto.auth.http;
