package io.exproto.gateway;

import io.exproto.adapter.Adapter;
import io.exproto.auth.Authenticator;
import io.exproto.auth.Authorizer;
import io.exproto.auth.AuthzResult;
import io.exproto.handler.FailurePolicy;
import io.exproto.hooks.GatewayHooks;
import io.exproto.broker.Broker;
import io.exproto.broker.InMemoryBroker;
import io.exproto.handler.CloseReasons;
import io.exproto.handler.ConnectionHandler;
import io.exproto.handler.HandlerFactory;
import io.exproto.internal.engine.Engine;
import io.exproto.internal.engine.EngineConfig;
import io.exproto.listener.Connection;
import io.exproto.listener.ConnectionAcceptor;
import io.exproto.listener.ConnectionEvents;
import io.exproto.listener.Listener;
import io.exproto.time.Scheduler;
import io.exproto.time.SystemScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ExProto gateway: device connections from its {@link Listener}s, their events to one
 * {@link ConnectionHandler}, the handler's publishes and subscriptions to one {@link Broker}.
 *
 * <pre>{@code
 * try (Gateway gateway = Gateway.builder()
 *     .listener(TcpListener.builder().bind(7993).build())
 *     .handler(adapter -> new MyProtocol(adapter))
 *     .broker(myBroker)
 *     .build()) {
 *   gateway.start();
 *   ...
 * }
 * }</pre>
 *
 * <p>{@link #start()} and {@link #stop()} are idempotent; a stopped gateway cannot start again.
 * Gateways share nothing: two in one JVM never see each other's connections or clients.
 */
public final class Gateway implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  private enum State { NEW, STARTED, STOPPED }

  private final Builder settings;
  private final GatewayMetrics metrics = new GatewayMetrics();
  private final List<Listener> listeners;
  private final java.util.Map<String, Listener> started = new java.util.LinkedHashMap<>();
  private State state = State.NEW;
  private Engine engine;
  private ConnectionHandler handler;
  private Scheduler scheduler;
  private SystemScheduler ownedScheduler;
  private ExecutorService ownedExecutor;

  private Gateway(Builder settings) {
    this.settings = settings;
    this.listeners = List.copyOf(settings.listeners);
  }

  /**
   * Starts a builder with EMQX's defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Creates the handler and starts every listener. Idempotent while started.
   *
   * @throws Exception when the handler or a listener cannot start; everything already started is
   *     stopped again
   * @throws IllegalStateException when the gateway was stopped
   */
  public synchronized void start() throws Exception {
    if (state == State.STARTED) {
      return;
    }
    if (state == State.STOPPED) {
      throw new IllegalStateException("a stopped gateway cannot start again; build a new one");
    }
    if (settings.scheduler != null) {
      scheduler = settings.scheduler;
    } else {
      ownedScheduler = new SystemScheduler("exproto-timer-" + settings.nodeName);
      scheduler = ownedScheduler;
    }
    Executor executor = settings.executor;
    if (executor == null) {
      AtomicInteger threads = new AtomicInteger();
      ownedExecutor = Executors.newFixedThreadPool(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()), r -> {
        Thread t = new Thread(r, "exproto-handler-" + threads.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      executor = ownedExecutor;
    }
    EngineConfig config = new EngineConfig(settings.nodeName, settings.mountpoint,
        settings.idleTimeout.toMillis(), settings.handlerTimeout.toMillis(),
        settings.closeFlushTimeout.toMillis(), settings.queueCapacity, settings.maxBatchSize,
        settings.maxBatchBytes, settings.maxPayloadBytes, settings.maxSubscriptions,
        settings.maxTopicLength, settings.maxTopicLevels, settings.brokerTimeout.toMillis(),
        settings.broker != null ? settings.broker : new InMemoryBroker(),
        List.copyOf(settings.authenticators),
        List.copyOf(settings.authorizers), settings.authorizationDefault, List.copyOf(settings.hooks),
        settings.failurePolicy, settings.retryWindow.toMillis(), scheduler, executor, metrics);
    HandlerProxy proxy = new HandlerProxy();
    engine = new Engine(config, proxy);
    try {
      handler = Objects.requireNonNull(settings.handlerFactory.create(engine), "the handler factory returned null");
      proxy.target = handler;
      for (Listener listener : listeners) {
        startListener(listener);
      }
    } catch (Exception | Error e) {
      state = State.STARTED;
      stop();
      throw e;
    }
    state = State.STARTED;
  }

  /**
   * Closes every connection with reason {@code gateway_stopped} (each gets its OnSocketClosed,
   * within the close flush timeout), stops the listeners and closes the handler. Idempotent.
   */
  public synchronized void stop() {
    if (state != State.STARTED) {
      state = State.STOPPED;
      return;
    }
    state = State.STOPPED;
    int left = engine.closeAll(CloseReasons.GATEWAY_STOPPED,
        settings.closeFlushTimeout.toMillis() + settings.handlerTimeout.toMillis());
    if (left > 0) {
      log.warn("{} connections did not finish closing before the gateway stopped", left);
    }
    for (Listener listener : List.copyOf(started.values())) {
      stopListener(listener);
    }
    if (handler instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        log.warn("Handler failed to close", e);
      }
    }
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
      try {
        ownedExecutor.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (ownedScheduler != null) {
      ownedScheduler.close();
    }
  }

  private void startListener(Listener listener) throws Exception {
    listener.start(new ConnectionAcceptor() {
      @Override
      public ConnectionEvents accept(Connection connection) {
        return engine.accept(connection, listener.mountpoint());
      }

      @Override
      public GatewayMetrics metrics() {
        return metrics;
      }
    });
    started.put(listener.name(), listener);
    log.info("Listener {} started", listener.name());
  }

  private void stopListener(Listener listener) {
    started.remove(listener.name());
    try {
      listener.stop();
      log.info("Listener {} stopped", listener.name());
    } catch (RuntimeException e) {
      log.warn("Listener {} failed to stop", listener.name(), e);
    }
  }

  /**
   * Starts another listener on the running gateway; the other listeners and their connections are
   * not touched.
   *
   * @param listener the listener, with a name no running listener has
   * @throws Exception when the listener cannot start
   * @throws IllegalStateException when the gateway is not running or the name is taken
   */
  public synchronized void addListener(Listener listener) throws Exception {
    if (state != State.STARTED) {
      throw new IllegalStateException("the gateway is not running; add listeners to the builder instead");
    }
    if (started.containsKey(listener.name())) {
      throw new IllegalStateException("a listener named '" + listener.name() + "' is already running");
    }
    startListener(listener);
  }

  /**
   * Stops one listener of the running gateway and closes its connections; the other listeners and
   * their connections are not touched.
   *
   * @param name the listener's name
   * @return whether a listener of that name was running
   */
  public synchronized boolean removeListener(String name) {
    Listener listener = started.get(name);
    if (listener == null) {
      return false;
    }
    stopListener(listener);
    return true;
  }

  /**
   * Returns the names of the running listeners.
   *
   * @return the names, in start order
   */
  public synchronized List<String> runningListeners() {
    return List.copyOf(started.keySet());
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  /**
   * Returns the adapter operations of this gateway, for in-process callers (RawPublish from the
   * host, tests). Valid once started.
   *
   * @return the adapter
   * @throws IllegalStateException before {@link #start()}
   */
  public synchronized Adapter adapter() {
    if (engine == null) {
      throw new IllegalStateException("the gateway has not started");
    }
    return engine;
  }

  /**
   * Closes the connection of a client with reason {@code kicked}.
   *
   * @param clientId the authenticated client id
   * @return whether a connection was closed
   */
  public synchronized boolean kick(String clientId) {
    return engine != null && engine.kick(clientId);
  }

  /**
   * Counts the connections open or still closing.
   *
   * @return the number of connections
   */
  public synchronized int connectionCount() {
    return engine == null ? 0 : engine.connectionCount();
  }

  /**
   * Returns the gateway's counters.
   *
   * @return the metrics, live
   */
  public GatewayMetrics metrics() {
    return metrics;
  }

  /**
   * Returns the gateway's node name.
   *
   * @return the node name
   */
  public String nodeName() {
    return settings.nodeName;
  }

  /**
   * Returns the listeners the gateway was built with.
   *
   * @return the listeners, immutable
   */
  public List<Listener> listeners() {
    return listeners;
  }

  /** Lets the engine exist before the handler it calls, so the factory can receive the adapter. */
  private static final class HandlerProxy implements ConnectionHandler {
    volatile ConnectionHandler target;

    @Override
    public boolean isNonBlocking() {
      ConnectionHandler current = target;
      return current != null && current.isNonBlocking();
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> onSocketCreated(io.exproto.handler.SocketCreated event) {
      return target.onSocketCreated(event);
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> onReceivedBytes(io.exproto.handler.ReceivedBytes event) {
      return target.onReceivedBytes(event);
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> onTimerTimeout(io.exproto.handler.TimerTimeout event) {
      return target.onTimerTimeout(event);
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> onReceivedMessages(io.exproto.handler.ReceivedMessages event) {
      return target.onReceivedMessages(event);
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> onSocketClosed(io.exproto.handler.SocketClosed event) {
      return target.onSocketClosed(event);
    }
  }

  /**
   * Configures a {@link Gateway}. Defaults follow EMQX ExProto. Not thread-safe; the built gateway
   * keeps its own copy of the listener list.
   */
  public static final class Builder {
    private static final int MIN_BATCH_BYTES = 1024;
    private static final int MQTT_MAX_TOPIC_LENGTH = 65_535;
    // Room for the publisher's client id, the node name and the protobuf framing of one message.
    private static final int MESSAGE_FIELDS_ALLOWANCE = 1024;

    private String nodeName = "exproto@127.0.0.1";
    private final List<Listener> listeners = new ArrayList<>();
    private HandlerFactory handlerFactory;
    private Broker broker; // null: a new InMemoryBroker per gateway
    private final List<Authenticator> authenticators = new ArrayList<>();
    private final List<Authorizer> authorizers = new ArrayList<>();
    private AuthzResult authorizationDefault = AuthzResult.ALLOW;
    private final List<GatewayHooks> hooks = new ArrayList<>();
    private FailurePolicy failurePolicy = FailurePolicy.CLOSE;
    private Duration retryWindow = Duration.ofSeconds(60);
    private String mountpoint = "";
    private Duration idleTimeout = Duration.ofSeconds(30);
    private Duration handlerTimeout = Duration.ofSeconds(30);
    private Duration closeFlushTimeout = Duration.ofSeconds(15);
    private int queueCapacity = 1000;
    private int maxBatchSize = 10;
    private int maxPayloadBytes = 1024 * 1024;
    private int maxBatchBytes = 2 * 1024 * 1024;
    private int maxSubscriptions = 100;
    private int maxTopicLength = 4096;
    private int maxTopicLevels = 128;
    private Duration brokerTimeout = Duration.ofSeconds(10);
    private Scheduler scheduler;
    private Executor executor;

    private Builder() {}

    /**
     * Sets the node name carried by every delivered message. Default {@code exproto@127.0.0.1}.
     *
     * @param nodeName not empty
     * @return this builder
     */
    public Builder nodeName(String nodeName) {
      this.nodeName = requireText(nodeName, "nodeName");
      return this;
    }

    /**
     * Adds a listener; names must be unique.
     *
     * @param listener the listener, started and stopped by the gateway
     * @return this builder
     */
    public Builder listener(Listener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Sets the handler, created with the gateway's adapter when the gateway starts. Required.
     *
     * @param factory creates the handler
     * @return this builder
     */
    public Builder handler(HandlerFactory factory) {
      this.handlerFactory = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /**
     * Sets the broker. Default: a new {@link InMemoryBroker}. The gateway does not own the broker:
     * stopping the gateway does not close it.
     *
     * @param broker the broker
     * @return this builder
     */
    public Builder broker(Broker broker) {
      this.broker = Objects.requireNonNull(broker, "broker");
      return this;
    }

    /**
     * Appends an authenticator to the chain. With none, every client is allowed.
     *
     * @param authenticator the authenticator
     * @return this builder
     */
    public Builder authenticator(Authenticator authenticator) {
      authenticators.add(Objects.requireNonNull(authenticator, "authenticator"));
      return this;
    }

    /**
     * Appends an authorizer to the chain consulted on Publish and Subscribe.
     *
     * @param authorizer the authorizer
     * @return this builder
     */
    public Builder authorizer(Authorizer authorizer) {
      authorizers.add(Objects.requireNonNull(authorizer, "authorizer"));
      return this;
    }

    /**
     * Sets the decision when no authorizer matches (EMQX's {@code no_match}). Default ALLOW.
     *
     * @param decision ALLOW or DENY
     * @return this builder
     */
    public Builder authorizationDefault(AuthzResult decision) {
      if (decision == null || decision == AuthzResult.NO_MATCH) {
        throw new IllegalArgumentException("authorizationDefault must be ALLOW or DENY");
      }
      this.authorizationDefault = decision;
      return this;
    }

    /**
     * Registers hooks; they run in registration order.
     *
     * @param gatewayHooks the hooks
     * @return this builder
     */
    public Builder hooks(GatewayHooks gatewayHooks) {
      hooks.add(Objects.requireNonNull(gatewayHooks, "hooks"));
      return this;
    }

    /**
     * Sets what a failed handler callback does. Default {@link FailurePolicy#CLOSE}.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder failurePolicy(FailurePolicy policy) {
      this.failurePolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Sets how long the {@link FailurePolicy#RETRY} policy retries one callback before closing the
     * connection with {@code handler_error}. Default 60 s.
     *
     * @param window positive
     * @return this builder
     */
    public Builder retryWindow(Duration window) {
      this.retryWindow = requirePositive(window, "retryWindow");
      return this;
    }

    /**
     * Sets the mountpoint template prefixed to every topic; listeners may override it. Placeholders
     * {@code ${clientid}}, {@code ${username}}, {@code ${peerhost}} are rendered at Authenticate.
     * Default empty.
     *
     * @param mountpoint the template
     * @return this builder
     */
    public Builder mountpoint(String mountpoint) {
      this.mountpoint = Objects.requireNonNull(mountpoint, "mountpoint");
      return this;
    }

    /**
     * Sets the idle timeout (see the behaviour contract). Default 30 s; zero disables it.
     *
     * @param idleTimeout not negative
     * @return this builder
     */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = requireNotNegative(idleTimeout, "idleTimeout");
      return this;
    }

    /**
     * Sets the deadline of one handler callback; a callback past it is a handler error. Default 30 s.
     *
     * @param handlerTimeout positive
     * @return this builder
     */
    public Builder handlerTimeout(Duration handlerTimeout) {
      this.handlerTimeout = requirePositive(handlerTimeout, "handlerTimeout");
      return this;
    }

    /**
     * Sets how long a closing connection may flush its queued callbacks before OnSocketClosed.
     * Default 15 s.
     *
     * @param closeFlushTimeout positive
     * @return this builder
     */
    public Builder closeFlushTimeout(Duration closeFlushTimeout) {
      this.closeFlushTimeout = requirePositive(closeFlushTimeout, "closeFlushTimeout");
      return this;
    }

    /**
     * Sets how many events a connection may queue before the gateway stops reading its socket.
     * Default 1000.
     *
     * @param capacity at least 2
     * @return this builder
     */
    public Builder queueCapacity(int capacity) {
      if (capacity < 2) {
        throw new IllegalArgumentException("queueCapacity must be at least 2, got " + capacity);
      }
      this.queueCapacity = capacity;
      return this;
    }

    /**
     * Sets the most messages batched into one OnReceivedMessages. Default 10. Batches are bounded
     * in bytes too: see {@link #maxBatchBytes}.
     *
     * @param maxBatchSize at least 1
     * @return this builder
     */
    public Builder maxBatchSize(int maxBatchSize) {
      if (maxBatchSize < 1) {
        throw new IllegalArgumentException("maxBatchSize must be at least 1, got " + maxBatchSize);
      }
      this.maxBatchSize = maxBatchSize;
      return this;
    }

    /**
     * Sets the largest payload Publish and RawPublish accept. Default 1 MiB.
     *
     * @param maxPayloadBytes at least 0
     * @return this builder
     */
    public Builder maxPayloadBytes(int maxPayloadBytes) {
      if (maxPayloadBytes < 0) {
        throw new IllegalArgumentException("maxPayloadBytes must not be negative, got " + maxPayloadBytes);
      }
      this.maxPayloadBytes = maxPayloadBytes;
      return this;
    }

    /**
     * Sets the most bytes one OnReceivedMessages may carry, estimated from above as each message's
     * payload, topic, publisher client id and node name plus 80 bytes of protobuf framing.
     * Deliveries that would pass it start a new batch (order is kept). A message bigger than this
     * on its own is dropped, counted as {@link GatewayMetrics#MESSAGES_DROPPED_TOO_LARGE} and
     * logged; the connection stays open. Default 2 MiB: room for the largest message Publish
     * accepts by default, and half of gRPC's default 4 MiB inbound limit of a remote handler (a
     * value over 4 MiB needs a handler that accepts bigger messages).
     *
     * <p>It must leave room for the largest message the gateway itself accepts: at least
     * {@code maxPayloadBytes + maxTopicLength + 1024} ({@link #build()} and {@link #checkLimits()}
     * check).
     *
     * @param maxBatchBytes at least 1024
     * @return this builder
     */
    public Builder maxBatchBytes(int maxBatchBytes) {
      if (maxBatchBytes < MIN_BATCH_BYTES) {
        throw new IllegalArgumentException("maxBatchBytes must be at least " + MIN_BATCH_BYTES
            + " bytes, got " + maxBatchBytes);
      }
      this.maxBatchBytes = maxBatchBytes;
      return this;
    }

    /**
     * Sets the most subscriptions one connection may hold. A Subscribe to a new filter beyond it
     * answers PERMISSION_DENY naming the limit; re-subscribing a filter the connection has (a qos
     * update) is not a new subscription. Default 100: ExProto devices subscribe to a handful of
     * topics, and the limit bounds the broker and gateway memory one connection can claim
     * (together with {@link #maxTopicLength}). Use {@link Integer#MAX_VALUE} for no limit.
     *
     * @param maxSubscriptions at least 1
     * @return this builder
     */
    public Builder maxSubscriptions(int maxSubscriptions) {
      if (maxSubscriptions < 1) {
        throw new IllegalArgumentException(
            "maxSubscriptions must be at least 1, got " + maxSubscriptions);
      }
      this.maxSubscriptions = maxSubscriptions;
      return this;
    }

    /**
     * Sets the longest topic name or filter Publish, RawPublish, Subscribe and Unsubscribe accept,
     * in bytes of UTF-8, with the mountpoint applied; a longer one answers PARAMS_TYPE_ERROR
     * naming {@code topic}. Default 4096 (MQTT allows up to 65535, the most this accepts).
     *
     * @param maxTopicLength from 1 to 65535
     * @return this builder
     */
    public Builder maxTopicLength(int maxTopicLength) {
      if (maxTopicLength < 1 || maxTopicLength > MQTT_MAX_TOPIC_LENGTH) {
        throw new IllegalArgumentException("maxTopicLength must be from 1 to "
            + MQTT_MAX_TOPIC_LENGTH + " bytes (MQTT's maximum), got " + maxTopicLength);
      }
      this.maxTopicLength = maxTopicLength;
      return this;
    }

    /**
     * Sets the most levels ({@code a/b/c} has 3) of a topic name or filter that Publish,
     * RawPublish, Subscribe and Unsubscribe accept, without the mountpoint and, for a shared
     * subscription, without its {@code $share/<group>/} prefix; more answers PARAMS_TYPE_ERROR
     * naming {@code topic}. Default 128 (EMQX's {@code max_topic_levels}).
     *
     * @param maxTopicLevels at least 1
     * @return this builder
     */
    public Builder maxTopicLevels(int maxTopicLevels) {
      if (maxTopicLevels < 1) {
        throw new IllegalArgumentException(
            "maxTopicLevels must be at least 1, got " + maxTopicLevels);
      }
      this.maxTopicLevels = maxTopicLevels;
      return this;
    }

    /**
     * Sets how long a Publish, RawPublish, Subscribe or Unsubscribe waits for the broker. Past it
     * the operation answers UNKNOWN saying the broker did not answer, counted as
     * {@link GatewayMetrics#BROKER_ERRORS}; a subscribe the broker completes later is undone.
     * Default 10 s, so that a handler waiting inside its callback has its answer before the
     * callback's own deadline ({@link #handlerTimeout}, default 30 s).
     *
     * @param brokerTimeout positive
     * @return this builder
     */
    public Builder brokerTimeout(Duration brokerTimeout) {
      this.brokerTimeout = requirePositive(brokerTimeout, "brokerTimeout");
      return this;
    }

    /**
     * Sets the clock and timers. Default: the system clock on a thread the gateway owns. The
     * gateway does not own a scheduler passed here.
     *
     * @param scheduler the scheduler
     * @return this builder
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Sets where handler callbacks run. Default: a pool the gateway owns. The gateway does not
     * shut down an executor passed here. A handler that declares
     * {@link ConnectionHandler#isNonBlocking()} is called on the thread that has the event instead,
     * and never through this executor.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Builds the gateway (not started).
     *
     * @return the gateway
     * @throws IllegalStateException when no handler is set, two listeners share a name, or
     *     {@link #maxBatchBytes} has no room for the largest message Publish accepts
     */
    public Gateway build() {
      if (handlerFactory == null) {
        throw new IllegalStateException("no handler: call handler(adapter -> yourHandler), or use the"
            + " gRPC binding (exproto-grpc) to reach a remote handler service");
      }
      checkLimits();
      Set<String> names = new HashSet<>();
      for (Listener listener : listeners) {
        if (!names.add(listener.name())) {
          throw new IllegalStateException("two listeners are named '" + listener.name() + "'; names must be unique");
        }
      }
      return new Gateway(copy());
    }

    /**
     * Checks the settings that depend on one another, as {@link #build()} does, without building:
     * for configuration layers that apply settings to a builder before the handler is known.
     *
     * @return this builder
     * @throws IllegalStateException when {@link #maxBatchBytes} has no room for the largest message
     *     Publish accepts ({@link #maxPayloadBytes} + {@link #maxTopicLength} + 1024); the message
     *     starts with {@code maxBatchBytes}
     */
    public Builder checkLimits() {
      long largestMessage = (long) maxPayloadBytes + maxTopicLength + MESSAGE_FIELDS_ALLOWANCE;
      if (maxBatchBytes < largestMessage) {
        throw new IllegalStateException("maxBatchBytes (" + maxBatchBytes + ") must be at least"
            + " maxPayloadBytes (" + maxPayloadBytes + ") + maxTopicLength (" + maxTopicLength
            + ") + " + MESSAGE_FIELDS_ALLOWANCE + " = " + largestMessage + ", or the messages"
            + " Publish accepts could not be delivered; raise maxBatchBytes or lower"
            + " maxPayloadBytes");
      }
      return this;
    }

    /** A snapshot, so changing this builder later does not change a gateway built from it. */
    private Builder copy() {
      Builder b = new Builder();
      b.nodeName = nodeName;
      b.listeners.addAll(listeners);
      b.handlerFactory = handlerFactory;
      b.broker = broker;
      b.authenticators.addAll(authenticators);
      b.authorizers.addAll(authorizers);
      b.authorizationDefault = authorizationDefault;
      b.hooks.addAll(hooks);
      b.failurePolicy = failurePolicy;
      b.retryWindow = retryWindow;
      b.mountpoint = mountpoint;
      b.idleTimeout = idleTimeout;
      b.handlerTimeout = handlerTimeout;
      b.closeFlushTimeout = closeFlushTimeout;
      b.queueCapacity = queueCapacity;
      b.maxBatchSize = maxBatchSize;
      b.maxPayloadBytes = maxPayloadBytes;
      b.maxBatchBytes = maxBatchBytes;
      b.maxSubscriptions = maxSubscriptions;
      b.maxTopicLength = maxTopicLength;
      b.maxTopicLevels = maxTopicLevels;
      b.brokerTimeout = brokerTimeout;
      b.scheduler = scheduler;
      b.executor = executor;
      return b;
    }

    private static String requireText(String value, String name) {
      if (value == null || value.isEmpty()) {
        throw new IllegalArgumentException(name + " must not be empty");
      }
      return value;
    }

    private static Duration requireNotNegative(Duration d, String name) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative");
      }
      return d;
    }

    private static Duration requirePositive(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive");
      }
      return d;
    }
  }
}
