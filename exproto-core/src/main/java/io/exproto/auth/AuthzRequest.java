package io.exproto.auth;

import io.exproto.adapter.ClientInfo;
import io.exproto.listener.ConnectionInfo;
import java.util.Objects;

/**
 * What an {@link Authorizer} decides on: an authenticated client's publish or subscribe.
 *
 * @param client the client as it authenticated
 * @param connection the client's connection
 * @param action publish or subscribe
 * @param topic the topic name (publish) or filter (subscribe; for a shared subscription the
 *     filter inside {@code $share/<group>/}), before the mountpoint is applied
 * @param qos the requested qos
 */
public record AuthzRequest(ClientInfo client, ConnectionInfo connection, Action action, String topic, int qos) {

  /**
   * Validates the fields.
   *
   * @param client not null
   * @param connection not null
   * @param action not null
   * @param topic not null
   * @param qos 0..2
   */
  public AuthzRequest {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(topic, "topic");
  }
}
