/**
 * The built-in user database: {@link io.exproto.auth.store.UserStore} keeps users added through a
 * Java API with their passwords salted and hashed (PBKDF2), and
 * {@link io.exproto.auth.store.UserStoreAuthenticator} checks clients against it, keyed by username
 * or by client id like EMQX's built-in database.
 */
package io.exproto.auth.store;
