package io.exproto.grpc.sdk;

import com.google.protobuf.ByteString;
import io.exproto.grpc.proto.ConnInfo;
import io.exproto.grpc.proto.ConnectionUnaryHandlerGrpc;
import io.exproto.grpc.proto.EmptySuccess;
import io.exproto.grpc.proto.Message;
import io.exproto.grpc.proto.ReceivedBytesRequest;
import io.exproto.grpc.proto.ReceivedMessagesRequest;
import io.exproto.grpc.proto.SocketClosedRequest;
import io.exproto.grpc.proto.SocketCreatedRequest;
import io.exproto.grpc.proto.TimerTimeoutRequest;
import io.exproto.grpc.proto.TimerType;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The base class of a handler service written in Java: a {@code emqx.exproto.v1.ConnectionUnaryHandler}
 * whose five rpcs call plain methods. Override the methods you need (each does nothing by default);
 * the rpc answers {@code EmptySuccess} when the method returns, and {@code INTERNAL} with the
 * exception's message when it throws (the gateway then closes the device, reason
 * {@code handler_error}).
 *
 * <pre>{@code
 * class Echo extends HandlerService {
 *   final AdapterClient adapter = AdapterClient.connect("http://127.0.0.1:9100");
 *
 *   protected void onSocketCreated(String conn, ConnInfo info) {
 *     adapter.authenticate(conn, ClientInfo.of("device-" + info.getPeername().getPort(), ""), "");
 *   }
 *
 *   protected void onReceivedBytes(String conn, byte[] bytes) {
 *     adapter.send(conn, bytes);
 *   }
 * }
 * new HandlerServer(new Echo(), "127.0.0.1:9001").start();
 * }</pre>
 *
 * <p>Threading: the methods run on the gRPC server's executor and may block, for example on
 * {@link AdapterClient} calls; the gateway accepts adapter calls for a connection while that
 * connection's callback is in flight. The gateway sends one callback at a time per connection, so
 * the methods are called one at a time, in event order, for each connection, and concurrently for
 * different connections. An implementation must be thread-safe across connections.
 *
 * <h2>Non-blocking style</h2>
 *
 * <p>For throughput, override the {@code ...Async} variants instead (for example
 * {@link #onReceivedBytesAsync(String, ByteString)}), make the adapter calls with
 * {@link AdapterClient}'s {@code ...Async} methods, return the composed stage, and declare
 * {@link #isNonBlocking()}. The rpc is answered when the stage completes (so the gateway sends the
 * connection's next event only after the adapter calls of this one were answered, keeping the
 * device's bytes in order); no thread waits meanwhile, and {@link HandlerServer} runs the methods
 * directly on its network threads.
 *
 * <pre>{@code
 * class Echo extends HandlerService {
 *   final AdapterClient adapter = AdapterClient.connect("http://127.0.0.1:9100");
 *
 *   public boolean isNonBlocking() {
 *     return true;
 *   }
 *
 *   protected CompletionStage<?> onSocketCreatedAsync(String conn, ConnInfo info) {
 *     return adapter.authenticateAsync(conn, ClientInfo.of("device-" + info.getPeername().getPort(), ""), "")
 *         .thenCompose(AdapterClient::requireSuccess);
 *   }
 *
 *   protected CompletionStage<?> onReceivedBytesAsync(String conn, ByteString bytes) {
 *     return adapter.sendAsync(conn, bytes); // the bytes are passed on without a copy
 *   }
 * }
 * }</pre>
 *
 * <p>By default each {@code ...Async} method calls its blocking counterpart and returns a
 * completed stage, so the two styles can be mixed; but a service that declares
 * {@link #isNonBlocking()} must override every callback it uses with code that does not block.
 *
 * <p>The gateway waits for each answer at most its call timeout (30 s by default); a slower method
 * is a handler error.
 *
 * <p>The same class can serve a gateway configured for the legacy streaming service
 * ({@code handler.service_name = ConnectionHandler}): wrap it in a {@link StreamingHandlerService},
 * or build the {@link HandlerServer} with {@code serviceName(ServiceName.STREAMING)}. The methods
 * are then called as each stream's messages arrive (see {@link StreamingHandlerService} for how
 * ordering and failures differ).
 */
public abstract class HandlerService extends ConnectionUnaryHandlerGrpc.ConnectionUnaryHandlerImplBase {

  private static final Logger log = LoggerFactory.getLogger(HandlerService.class);
  /** The stage of a method that finished synchronously: answered at once. */
  static final CompletionStage<Void> DONE = CompletableFuture.completedStage(null);

  /** Creates the service. */
  protected HandlerService() {}

  /**
   * Tells whether this service's methods never block: it overrides the {@code ...Async} methods
   * it uses, and they return without waiting (on {@link AdapterClient}'s blocking methods, I/O, a
   * lock held for long, or a future). {@link HandlerServer} then runs them directly on gRPC's
   * network threads instead of handing each call to an executor. False by default.
   *
   * @return true when no method blocks; false (the default) otherwise
   */
  public boolean isNonBlocking() {
    return false;
  }

  /**
   * A device connected: the first event of every connection. Does nothing by default.
   *
   * @param conn the connection id, to pass to the adapter
   * @param info how and from where the device connected
   * @throws Exception to fail the callback (the gateway then closes the device)
   */
  protected void onSocketCreated(String conn, ConnInfo info) throws Exception {}

  /**
   * The device sent bytes. Does nothing by default.
   *
   * @param conn the connection id
   * @param bytes the bytes, a fresh array the method may keep or change
   * @throws Exception to fail the callback (the gateway then closes the device)
   */
  protected void onReceivedBytes(String conn, byte[] bytes) throws Exception {}

  /**
   * A timer of the connection fired; for {@code KEEPALIVE} the gateway closes the connection
   * right after. Does nothing by default.
   *
   * @param conn the connection id
   * @param type the timer type ({@code UNRECOGNIZED} for a type this version does not know)
   * @throws Exception to fail the callback
   */
  protected void onTimerTimeout(String conn, TimerType type) throws Exception {}

  /**
   * Messages were delivered to the connection's subscriptions. Does nothing by default.
   *
   * @param conn the connection id
   * @param messages one or more messages, in delivery order (immutable)
   * @throws Exception to fail the callback (the gateway then closes the device)
   */
  protected void onReceivedMessages(String conn, List<Message> messages) throws Exception {}

  /**
   * The connection closed: the last event of every connection, sent exactly once. Adapter calls
   * for it now answer {@code CONN_PROCESS_NOT_ALIVE}. Does nothing by default.
   *
   * @param conn the connection id
   * @param reason why, e.g. {@code tcp_closed}, {@code normal}, {@code keepalive_timeout},
   *     {@code handler_error}
   * @throws Exception to fail the callback (only logged by the gateway)
   */
  protected void onSocketClosed(String conn, String reason) throws Exception {}

  /**
   * A device connected, non-blocking style: the rpc is answered when the returned stage
   * completes. By default calls {@link #onSocketCreated(String, ConnInfo)}.
   *
   * @param conn the connection id
   * @param info how and from where the device connected
   * @return completes when the event is handled; exceptionally (or a throw) to fail the callback
   * @throws Exception to fail the callback (the gateway then closes the device)
   */
  protected CompletionStage<?> onSocketCreatedAsync(String conn, ConnInfo info) throws Exception {
    onSocketCreated(conn, info);
    return DONE;
  }

  /**
   * The device sent bytes, non-blocking style: the rpc is answered when the returned stage
   * completes. By default calls {@link #onReceivedBytes(String, byte[])} with a copy of the bytes.
   *
   * @param conn the connection id
   * @param bytes the bytes, immutable (pass them to {@link AdapterClient#sendAsync(String, ByteString)}
   *     without a copy)
   * @return completes when the event is handled; exceptionally (or a throw) to fail the callback
   * @throws Exception to fail the callback (the gateway then closes the device)
   */
  protected CompletionStage<?> onReceivedBytesAsync(String conn, ByteString bytes) throws Exception {
    onReceivedBytes(conn, bytes.toByteArray());
    return DONE;
  }

  /**
   * A timer fired, non-blocking style: the rpc is answered when the returned stage completes. By
   * default calls {@link #onTimerTimeout(String, TimerType)}.
   *
   * @param conn the connection id
   * @param type the timer type
   * @return completes when the event is handled; exceptionally (or a throw) to fail the callback
   * @throws Exception to fail the callback
   */
  protected CompletionStage<?> onTimerTimeoutAsync(String conn, TimerType type) throws Exception {
    onTimerTimeout(conn, type);
    return DONE;
  }

  /**
   * Messages were delivered, non-blocking style: the rpc is answered when the returned stage
   * completes. By default calls {@link #onReceivedMessages(String, List)}.
   *
   * @param conn the connection id
   * @param messages one or more messages, in delivery order (immutable)
   * @return completes when the event is handled; exceptionally (or a throw) to fail the callback
   * @throws Exception to fail the callback (the gateway then closes the device)
   */
  protected CompletionStage<?> onReceivedMessagesAsync(String conn, List<Message> messages) throws Exception {
    onReceivedMessages(conn, messages);
    return DONE;
  }

  /**
   * The connection closed, non-blocking style: the rpc is answered when the returned stage
   * completes. By default calls {@link #onSocketClosed(String, String)}.
   *
   * @param conn the connection id
   * @param reason why the connection closed
   * @return completes when the event is handled; exceptionally (or a throw) to fail the callback
   * @throws Exception to fail the callback (only logged by the gateway)
   */
  protected CompletionStage<?> onSocketClosedAsync(String conn, String reason) throws Exception {
    onSocketClosed(conn, reason);
    return DONE;
  }

  /**
   * Calls {@link #onSocketCreatedAsync(String, ConnInfo)} and answers when its stage completes.
   *
   * @param request the request
   * @param responseObserver receives {@code EmptySuccess} or an {@code INTERNAL} status
   */
  @Override
  public final void onSocketCreated(SocketCreatedRequest request, StreamObserver<EmptySuccess> responseObserver) {
    run("OnSocketCreated", request.getConn(), responseObserver,
        () -> onSocketCreatedAsync(request.getConn(), request.getConninfo()));
  }

  /**
   * Calls {@link #onReceivedBytesAsync(String, ByteString)} and answers when its stage completes.
   *
   * @param request the request
   * @param responseObserver receives {@code EmptySuccess} or an {@code INTERNAL} status
   */
  @Override
  public final void onReceivedBytes(ReceivedBytesRequest request, StreamObserver<EmptySuccess> responseObserver) {
    run("OnReceivedBytes", request.getConn(), responseObserver,
        () -> onReceivedBytesAsync(request.getConn(), request.getBytes()));
  }

  /**
   * Calls {@link #onTimerTimeoutAsync(String, TimerType)} and answers when its stage completes.
   *
   * @param request the request
   * @param responseObserver receives {@code EmptySuccess} or an {@code INTERNAL} status
   */
  @Override
  public final void onTimerTimeout(TimerTimeoutRequest request, StreamObserver<EmptySuccess> responseObserver) {
    run("OnTimerTimeout", request.getConn(), responseObserver,
        () -> onTimerTimeoutAsync(request.getConn(), request.getType()));
  }

  /**
   * Calls {@link #onReceivedMessagesAsync(String, List)} and answers when its stage completes.
   *
   * @param request the request
   * @param responseObserver receives {@code EmptySuccess} or an {@code INTERNAL} status
   */
  @Override
  public final void onReceivedMessages(ReceivedMessagesRequest request,
      StreamObserver<EmptySuccess> responseObserver) {
    run("OnReceivedMessages", request.getConn(), responseObserver,
        () -> onReceivedMessagesAsync(request.getConn(), request.getMessagesList()));
  }

  /**
   * Calls {@link #onSocketClosedAsync(String, String)} and answers when its stage completes.
   *
   * @param request the request
   * @param responseObserver receives {@code EmptySuccess} or an {@code INTERNAL} status
   */
  @Override
  public final void onSocketClosed(SocketClosedRequest request, StreamObserver<EmptySuccess> responseObserver) {
    run("OnSocketClosed", request.getConn(), responseObserver,
        () -> onSocketClosedAsync(request.getConn(), request.getReason()));
  }

  @FunctionalInterface
  private interface Callback {
    CompletionStage<?> run() throws Exception;
  }

  private static void run(String rpc, String conn, StreamObserver<EmptySuccess> observer, Callback callback) {
    CompletionStage<?> stage;
    try {
      stage = callback.run();
    } catch (Exception e) {
      fail(rpc, conn, observer, e);
      return;
    }
    if (stage == null) {
      fail(rpc, conn, observer, new NullPointerException(rpc + " returned no stage"));
      return;
    }
    if (stage == DONE) {
      succeed(rpc, observer);
      return;
    }
    stage.whenComplete((value, error) -> {
      if (error == null) {
        succeed(rpc, observer);
      } else {
        fail(rpc, conn, observer, unwrap(error));
      }
    });
  }

  private static Throwable unwrap(Throwable error) {
    while ((error instanceof CompletionException || error instanceof ExecutionException) && error.getCause() != null) {
      error = error.getCause();
    }
    return error;
  }

  private static void succeed(String rpc, StreamObserver<EmptySuccess> observer) {
    answer(rpc, observer, () -> {
      observer.onNext(EmptySuccess.getDefaultInstance());
      observer.onCompleted();
    });
  }

  private static void fail(String rpc, String conn, StreamObserver<EmptySuccess> observer, Throwable e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    log.warn("{} of connection {} failed", rpc, conn, e);
    String message = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
    answer(rpc, observer, () -> observer.onError(
        Status.INTERNAL.withDescription(rpc + " failed: " + message).withCause(e).asRuntimeException()));
  }

  private static void answer(String rpc, StreamObserver<EmptySuccess> observer, Runnable answer) {
    try {
      answer.run();
    } catch (RuntimeException e) {
      // The gateway went away (deadline passed, cancelled): nobody is left to answer.
      log.debug("Could not answer {}: {}", rpc, String.valueOf(e));
    }
  }
}
