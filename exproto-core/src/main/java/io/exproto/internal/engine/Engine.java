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
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
  private final ConnectionHandler handler;
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
    this.config = config;
    this.handler = handler;
    this.hooks = new HookRunner(config.hooks());
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
      log.info("Authentication denied for client {} on connection {}", clientInfo.clientId(), channel.id);
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
      log.info("Client {} authenticated on connection {}; closing its older connection {}",
          clientInfo.clientId(), channel.id, previous.id);
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
      log.warn("Authenticator {} failed for client {}; ignoring it: {}",
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
    return config.broker().publish(hooked).thenApply(v -> Result.success());
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
        log.info("Client {} denied {} on {}", context.client().clientId(), action, topic);
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
      log.warn("Authorizer {} failed; denying: {}", authorizer, String.valueOf(error));
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
        return config.broker().subscribe(mounted, qos, channel).thenApply(v -> {
          if (!channel.addSubscription(mounted)) {
            config.broker().unsubscribe(mounted, channel); // the conn closed meanwhile
            return NOT_ALIVE;
          }
          hooks.subscribed(channel.context(), filter, qos);
          return Result.success();
        });
      });
    });
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
      boolean had = channel.removeSubscription(mounted);
      return config.broker().unsubscribe(mounted, channel).thenApply(v -> {
        if (had) {
          hooks.unsubscribed(channel.context(), filter);
        }
        return Result.success();
      });
    });
  }

  private static String mountFilter(Channel channel, String filter) {
    return Mountpoints.mount(channel.mountpoint(), filter, Topics.parseShared(filter).orElse(null));
  }

  // ---- validation ----

  private Result checkPublish(String topic, int qos, byte[] payload) {
    if (topic == null || topic.isEmpty()) {
      return Result.of(ResultCode.REQUIRED_PARAMS_MISSED, "topic: required, must not be empty");
    }
    try {
      Topics.validateName(topic);
    } catch (IllegalArgumentException e) {
      return Result.of(ResultCode.PARAMS_TYPE_ERROR, "topic: " + e.getMessage());
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

  private static Result checkFilter(String filter) {
    if (filter == null || filter.isEmpty()) {
      return Result.of(ResultCode.REQUIRED_PARAMS_MISSED, "topic: required, must not be empty");
    }
    try {
      Topics.validateFilter(filter);
      return null;
    } catch (IllegalArgumentException e) {
      return Result.of(ResultCode.PARAMS_TYPE_ERROR, "topic: " + e.getMessage());
    }
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
  private static Result checkMounted(String checked, String mounted, boolean name) {
    if (mounted.equals(checked)) {
      return null;
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
  private static CompletionStage<Result> guarded(String operation, Supplier<CompletionStage<Result>> body) {
    CompletionStage<Result> stage;
    try {
      stage = body.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    return stage.exceptionally(error -> {
      log.error("{} failed unexpectedly", operation, error);
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
