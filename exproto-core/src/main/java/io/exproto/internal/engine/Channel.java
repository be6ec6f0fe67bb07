package io.exproto.internal.engine;

import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.TimerType;
import io.exproto.broker.Message;
import io.exproto.broker.Subscriber;
import io.exproto.gateway.GatewayMetrics;
import io.exproto.hooks.ClientContext;
import io.exproto.handler.CloseReasons;
import io.exproto.handler.ConnectionHandler;
import io.exproto.handler.FailurePolicy;
import io.exproto.handler.HandlerUnavailableException;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.ReceivedMessages;
import io.exproto.handler.SocketClosed;
import io.exproto.handler.SocketCreated;
import io.exproto.handler.TimerTimeout;
import io.exproto.listener.Connection;
import io.exproto.listener.ConnectionEvents;
import io.exproto.listener.SocketType;
import io.exproto.time.Scheduler;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's side of one device connection: its ordered event queue (one handler callback in
 * flight at a time), its client state, its timers and its subscriptions.
 *
 * <p>Locking: the channel's monitor guards its mutable state and is held only for short state
 * changes, never across a handler callback, a transport call or a broker call, so adapter calls
 * made from inside a callback never wait for that callback.
 *
 * <p>Dispatch: the queue is drained by one thread at a time (the one that set {@code inFlight}).
 * For a blocking handler each drain runs on the gateway's executor; for a handler that declares
 * {@link ConnectionHandler#isNonBlocking()} it runs on the thread that has the event: the one
 * that queued it into an idle queue, or the one that completed the previous callback's stage.
 *
 * <p>Logging: what a device, the handler or the broker can cause goes through the engine's shared
 * {@link EngineLogs} (one rate-limited logger per site); only debug lines use the plain logger.
 */
final class Channel implements ConnectionEvents, Subscriber {

  private static final Logger log = LoggerFactory.getLogger(Channel.class);
  private static final long FIRST_BACKOFF_MILLIS = 100;
  private static final long MAX_BACKOFF_MILLIS = 5_000;

  private enum State { OPEN, CLOSING, CLOSED }

  final String id;
  final Connection connection;
  private final Engine engine;
  private final EngineConfig config;
  private final EngineLogs logs;
  private final ConnectionHandler handler;
  // True when callbacks run on the calling thread instead of the executor.
  private final boolean direct;
  private final String mountpointTemplate;
  private final long createdAt;
  private volatile long lastInbound;

  // Guarded by this.
  private final ArrayDeque<Event> queue = new ArrayDeque<>();
  private boolean inFlight;
  private boolean paused;
  private State state = State.OPEN;
  private boolean authenticated;
  private boolean authenticating;
  private String clientId;
  private ClientInfo clientInfo;
  private String username = "";
  private String mountpoint = "";
  private long keepaliveMillis;
  private Scheduler.Cancellable livenessTimer;
  private Scheduler.Cancellable expiryTimer;
  private final Set<String> subscriptions = new HashSet<>();
  // Subscribes to new filters between their check against the limit and the broker's answer.
  private int pendingSubscriptions;
  // Retry state of the callback at the head of the queue; touched only by the draining thread.
  // When the handler became unavailable under the retry policy (0: it is not); read by deliveries.
  private volatile long retryingSince;
  private int retryAttempts;

  Channel(String id, Connection connection, Engine engine, String mountpointTemplate) {
    this.id = id;
    this.connection = connection;
    this.engine = engine;
    this.config = engine.config();
    this.logs = engine.logs();
    this.handler = engine.handler();
    this.direct = handler.isNonBlocking();
    this.mountpointTemplate = mountpointTemplate;
    this.createdAt = config.scheduler().nowMillis();
    this.lastInbound = createdAt;
    this.clientId = id;
  }

  /** Queues OnSocketCreated and arms the liveness timer; called once, right after registration. */
  void open() {
    enqueue(new Event.Created());
    synchronized (this) {
      rescheduleLiveness();
    }
  }

  // ---- transport events ----

  @Override
  public void onBytes(byte[] bytes) {
    lastInbound = config.scheduler().nowMillis();
    boolean overflow;
    synchronized (this) {
      if (state != State.OPEN) {
        return;
      }
      overflow = queue.size() >= 2 * config.queueCapacity();
    }
    if (overflow) {
      // Reading was paused at queueCapacity; a transport that keeps delivering is not honouring it.
      logs.queueOverflow.warn(
          "Connection {} overflowed its event queue while paused; closing it", id);
      close(CloseReasons.BACKPRESSURE_OVERFLOW, true);
      return;
    }
    enqueue(new Event.Bytes(bytes));
  }

  @Override
  public void onClosed(String reason) {
    close(reason, false);
  }

  // ---- broker deliveries ----

  @Override
  public void deliver(Message message) {
    String topic = message.topic();
    Message unmounted;
    ClientContext context;
    synchronized (this) {
      if (state != State.OPEN) {
        return;
      }
      unmounted = !mountpoint.isEmpty() && topic.startsWith(mountpoint)
          ? message.withTopic(topic.substring(mountpoint.length()))
          : message;
      context = engine.hooks().isEmpty() ? null : contextLocked();
    }
    if (context != null) {
      unmounted = engine.hooks().deliver(context, unmounted);
      if (unmounted == null) {
        config.metrics().increment(GatewayMetrics.MESSAGES_DROPPED_BY_HOOK);
        log.debug("A hook dropped a message to {} for connection {}", topic, id);
        return;
      }
    }
    long size = Sizes.deliveredBytes(unmounted, engine.nodeNameBytes());
    if (size > config.maxBatchBytes()) {
      // No batch could carry it: dropped alone, so the device and the messages around it stay.
      config.metrics().increment(GatewayMetrics.MESSAGES_DROPPED_TOO_LARGE);
      logs.messageTooLarge.warn("Dropped a message to {} for connection {}: about {} bytes encoded,"
          + " more than the batch limit of {} bytes", topic, id, size, config.maxBatchBytes());
      return;
    }
    boolean handlerDown = false;
    synchronized (this) {
      if (state != State.OPEN) {
        return;
      }
      if (queue.peekLast() instanceof Event.Messages batch
          && batch.tryAdd(unmounted, size, config.maxBatchSize(), config.maxBatchBytes())) {
        config.metrics().increment(GatewayMetrics.MESSAGES_DELIVERED);
        return;
      }
      if (queue.size() >= config.queueCapacity()) {
        config.metrics().increment(GatewayMetrics.MESSAGES_DROPPED);
        handlerDown = retryingSince != 0;
        if (!handlerDown) {
          logs.deliveryDropped.warn("Dropped a message to {} for connection {}: its event queue"
              + " is full ({} events)", topic, id, queue.size());
          return;
        }
      }
    }
    if (handlerDown) {
      // The retry policy keeps events while the queue has room; past it the connection would lose
      // messages for as long as the handler stays away, so it ends with a handler error instead.
      logs.deliveryDroppedClosing.warn("Dropped a message to {} for connection {} and closing it:"
          + " its event queue is full ({} events) while the handler is unavailable", topic, id,
          config.queueCapacity());
      close(CloseReasons.HANDLER_ERROR, true);
      return;
    }
    config.metrics().increment(GatewayMetrics.MESSAGES_DELIVERED);
    enqueue(new Event.Messages(unmounted, size));
  }

  // ---- the event queue ----

  private void enqueue(Event event) {
    boolean startDrain;
    synchronized (this) {
      if (state == State.CLOSED || (state == State.CLOSING && !(event instanceof Event.Closed))) {
        return;
      }
      queue.add(event);
      if (!paused && state == State.OPEN && queue.size() >= config.queueCapacity()) {
        paused = true;
        // Under the lock (the call does not block) so pause and resume reach the transport in the
        // order the state changed.
        connection.pauseReading();
      }
      startDrain = !inFlight;
      inFlight = true;
    }
    if (startDrain) {
      dispatch();
    }
  }

  /** Runs the drain loop: on this thread for a non-blocking handler, else on the executor. */
  private void dispatch() {
    if (direct) {
      drain();
    } else {
      config.executor().execute(this::drain);
    }
  }

  /**
   * Goes on with the queue after a callback settled off the drain loop. An empty queue ends the
   * drain here, so no task is handed to the executor only to find nothing to do.
   */
  private void resumeDrain() {
    synchronized (this) {
      if (queue.isEmpty()) {
        inFlight = false;
        return;
      }
    }
    dispatch();
  }

  /**
   * Dispatches queued events one at a time. Callbacks that complete at once are followed in this
   * loop; an asynchronous one resumes the loop from its completion.
   */
  private void drain() {
    while (true) {
      Event event;
      synchronized (this) {
        event = queue.poll();
        if (event == null) {
          inFlight = false;
          return;
        }
        if (paused && queue.size() <= config.queueCapacity() / 2) {
          paused = false;
          if (state == State.OPEN) {
            connection.resumeReading();
          }
        }
      }
      CompletableFuture<Void> outcome = invoke(event);
      if (outcome.isDone()) {
        if (settle(event, failureOf(outcome))) {
          continue;
        }
        return;
      }
      AtomicBoolean settled = new AtomicBoolean();
      Scheduler.Cancellable deadline = config.scheduler().schedule(() -> {
        if (settled.compareAndSet(false, true)) {
          TimeoutException timeout = new TimeoutException(
              "no answer within " + config.handlerTimeoutMillis() + " ms");
          if (settle(event, timeout)) {
            resumeDrain();
          }
        }
      }, config.handlerTimeoutMillis());
      outcome.whenComplete((v, error) -> {
        if (settled.compareAndSet(false, true)) {
          deadline.cancel();
          if (settle(event, failureOf(outcome))) {
            resumeDrain();
          }
        }
      });
      return;
    }
  }

  private static Throwable failureOf(CompletableFuture<Void> outcome) {
    if (!outcome.isCompletedExceptionally()) {
      return null;
    }
    Throwable error = outcome.handle((v, e) -> e).join();
    while (error instanceof CompletionException && error.getCause() != null) {
      error = error.getCause();
    }
    return error;
  }

  private CompletableFuture<Void> invoke(Event event) {
    try {
      CompletionStage<Void> stage;
      if (event instanceof Event.Bytes b) {
        stage = handler.onReceivedBytes(new ReceivedBytes(id, b.bytes()));
      } else if (event instanceof Event.Messages m) {
        stage = handler.onReceivedMessages(new ReceivedMessages(id, config.nodeName(), m.messages()));
      } else if (event instanceof Event.Created) {
        stage = handler.onSocketCreated(new SocketCreated(id, connection.info()));
      } else if (event instanceof Event.Timeout t) {
        stage = handler.onTimerTimeout(new TimerTimeout(id, t.type()));
      } else {
        stage = handler.onSocketClosed(new SocketClosed(id, ((Event.Closed) event).reason()));
      }
      if (stage == null) {
        return CompletableFuture.failedFuture(new NullPointerException("the handler returned null"));
      }
      return stage.toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Deals with the outcome of one callback: on success or a final failure the loop goes on (true);
   * under the retry policy a retryable failure puts the event back at the head of the queue and
   * schedules the next attempt (false: the loop stops until then, keeping the queue in order).
   */
  private boolean settle(Event event, Throwable error) {
    if (error == null) {
      retryingSince = 0;
      retryAttempts = 0;
    } else if (config.failurePolicy() == FailurePolicy.RETRY && isRetryable(error)) {
      long now = config.scheduler().nowMillis();
      if (retryingSince == 0) {
        retryingSince = now;
      }
      if (now - retryingSince < config.retryWindowMillis()) {
        long backoff = Math.min(MAX_BACKOFF_MILLIS, FIRST_BACKOFF_MILLIS << Math.min(retryAttempts, 10));
        if (retryAttempts++ == 0) {
          logs.handlerRetrying.warn("Handler unavailable for {} of connection {}; retrying for up"
              + " to {} ms: {}", callbackName(event), id, config.retryWindowMillis(),
              String.valueOf(error));
        }
        synchronized (this) {
          queue.addFirst(event);
        }
        config.metrics().increment(GatewayMetrics.HANDLER_RETRIES);
        config.scheduler().schedule(this::dispatch, backoff);
        return false;
      }
      logs.handlerGaveUp.warn("Handler still unavailable after {} ms; giving up on connection {}",
          config.retryWindowMillis(), id);
      onHandlerFailure(event, error);
    } else {
      onHandlerFailure(event, error);
    }
    if (event instanceof Event.Closed) {
      synchronized (this) {
        state = State.CLOSED;
        queue.clear();
      }
      engine.closed(this);
    }
    return true;
  }

  /**
   * Tells whether a failed callback is safe to send again: only when the handler says it never
   * received it ({@link HandlerUnavailableException}). A callback that may have reached the handler
   * (an error answer, no answer within the deadline: the engine's own {@link TimeoutException}
   * among them) is not, because the handler may have acted on it (published, sent to the device)
   * and would act twice.
   */
  private static boolean isRetryable(Throwable error) {
    return error instanceof HandlerUnavailableException;
  }

  private void onHandlerFailure(Event event, Throwable error) {
    config.metrics().increment(GatewayMetrics.HANDLER_ERRORS);
    String callback = callbackName(event);
    if (event instanceof Event.Closed) {
      logs.handlerFailedOnClose.warn("Handler failed {} of connection {}: {}", callback, id,
          String.valueOf(error));
      return;
    }
    logs.handlerFailed.warn("Handler failed {} of connection {}; closing it: {}", callback, id,
        String.valueOf(error));
    close(CloseReasons.HANDLER_ERROR, true);
  }

  private static String callbackName(Event event) {
    if (event instanceof Event.Bytes) {
      return "OnReceivedBytes";
    } else if (event instanceof Event.Messages) {
      return "OnReceivedMessages";
    } else if (event instanceof Event.Created) {
      return "OnSocketCreated";
    } else if (event instanceof Event.Timeout) {
      return "OnTimerTimeout";
    }
    return "OnSocketClosed";
  }

  // ---- closing ----

  /**
   * Closes the connection once: releases its client id and subscriptions, then queues
   * OnSocketClosed behind the callbacks already queued (which have the flush timeout to run).
   *
   * @return whether this call closed it
   */
  boolean close(String reason, boolean closeTransport) {
    Set<String> filters;
    ClientContext context;
    synchronized (this) {
      if (state != State.OPEN) {
        return false;
      }
      context = authenticated ? contextLocked() : null;
      state = State.CLOSING;
      cancel(livenessTimer);
      cancel(expiryTimer);
      filters = new HashSet<>(subscriptions);
      subscriptions.clear();
    }
    if (closeTransport) {
      connection.close();
    }
    config.metrics().increment(GatewayMetrics.CONNECTIONS_CLOSED);
    engine.releaseClientId(this);
    for (String filter : filters) {
      engine.unsubscribeQuietly(filter, this);
    }
    if (context != null) {
      engine.hooks().disconnected(context, reason);
    }
    log.debug("Connection {} closing: {}", id, reason);
    config.scheduler().schedule(this::dropUnflushed, config.closeFlushTimeoutMillis());
    enqueue(new Event.Closed(reason));
    return true;
  }

  /** After the flush timeout: drops what is still queued ahead of OnSocketClosed. */
  private void dropUnflushed() {
    int dropped = 0;
    synchronized (this) {
      for (Iterator<Event> it = queue.iterator(); it.hasNext(); ) {
        if (!(it.next() instanceof Event.Closed)) {
          it.remove();
          dropped++;
        }
      }
    }
    if (dropped > 0) {
      config.metrics().add(GatewayMetrics.EVENTS_DROPPED, dropped);
      logs.unflushedDropped.warn("Dropped {} queued callbacks of closed connection {}: not flushed"
          + " within {} ms", dropped, id, config.closeFlushTimeoutMillis());
    }
  }

  private static void cancel(Scheduler.Cancellable timer) {
    if (timer != null) {
      timer.cancel();
    }
  }

  // ---- client state, used by the engine's adapter operations ----

  synchronized boolean isOpen() {
    return state == State.OPEN;
  }

  synchronized boolean isAuthenticated() {
    return state == State.OPEN && authenticated;
  }

  synchronized String clientId() {
    return clientId;
  }

  synchronized String mountpoint() {
    return mountpoint;
  }

  /** The client as the hooks and authorizers see it; only for authenticated channels. */
  synchronized ClientContext context() {
    return contextLocked();
  }

  private ClientContext contextLocked() {
    return new ClientContext(id, clientInfo == null ? ClientInfo.of(clientId, "") : clientInfo, connection.info());
  }

  /** Marks an Authenticate in progress; false when the conn is closed, authenticated or already authenticating. */
  synchronized boolean beginAuthentication() {
    if (state != State.OPEN || authenticated || authenticating) {
      return false;
    }
    authenticating = true;
    return true;
  }

  synchronized void abortAuthentication() {
    authenticating = false;
  }

  /** Completes an allowed Authenticate; false when the conn closed meanwhile. */
  synchronized boolean completeAuthentication(ClientInfo client, long expiresAtMillis) {
    authenticating = false;
    if (state != State.OPEN) {
      return false;
    }
    authenticated = true;
    clientInfo = client;
    clientId = client.clientId();
    username = client.username();
    mountpoint = Mountpoints.render(mountpointTemplate, clientId, username, connection.info().peer().host());
    rescheduleLiveness();
    if (expiresAtMillis > 0) {
      expiryTimer = config.scheduler().schedule(
          () -> close(CloseReasons.EXPIRED, true), expiresAtMillis - config.scheduler().nowMillis());
    }
    return true;
  }

  synchronized void startKeepalive(long intervalMillis) {
    if (state != State.OPEN) {
      return;
    }
    keepaliveMillis = intervalMillis;
    rescheduleLiveness();
  }

  /** The answer of {@link #reserveSubscription}. */
  enum Reservation {
    /** The filter is subscribed already: a qos update, which takes no slot. */
    EXISTING,
    /** A new filter: it holds a slot until added or released. */
    RESERVED,
    /** The connection has as many subscriptions as it may. */
    FULL,
    /** The connection closed. */
    CLOSED
  }

  /**
   * Checks a subscribe against the per-connection limit before the broker is asked, counting the
   * subscribes of new filters still waiting for the broker.
   */
  synchronized Reservation reserveSubscription(String mountedFilter) {
    if (state != State.OPEN) {
      return Reservation.CLOSED;
    }
    if (subscriptions.contains(mountedFilter)) {
      return Reservation.EXISTING;
    }
    if (subscriptions.size() + pendingSubscriptions >= config.maxSubscriptions()) {
      return Reservation.FULL;
    }
    pendingSubscriptions++;
    return Reservation.RESERVED;
  }

  /** Gives back the slot of a subscribe that the broker did not complete. */
  synchronized void releaseSubscription(Reservation reservation) {
    if (reservation == Reservation.RESERVED) {
      pendingSubscriptions--;
    }
  }

  /**
   * Records a subscription the broker completed; false when the conn closed meanwhile (the caller
   * then undoes it).
   */
  synchronized boolean addSubscription(String mountedFilter, Reservation reservation) {
    releaseSubscription(reservation);
    if (state != State.OPEN) {
      return false;
    }
    subscriptions.add(mountedFilter);
    return true;
  }

  synchronized boolean hasSubscription(String mountedFilter) {
    return subscriptions.contains(mountedFilter);
  }

  synchronized boolean removeSubscription(String mountedFilter) {
    return subscriptions.remove(mountedFilter);
  }

  // ---- liveness: keepalive and idle timeout ----

  /**
   * When the connection is dead if no byte arrives before; Long.MAX_VALUE for never. The idle rule
   * of the behaviour contract (revised 2026-12-03): a keepalive timer, once started, decides;
   * without one, a connection not yet authenticated has idle_timeout from its creation whatever it
   * sends, an authenticated UDP or DTLS one idle_timeout from its last datagram (a datagram
   * transport cannot tell otherwise that the peer is gone), and an authenticated TCP or TLS one
   * is never closed for idleness (a quiet subscriber lives until its socket closes).
   */
  private long livenessDeadline() {
    if (keepaliveMillis > 0) {
      return lastInbound + keepaliveMillis * 3 / 2;
    }
    if (config.idleTimeoutMillis() <= 0) {
      return Long.MAX_VALUE;
    }
    if (!authenticated) {
      return createdAt + config.idleTimeoutMillis();
    }
    return isDatagram() ? lastInbound + config.idleTimeoutMillis() : Long.MAX_VALUE;
  }

  private boolean isDatagram() {
    SocketType type = connection.info().socketType();
    return type == SocketType.UDP || type == SocketType.DTLS;
  }

  private void rescheduleLiveness() {
    cancel(livenessTimer);
    long deadline = livenessDeadline();
    livenessTimer = deadline == Long.MAX_VALUE
        ? null
        : config.scheduler().schedule(this::checkLiveness, deadline - config.scheduler().nowMillis());
  }

  private void checkLiveness() {
    boolean keepalive;
    synchronized (this) {
      if (state != State.OPEN) {
        return;
      }
      if (config.scheduler().nowMillis() < livenessDeadline()) {
        rescheduleLiveness(); // bytes arrived since the timer was set
        return;
      }
      keepalive = keepaliveMillis > 0;
    }
    if (keepalive) {
      enqueue(new Event.Timeout(TimerType.KEEPALIVE));
      close(CloseReasons.KEEPALIVE_TIMEOUT, true);
    } else {
      close(CloseReasons.IDLE_TIMEOUT, true);
    }
  }

  @Override
  public String toString() {
    return "Channel[" + id + "]";
  }
}
