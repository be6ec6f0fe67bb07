package io.exproto.broker;

import java.util.concurrent.CompletionStage;

/**
 * The pub/sub service the gateway publishes to and subscribes with, supplied by the host through
 * {@code Gateway.builder().broker(...)}. {@link InMemoryBroker} is the default.
 *
 * <p>Topic names and filters follow MQTT rules and reach the broker already validated (see
 * {@link Topics}) and mounted. Filters may be shared subscriptions ({@code $share/<group>/<filter>}):
 * each message matching one goes to one member of the group. Implementations must be thread-safe,
 * and should not block: the gRPC binding calls them on its network threads (for adapter
 * operations unless configured with an adapter executor; when a connection closes after a failed
 * handler callback, always), and deliveries may call a non-blocking handler at once.
 * A stage completing exceptionally is reported to the handler as an UNKNOWN result.
 */
public interface Broker {

  /**
   * Publishes a message to every matching subscription.
   *
   * @param message the message, not null
   * @return completes when the broker has accepted the message
   */
  CompletionStage<Void> publish(Message message);

  /**
   * Adds a subscription, or updates its qos when {@code subscriber} already has {@code filter}.
   *
   * @param filter the topic filter, not null
   * @param qos the maximum qos of deliveries, 0..2
   * @param subscriber where matching messages go, not null
   * @return completes when the subscription is in place
   */
  CompletionStage<Void> subscribe(String filter, int qos, Subscriber subscriber);

  /**
   * Removes a subscription; an unknown one is ignored.
   *
   * @param filter the topic filter as subscribed, not null
   * @param subscriber the subscriber, not null
   * @return completes when the subscription is gone
   */
  CompletionStage<Void> unsubscribe(String filter, Subscriber subscriber);
}
