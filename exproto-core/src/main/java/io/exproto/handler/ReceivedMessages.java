package io.exproto.handler;

import io.exproto.broker.Message;
import java.util.List;
import java.util.Objects;

/**
 * Messages delivered to a connection's subscriptions, with their topics un-mounted. Deliveries that
 * arrive while another callback of the connection is in flight are batched into one event.
 *
 * @param conn the connection id
 * @param node the gateway's node name
 * @param messages one or more messages, in delivery order (immutable)
 */
public record ReceivedMessages(String conn, String node, List<Message> messages) {

  /**
   * Validates the fields and copies the list.
   *
   * @param conn not null
   * @param node not null
   * @param messages not null
   */
  public ReceivedMessages {
    Objects.requireNonNull(conn, "conn");
    Objects.requireNonNull(node, "node");
    messages = List.copyOf(messages);
  }
}
