package io.exproto.grpc.handler;

import com.google.protobuf.UnsafeByteOperations;
import io.exproto.grpc.internal.Addresses;
import io.exproto.grpc.internal.ClientChannels;
import io.exproto.grpc.internal.DeadlineCalls;
import io.exproto.grpc.internal.HandlerFailures;
import io.exproto.grpc.internal.ProtoConversions;
import io.exproto.grpc.proto.ConnectionUnaryHandlerGrpc;
import io.exproto.grpc.proto.EmptySuccess;
import io.exproto.grpc.proto.ReceivedBytesRequest;
import io.exproto.grpc.proto.ReceivedMessagesRequest;
import io.exproto.grpc.proto.SocketClosedRequest;
import io.exproto.grpc.proto.SocketCreatedRequest;
import io.exproto.grpc.proto.TimerTimeoutRequest;
import io.exproto.grpc.tls.ClientTlsOptions;
import io.exproto.handler.ConnectionHandler;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.ReceivedMessages;
import io.exproto.handler.SocketClosed;
import io.exproto.handler.SocketCreated;
import io.exproto.handler.TimerTimeout;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ConnectionHandler} that forwards every callback to a user's
 * {@code emqx.exproto.v1.ConnectionUnaryHandler} service over gRPC, one unary call per event:
 * plaintext HTTP/2 for an {@code http://} address, TLS for {@code https://} (see
 * {@link ClientTlsOptions} for mutual TLS, a private CA and the SNI override).
 *
 * <p>Each call has its own deadline ({@link #DEFAULT_CALL_TIMEOUT} unless configured), enforced on
 * this side: a call still unanswered at its deadline is cancelled (the handler service sees it
 * cancelled) and fails with {@code DEADLINE_EXCEEDED}. The deadline is not sent as a
 * {@code grpc-timeout} header, whose value differs on every call and so could not be compressed
 * away by HTTP/2's header table; the deadline timers of the whole JVM share one timer thread, with a
 * resolution of 10 ms.
 *
 * <p>A call made while the channel is not connected (the handler is restarting, or its connection
 * is being set up again) waits for it, for at most nine tenths of the call timeout, instead of
 * failing at once; a call still unsent then fails as not sent, before the gateway's own handler
 * deadline (usually the same value) passes. While calls wait, the channel is asked to reconnect
 * once a second instead of after gRPC's growing backoff, so a restarted handler is found again
 * within a second. grpc-java's transparent retry stays on: a call that races a connection's end
 * (a server's GOAWAY) is sent again on a new connection, which is safe because the server
 * provably did not process it.
 *
 * <p>The returned future completes when the handler answers: normally on {@code EmptySuccess},
 * exceptionally when the call fails, which the gateway treats as a handler error. Whether the
 * gateway's {@link io.exproto.handler.FailurePolicy#RETRY retry} policy may send the callback
 * again depends on whether it could have reached the handler:
 * <ul>
 *   <li>with an {@link io.exproto.handler.HandlerUnavailableException} (its cause an
 *       {@code UNAVAILABLE} {@link io.grpc.StatusRuntimeException}) when the call was never handed
 *       to a connection to the handler service: no connection came up within the wait (the handler
 *       is down or unreachable, or the TLS handshake fails), or the client was shut down meanwhile.
 *       The handler never saw it, so the retry policy sends it again;</li>
 *   <li>with the {@link io.grpc.StatusRuntimeException} itself for every failure of a call that
 *       was sent: an error answer ({@code INTERNAL} when a handler method threw,
 *       {@code UNIMPLEMENTED} when the address serves another service, ...),
 *       {@code DEADLINE_EXCEEDED} when a live handler did not answer in time, {@code UNAVAILABLE}
 *       when the connection broke with the call on it (the handler was killed). The handler may
 *       have acted on these (published, answered the device), so they are never sent again: they
 *       close the connection under either policy;</li>
 *   <li>with an {@link IllegalStateException} after {@link #close()}.</li>
 * </ul>
 * A call counts as sent once gRPC gave it a stream on a connected transport (a
 * {@link io.grpc.ClientStreamTracer} records it), which errs on the side of never sending a
 * callback twice.
 *
 * <p>No thread waits for an answer, and no callback blocks: the handler is
 * {@linkplain #isNonBlocking() non-blocking}, so the gateway calls it on the thread that has the
 * event instead of its handler pool, and continues on the thread that completed the previous
 * callback's future: the gateway's work after an answer (the connection's next event, or its close
 * after a failed callback, with its unsubscribes and hooks) runs on the channel's network thread.
 * The channel connects lazily, on the first call, and reconnects by itself.
 *
 * <p>Thread-safe; the gateway calls it concurrently for different connections. {@link #close()}
 * shuts the channel down; calls made after it fail.
 */
public final class RemoteHandler implements ConnectionHandler, AutoCloseable {

  /** The default deadline of one callback call. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(RemoteHandler.class);
  private static final String ADDRESS_FIELD = "handler.address";

  private final Addresses.Target target;
  private final long callTimeoutMillis;
  private final ManagedChannel channel;
  private final ClientChannels.ReconnectPacer reconnect;
  private final DeadlineCalls calls;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Creates a handler client with the default call deadline. No connection is made yet.
   *
   * @param address the handler service's address, {@code "http://host:port"} or
   *     {@code "https://host:port"} (TLS with the default options); the host may be a name or an IP
   *     literal ({@code [::1]} for IPv6)
   * @throws IllegalArgumentException when the address is malformed or has no scheme or port; the
   *     message names {@code handler.address}
   */
  public RemoteHandler(String address) {
    this(address, DEFAULT_CALL_TIMEOUT);
  }

  /**
   * Creates a handler client. No connection is made yet. An {@code https://} address uses TLS with
   * the default options: the JDK's trusted CAs, no client certificate.
   *
   * @param address the handler service's address, {@code "http://host:port"} or
   *     {@code "https://host:port"}; the host may be a name or an IP literal ({@code [::1]} for IPv6)
   * @param callTimeout the deadline of each callback call, positive; a call waits for a connection
   *     for at most nine tenths of it
   * @throws IllegalArgumentException when the address is malformed or has no scheme or port (the
   *     message names {@code handler.address}), or when the timeout is not positive
   */
  public RemoteHandler(String address, Duration callTimeout) {
    this(address, callTimeout, Optional.empty());
  }

  /**
   * Creates a handler client with TLS options ({@code handler.ssl_options}). No connection is made
   * yet; the TLS files are read here.
   *
   * @param address the handler service's address: {@code "https://host:port"} when {@code tls} is
   *     enabled, {@code "http://host:port"} when it is not
   * @param callTimeout the deadline of each callback call, positive
   * @param tls the TLS options, not null
   * @throws IllegalArgumentException when the address is malformed, its scheme disagrees with
   *     {@code tls.enable()}, a TLS file is missing or unusable (the message names the key, e.g.
   *     {@code handler.ssl_options.cacertfile}), or the timeout is not positive
   */
  public RemoteHandler(String address, Duration callTimeout, ClientTlsOptions tls) {
    this(address, callTimeout, Optional.of(Objects.requireNonNull(tls, "tls")));
  }

  private RemoteHandler(String address, Duration callTimeout, Optional<ClientTlsOptions> tls) {
    this.target = Addresses.parseServiceAddress(address, ADDRESS_FIELD);
    this.callTimeoutMillis = ClientChannels.timeoutMillis(callTimeout, "callTimeout");
    this.channel = ClientChannels.open(target, tls, ADDRESS_FIELD);
    this.calls = new DeadlineCalls(callTimeoutMillis);
    this.reconnect = new ClientChannels.ReconnectPacer(channel, Duration.ofSeconds(1),
        Duration.ofMillis(calls.waitMillis()));
  }

  /**
   * Returns true: every callback only starts a call and returns. The future completes on the
   * channel's network thread when the answer arrives or the call fails, on the shared deadline
   * timer's thread when the deadline (or the wait for a connection) passes first, or before the
   * callback returns when the call cannot even start (the client is closed).
   *
   * @return true
   */
  @Override
  public boolean isNonBlocking() {
    return true;
  }

  /**
   * Returns the handler service's address.
   *
   * @return {@code http://host:port} or {@code https://host:port}
   */
  public String address() {
    return target.toString();
  }

  /**
   * Returns the deadline of each callback call.
   *
   * @return the call timeout
   */
  public Duration callTimeout() {
    return Duration.ofMillis(callTimeoutMillis);
  }

  /**
   * Sends {@code OnSocketCreated} with the connection's {@code ConnInfo} ({@code peercert} only when
   * the device presented a certificate).
   *
   * @param event the event, not null
   * @return completes when the handler has answered
   */
  @Override
  public CompletableFuture<Void> onSocketCreated(SocketCreated event) {
    SocketCreatedRequest request = SocketCreatedRequest.newBuilder()
        .setConn(event.conn())
        .setConninfo(ProtoConversions.toProto(event.info()))
        .build();
    return call("OnSocketCreated", event.conn(), request,
        ConnectionUnaryHandlerGrpc.getOnSocketCreatedMethod());
  }

  /**
   * Sends {@code OnReceivedBytes}; the bytes are shared with the request, not copied.
   *
   * @param event the event, not null
   * @return completes when the handler has answered
   */
  @Override
  public CompletableFuture<Void> onReceivedBytes(ReceivedBytes event) {
    ReceivedBytesRequest request = ReceivedBytesRequest.newBuilder()
        .setConn(event.conn())
        .setBytes(UnsafeByteOperations.unsafeWrap(event.bytes()))
        .build();
    return call("OnReceivedBytes", event.conn(), request,
        ConnectionUnaryHandlerGrpc.getOnReceivedBytesMethod());
  }

  /**
   * Sends {@code OnTimerTimeout}.
   *
   * @param event the event, not null
   * @return completes when the handler has answered
   */
  @Override
  public CompletableFuture<Void> onTimerTimeout(TimerTimeout event) {
    TimerTimeoutRequest request = TimerTimeoutRequest.newBuilder()
        .setConn(event.conn())
        .setType(ProtoConversions.toProto(event.type()))
        .build();
    return call("OnTimerTimeout", event.conn(), request,
        ConnectionUnaryHandlerGrpc.getOnTimerTimeoutMethod());
  }

  /**
   * Sends {@code OnReceivedMessages}; each message carries the event's node name, and its payload
   * is shared with the request, not copied.
   *
   * @param event the event, not null
   * @return completes when the handler has answered
   */
  @Override
  public CompletableFuture<Void> onReceivedMessages(ReceivedMessages event) {
    ReceivedMessagesRequest.Builder request = ReceivedMessagesRequest.newBuilder().setConn(event.conn());
    for (io.exproto.broker.Message message : event.messages()) {
      request.addMessages(ProtoConversions.toProto(event.node(), message));
    }
    return call("OnReceivedMessages", event.conn(), request.build(),
        ConnectionUnaryHandlerGrpc.getOnReceivedMessagesMethod());
  }

  /**
   * Sends {@code OnSocketClosed}.
   *
   * @param event the event, not null
   * @return completes when the handler has answered
   */
  @Override
  public CompletableFuture<Void> onSocketClosed(SocketClosed event) {
    SocketClosedRequest request = SocketClosedRequest.newBuilder()
        .setConn(event.conn())
        .setReason(event.reason())
        .build();
    return call("OnSocketClosed", event.conn(), request,
        ConnectionUnaryHandlerGrpc.getOnSocketClosedMethod());
  }

  /**
   * Shuts the channel down: calls in flight get up to 5 seconds to finish, then are cancelled.
   * Idempotent.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      ClientChannels.shutdown(channel);
      calls.close();
    }
  }

  private <T> CompletableFuture<Void> call(String rpc, String conn, T request,
      MethodDescriptor<T, EmptySuccess> method) {
    Objects.requireNonNull(conn, "conn");
    CompletableFuture<Void> answered = new CompletableFuture<>();
    if (closed.get()) {
      answered.completeExceptionally(new IllegalStateException(rpc + ": the handler client is closed"));
      return answered;
    }
    reconnect.callMayWait();
    calls.callWhenReady(rpc, channel, method, request).whenComplete((response, error) -> {
      if (error == null) {
        answered.complete(null);
        return;
      }
      log.debug("{} of connection {} failed: {}", rpc, conn, String.valueOf(error));
      if (Status.fromThrowable(error).getCode() == Status.Code.UNAVAILABLE) {
        reconnect.unavailable();
      }
      answered.completeExceptionally(HandlerFailures.toCallbackFailure(rpc, error));
    });
    return answered;
  }
}
