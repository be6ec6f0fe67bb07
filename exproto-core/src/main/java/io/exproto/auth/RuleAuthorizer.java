package io.exproto.auth;

import io.exproto.broker.Topics;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An {@link Authorizer} from an ordered list of rules: allow or deny, for publish, subscribe or
 * both, on a topic filter that may contain {@code ${clientid}} and {@code ${username}}. The first
 * rule that matches decides; when none matches the answer is the configured default.
 *
 * <p>A publish matches a rule when its topic matches the rule's filter. A subscribe matches when
 * every topic the requested filter can match is matched by the rule's filter (so a rule on
 * {@code sensors/#} covers a subscription to {@code sensors/+/temp}, but a rule on
 * {@code sensors/+} does not cover {@code sensors/#}). A placeholder whose value is empty makes
 * its rule never match.
 */
public final class RuleAuthorizer implements Authorizer {

  private final List<Rule> rules;
  private final AuthzResult otherwise;

  private RuleAuthorizer(List<Rule> rules, AuthzResult otherwise) {
    this.rules = List.copyOf(rules);
    this.otherwise = otherwise;
  }

  /**
   * Starts an empty rule list.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public CompletionStage<AuthzResult> authorize(AuthzRequest request) {
    return CompletableFuture.completedFuture(decide(request));
  }

  /**
   * Decides synchronously.
   *
   * @param request the request
   * @return the first matching rule's permission, or the default
   */
  public AuthzResult decide(AuthzRequest request) {
    for (Rule rule : rules) {
      if (rule.actions.contains(request.action()) && rule.matches(request)) {
        return rule.permission;
      }
    }
    return otherwise;
  }

  private record Rule(AuthzResult permission, Set<Action> actions, String filterTemplate) {
    boolean matches(AuthzRequest request) {
      String filter = render(filterTemplate, request);
      if (filter == null) {
        return false;
      }
      String topic = request.topic();
      return request.action() == Action.PUBLISH ? Topics.matches(filter, topic) : Topics.covers(filter, topic);
    }

    private static String render(String template, AuthzRequest request) {
      String out = template;
      if (out.contains("${clientid}")) {
        if (request.client().clientId().isEmpty()) {
          return null;
        }
        out = out.replace("${clientid}", request.client().clientId());
      }
      if (out.contains("${username}")) {
        if (request.client().username().isEmpty()) {
          return null;
        }
        out = out.replace("${username}", request.client().username());
      }
      return out;
    }
  }

  /** Builds a {@link RuleAuthorizer}. Rules are checked in the order they are added. */
  public static final class Builder {
    private final List<Rule> rules = new ArrayList<>();
    private AuthzResult otherwise = AuthzResult.NO_MATCH;

    private Builder() {}

    /**
     * Adds an allow rule.
     *
     * @param action the action, or null for both
     * @param filter the topic filter, may contain {@code ${clientid}} and {@code ${username}}
     * @return this builder
     */
    public Builder allow(Action action, String filter) {
      return rule(AuthzResult.ALLOW, action, filter);
    }

    /**
     * Adds a deny rule.
     *
     * @param action the action, or null for both
     * @param filter the topic filter, may contain {@code ${clientid}} and {@code ${username}}
     * @return this builder
     */
    public Builder deny(Action action, String filter) {
      return rule(AuthzResult.DENY, action, filter);
    }

    /**
     * Sets the answer when no rule matches. Default NO_MATCH (the gateway's default decides).
     *
     * @param result the default
     * @return this builder
     */
    public Builder otherwise(AuthzResult result) {
      this.otherwise = Objects.requireNonNull(result, "result");
      return this;
    }

    private Builder rule(AuthzResult permission, Action action, String filter) {
      Objects.requireNonNull(filter, "filter");
      String probe = filter.replace("${clientid}", "c").replace("${username}", "u");
      try {
        Topics.validateFilter(probe);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("rule filter '" + filter + "': " + e.getMessage(), e);
      }
      rules.add(new Rule(permission, action == null ? EnumSet.allOf(Action.class) : EnumSet.of(action), filter));
      return this;
    }

    /**
     * Builds the authorizer.
     *
     * @return the authorizer
     */
    public RuleAuthorizer build() {
      return new RuleAuthorizer(rules, otherwise);
    }
  }
}
