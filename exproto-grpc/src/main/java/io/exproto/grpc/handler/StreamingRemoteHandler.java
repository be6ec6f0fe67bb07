package io.exproto.grpc.handler;

import com.google.protobuf.UnsafeByteOperations;
import io.exproto.grpc.internal.Addresses;
import io.exproto.grpc.internal.ClientChannels;
import io.exproto.grpc.internal.DeadlineCalls;
import io.exproto.grpc.internal.HandlerFailures;
import io.exproto.grpc.internal.ProtoConversions;
import io.exproto.grpc.internal.SharedTimer;
import io.exproto.grpc.proto.ConnectionHandlerGrpc;
import io.exproto.grpc.proto.EmptySuccess;
import io.exproto.grpc.proto.ReceivedBytesRequest;
import io.exproto.grpc.proto.ReceivedMessagesRequest;
import io.exproto.grpc.proto.SocketClosedRequest;
import io.exproto.grpc.proto.SocketCreatedRequest;
import io.exproto.grpc.proto.TimerTimeoutRequest;
import io.exproto.grpc.tls.ClientTlsOptions;
import io.exproto.handler.ConnectionHandler;
import io.exproto.handler.HandlerUnavailableException;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.ReceivedMessages;
import io.exproto.handler.SocketClosed;
import io.exproto.handler.SocketCreated;
import io.exproto.handler.TimerTimeout;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.netty.util.Timeout;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ConnectionHandler} for a legacy handler service: it keeps one client stream per rpc
 * (five in all) open to {@code emqx.exproto.v1.ConnectionHandler}, EMQX's deprecated
 * client-streaming service, and writes each event as one message on the matching stream. New
 * handler services should serve {@code ConnectionUnaryHandler} and use {@link RemoteHandler}.
 *
 * <p>Completion: an event's future completes as soon as its message is handed to the stream (the
 * legacy protocol has no per-event answer); a message handed over is never sent again. An event
 * whose message was not handed over never reached the handler, and its future completes
 * exceptionally
 * <ul>
 *   <li>with a {@link HandlerUnavailableException} when the stream was not ready to take it
 *       within nine tenths of the call timeout (the channel is reconnecting to a handler that is
 *       down or restarting, or a slow handler holds the stream back), when the stream broke before
 *       the message could be written ({@code UNAVAILABLE}, {@code DEADLINE_EXCEEDED} or
 *       {@code CANCELLED}), or while the stream waits to be reopened: the gateway's
 *       {@link io.exproto.handler.FailurePolicy#RETRY retry} policy sends the event again, the
 *       {@code close} policy closes the connection;</li>
 *   <li>with the {@link io.grpc.StatusRuntimeException} when the stream ended with another status
 *       (for example {@code UNIMPLEMENTED}: the address does not serve the legacy service);</li>
 *   <li>with an {@link IllegalStateException} after {@link #close()}.</li>
 * </ul>
 *
 * <p>Flow control: a message is written only while its stream {@link
 * ClientCallStreamObserver#isReady() is ready}; otherwise the event waits, and is written when the
 * stream signals readiness. Since the gateway keeps at most one callback in flight per connection,
 * at most one event per connection waits here, and gRPC's buffers never grow past its flow-control
 * window: memory stays bounded however slow the handler is. When the gateway gives up on a waiting
 * event and sends the connection's next event, the abandoned one is dropped, never sent after it.
 *
 * <p>Order: events of one connection on one stream arrive in order (the gateway sends a
 * connection's next event only after the previous one was handed over). Events on different
 * streams (say {@code OnReceivedBytes} and {@code OnSocketClosed}) travel independently and may be
 * processed out of order by the handler, as with EMQX.
 *
 * <p>Broken streams: a stream is opened with gRPC's {@code waitForReady}, so one opened while the
 * channel is not connected waits for it (the channel is asked to reconnect once a second meanwhile)
 * instead of failing. When a stream ends (the handler restarted, the connection dropped), the
 * events waiting for it fail as above, and the stream is reopened on the next event for that rpc:
 * at once the first time, then after a backoff that doubles from 100 ms up to 5 s while reopening
 * keeps failing (events meanwhile fail at once with {@link HandlerUnavailableException}). After any
 * other status the stream is reopened only after 5 s, and events meanwhile fail with that status.
 * A message handed to a stream just before it broke may be lost: the legacy protocol delivers at
 * most once, and has no way to refuse one event (a handler that does not serve the legacy service
 * refuses the stream only after its first message was written).
 *
 * <p>The streams have no deadline. Thread-safe; {@link #close()} half-closes the five streams (the
 * handler answers each with {@code EmptySuccess}) and shuts the channel down.
 */
public final class StreamingRemoteHandler implements ConnectionHandler, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StreamingRemoteHandler.class);
  private static final String ADDRESS_FIELD = "handler.address";
  private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final Addresses.Target target;
  private final long waitMillis;
  private final ManagedChannel channel;
  private final ClientChannels.ReconnectPacer reconnect;
  private final ConcurrentHashMap<String, Pending<?>> pendingByConn = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Lane<SocketCreatedRequest> created;
  private final Lane<ReceivedBytesRequest> bytes;
  private final Lane<TimerTimeoutRequest> timers;
  private final Lane<ReceivedMessagesRequest> messages;
  private final Lane<SocketClosedRequest> socketClosed;

  /**
   * Creates a client of a legacy handler, with the default call timeout
   * ({@link RemoteHandler#DEFAULT_CALL_TIMEOUT}). No connection is made yet. An {@code https://}
   * address uses TLS with the default options: the JDK's trusted CAs, no client certificate.
   *
   * @param address the handler service's address, {@code "http://host:port"} or
   *     {@code "https://host:port"}; the host may be a name or an IP literal
   * @throws IllegalArgumentException when the address is malformed or has no scheme or port; the
   *     message names {@code handler.address}
   */
  public StreamingRemoteHandler(String address) {
    this(address, RemoteHandler.DEFAULT_CALL_TIMEOUT);
  }

  /**
   * Creates a client of a legacy handler. No connection is made yet. An {@code https://} address
   * uses TLS with the default options.
   *
   * @param address the handler service's address, {@code "http://host:port"} or
   *     {@code "https://host:port"}
   * @param callTimeout the call timeout, positive: an event not written to its stream within nine
   *     tenths of it fails as not sent
   * @throws IllegalArgumentException when the address is malformed or has no scheme or port (the
   *     message names {@code handler.address}), or when the timeout is not positive
   */
  public StreamingRemoteHandler(String address, Duration callTimeout) {
    this(address, callTimeout, Optional.empty());
  }

  /**
   * Creates a client of a legacy handler with TLS options ({@code handler.ssl_options}) and the
   * default call timeout. No connection is made yet; the TLS files are read here.
   *
   * @param address {@code "https://host:port"} when {@code tls} is enabled, {@code "http://host:port"}
   *     when it is not
   * @param tls the TLS options, not null
   * @throws IllegalArgumentException when the address is malformed, its scheme disagrees with
   *     {@code tls.enable()}, or a TLS file is missing or unusable (the message names the key)
   */
  public StreamingRemoteHandler(String address, ClientTlsOptions tls) {
    this(address, RemoteHandler.DEFAULT_CALL_TIMEOUT, tls);
  }

  /**
   * Creates a client of a legacy handler with TLS options ({@code handler.ssl_options}). No
   * connection is made yet; the TLS files are read here.
   *
   * @param address {@code "https://host:port"} when {@code tls} is enabled, {@code "http://host:port"}
   *     when it is not
   * @param callTimeout the call timeout, positive: an event not written to its stream within nine
   *     tenths of it fails as not sent
   * @param tls the TLS options, not null
   * @throws IllegalArgumentException when the address is malformed, its scheme disagrees with
   *     {@code tls.enable()}, a TLS file is missing or unusable (the message names the key), or
   *     the timeout is not positive
   */
  public StreamingRemoteHandler(String address, Duration callTimeout, ClientTlsOptions tls) {
    this(address, callTimeout, Optional.of(Objects.requireNonNull(tls, "tls")));
  }

  private StreamingRemoteHandler(String address, Duration callTimeout, Optional<ClientTlsOptions> tls) {
    this.target = Addresses.parseServiceAddress(address, ADDRESS_FIELD);
    long timeoutMillis = ClientChannels.timeoutMillis(callTimeout, "callTimeout");
    this.waitMillis = new DeadlineCalls(timeoutMillis).waitMillis();
    this.channel = ClientChannels.open(target, tls, ADDRESS_FIELD);
    this.reconnect = new ClientChannels.ReconnectPacer(channel, Duration.ofSeconds(1), Duration.ofMillis(waitMillis));
    // Opened streams wait for the channel to connect instead of failing while it reconnects.
    ConnectionHandlerGrpc.ConnectionHandlerStub stub = ConnectionHandlerGrpc.newStub(channel).withWaitForReady();
    this.created = new Lane<>("OnSocketCreated", stub::onSocketCreated);
    this.bytes = new Lane<>("OnReceivedBytes", stub::onReceivedBytes);
    this.timers = new Lane<>("OnTimerTimeout", stub::onTimerTimeout);
    this.messages = new Lane<>("OnReceivedMessages", stub::onReceivedMessages);
    this.socketClosed = new Lane<>("OnSocketClosed", stub::onSocketClosed);
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
   * Writes {@code OnSocketCreated} on its stream, with the connection's {@code ConnInfo}.
   *
   * @param event the event, not null
   * @return completes when the message is handed to the stream
   */
  @Override
  public CompletableFuture<Void> onSocketCreated(SocketCreated event) {
    return created.submit(event.conn(), SocketCreatedRequest.newBuilder()
        .setConn(event.conn())
        .setConninfo(ProtoConversions.toProto(event.info()))
        .build());
  }

  /**
   * Writes {@code OnReceivedBytes} on its stream; the bytes are shared with the message, not copied.
   *
   * @param event the event, not null
   * @return completes when the message is handed to the stream
   */
  @Override
  public CompletableFuture<Void> onReceivedBytes(ReceivedBytes event) {
    return bytes.submit(event.conn(), ReceivedBytesRequest.newBuilder()
        .setConn(event.conn())
        .setBytes(UnsafeByteOperations.unsafeWrap(event.bytes()))
        .build());
  }

  /**
   * Writes {@code OnTimerTimeout} on its stream.
   *
   * @param event the event, not null
   * @return completes when the message is handed to the stream
   */
  @Override
  public CompletableFuture<Void> onTimerTimeout(TimerTimeout event) {
    return timers.submit(event.conn(), TimerTimeoutRequest.newBuilder()
        .setConn(event.conn())
        .setType(ProtoConversions.toProto(event.type()))
        .build());
  }

  /**
   * Writes {@code OnReceivedMessages} on its stream; payloads are shared, not copied.
   *
   * @param event the event, not null
   * @return completes when the message is handed to the stream
   */
  @Override
  public CompletableFuture<Void> onReceivedMessages(ReceivedMessages event) {
    ReceivedMessagesRequest.Builder request = ReceivedMessagesRequest.newBuilder().setConn(event.conn());
    for (io.exproto.broker.Message message : event.messages()) {
      request.addMessages(ProtoConversions.toProto(event.node(), message));
    }
    return messages.submit(event.conn(), request.build());
  }

  /**
   * Writes {@code OnSocketClosed} on its stream.
   *
   * @param event the event, not null
   * @return completes when the message is handed to the stream
   */
  @Override
  public CompletableFuture<Void> onSocketClosed(SocketClosed event) {
    return socketClosed.submit(event.conn(), SocketClosedRequest.newBuilder()
        .setConn(event.conn())
        .setReason(event.reason())
        .build());
  }

  /**
   * Half-closes the five streams, fails the events still waiting with an
   * {@link IllegalStateException}, and shuts the channel down (the handler gets up to 5 seconds to
   * answer the half-closes). Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (Lane<?> lane : List.of(created, bytes, timers, messages, socketClosed)) {
      lane.shutdown();
    }
    ClientChannels.shutdown(channel);
  }

  /**
   * Returns true: every callback only queues its event for a stream and returns; the future
   * completes when the event is written, or fails.
   *
   * @return true
   */
  @Override
  public boolean isNonBlocking() {
    return true;
  }

  @Override
  public String toString() {
    return "StreamingRemoteHandler[" + target + "]";
  }

  /** One event waiting to be handed to its stream. */
  private final class Pending<Req> {
    final Lane<Req> lane;
    final String conn;
    final Req request;
    final CompletableFuture<Void> future = new CompletableFuture<>();
    private final AtomicBoolean claimed = new AtomicBoolean();

    Pending(Lane<Req> lane, String conn, Req request) {
      this.lane = lane;
      this.conn = conn;
      this.request = request;
    }

    private volatile Timeout wait;

    /** Takes the event for writing or failing; false when someone already did. */
    boolean claim() {
      return claimed.compareAndSet(false, true);
    }

    /** Bounds how long the event may wait for its stream; called when it could not be written at once. */
    void startWaiting() {
      wait = SharedTimer.schedule(timeout -> {
        if (claim()) {
          lane.remove(this);
          fail(new HandlerUnavailableException(lane.rpc + " of connection " + conn
              + ": not written, the stream to the handler was not ready within " + waitMillis + " ms", null));
        }
      }, waitMillis, TimeUnit.MILLISECONDS);
      if (claimed.get()) {
        stopWaiting(); // written or failed while arming
      }
    }

    private void stopWaiting() {
      Timeout armed = wait;
      if (armed != null) {
        armed.cancel();
      }
    }

    void handedOver() {
      stopWaiting();
      pendingByConn.remove(conn, this);
      future.complete(null);
    }

    void fail(Throwable error) {
      stopWaiting();
      pendingByConn.remove(conn, this);
      future.completeExceptionally(error);
    }

    /** The gateway sent this connection's next event: it gave up on this one. */
    void supersede() {
      if (claim()) {
        lane.remove(this);
        fail(new HandlerUnavailableException(lane.rpc + " of connection " + conn
            + " was abandoned by the gateway before its stream was ready", null));
      }
    }
  }

  /** One rpc: its stream, and the events waiting for it, oldest first. */
  private final class Lane<Req> {
    final String rpc;
    private final Function<StreamObserver<EmptySuccess>, StreamObserver<Req>> opener;
    // Guarded by this.
    private final ArrayDeque<Pending<Req>> queue = new ArrayDeque<>();
    private Stream current;
    private int failures;
    private long reopenAtNanos;
    private Throwable lastFailure;

    Lane(String rpc, Function<StreamObserver<EmptySuccess>, StreamObserver<Req>> opener) {
      this.rpc = rpc;
      this.opener = opener;
    }

    CompletableFuture<Void> submit(String conn, Req request) {
      Objects.requireNonNull(conn, "conn");
      Pending<Req> pending = new Pending<>(this, conn, request);
      // The gateway has one callback in flight per connection: an older one still waiting was
      // abandoned (deadline passed), and must not reach the handler after this one.
      Pending<?> abandoned = pendingByConn.put(conn, pending);
      if (abandoned != null) {
        abandoned.supersede();
      }
      Throwable refused = null;
      synchronized (this) {
        if (closed.get()) {
          refused = new IllegalStateException(rpc + ": the handler client is closed");
        } else if (current == null) {
          long wait = reopenAtNanos - System.nanoTime();
          if (failures > 0 && wait > 0) {
            Throwable mapped = HandlerFailures.toStreamFailure(rpc, lastFailure);
            refused = mapped instanceof HandlerUnavailableException
                ? new HandlerUnavailableException(rpc + ": the stream to the handler broke; reopening in "
                    + TimeUnit.NANOSECONDS.toMillis(wait) + " ms", lastFailure)
                : mapped;
          } else {
            refused = open();
          }
        }
        if (refused == null) {
          queue.addLast(pending);
        }
      }
      if (refused != null) {
        if (pending.claim()) {
          pending.fail(refused);
        }
        return pending.future;
      }
      pump();
      if (!pending.future.isDone()) {
        reconnect.callMayWait();
        pending.startWaiting();
      }
      return pending.future;
    }

    /**
     * Opens the stream; returns the failure, or null. Holds the lock. Answers run on the network
     * thread, so on a channel that cannot connect the stream may fail (and {@link #broken} run)
     * before {@code start()} returns: that failure is returned too.
     */
    private Throwable open() {
      Stream stream = new Stream();
      current = stream;
      // Opened outside the caller's gRPC context: the gateway may call from inside an adapter
      // call (a Publish delivered at once), whose end must not cancel the stream.
      Context detached = Context.current().fork();
      Context previous = detached.attach();
      try {
        opener.apply(stream);
        return current == stream ? null : HandlerFailures.toStreamFailure(rpc, lastFailure);
      } catch (RuntimeException e) {
        current = null;
        noteFailure(e);
        return HandlerFailures.toStreamFailure(rpc, e);
      } finally {
        detached.detach(previous);
      }
    }

    /**
     * Sets when the stream may be reopened. After a restart-like failure the first reopen is
     * immediate, then the wait doubles; after any other status (a misconfigured address, say) the
     * wait is the longest at once, because each reopen may lose the event written before the
     * handler's refusal arrives. Holds the lock.
     */
    private void noteFailure(Throwable error) {
      failures++;
      lastFailure = error;
      long backoff;
      if (!(HandlerFailures.toStreamFailure(rpc, error) instanceof HandlerUnavailableException)) {
        backoff = MAX_BACKOFF_NANOS;
      } else if (failures <= 1) {
        backoff = 0;
      } else {
        backoff = Math.min(MAX_BACKOFF_NANOS, FIRST_BACKOFF_NANOS << Math.min(failures - 2, 10));
      }
      reopenAtNanos = System.nanoTime() + backoff;
    }

    /** Writes waiting events while the stream is ready, then completes their futures. */
    void pump() {
      List<Pending<Req>> handed = new ArrayList<>();
      List<Pending<Req>> failed = new ArrayList<>();
      RuntimeException writeFailure = null;
      synchronized (this) {
        Stream stream = current;
        if (stream == null || stream.requests == null) {
          return;
        }
        while (!queue.isEmpty() && stream.requests.isReady()) {
          Pending<Req> pending = queue.pollFirst();
          if (!pending.claim()) {
            continue;
          }
          try {
            stream.requests.onNext(pending.request);
            handed.add(pending);
          } catch (RuntimeException e) {
            writeFailure = e;
            failed.add(pending);
            break;
          }
        }
      }
      handed.forEach(Pending::handedOver);
      for (Pending<Req> pending : failed) {
        pending.fail(new HandlerUnavailableException(rpc + ": could not write to the stream", writeFailure));
      }
    }

    synchronized void remove(Pending<Req> pending) {
      queue.remove(pending);
    }

    void ready(Stream stream) {
      synchronized (this) {
        if (current != stream) {
          return;
        }
        if (failures > 0) {
          log.info("The {} stream to the handler {} is open again", rpc, target);
        }
        failures = 0;
        lastFailure = null;
      }
      pump();
    }

    void broken(Stream stream, Throwable error) {
      List<Pending<Req>> waiting;
      boolean first;
      synchronized (this) {
        if (current != stream) {
          return;
        }
        current = null;
        first = failures == 0;
        noteFailure(error);
        waiting = new ArrayList<>(queue);
        queue.clear();
      }
      if (Status.fromThrowable(error).getCode() == Status.Code.UNAVAILABLE) {
        reconnect.unavailable();
      }
      if (first) {
        log.warn("The {} stream to the handler {} broke ({}); it is reopened on the next event", rpc, target,
            String.valueOf(error));
      } else {
        log.debug("The {} stream to the handler {} failed again: {}", rpc, target, String.valueOf(error));
      }
      Throwable failure = HandlerFailures.toStreamFailure(rpc, error);
      for (Pending<Req> pending : waiting) {
        if (pending.claim()) {
          pending.fail(failure);
        }
      }
    }

    void shutdown() {
      List<Pending<Req>> waiting;
      synchronized (this) {
        Stream stream = current;
        current = null;
        if (stream != null && stream.requests != null) {
          try {
            if (stream.everReady) {
              stream.requests.onCompleted();
            } else {
              // Still waiting for a connection: nothing to answer, and the channel's shutdown
              // would otherwise wait for it.
              stream.requests.cancel(rpc + ": the handler client is closed", null);
            }
          } catch (RuntimeException e) {
            log.debug("Could not half-close the {} stream: {}", rpc, String.valueOf(e));
          }
        }
        waiting = new ArrayList<>(queue);
        queue.clear();
      }
      for (Pending<Req> pending : waiting) {
        if (pending.claim()) {
          pending.fail(new IllegalStateException(rpc + ": the handler client is closed"));
        }
      }
    }

    /** The gateway's end of one client stream. */
    private final class Stream implements ClientResponseObserver<Req, EmptySuccess> {
      volatile ClientCallStreamObserver<Req> requests;
      volatile boolean everReady;

      @Override
      public void beforeStart(ClientCallStreamObserver<Req> requestStream) {
        this.requests = requestStream;
        requestStream.setOnReadyHandler(() -> {
          everReady = true;
          ready(this);
        });
      }

      @Override
      public void onNext(EmptySuccess value) {
        // The answer to our half-close: onCompleted follows.
      }

      @Override
      public void onError(Throwable error) {
        broken(this, error);
      }

      @Override
      public void onCompleted() {
        broken(this, Status.UNAVAILABLE.withDescription("the handler ended the " + rpc + " stream")
            .asRuntimeException());
      }
    }
  }
}
