package io.exproto.grpc.internal;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Opens and closes the client channels of the binding (to a handler service, to a gateway's
 * adapter). A channel connects lazily, on its first call, and reconnects by itself.
 *
 * <p>Internal: not part of the public API.
 */
public final class ClientChannels {

  private static final long GRACE_MILLIS = 5_000;

  private ClientChannels() {}

  /**
   * Opens a plaintext HTTP/2 channel. The host may be a name; it is resolved when the channel
   * connects, not here.
   *
   * @param target the host and port
   * @return the channel, owned by the caller
   */
  public static ManagedChannel plaintext(Addresses.HostPort target) {
    // TLS to the handler (handler.ssl_options, "https://") will choose TlsChannelCredentials here.
    ChannelCredentials credentials = InsecureChannelCredentials.create();
    return NettyChannelBuilder.forAddress(target.host(), target.port(), credentials).build();
  }

  /**
   * Shuts a channel down, lets calls in flight finish for a few seconds, then cancels the rest.
   *
   * @param channel the channel
   */
  public static void shutdown(ManagedChannel channel) {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
        channel.shutdownNow();
        channel.awaitTermination(GRACE_MILLIS, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Checks a call timeout and converts it to milliseconds.
   *
   * @param timeout the timeout, positive
   * @param field the setting's name, for the error
   * @return the timeout in milliseconds, at least 1
   * @throws IllegalArgumentException when the timeout is null, zero or negative
   */
  public static long timeoutMillis(Duration timeout, String field) {
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(field + ": must be a positive duration, got " + timeout);
    }
    try {
      return Math.max(1, timeout.toMillis());
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
