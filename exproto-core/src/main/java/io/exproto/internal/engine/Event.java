package io.exproto.internal.engine;

import io.exproto.adapter.TimerType;
import io.exproto.broker.Message;
import java.util.ArrayList;
import java.util.List;

/** One entry of a connection's event queue, turned into one handler callback. */
sealed interface Event {

  /** OnSocketCreated. */
  record Created() implements Event {}

  /** OnReceivedBytes. */
  record Bytes(byte[] bytes) implements Event {}

  /** OnTimerTimeout. */
  record Timeout(TimerType type) implements Event {}

  /**
   * OnReceivedMessages; more messages are appended while it waits in the queue, up to a count and
   * an estimated size in bytes. Guarded by the channel's monitor.
   */
  final class Messages implements Event {
    private final List<Message> messages = new ArrayList<>();
    private long bytes;

    Messages(Message first, long firstBytes) {
      messages.add(first);
      bytes = firstBytes;
    }

    /** Appends a message when the batch keeps within both limits; false when it does not. */
    boolean tryAdd(Message message, long messageBytes, int maxCount, long maxBytes) {
      if (messages.size() >= maxCount || bytes + messageBytes > maxBytes) {
        return false;
      }
      messages.add(message);
      bytes += messageBytes;
      return true;
    }

    List<Message> messages() {
      return messages;
    }
  }

  /** OnSocketClosed, always the last. */
  record Closed(String reason) implements Event {}
}
