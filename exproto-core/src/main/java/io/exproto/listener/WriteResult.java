package io.exproto.listener;

import java.util.Objects;

/**
 * What {@link Connection#write(byte[])} did with the bytes: took them (they are queued for the
 * device, or there was nothing to do because the connection is closed or the array empty), or
 * refused them. A refused write is not queued; the transport has counted it, and the gateway
 * answers the handler's Send with a result that is not SUCCESS and carries the reason.
 *
 * @param accepted whether the connection took the bytes
 * @param reason why the bytes were refused, in plain English, without the bytes themselves;
 *     empty when accepted
 */
public record WriteResult(boolean accepted, String reason) {

  /** The result of a write the connection took. */
  public static final WriteResult ACCEPTED = new WriteResult(true, "");

  /**
   * Checks that an accepted write has no reason and a refused one has one.
   *
   * @param accepted any
   * @param reason not null; empty exactly when {@code accepted}
   */
  public WriteResult {
    Objects.requireNonNull(reason, "reason");
    if (accepted != reason.isEmpty()) {
      throw new IllegalArgumentException(accepted
          ? "an accepted write has no reason, got '" + reason + "'"
          : "a refused write needs a reason");
    }
  }

  /**
   * Returns the result of a write the connection refused.
   *
   * @param reason why, not empty, e.g. {@code the connection's send backlog is over its
   *     high-water mark of 1048576 bytes (the device is not reading)}
   * @return the result
   */
  public static WriteResult refused(String reason) {
    return new WriteResult(false, reason);
  }
}
