package io.exproto.auth;

import java.util.concurrent.CompletionStage;

/**
 * Decides whether an authenticated client may publish to a topic or subscribe to a filter. The
 * gateway runs its authorizers in order: the first ALLOW or DENY wins; when all answer NO_MATCH the
 * gateway's default applies ({@code Gateway.Builder.authorizationDefault}, ALLOW unless set, as in
 * EMQX). A DENY gives the handler PERMISSION_DENY.
 *
 * <p>Implementations must be thread-safe and must not block; a stage that completes exceptionally
 * counts as DENY and is logged.
 */
@FunctionalInterface
public interface Authorizer {

  /**
   * Decides on one request.
   *
   * @param request the client, the action and the topic
   * @return the decision
   */
  CompletionStage<AuthzResult> authorize(AuthzRequest request);
}
