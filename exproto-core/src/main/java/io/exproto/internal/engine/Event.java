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

  /** OnReceivedMessages; more messages are appended while it waits in the queue. */
  record Messages(List<Message> messages) implements Event {
    Messages(Message first) {
      this(new ArrayList<>(List.of(first)));
    }
  }

  /** OnSocketClosed, always the last. */
  record Closed(String reason) implements Event {}
}
