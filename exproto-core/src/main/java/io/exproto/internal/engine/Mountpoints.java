package io.exproto.internal.engine;

/** Renders mountpoint templates and applies them to topics and filters. */
final class Mountpoints {

  private Mountpoints() {}

  /**
   * Replaces {@code ${clientid}}, {@code ${username}} and {@code ${peerhost}}; a placeholder
   * without a value (an empty username, {@code ${endpoint_name}}, anything unknown) stays literal.
   */
  static String render(String template, String clientId, String username, String peerHost) {
    if (template.isEmpty() || template.indexOf("${") < 0) {
      return template;
    }
    String out = template.replace("${clientid}", clientId).replace("${peerhost}", peerHost);
    return username.isEmpty() ? out : out.replace("${username}", username);
  }

  /** Prefixes a topic name or filter; inside {@code $share/<group>/} for shared subscriptions. */
  static String mount(String mountpoint, String topic, io.exproto.broker.Topics.SharedFilter shared) {
    if (mountpoint.isEmpty()) {
      return topic;
    }
    if (shared != null) {
      return io.exproto.broker.Topics.SHARE_PREFIX + shared.group() + "/" + mountpoint + shared.filter();
    }
    return mountpoint + topic;
  }
}
