package io.exproto.listener;

/**
 * What a transport reports about one connection, implemented by the gateway.
 *
 * <p>A transport calls these methods from one thread at a time per connection, in the order the
 * events happened.
 */
public interface ConnectionEvents {

  /**
   * Bytes arrived from the device. The gateway owns the array after the call.
   *
   * @param bytes the bytes, not null, not empty
   */
  void onBytes(byte[] bytes);

  /**
   * The device side closed or failed. Called at most once; nothing is reported after it.
   *
   * @param reason the close reason, for example {@code tcp_closed} or {@code udp_closed}
   */
  void onClosed(String reason);
}
