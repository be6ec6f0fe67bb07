package io.exproto.broker;

import java.util.Objects;

/**
 * A published message as it travels through a {@link Broker}.
 *
 * <p>The payload array is shared, not copied: nobody may change it after the message is built.
 *
 * @param id unique message id (32 lower-case hex characters)
 * @param from the publisher's client id ({@code exproto} for RawPublish)
 * @param topic the topic name (mounted, as the broker sees it)
 * @param qos 0, 1 or 2
 * @param payload the payload, never null
 * @param timestamp milliseconds since the epoch when the message was published
 */
public record Message(String id, String from, String topic, int qos, byte[] payload, long timestamp) {

  /**
   * Validates the fields.
   *
   * @param id not null
   * @param from not null
   * @param topic not null
   * @param qos 0..2
   * @param payload not null
   * @param timestamp any
   */
  public Message {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos must be 0, 1 or 2, got " + qos);
    }
  }

  /**
   * Returns a copy with another topic.
   *
   * @param newTopic the topic
   * @return the copy
   */
  public Message withTopic(String newTopic) {
    return newTopic.equals(topic) ? this : new Message(id, from, newTopic, qos, payload, timestamp);
  }

  /**
   * Returns a copy with another qos.
   *
   * @param newQos the qos
   * @return the copy
   */
  public Message withQos(int newQos) {
    return newQos == qos ? this : new Message(id, from, topic, newQos, payload, timestamp);
  }

  @Override
  public String toString() {
    // Payloads may be secret: never in logs.
    return "Message[id=" + id + ", from=" + from + ", topic=" + topic + ", qos=" + qos
        + ", payload=" + payload.length + " bytes, timestamp=" + timestamp + "]";
  }
}
