package io.exproto.grpc.internal;

import io.exproto.grpc.tls.ClientTlsOptions;
import io.grpc.ChannelCredentials;
import io.grpc.ConnectivityState;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettySslContextChannelCredentials;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

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
   * Checks that an address's scheme and the TLS options agree: {@code https://} with no options
   * or enabled ones, {@code http://} with no options or disabled ones.
   *
   * @param target the parsed address
   * @param tls the options, or empty when none were given
   * @param addressField the address's configuration field, named in errors
   * @throws IllegalArgumentException when they disagree; the message says which way to fix it
   */
  public static void checkTls(Addresses.Target target, Optional<ClientTlsOptions> tls, String addressField) {
    String prefix = ClientTlsOptions.CONFIG_PREFIX;
    if (target.tls() && tls.isPresent() && !tls.get().enable()) {
      throw new IllegalArgumentException(addressField + ": '" + target + "' uses https:// (TLS), but " + prefix
          + ".enable = false; set enable = true, or use http:// for plaintext");
    }
    if (!target.tls() && tls.isPresent() && tls.get().enable()) {
      throw new IllegalArgumentException(addressField + ": '" + target + "' is plaintext http://, but " + prefix
          + ".enable = true; use https:// for TLS, or set enable = false");
    }
  }

  /**
   * Opens a channel: plaintext HTTP/2 for {@code http://}, TLS for {@code https://} (with the
   * given options, or the defaults: the JDK's trusted CAs and no client certificate). The host may
   * be a name; it is resolved when the channel connects, not here. The SNI override of the
   * options, when set, replaces the address's host as the name sent in the handshake, checked
   * against the server's certificate and sent as the HTTP/2 {@code :authority}.
   *
   * <p>Unlike a default grpc-java channel, answers are delivered on the channel's network thread
   * ({@code directExecutor}) instead of being handed to a pooled thread, three hand-offs per unary
   * call: both ends of the binding (the gateway's handler client, the SDK's adapter client) have
   * call listeners that only complete futures. Profiled on the connection setup path, the hand-offs
   * took 21% of the gateway's thread CPU and 40% of the handler's (benchmarks/PROFILES.md). So a
   * step chained on such a future, or a {@code close()} of the channel's owner, must not block:
   * it would hold up every call of the channel. grpc-java's transparent retry stays on: a call
   * that races a connection's end (a server's GOAWAY, say) is sent again on a new connection
   * instead of failing.
   *
   * @param target the address
   * @param tls the options, or empty when none were given
   * @param addressField the address's configuration field, named in errors
   * @return the channel, owned by the caller
   * @throws IllegalArgumentException when the scheme and the options disagree, or a TLS file
   *     cannot be used (the message names the key)
   */
  public static ManagedChannel open(Addresses.Target target, Optional<ClientTlsOptions> tls, String addressField) {
    return builder(target, tls, addressField).directExecutor().build();
  }

  private static NettyChannelBuilder builder(Addresses.Target target, Optional<ClientTlsOptions> tls,
      String addressField) {
    checkTls(target, tls, addressField);
    Addresses.HostPort hostPort = target.hostPort();
    if (!target.tls()) {
      return NettyChannelBuilder.forAddress(hostPort.host(), hostPort.port(), InsecureChannelCredentials.create());
    }
    ClientTlsOptions options = tls.orElseGet(() -> ClientTlsOptions.builder().build());
    ChannelCredentials credentials = NettySslContextChannelCredentials.create(TlsContexts.forClient(options));
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress(hostPort.host(), hostPort.port(), credentials);
    options.serverNameIndication().ifPresent(builder::overrideAuthority);
    return builder;
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

  /**
   * Shortens a channel's reconnect backoff after a handler restart. gRPC waits longer and longer
   * (up to two minutes) between connection attempts to an unreachable server; calls that wait for
   * the channel to connect, or a gateway retrying callbacks, would then wait for a long time after
   * the handler is back. Each {@link #unavailable()} asks the channel to reconnect now, at most once
   * per interval, so attempts stay paced but never drift far apart; {@link #callMayWait()} keeps
   * doing so, once per interval, for as long as calls may be waiting for a connection. Thread-safe.
   */
  public static final class ReconnectPacer {
    private final ManagedChannel channel;
    private final long intervalNanos;
    private final long waitNanos;
    private final AtomicLong lastReset;
    private final AtomicBoolean ticking = new AtomicBoolean();
    private volatile long lastWaitNanos;

    /**
     * Creates a pacer.
     *
     * @param channel the channel to nudge, not owned
     * @param interval the least time between two nudges
     * @param wait how long a call may wait for a connection: the nudges go on that long after the
     *     last {@link #callMayWait()}
     */
    public ReconnectPacer(ManagedChannel channel, Duration interval, Duration wait) {
      this.channel = channel;
      this.intervalNanos = interval.toNanos();
      this.waitNanos = wait.toNanos();
      this.lastReset = new AtomicLong(System.nanoTime() - intervalNanos);
    }

    /** Notes a call that failed because the server was unreachable; may nudge the channel. */
    public void unavailable() {
      long now = System.nanoTime();
      long last = lastReset.get();
      if (now - last >= intervalNanos && lastReset.compareAndSet(last, now)) {
        channel.resetConnectBackoff();
      }
    }

    /**
     * Notes a call (or stream) about to start, which waits when the channel is not connected.
     * Cheap when it is: one state read.
     */
    public void callMayWait() {
      ConnectivityState state = channel.getState(false);
      if (state == ConnectivityState.READY || state == ConnectivityState.SHUTDOWN) {
        return;
      }
      lastWaitNanos = System.nanoTime();
      if (state == ConnectivityState.TRANSIENT_FAILURE) {
        unavailable();
      }
      if (ticking.compareAndSet(false, true)) {
        SharedTimer.schedule(timeout -> tick(), intervalNanos, TimeUnit.NANOSECONDS);
      }
    }

    /** Nudges a failing channel while calls may wait on it; stops once none may. */
    private void tick() {
      if (channel.isShutdown() || System.nanoTime() - lastWaitNanos > waitNanos) {
        ticking.set(false);
        // A call that noted itself while this tick was deciding to stop must not be left alone.
        if (channel.isShutdown() || System.nanoTime() - lastWaitNanos > waitNanos
            || !ticking.compareAndSet(false, true)) {
          return;
        }
      }
      if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
        unavailable();
      }
      SharedTimer.schedule(timeout -> tick(), intervalNanos, TimeUnit.NANOSECONDS);
    }
  }
}
