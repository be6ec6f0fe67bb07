package io.exproto.internal.engine;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Connection ids and message ids of one gateway. */
final class Ids {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final SecureRandom random = new SecureRandom();
  private final AtomicLong connSequence = new AtomicLong();
  private final AtomicLong messageSequence = new AtomicLong();
  private final long messagePrefix = ThreadLocalRandom.current().nextLong();

  /**
   * A connection id: 96 random bits (unguessable) followed by a 64-bit sequence number (never
   * reused within this gateway), as 27 characters of URL-safe base64.
   */
  String newConnId() {
    byte[] bytes = new byte[20];
    random.nextBytes(bytes);
    ByteBuffer.wrap(bytes, 12, 8).putLong(connSequence.incrementAndGet());
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** A message id: 32 lower-case hex characters, unique within this gateway. */
  String newMessageId() {
    char[] out = new char[32];
    writeHex(out, 0, messagePrefix);
    writeHex(out, 16, messageSequence.incrementAndGet());
    return new String(out);
  }

  private static void writeHex(char[] out, int offset, long value) {
    for (int i = 15; i >= 0; i--) {
      out[offset + i] = HEX[(int) (value & 0xF)];
      value >>>= 4;
    }
  }
}
