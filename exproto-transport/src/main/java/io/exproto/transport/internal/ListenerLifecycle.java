package io.exproto.transport.internal;

import io.exproto.transport.ListenerOptions;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.BlockingOperationException;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The start-once, stop-any-number-of-times lifecycle every listener of this project shares (TCP,
 * TLS, UDP and, in {@code exproto-dtls}, DTLS): the state, the bound address, the errors of a
 * second start, of an address asked for before the start and of a failed bind, and the shutting
 * down of event loops a listener created for itself. Not API: public only so the DTLS module can
 * use it; it may change in any release and hosts must not use it.
 *
 * <p>Thread-safety: the state is guarded by the owning listener's lock (every method but
 * {@link #localAddress()} and {@link #describeAddress()}, which read a volatile field, must be
 * called holding it).
 */
public final class ListenerLifecycle {

  /** How long a stopping listener waits for its sockets to close and its own event loops to end. */
  public static final long STOP_WAIT_MILLIS = 3_000;

  private enum State { NEW, STARTED, STOPPED }

  private final ListenerOptions options;

  // Guarded by the owner's lock.
  private State state = State.NEW;

  private volatile InetSocketAddress boundAddress;

  /**
   * Creates the lifecycle of one listener, not yet started.
   *
   * @param options the listener's settings (its name and configured address), not null
   */
  public ListenerLifecycle(ListenerOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  /**
   * Checks that the listener may start: it was neither started nor stopped before.
   *
   * @throws IllegalStateException otherwise; the message names the listener
   */
  public void checkStartable() {
    if (state != State.NEW) {
      throw new IllegalStateException("listener " + options.name() + " was already "
          + (state == State.STARTED ? "started" : "stopped") + "; build a new one");
    }
  }

  /**
   * Records a successful start.
   *
   * @param bound the address the listener is bound to, not null
   */
  public void started(InetSocketAddress bound) {
    boundAddress = Objects.requireNonNull(bound, "bound");
    state = State.STARTED;
  }

  /**
   * Records a failed start: the listener can neither start again nor needs stopping.
   *
   * @param cause why the socket could not be bound, or null when unknown
   * @return the error to throw: a {@link BindException} when the cause is one, an
   *     {@link IOException} otherwise; its message names the listener and the address
   */
  public IOException startFailed(Throwable cause) {
    state = State.STOPPED;
    String reason = cause == null ? "unknown error" : String.valueOf(cause.getMessage());
    String message = "listener " + options.name() + " cannot bind " + ListenerOptions.describe(options.bind())
        + ": " + reason;
    IOException failure = cause instanceof BindException ? new BindException(message) : new IOException(message);
    failure.initCause(cause);
    return failure;
  }

  /**
   * Tells whether the listener has already stopped (or failed to start).
   *
   * @return whether it is stopped
   */
  public boolean isStopped() {
    return state == State.STOPPED;
  }

  /**
   * Marks the listener stopped, so it cannot start any more.
   *
   * @return whether it was running until now, so that the caller has sockets to close; false
   *     when it had not started or had already stopped
   */
  public boolean stop() {
    boolean started = state == State.STARTED;
    state = State.STOPPED;
    return started;
  }

  /**
   * Returns the bound address.
   *
   * @return the address, with the system's port when port 0 was configured
   * @throws IllegalStateException before the listener started
   */
  public InetSocketAddress localAddress() {
    InetSocketAddress address = boundAddress;
    if (address == null) {
      throw new IllegalStateException("listener " + options.name() + " has not started");
    }
    return address;
  }

  /**
   * Returns the bound address, or the configured one before the start, for {@code toString}.
   *
   * @return the address as text
   */
  public String describeAddress() {
    InetSocketAddress address = boundAddress;
    return ListenerOptions.describe(address != null ? address : options.bind());
  }

  /**
   * Creates an NIO event loop group of the listener's own, its threads named
   * {@code exproto-<name>-<role>} (the listener name's colons turned into dashes).
   *
   * @param threads the number of threads, at least 1
   * @param role what the threads do, e.g. {@code boss}, {@code worker} or {@code io}
   * @return the group; the listener must shut it down with {@link #shutDown}
   */
  public EventLoopGroup newEventLoopGroup(int threads, String role) {
    String threadName = "exproto-" + options.name().replace(':', '-') + "-" + role;
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadName), NioIoHandler.newFactory());
  }

  /**
   * Shuts event loop groups down at once (no quiet period, at most two seconds each) and waits up
   * to {@link #STOP_WAIT_MILLIS} for each to end; all are asked to shut down before any is waited
   * for.
   *
   * @param groups the groups; null ones are skipped
   */
  public static void shutDown(EventLoopGroup... groups) {
    List<Future<?>> terminations = new ArrayList<>();
    for (EventLoopGroup group : groups) {
      if (group != null) {
        terminations.add(group.shutdownGracefully(0, 2, TimeUnit.SECONDS));
      }
    }
    terminations.forEach(ListenerLifecycle::awaitQuietly);
  }

  /**
   * Waits up to {@link #STOP_WAIT_MILLIS} for a future, and not at all on an event loop thread,
   * which must not wait for itself.
   *
   * @param future the future, not null
   */
  public static void awaitQuietly(Future<?> future) {
    try {
      future.awaitUninterruptibly(STOP_WAIT_MILLIS);
    } catch (BlockingOperationException e) {
      // Called on an event loop thread, which must not wait for itself.
    }
  }
}
