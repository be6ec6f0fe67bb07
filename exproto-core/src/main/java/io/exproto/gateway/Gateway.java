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
        settings.maxPayloadBytes, settings.broker != null ? settings.broker : new InMemoryBroker(), List.copyOf(settings.authenticators),
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
     * Sets the most messages batched into one OnReceivedMessages. Default 10.
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
     * @throws IllegalStateException when no handler is set or two listeners share a name
     */
    public Gateway build() {
      if (handlerFactory == null) {
        throw new IllegalStateException("no handler: call handler(adapter -> yourHandler), or use the"
            + " gRPC binding (exproto-grpc) to reach a remote handler service");
      }
      Set<String> names = new HashSet<>();
      for (Listener listener : listeners) {
        if (!names.add(listener.name())) {
          throw new IllegalStateException("two listeners are named '" + listener.name() + "'; names must be unique");
        }
      }
      return new Gateway(copy());
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
