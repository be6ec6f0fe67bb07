package io.exproto.internal.engine;

import io.exproto.adapter.Adapter;
import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.Result;
import io.exproto.adapter.ResultCode;
import io.exproto.adapter.TimerType;
import io.exproto.auth.Action;
import io.exproto.auth.AuthRequest;
import io.exproto.auth.AuthResult;
import io.exproto.auth.Authenticator;
import io.exproto.auth.Authorizer;
import io.exproto.auth.AuthzRequest;
import io.exproto.auth.AuthzResult;
import io.exproto.broker.Message;
import io.exproto.broker.Topics;
import io.exproto.gateway.GatewayMetrics;
import io.exproto.handler.CloseReasons;
import io.exproto.handler.ConnectionHandler;
import io.exproto.hooks.ClientContext;
import io.exproto.listener.Connection;
import io.exproto.listener.ConnectionEvents;
import io.exproto.listener.WriteResult;
import io.exproto.time.Scheduler;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol-neutral heart of a gateway: the registry of channels (one per device connection)
 * and the adapter operations. Every semantic of the behaviour contract (ordering, timers,
 * mountpoint, result codes) lives here and in {@link Channel}, shared by in-process and gRPC
 * handlers.
 *
 * <p>Broker calls are bounded by the broker timeout: an operation whose broker call throws, fails,
 * returns null or does not answer in time answers UNKNOWN, and leaves the connection's state as
 * it was (a subscribe that did not complete is undone).
 *
 * <p>Internal: not part of the public API.
 */
public final class Engine implements Adapter {

  private static final Logger log = LoggerFactory.getLogger(Engine.class);
  private static final String RAW_PUBLISHER = "exproto";
  private static final Result NOT_ALIVE = Result.of(ResultCode.CONN_PROCESS_NOT_ALIVE,
      "conn: no such connection (unknown, malformed or already closed)");
  private static final Result NOT_AUTHENTICATED = Result.of(ResultCode.PERMISSION_DENY,
      "conn: the connection must Authenticate first");

  private final EngineConfig config;
  private final EngineLogs logs;
  private final ConnectionHandler handler;
  private final int nodeNameBytes;
  private final Ids ids = new Ids();
  private final ConcurrentHashMap<String, Channel> channels = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Channel> byClientId = new ConcurrentHashMap<>();
  private final HookRunner hooks;
  private volatile boolean accepting = true;

  /**
   * Creates an engine.
   *
   * @param config the configuration
   * @param handler the handler every connection's callbacks go to
   */
  public Engine(EngineConfig config, ConnectionHandler handler) {
    this(config, handler, EngineLogs.standard());
  }

  /** Creates an engine that writes its rate-limited lines to the given log sites. */
  Engine(EngineConfig config, ConnectionHandler handler, EngineLogs logs) {
    this.config = config;
    this.logs = logs;
    this.handler = handler;
    this.hooks = new HookRunner(config.hooks());
    this.nodeNameBytes = Sizes.utf8Length(config.nodeName());
  }

  EngineLogs logs() {
    return logs;
  }

  int nodeNameBytes() {
    return nodeNameBytes;
  }

  HookRunner hooks() {
    return hooks;
  }

  EngineConfig config() {
    return config;
  }

  ConnectionHandler handler() {
    return handler;
  }

  /**
   * Registers a new device connection and queues its OnSocketCreated.
   *
   * @param connection the transport's connection
   * @param listenerMountpoint the listener's mountpoint template, overriding the gateway's
   * @return where the transport reports the connection's bytes and close
   */
  public ConnectionEvents accept(Connection connection, Optional<String> listenerMountpoint) {
    if (!accepting) {
      config.metrics().increment(GatewayMetrics.CONNECTIONS_REFUSED);
      connection.close();
      return RefusedEvents.INSTANCE;
    }
    config.metrics().increment(GatewayMetrics.CONNECTIONS_ACCEPTED);
    String id = ids.newConnId();
    Channel channel = new Channel(id, connection, this, listenerMountpoint.orElse(config.mountpoint()));
    channels.put(id, channel);
    channel.open();
    return channel;
  }

  /**
   * Counts the connections not yet fully closed (OnSocketClosed not yet delivered).
   *
   * @return the number of live channels
   */
  public int connectionCount() {
    return channels.size();
  }

  /**
   * Closes the connection of a client id with reason {@code kicked}.
   *
   * @param clientId the client id
   * @return whether a connection was closed
   */
  public boolean kick(String clientId) {
    Channel channel = byClientId.get(clientId);
    return channel != null && channel.close(CloseReasons.KICKED, true);
  }

  /**
   * Stops accepting connections, closes every open one with {@code reason}, and waits until each
   * has had its OnSocketClosed delivered, or until the timeout.
   *
   * @param reason the close reason
   * @param timeoutMillis the most to wait
   * @return the number of connections still not fully closed at the end
   */
  public int closeAll(String reason, long timeoutMillis) {
    accepting = false;
    for (Channel channel : channels.values()) {
      channel.close(reason, true);
    }
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    synchronized (channels) {
      while (!channels.isEmpty()) {
        long waitNanos = deadline - System.nanoTime();
        if (waitNanos <= 0) {
          break;
        }
        try {
          channels.wait(Math.max(1, waitNanos / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    return channels.size();
  }

  /** Called once a channel's OnSocketClosed has been delivered. */
  void closed(Channel channel) {
    channels.remove(channel.id, channel);
    synchronized (channels) {
      channels.notifyAll();
    }
  }

  void releaseClientId(Channel channel) {
    byClientId.remove(channel.clientId(), channel);
  }

  // ---- adapter operations ----

  @Override
  public CompletionStage<Result> send(String conn, byte[] bytes) {
    return guarded("Send", () -> {
      Channel channel = open(conn);
      if (channel == null) {
        return done(NOT_ALIVE);
      }
      if (bytes == null) {
        return done(Result.of(ResultCode.REQUIRED_PARAMS_MISSED, "bytes: required"));
      }
      if (bytes.length > 0) {
        WriteResult written = channel.connection.write(bytes);
        if (!written.accepted()) {
          // The transport counted and logged it; the handler learns why from the result.
          return done(Result.of(ResultCode.UNKNOWN, "bytes: not sent: " + written.reason()));
        }
      }
      return done(Result.success());
    });
  }

  @Override
  public CompletionStage<Result> close(String conn) {
    return guarded("Close", () -> {
      Channel channel = open(conn);
      if (channel == null) {
        return done(NOT_ALIVE);
      }
      channel.close(CloseReasons.NORMAL, true);
      return done(Result.success());
    });
  }

  @Override
  public CompletionStage<Result> authenticate(String conn, ClientInfo clientInfo, String password) {
    return guarded("Authenticate", () -> {
      Channel channel = open(conn);
      if (channel == null) {
        return done(NOT_ALIVE);
      }
      if (clientInfo == null || clientInfo.clientId().isEmpty()) {
        return done(Result.of(ResultCode.REQUIRED_PARAMS_MISSED, "clientinfo.clientid: required, must not be empty"));
      }
      if (!channel.beginAuthentication()) {
        return done(channel.isOpen()
            ? Result.of(ResultCode.PERMISSION_DENY, "conn: already authenticated")
            : NOT_ALIVE);
      }
      AuthRequest request = new AuthRequest(channel.connection.info(), clientInfo, password == null ? "" : password);
      return runChain(request).thenApply(result -> finishAuthentication(channel, clientInfo, result));
    });
  }

  private Result finishAuthentication(Channel channel, ClientInfo clientInfo, AuthResult result) {
    if (result.decision() != AuthResult.Decision.ALLOW) {
      channel.abortAuthentication();
      config.metrics().increment(GatewayMetrics.AUTH_DENIED);
      logs.authDenied.info("Authentication denied for client {} on connection {}",
          clientInfo.clientId(), channel.id);
      String why = result.reason().isEmpty() ? "" : ": " + result.reason();
      hooks.authenticationFailed(channel.connection.info(), clientInfo, result.reason());
      return Result.of(ResultCode.PERMISSION_DENY, "authentication denied" + why);
    }
    long expiresAt = result.expiresAt().map(java.time.Instant::toEpochMilli).orElse(0L);
    if (!channel.completeAuthentication(clientInfo, expiresAt)) {
      return NOT_ALIVE;
    }
    Channel previous = byClientId.put(clientInfo.clientId(), channel);
    if (previous != null && previous != channel) {
      logs.discarded.info("Client {} authenticated on connection {}; closing its older connection"
          + " {}", clientInfo.clientId(), channel.id, previous.id);
      previous.close(CloseReasons.DISCARDED, true);
    }
    if (!channel.isOpen()) {
      byClientId.remove(clientInfo.clientId(), channel); // closed while registering
      return NOT_ALIVE;
    }
    hooks.connected(channel.context());
    return Result.success();
  }

  /** The first ALLOW or DENY wins; all IGNORE is a deny; no authenticator is anonymous access. */
  private CompletionStage<AuthResult> runChain(AuthRequest request) {
    List<Authenticator> chain = config.authenticators();
    if (chain.isEmpty()) {
      return CompletableFuture.completedFuture(AuthResult.allow());
    }
    return next(chain.iterator(), request);
  }

  private CompletionStage<AuthResult> next(Iterator<Authenticator> it, AuthRequest request) {
    if (!it.hasNext()) {
      return CompletableFuture.completedFuture(AuthResult.deny("no authenticator allowed the client"));
    }
    Authenticator authenticator = it.next();
    CompletionStage<AuthResult> stage;
    try {
      stage = authenticator.authenticate(request);
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    return stage.exceptionally(error -> {
      logs.authenticatorFailed.warn("Authenticator {} failed for client {}; ignoring it: {}",
          authenticator, request.client().clientId(), String.valueOf(error));
      return AuthResult.ignore();
    }).thenCompose(result -> result.decision() == AuthResult.Decision.IGNORE
        ? next(it, request)
        : CompletableFuture.completedFuture(result));
  }

  @Override
  public CompletionStage<Result> startTimer(String conn, TimerType type, long intervalSeconds) {
    return guarded("StartTimer", () -> {
      Channel channel = open(conn);
      if (channel == null) {
        return done(NOT_ALIVE);
      }
      if (type != TimerType.KEEPALIVE) {
        return done(Result.of(ResultCode.PARAMS_TYPE_ERROR, "type: must be KEEPALIVE"));
      }
      if (intervalSeconds <= 0) {
        return done(Result.of(ResultCode.PARAMS_TYPE_ERROR,
            "interval: must be greater than 0 seconds, got " + intervalSeconds));
      }
      channel.startKeepalive(intervalSeconds * 1000);
      return done(Result.success());
    });
  }

  @Override
  public CompletionStage<Result> publish(String conn, String topic, int qos, byte[] payload) {
    return guarded("Publish", () -> {
      Channel channel = open(conn);
      if (channel == null) {
        return done(NOT_ALIVE);
      }
      if (!channel.isAuthenticated()) {
        return done(NOT_AUTHENTICATED);
      }
      Result invalid = checkPublish(topic, qos, payload);
      if (invalid != null) {
        return done(invalid);
      }
      String mounted = Mountpoints.mount(channel.mountpoint(), topic, null);
      Result badMount = checkMounted(topic, mounted, true);
      if (badMount != null) {
        return done(badMount);
      }
      Message message = new Message(ids.newMessageId(), channel.clientId(), mounted, qos, payload,
          config.scheduler().nowMillis());
      return authorize(channel, Action.PUBLISH, topic, qos).thenCompose(allowed -> allowed
          ? publishMessage(channel.context(), message)
          : done(Result.of(ResultCode.PERMISSION_DENY, "topic: not authorized to publish to '" + topic + "'")));
    });
  }

  @Override
  public CompletionStage<Result> rawPublish(String topic, int qos, byte[] payload) {
    return guarded("RawPublish", () -> {
      Result invalid = checkPublish(topic, qos, payload);
      if (invalid != null) {
        return done(invalid);
      }
      return publishMessage(null, new Message(ids.newMessageId(), RAW_PUBLISHER, topic, qos, payload,
          config.scheduler().nowMillis()));
    });
  }

  private CompletionStage<Result> publishMessage(ClientContext publisher, Message message) {
    Message hooked = hooks.isEmpty() ? message : hooks.publish(publisher, message);
    if (hooked == null) {
      config.metrics().increment(GatewayMetrics.MESSAGES_DROPPED_BY_HOOK);
      log.debug("A hook dropped a message to {}", message.topic());
      return done(Result.success());
    }
    config.metrics().increment(GatewayMetrics.MESSAGES_PUBLISHED);
    return callBroker("publish", () -> config.broker().publish(hooked), null)
        .handle((v, error) -> error == null ? Result.success() : brokerFailed("publish", error));
  }

  /** Runs the authorizer chain: the first ALLOW or DENY wins, else the default; a failure denies. */
  private CompletionStage<Boolean> authorize(Channel channel, Action action, String topic, int qos) {
    List<Authorizer> chain = config.authorizers();
    if (chain.isEmpty()) {
      return CompletableFuture.completedFuture(config.authorizationDefault() == AuthzResult.ALLOW);
    }
    ClientContext context = channel.context();
    AuthzRequest request = new AuthzRequest(context.client(), context.connection(), action, topic, qos);
    return nextAuthorizer(chain.iterator(), request).thenApply(result -> {
      boolean allowed = (result == AuthzResult.NO_MATCH ? config.authorizationDefault() : result) == AuthzResult.ALLOW;
      if (!allowed) {
        config.metrics().increment(GatewayMetrics.AUTHZ_DENIED);
        logs.authzDenied.info("Client {} denied {} on {}", context.client().clientId(), action,
            topic);
      }
      return allowed;
    });
  }

  private CompletionStage<AuthzResult> nextAuthorizer(Iterator<Authorizer> it, AuthzRequest request) {
    if (!it.hasNext()) {
      return CompletableFuture.completedFuture(AuthzResult.NO_MATCH);
    }
    Authorizer authorizer = it.next();
    CompletionStage<AuthzResult> stage;
    try {
      stage = authorizer.authorize(request);
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    return stage.exceptionally(error -> {
      logs.authorizerFailed.warn("Authorizer {} failed; denying: {}", authorizer,
          String.valueOf(error));
      return AuthzResult.DENY;
    }).thenCompose(result -> result == AuthzResult.NO_MATCH
        ? nextAuthorizer(it, request)
        : CompletableFuture.completedFuture(result));
  }

  @Override
  public CompletionStage<Result> subscribe(String conn, String filter, int qos) {
    return guarded("Subscribe", () -> {
      Channel channel = open(conn);
      if (channel == null) {
        return done(NOT_ALIVE);
      }
      if (!channel.isAuthenticated()) {
        return done(NOT_AUTHENTICATED);
      }
      Result invalid = checkFilter(filter);
      if (invalid == null) {
        invalid = checkQos(qos);
      }
      if (invalid != null) {
        return done(invalid);
      }
      String mounted = mountFilter(channel, filter);
      Result badMount = checkMounted(filter, mounted, false);
      if (badMount != null) {
        return done(badMount);
      }
      String authzTopic = Topics.parseShared(filter).map(Topics.SharedFilter::filter).orElse(filter);
      return authorize(channel, Action.SUBSCRIBE, authzTopic, qos).thenCompose(allowed -> {
        if (!allowed) {
          return done(Result.of(ResultCode.PERMISSION_DENY, "topic: not authorized to subscribe to '" + filter + "'"));
        }
        Channel.Reservation reservation = channel.reserveSubscription(mounted);
        if (reservation == Channel.Reservation.CLOSED) {
          return done(NOT_ALIVE);
        }
        if (reservation == Channel.Reservation.FULL) {
          return done(Result.of(ResultCode.PERMISSION_DENY, "subscriptions: the connection has"
              + " reached the limit of " + config.maxSubscriptions() + " subscriptions per"
              + " connection; unsubscribe from one first (the gateway's maxSubscriptions)"));
        }
        // A new filter the broker completes only after the timeout is undone then, so the broker
        // never holds a subscription the connection does not know of.
        Runnable undoLate = reservation == Channel.Reservation.RESERVED
            ? () -> undoUnknownSubscription(mounted, channel)
            : null;
        CompletableFuture<Void> subscribed = callBroker("subscribe",
            () -> config.broker().subscribe(mounted, qos, channel), undoLate);
        return subscribed.handle((v, error) -> {
          if (error != null) {
            channel.releaseSubscription(reservation);
            if (undoLate != null && unwrap(error) instanceof BrokerTimeoutException) {
              undoLate.run(); // the broker may still be adding it
            }
            return brokerFailed("subscribe", error);
          }
          if (!channel.addSubscription(mounted, reservation)) {
            unsubscribeQuietly(mounted, channel); // the conn closed meanwhile
            return NOT_ALIVE;
          }
          hooks.subscribed(channel.context(), filter, qos);
          return Result.success();
        });
      });
    });
  }

  /** Removes from the broker a subscription of a new filter whose subscribe did not complete. */
  private void undoUnknownSubscription(String mounted, Channel channel) {
    if (!channel.hasSubscription(mounted)) { // another subscribe to it may have completed since
      unsubscribeQuietly(mounted, channel);
    }
  }

  @Override
  public CompletionStage<Result> unsubscribe(String conn, String filter) {
    return guarded("Unsubscribe", () -> {
      Channel channel = open(conn);
      if (channel == null) {
        return done(NOT_ALIVE);
      }
      if (!channel.isAuthenticated()) {
        return done(NOT_AUTHENTICATED);
      }
      Result invalid = checkFilter(filter);
      if (invalid != null) {
        return done(invalid);
      }
      String mounted = mountFilter(channel, filter);
      // The filter stays recorded until the broker has removed it: if the broker fails, closing
      // the connection still removes it.
      return callBroker("unsubscribe", () -> config.broker().unsubscribe(mounted, channel), null)
          .handle((v, error) -> {
            if (error != null) {
              return brokerFailed("unsubscribe", error);
            }
            if (channel.removeSubscription(mounted)) {
              hooks.unsubscribed(channel.context(), filter);
            }
            return Result.success();
          });
    });
  }

  /**
   * Removes a subscription without waiting, for a connection that is closing or a subscribe being
   * undone: a broker that throws or fails is counted and logged, and nothing else happens.
   */
  void unsubscribeQuietly(String mountedFilter, Channel channel) {
    callBroker("unsubscribe", () -> config.broker().unsubscribe(mountedFilter, channel), null)
        .whenComplete((v, error) -> {
          if (error != null) {
            brokerFailed("unsubscribe", error);
          }
        });
  }

  // ---- broker calls ----

  /** The broker did not answer within the broker timeout. */
  private static final class BrokerTimeoutException extends RuntimeException {
    BrokerTimeoutException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Calls the broker so that the result always completes: with the broker's answer, with its
   * failure (a throw and a null stage included), or with a {@link BrokerTimeoutException} after the
   * broker timeout.
   *
   * @param operation the broker operation, for messages
   * @param call the call
   * @param lateSuccess run when the broker completes successfully after the timeout, or null
   */
  private CompletableFuture<Void> callBroker(String operation, Supplier<CompletionStage<Void>> call,
      Runnable lateSuccess) {
    CompletionStage<Void> stage;
    try {
      stage = call.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (stage == null) {
      return CompletableFuture.failedFuture(new NullPointerException("the broker returned null"));
    }
    CompletableFuture<Void> result = new CompletableFuture<>();
    stage.whenComplete((v, error) -> {
      boolean first = error == null ? result.complete(null) : result.completeExceptionally(error);
      if (!first && error == null && lateSuccess != null) {
        lateSuccess.run();
      }
    });
    if (!result.isDone()) {
      Scheduler.Cancellable timer = config.scheduler().schedule(() -> result.completeExceptionally(
          new BrokerTimeoutException("the broker did not answer " + operation + " within "
              + config.brokerTimeoutMillis() + " ms")), config.brokerTimeoutMillis());
      result.whenComplete((v, error) -> timer.cancel());
    }
    return result;
  }

  /** Counts and logs a failed broker call, and makes it the operation's UNKNOWN answer. */
  private Result brokerFailed(String operation, Throwable error) {
    Throwable cause = unwrap(error);
    config.metrics().increment(GatewayMetrics.BROKER_ERRORS);
    String message = cause instanceof BrokerTimeoutException
        ? cause.getMessage()
        : "the broker failed " + operation + ": " + cause;
    logs.brokerFailed.warn("Broker call failed: {}", message);
    return Result.of(ResultCode.UNKNOWN, message);
  }

  private static Throwable unwrap(Throwable error) {
    while (error instanceof CompletionException && error.getCause() != null) {
      error = error.getCause();
    }
    return error;
  }

  private static String mountFilter(Channel channel, String filter) {
    return Mountpoints.mount(channel.mountpoint(), filter, Topics.parseShared(filter).orElse(null));
  }

  // ---- validation ----

  private Result checkPublish(String topic, int qos, byte[] payload) {
    if (topic == null || topic.isEmpty()) {
      return Result.of(ResultCode.REQUIRED_PARAMS_MISSED, "topic: required, must not be empty");
    }
    Result tooLong = checkTopicLength(topic, "");
    if (tooLong != null) {
      return tooLong;
    }
    try {
      Topics.validateName(topic);
    } catch (IllegalArgumentException e) {
      return Result.of(ResultCode.PARAMS_TYPE_ERROR, "topic: " + e.getMessage());
    }
    Result tooDeep = checkTopicLevels(topic);
    if (tooDeep != null) {
      return tooDeep;
    }
    Result badQos = checkQos(qos);
    if (badQos != null) {
      return badQos;
    }
    if (payload == null) {
      return Result.of(ResultCode.REQUIRED_PARAMS_MISSED, "payload: required (may be empty)");
    }
    if (payload.length > config.maxPayloadBytes()) {
      return Result.of(ResultCode.PARAMS_TYPE_ERROR, "payload: " + payload.length
          + " bytes exceeds the maximum of " + config.maxPayloadBytes());
    }
    return null;
  }

  private Result checkFilter(String filter) {
    if (filter == null || filter.isEmpty()) {
      return Result.of(ResultCode.REQUIRED_PARAMS_MISSED, "topic: required, must not be empty");
    }
    Result tooLong = checkTopicLength(filter, "");
    if (tooLong != null) {
      return tooLong;
    }
    try {
      Topics.validateFilter(filter);
    } catch (IllegalArgumentException e) {
      return Result.of(ResultCode.PARAMS_TYPE_ERROR, "topic: " + e.getMessage());
    }
    return checkTopicLevels(
        Topics.parseShared(filter).map(Topics.SharedFilter::filter).orElse(filter));
  }

  /** Applies the maximum topic length, in bytes of UTF-8 of the whole topic name or filter. */
  private Result checkTopicLength(String topic, String context) {
    // Each char is at most 3 bytes: short topics need no count.
    if (topic.length() <= config.maxTopicLength() / 3) {
      return null;
    }
    int bytes = Sizes.utf8Length(topic);
    return bytes <= config.maxTopicLength() ? null : Result.of(ResultCode.PARAMS_TYPE_ERROR,
        "topic: " + context + bytes + " bytes of UTF-8 exceeds the maximum of "
            + config.maxTopicLength() + " bytes");
  }

  /** Applies the maximum topic levels; of a shared subscription, the filter inside it counts. */
  private Result checkTopicLevels(String topic) {
    if (topic.length() < config.maxTopicLevels()) {
      return null; // n levels take at least n - 1 separators
    }
    long levels = topic.chars().filter(c -> c == '/').count() + 1;
    return levels <= config.maxTopicLevels() ? null : Result.of(ResultCode.PARAMS_TYPE_ERROR,
        "topic: " + levels + " levels exceeds the maximum of " + config.maxTopicLevels()
            + " levels");
  }

  private static Result checkQos(int qos) {
    return qos < 0 || qos > 2
        ? Result.of(ResultCode.PARAMS_TYPE_ERROR, "qos: must be 0, 1 or 2, got " + Integer.toUnsignedString(qos))
        : null;
  }

  /**
   * A mountpoint rendered from client data can itself hold a wildcard; the result must stay valid.
   * Without a mountpoint the result is the topic already checked, and is not checked again.
   */
  private Result checkMounted(String checked, String mounted, boolean name) {
    if (mounted.equals(checked)) {
      return null;
    }
    Result tooLong = checkTopicLength(mounted, "with the mountpoint applied, ");
    if (tooLong != null) {
      return tooLong;
    }
    try {
      if (name) {
        Topics.validateName(mounted);
      } else {
        Topics.validateFilter(mounted);
      }
      return null;
    } catch (IllegalArgumentException e) {
      return Result.of(ResultCode.PARAMS_TYPE_ERROR, "topic: with the mountpoint applied, " + e.getMessage());
    }
  }

  // ---- plumbing ----

  private Channel open(String conn) {
    if (conn == null) {
      return null;
    }
    Channel channel = channels.get(conn);
    return channel != null && channel.isOpen() ? channel : null;
  }

  private static CompletionStage<Result> done(Result result) {
    return CompletableFuture.completedFuture(result);
  }

  /** Runs an operation so that no failure escapes: anything unexpected is UNKNOWN, logged with its stack. */
  private CompletionStage<Result> guarded(String operation,
      Supplier<CompletionStage<Result>> body) {
    CompletionStage<Result> stage;
    try {
      stage = body.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    return stage.exceptionally(error -> {
      logs.unexpected.error("{} failed unexpectedly", operation, error);
      return Result.of(ResultCode.UNKNOWN, operation + " failed: " + error);
    });
  }

  /** Events for a connection refused while stopping: everything is ignored. */
  private static final class RefusedEvents implements ConnectionEvents {
    static final RefusedEvents INSTANCE = new RefusedEvents();

    @Override
    public void onBytes(byte[] bytes) {}

    @Override
    public void onClosed(String reason) {}
  }
}
