package io.exproto.broker;

/**
 * Receives the messages of a subscription. Implemented by the gateway (one per connection) and
 * passed to {@link Broker#subscribe}; brokers compare subscribers by identity.
 */
@FunctionalInterface
public interface Subscriber {

  /**
   * Delivers one message. Must not block; may be called from any thread, concurrently.
   *
   * @param message the message, its qos already lowered to the subscription's (MQTT rule)
   */
  void deliver(Message message);
}
