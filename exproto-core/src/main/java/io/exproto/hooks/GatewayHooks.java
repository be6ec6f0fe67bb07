package io.exproto.hooks;

import io.exproto.adapter.ClientInfo;
import io.exproto.broker.Message;
import io.exproto.listener.ConnectionInfo;

/**
 * What the gateway tells its host about clients and messages, registered with
 * {@code Gateway.Builder.hooks(...)}. Every method has a default that does nothing, so a host
 * overrides only what it needs. Hooks run in registration order.
 *
 * <p>Hooks are called synchronously on gateway threads and must not block. A hook that throws is
 * logged and skipped: the connection and the message carry on as if it had not been there.
 */
public interface GatewayHooks {

  /**
   * A client authenticated.
   *
   * @param client the client
   */
  default void onConnected(ClientContext client) {}

  /**
   * An authenticated client's connection closed.
   *
   * @param client the client
   * @param reason the close reason
   */
  default void onDisconnected(ClientContext client, String reason) {}

  /**
   * An Authenticate was denied.
   *
   * @param connection the connection
   * @param client who the device claimed to be
   * @param reason why (never the password)
   */
  default void onAuthenticationFailed(ConnectionInfo connection, ClientInfo client, String reason) {}

  /**
   * A client subscribed (or updated a subscription's qos).
   *
   * @param client the client
   * @param filter the filter as the handler gave it (not mounted)
   * @param qos the qos
   */
  default void onSubscribed(ClientContext client, String filter, int qos) {}

  /**
   * A client unsubscribed.
   *
   * @param client the client
   * @param filter the filter as the handler gave it (not mounted)
   */
  default void onUnsubscribed(ClientContext client, String filter) {}

  /**
   * A message is about to be published to the broker (its topic mounted).
   *
   * @param publisher the publishing client, or null for RawPublish
   * @param message the message
   * @return the message to publish (possibly rewritten), or null to drop it (counted; the handler
   *     still gets SUCCESS)
   */
  default Message onPublish(ClientContext publisher, Message message) {
    return message;
  }

  /**
   * A message is about to be delivered to a client in OnReceivedMessages (its topic un-mounted).
   *
   * @param subscriber the receiving client
   * @param message the message
   * @return the message to deliver (possibly rewritten), or null to drop it (counted)
   */
  default Message onDeliver(ClientContext subscriber, Message message) {
    return message;
  }
}
