package io.exproto.broker;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * MQTT 3.1.1/5 topic rules: validation of topic names and filters, shared subscriptions and
 * matching. The gateway and {@link InMemoryBroker} both use these, so a filter the gateway accepts
 * is one the broker can match.
 */
public final class Topics {

  /** The prefix of a shared subscription: {@code $share/<group>/<filter>}. */
  public static final String SHARE_PREFIX = "$share/";

  private static final int MAX_LENGTH = 65535;

  private Topics() {}

  /**
   * A shared subscription split into its parts.
   *
   * @param group the share group
   * @param filter the topic filter inside the share
   */
  public record SharedFilter(String group, String filter) {}

  /**
   * Checks a topic name to publish to.
   *
   * @param topic the topic name
   * @throws IllegalArgumentException naming what is wrong: empty, too long, a NUL character, or
   *     a wildcard
   */
  public static void validateName(String topic) {
    checkCommon(topic);
    if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
      throw new IllegalArgumentException("must not contain wildcards ('+' or '#') in a topic name");
    }
  }

  /**
   * Checks a topic filter to subscribe with, including {@code $share/<group>/<filter>}.
   *
   * @param filter the topic filter
   * @throws IllegalArgumentException naming what is wrong
   */
  public static void validateFilter(String filter) {
    checkCommon(filter);
    Optional<SharedFilter> shared = parseShared(filter);
    checkPlainFilter(shared.map(SharedFilter::filter).orElse(filter));
  }

  /**
   * Splits a shared subscription filter.
   *
   * @param filter the filter
   * @return its group and inner filter, or empty when it is not a shared subscription
   * @throws IllegalArgumentException when it starts with {@code $share/} but is malformed
   */
  public static Optional<SharedFilter> parseShared(String filter) {
    if (!filter.startsWith(SHARE_PREFIX)) {
      return Optional.empty();
    }
    int slash = filter.indexOf('/', SHARE_PREFIX.length());
    if (slash < 0) {
      throw new IllegalArgumentException("shared subscription must be $share/<group>/<filter>");
    }
    String group = filter.substring(SHARE_PREFIX.length(), slash);
    if (group.isEmpty() || group.indexOf('+') >= 0 || group.indexOf('#') >= 0) {
      throw new IllegalArgumentException("shared subscription group must be non-empty and free of wildcards");
    }
    String inner = filter.substring(slash + 1);
    if (inner.isEmpty()) {
      throw new IllegalArgumentException("shared subscription must have a filter after the group");
    }
    return Optional.of(new SharedFilter(group, inner));
  }

  /**
   * Tells whether a topic name matches a (non-shared) filter. Topics starting with {@code $} are
   * not matched by a filter whose first level is a wildcard.
   *
   * @param filter a valid, non-shared topic filter
   * @param topic a valid topic name
   * @return whether it matches
   */
  public static boolean matches(String filter, String topic) {
    if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
      return false;
    }
    String[] filterLevels = levels(filter);
    String[] topicLevels = levels(topic);
    for (int i = 0; i < filterLevels.length; i++) {
      if (filterLevels[i].equals("#")) {
        return true; // also matches the parent level: "a/#" matches "a"
      }
      if (i >= topicLevels.length
          || !(filterLevels[i].equals("+") || filterLevels[i].equals(topicLevels[i]))) {
        return false;
      }
    }
    return filterLevels.length == topicLevels.length;
  }

  /**
   * Tells whether every topic that {@code filter} can match is also matched by {@code rule}: the
   * subscription is covered by the rule.
   *
   * @param rule a valid, non-shared topic filter
   * @param filter a valid, non-shared topic filter
   * @return whether the rule covers the filter
   */
  public static boolean covers(String rule, String filter) {
    if (filter.startsWith("$") && (rule.startsWith("+") || rule.startsWith("#"))) {
      return false;
    }
    String[] ruleLevels = levels(rule);
    String[] filterLevels = levels(filter);
    for (int i = 0; i < ruleLevels.length; i++) {
      String r = ruleLevels[i];
      if (r.equals("#")) {
        return true;
      }
      if (i >= filterLevels.length) {
        return false;
      }
      String f = filterLevels[i];
      if (f.equals("#") || (!r.equals("+") && !r.equals(f))) {
        return false;
      }
    }
    return ruleLevels.length == filterLevels.length;
  }

  /**
   * Splits a topic name or filter into its levels; empty levels are kept.
   *
   * @param topic the topic name or filter
   * @return the levels
   */
  public static String[] levels(String topic) {
    return topic.split("/", -1);
  }

  private static void checkCommon(String s) {
    if (s == null || s.isEmpty()) {
      throw new IllegalArgumentException("must not be empty");
    }
    if (s.indexOf('\u0000') >= 0) {
      throw new IllegalArgumentException("must not contain the NUL character");
    }
    if (s.length() > MAX_LENGTH / 3 && s.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
      throw new IllegalArgumentException("must be at most " + MAX_LENGTH + " bytes of UTF-8");
    }
  }

  private static void checkPlainFilter(String filter) {
    String[] levels = levels(filter);
    for (int i = 0; i < levels.length; i++) {
      String level = levels[i];
      if (level.indexOf('#') >= 0 && (!level.equals("#") || i != levels.length - 1)) {
        throw new IllegalArgumentException("'#' must be a whole level and the last one, in filter '" + filter + "'");
      }
      if (level.indexOf('+') >= 0 && !level.equals("+")) {
        throw new IllegalArgumentException("'+' must be a whole level, in filter '" + filter + "'");
      }
    }
  }
}
