package io.exproto.grpc.sdk;

import com.google.protobuf.ByteString;
import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.Result;
import io.exproto.grpc.internal.Addresses;
import io.exproto.grpc.internal.ClientChannels;
import io.exproto.grpc.internal.DeadlineCalls;
import io.exproto.grpc.internal.ProtoConversions;
import io.exproto.grpc.proto.AuthenticateRequest;
import io.exproto.grpc.proto.CloseSocketRequest;
import io.exproto.grpc.proto.CodeResponse;
import io.exproto.grpc.proto.ConnectionAdapterGrpc;
import io.exproto.grpc.proto.PublishRequest;
import io.exproto.grpc.proto.RawPublishRequest;
import io.exproto.grpc.proto.SendBytesRequest;
import io.exproto.grpc.proto.SubscribeRequest;
import io.exproto.grpc.proto.TimerRequest;
import io.exproto.grpc.proto.TimerType;
import io.exproto.grpc.proto.UnsubscribeRequest;
import io.exproto.grpc.tls.ClientTlsOptions;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * A client of a gateway's {@code emqx.exproto.v1.ConnectionAdapter} service, for handler services
 * written in Java, in two styles:
 * <ul>
 *   <li>Blocking: {@link #send(String, byte[])}, {@link #authenticate(String, ClientInfo, String)},
 *       ... make one call, wait for the answer and return the gateway's {@link Result}: its code
 *       and, on failure, a message naming the field at fault. They throw
 *       {@link io.grpc.StatusRuntimeException} when the call itself fails: the gateway is
 *       unreachable, or it did not answer within the call timeout (30 s by default).</li>
 *   <li>Non-blocking: {@link #sendAsync(String, byte[])},
 *       {@link #authenticateAsync(String, ClientInfo, String)}, ... start the same call and return
 *       at once with a {@link CompletableFuture} of the same {@link Result}, completed on the
 *       channel's network thread (a client made by {@code connect} hands answers to no pool, which
 *       would cost a thread hand-off per answer): steps chained with {@code thenApply},
 *       {@code thenCompose}, ... run there too and must not block; chain blocking steps with
 *       {@code thenApplyAsync(step, yourExecutor)}. It completes exceptionally with the
 *       {@link io.grpc.StatusRuntimeException} the blocking method would throw
 *       ({@code DEADLINE_EXCEEDED} after the call timeout, when the call is also cancelled).
 *       This is the style of a handler service that declares
 *       {@link HandlerService#isNonBlocking()}: return the composed futures from its
 *       {@code ...Async} methods.</li>
 * </ul>
 *
 * <pre>{@code
 * protected CompletionStage<?> onSocketCreatedAsync(String conn, ConnInfo info) {
 *   return adapter.authenticateAsync(conn, ClientInfo.of(conn, ""), "")
 *       .thenCompose(AdapterClient::requireSuccess)
 *       .thenCompose(ok -> adapter.sendAsync(conn, GREETING));
 * }
 * }</pre>
 *
 * <p>It may be called from inside a {@link HandlerService} method, also for the connection whose
 * callback is running (the gateway holds no lock across a callback).
 *
 * <p>Transport: an {@code http://} address is plaintext; an {@code https://} address is TLS, for a
 * gateway whose adapter serves {@code server.ssl_options}: with the JDK's trusted CAs by default,
 * or with {@link #connect(String, ClientTlsOptions, Duration)} a private CA, a client certificate
 * (mutual TLS) and an SNI override.
 *
 * <p>Thread-safe; share one client. {@link #close()} shuts the channel down when the client opened
 * it.
 */
public final class AdapterClient implements AutoCloseable {

  /** The default deadline of one adapter call. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);

  private static final long MAX_UINT32 = 0xFFFF_FFFFL;

  private final ManagedChannel owned;
  private final ConnectionAdapterGrpc.ConnectionAdapterBlockingStub stub;
  private final ConnectionAdapterGrpc.ConnectionAdapterStub asyncStub;
  private final DeadlineCalls asyncCalls;
  private final long callTimeoutMillis;

  private AdapterClient(Channel channel, ManagedChannel owned, long callTimeoutMillis) {
    this.owned = owned;
    this.stub = ConnectionAdapterGrpc.newBlockingStub(channel);
    this.asyncStub = ConnectionAdapterGrpc.newStub(channel);
    this.asyncCalls = new DeadlineCalls(callTimeoutMillis);
    this.callTimeoutMillis = callTimeoutMillis;
  }

  /**
   * Creates a client of the adapter at {@code address}, with a 30 s call timeout. The connection
   * is made on the first call.
   *
   * @param address {@code "http://host:port"}, e.g. {@code "http://127.0.0.1:9100"}, or
   *     {@code "https://host:port"} (TLS, trusting the JDK's CAs); the host may be a name
   * @return the client, to be closed
   * @throws IllegalArgumentException when the address is malformed or has no scheme or port
   */
  public static AdapterClient connect(String address) {
    return connect(address, DEFAULT_CALL_TIMEOUT);
  }

  /**
   * Creates a client of the adapter at {@code address}. The connection is made on the first call.
   *
   * @param address {@code "http://host:port"} or {@code "https://host:port"} (TLS, trusting the
   *     JDK's CAs); the host may be a name
   * @param callTimeout the deadline of each call, positive
   * @return the client, to be closed
   * @throws IllegalArgumentException when the address is malformed or has no scheme or port, or
   *     when the timeout is not positive
   */
  public static AdapterClient connect(String address, Duration callTimeout) {
    return connect(address, Optional.empty(), callTimeout);
  }

  /**
   * Creates a TLS client of an adapter that serves {@code server.ssl_options}. The certificate
   * files are read here; the connection is made on the first call. A handshake the gateway refuses
   * (for example no client certificate when it requires one) fails each call with
   * {@code UNAVAILABLE}.
   *
   * <pre>{@code
   * AdapterClient adapter = AdapterClient.connect("https://127.0.0.1:9100",
   *     ClientTlsOptions.builder()
   *         .cacertfile("ca.pem")
   *         .certfile("handler.pem").keyfile("handler.key") // when the adapter requires client certificates
   *         .build(),
   *     AdapterClient.DEFAULT_CALL_TIMEOUT);
   * }</pre>
   *
   * @param address {@code "https://host:port"} (or {@code "http://host:port"} with disabled options)
   * @param tls the TLS options, not null; their errors name {@code handler.ssl_options.*} keys, the
   *     options' configuration names
   * @param callTimeout the deadline of each call, positive
   * @return the client, to be closed
   * @throws IllegalArgumentException when the address is malformed, its scheme disagrees with
   *     {@code tls.enable()}, a TLS file is missing or unusable, or the timeout is not positive
   */
  public static AdapterClient connect(String address, ClientTlsOptions tls, Duration callTimeout) {
    return connect(address, Optional.of(Objects.requireNonNull(tls, "tls")), callTimeout);
  }

  private static AdapterClient connect(String address, Optional<ClientTlsOptions> tls, Duration callTimeout) {
    Addresses.Target target = Addresses.parseServiceAddress(address, "adapter address");
    long timeout = ClientChannels.timeoutMillis(callTimeout, "callTimeout");
    ManagedChannel channel = ClientChannels.open(target, tls, "adapter address");
    return new AdapterClient(channel, channel, timeout);
  }

  /**
   * Creates a client over a channel the caller owns (for example an in-process channel in tests);
   * {@link #close()} leaves it open.
   *
   * @param channel the channel to the gateway's adapter, not null; not owned
   * @param callTimeout the deadline of each call, positive
   * @return the client
   */
  public static AdapterClient over(Channel channel, Duration callTimeout) {
    Objects.requireNonNull(channel, "channel");
    return new AdapterClient(channel, null, ClientChannels.timeoutMillis(callTimeout, "callTimeout"));
  }

  /**
   * Sends bytes to a device.
   *
   * @param conn the connection id
   * @param bytes the bytes, not null
   * @return the gateway's result
   */
  public Result send(String conn, byte[] bytes) {
    return ProtoConversions.toCore(stub().send(sendRequest(conn, bytes)));
  }

  /**
   * Sends bytes to a device, without waiting.
   *
   * @param conn the connection id
   * @param bytes the bytes, not null; copied before this method returns
   * @return completes with the gateway's result (see the class comment for failures)
   */
  public CompletableFuture<Result> sendAsync(String conn, byte[] bytes) {
    return async("Send", sendRequest(conn, bytes), asyncStub::send);
  }

  /**
   * Sends bytes to a device, without waiting and without copying them: for bytes taken from a
   * callback's request, e.g. {@code ByteString} of an {@code OnReceivedBytes} echo.
   *
   * @param conn the connection id
   * @param bytes the bytes, not null (immutable)
   * @return completes with the gateway's result (see the class comment for failures)
   */
  public CompletableFuture<Result> sendAsync(String conn, ByteString bytes) {
    return async("Send", SendBytesRequest.newBuilder().setConn(conn).setBytes(bytes).build(), asyncStub::send);
  }

  private static SendBytesRequest sendRequest(String conn, byte[] bytes) {
    return SendBytesRequest.newBuilder().setConn(conn).setBytes(ByteString.copyFrom(bytes)).build();
  }

  /**
   * Closes a device connection (reason {@code normal}).
   *
   * @param conn the connection id
   * @return the gateway's result
   */
  public Result close(String conn) {
    return ProtoConversions.toCore(stub().close(CloseSocketRequest.newBuilder().setConn(conn).build()));
  }

  /**
   * Closes a device connection (reason {@code normal}), without waiting.
   *
   * @param conn the connection id
   * @return completes with the gateway's result (see the class comment for failures)
   */
  public CompletableFuture<Result> closeAsync(String conn) {
    return async("Close", CloseSocketRequest.newBuilder().setConn(conn).build(), asyncStub::close);
  }

  /**
   * Registers the client behind a connection; needed before publish, subscribe and unsubscribe.
   *
   * @param conn the connection id
   * @param clientInfo who the device is; the client id must not be empty
   * @param password the password, null or empty for none
   * @return the gateway's result ({@code PERMISSION_DENY} when authentication is denied)
   */
  public Result authenticate(String conn, ClientInfo clientInfo, String password) {
    return ProtoConversions.toCore(stub().authenticate(authenticateRequest(conn, clientInfo, password)));
  }

  /**
   * Registers the client behind a connection, without waiting; needed before publish, subscribe
   * and unsubscribe.
   *
   * @param conn the connection id
   * @param clientInfo who the device is, not null; the client id must not be empty
   * @param password the password, null or empty for none
   * @return completes with the gateway's result ({@code PERMISSION_DENY} when authentication is
   *     denied; see the class comment for failures)
   */
  public CompletableFuture<Result> authenticateAsync(String conn, ClientInfo clientInfo, String password) {
    return async("Authenticate", authenticateRequest(conn, clientInfo, password), asyncStub::authenticate);
  }

  private static AuthenticateRequest authenticateRequest(String conn, ClientInfo clientInfo, String password) {
    Objects.requireNonNull(clientInfo, "clientInfo");
    return AuthenticateRequest.newBuilder()
        .setConn(conn)
        .setClientinfo(io.exproto.grpc.proto.ClientInfo.newBuilder()
            .setProtoName(clientInfo.protoName())
            .setProtoVer(clientInfo.protoVersion())
            .setClientid(clientInfo.clientId())
            .setUsername(clientInfo.username()))
        .setPassword(password == null ? "" : password)
        .build();
  }

  /**
   * Starts (or replaces) the connection's keepalive timer: the gateway closes it after 1.5 times
   * the interval without inbound bytes.
   *
   * @param conn the connection id
   * @param intervalSeconds the interval in seconds, 1 to 4294967295
   * @return the gateway's result
   * @throws IllegalArgumentException when the interval does not fit the wire's {@code uint32}
   */
  public Result startTimer(String conn, long intervalSeconds) {
    return ProtoConversions.toCore(stub().startTimer(timerRequest(conn, intervalSeconds)));
  }

  /**
   * Starts (or replaces) the connection's keepalive timer, without waiting.
   *
   * @param conn the connection id
   * @param intervalSeconds the interval in seconds, 1 to 4294967295
   * @return completes with the gateway's result (see the class comment for failures)
   * @throws IllegalArgumentException when the interval does not fit the wire's {@code uint32}
   */
  public CompletableFuture<Result> startTimerAsync(String conn, long intervalSeconds) {
    return async("StartTimer", timerRequest(conn, intervalSeconds), asyncStub::startTimer);
  }

  private static TimerRequest timerRequest(String conn, long intervalSeconds) {
    if (intervalSeconds < 0 || intervalSeconds > MAX_UINT32) {
      throw new IllegalArgumentException("intervalSeconds must be 0.." + MAX_UINT32 + ", got " + intervalSeconds);
    }
    return TimerRequest.newBuilder()
        .setConn(conn)
        .setType(TimerType.KEEPALIVE)
        .setInterval((int) intervalSeconds)
        .build();
  }

  /**
   * Publishes on behalf of an authenticated connection; the topic is mounted by the gateway.
   *
   * @param conn the connection id
   * @param topic the topic name, without wildcards
   * @param qos 0, 1 or 2
   * @param payload the payload, not null
   * @return the gateway's result
   */
  public Result publish(String conn, String topic, int qos, byte[] payload) {
    return ProtoConversions.toCore(stub().publish(publishRequest(conn, topic, qos, payload)));
  }

  /**
   * Publishes on behalf of an authenticated connection, without waiting; the topic is mounted by
   * the gateway.
   *
   * @param conn the connection id
   * @param topic the topic name, without wildcards
   * @param qos 0, 1 or 2
   * @param payload the payload, not null; copied before this method returns
   * @return completes with the gateway's result (see the class comment for failures)
   */
  public CompletableFuture<Result> publishAsync(String conn, String topic, int qos, byte[] payload) {
    return async("Publish", publishRequest(conn, topic, qos, payload), asyncStub::publish);
  }

  private static PublishRequest publishRequest(String conn, String topic, int qos, byte[] payload) {
    return PublishRequest.newBuilder()
        .setConn(conn)
        .setTopic(topic)
        .setQos(qos)
        .setPayload(ByteString.copyFrom(payload))
        .build();
  }

  /**
   * Subscribes an authenticated connection to a topic filter; the gateway delivers matching
   * messages to the handler's {@code OnReceivedMessages}.
   *
   * @param conn the connection id
   * @param filter the topic filter, may be {@code $share/<group>/<filter>}
   * @param qos 0, 1 or 2
   * @return the gateway's result
   */
  public Result subscribe(String conn, String filter, int qos) {
    return ProtoConversions.toCore(stub().subscribe(subscribeRequest(conn, filter, qos)));
  }

  /**
   * Subscribes an authenticated connection to a topic filter, without waiting.
   *
   * @param conn the connection id
   * @param filter the topic filter, may be {@code $share/<group>/<filter>}
   * @param qos 0, 1 or 2
   * @return completes with the gateway's result (see the class comment for failures)
   */
  public CompletableFuture<Result> subscribeAsync(String conn, String filter, int qos) {
    return async("Subscribe", subscribeRequest(conn, filter, qos), asyncStub::subscribe);
  }

  private static SubscribeRequest subscribeRequest(String conn, String filter, int qos) {
    return SubscribeRequest.newBuilder().setConn(conn).setTopic(filter).setQos(qos).build();
  }

  /**
   * Removes a subscription of an authenticated connection; an unknown filter is a success.
   *
   * @param conn the connection id
   * @param filter the topic filter as given to subscribe
   * @return the gateway's result
   */
  public Result unsubscribe(String conn, String filter) {
    return ProtoConversions.toCore(stub().unsubscribe(unsubscribeRequest(conn, filter)));
  }

  /**
   * Removes a subscription of an authenticated connection, without waiting.
   *
   * @param conn the connection id
   * @param filter the topic filter as given to subscribe
   * @return completes with the gateway's result (see the class comment for failures)
   */
  public CompletableFuture<Result> unsubscribeAsync(String conn, String filter) {
    return async("Unsubscribe", unsubscribeRequest(conn, filter), asyncStub::unsubscribe);
  }

  private static UnsubscribeRequest unsubscribeRequest(String conn, String filter) {
    return UnsubscribeRequest.newBuilder().setConn(conn).setTopic(filter).build();
  }

  /**
   * Publishes with no connection: no authentication, no mountpoint; the message's {@code from} is
   * {@code exproto}.
   *
   * @param topic the topic name, without wildcards
   * @param qos 0, 1 or 2
   * @param payload the payload, not null
   * @return the gateway's result
   */
  public Result rawPublish(String topic, int qos, byte[] payload) {
    return ProtoConversions.toCore(stub().rawPublish(rawPublishRequest(topic, qos, payload)));
  }

  /**
   * Publishes with no connection, without waiting.
   *
   * @param topic the topic name, without wildcards
   * @param qos 0, 1 or 2
   * @param payload the payload, not null; copied before this method returns
   * @return completes with the gateway's result (see the class comment for failures)
   */
  public CompletableFuture<Result> rawPublishAsync(String topic, int qos, byte[] payload) {
    return async("RawPublish", rawPublishRequest(topic, qos, payload), asyncStub::rawPublish);
  }

  private static RawPublishRequest rawPublishRequest(String topic, int qos, byte[] payload) {
    return RawPublishRequest.newBuilder()
        .setTopic(topic)
        .setQos(qos)
        .setPayload(ByteString.copyFrom(payload))
        .build();
  }

  /**
   * Turns a result that is not a success into a failure, for chaining non-blocking calls that
   * must each succeed: {@code adapter.authenticateAsync(...).thenCompose(AdapterClient::requireSuccess)}.
   *
   * @param result the gateway's result, not null
   * @return a completed stage of the result when it is a success; otherwise a stage failed with
   *     an {@link AdapterCallException} carrying it
   */
  public static CompletionStage<Result> requireSuccess(Result result) {
    return result.isSuccess()
        ? CompletableFuture.completedFuture(result)
        : CompletableFuture.failedFuture(new AdapterCallException(result));
  }

  /**
   * Shuts down the channel when {@link #connect(String)} opened it (calls in flight get up to 5
   * seconds); a channel given to {@link #over(Channel, Duration)} stays open. Idempotent.
   */
  @Override
  public void close() {
    if (owned != null && !owned.isShutdown()) {
      ClientChannels.shutdown(owned);
    }
    asyncCalls.close();
  }

  private ConnectionAdapterGrpc.ConnectionAdapterBlockingStub stub() {
    return stub.withDeadlineAfter(callTimeoutMillis, TimeUnit.MILLISECONDS);
  }

  private <T> CompletableFuture<Result> async(String rpc, T request,
      BiConsumer<T, io.grpc.stub.StreamObserver<CodeResponse>> method) {
    return asyncCalls.call(rpc, request, method).thenApply(ProtoConversions::toCore);
  }
}
