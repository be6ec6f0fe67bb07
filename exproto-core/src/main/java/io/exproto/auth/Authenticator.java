package io.exproto.auth;

import java.util.concurrent.CompletionStage;

/**
 * Decides whether a client may register on the gateway. The gateway runs its authenticators in
 * the order they were added: the first ALLOW or DENY wins; when every one answers IGNORE the
 * client is denied. With no authenticator configured every client is allowed (anonymous).
 *
 * <p>Implementations must be thread-safe and must not block the calling thread; a stage that
 * completes exceptionally counts as IGNORE and is logged (without the password).
 */
@FunctionalInterface
public interface Authenticator {

  /**
   * Decides on one request.
   *
   * @param request the client, its connection and password
   * @return the decision
   */
  CompletionStage<AuthResult> authenticate(AuthRequest request);
}
