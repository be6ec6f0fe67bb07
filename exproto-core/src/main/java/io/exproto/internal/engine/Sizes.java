package io.exproto.internal.engine;

import io.exproto.broker.Message;

/** Byte counts the engine bounds: UTF-8 lengths and the encoded size of a delivered message. */
final class Sizes {

  /**
   * What the protobuf encoding of one delivered Message adds to its variable fields, rounded up:
   * the field tags and lengths, the 32-character id, qos, the timestamp and the entry's own tag
   * and length in the repeated field of OnReceivedMessages.
   */
  static final int MESSAGE_OVERHEAD_BYTES = 80;

  private Sizes() {}

  /**
   * Counts the bytes of a text in UTF-8 without encoding it.
   *
   * @param text the text
   * @return its length in UTF-8
   */
  static int utf8Length(String text) {
    int bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isSurrogate(c)) {
        bytes += 2; // a pair takes 4 bytes; a lone one is replaced by a 1-byte ?
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /**
   * Estimates the encoded bytes of one message in an OnReceivedMessages batch, from above.
   *
   * @param message the message as delivered
   * @param nodeNameBytes the UTF-8 length of the gateway's node name, carried in every message
   * @return the estimate
   */
  static long deliveredBytes(Message message, int nodeNameBytes) {
    return (long) message.payload().length + utf8Length(message.topic())
        + utf8Length(message.from()) + nodeNameBytes + MESSAGE_OVERHEAD_BYTES;
  }
}
