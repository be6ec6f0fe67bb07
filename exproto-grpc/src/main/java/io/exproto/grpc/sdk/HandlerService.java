package io.exproto.grpc.sdk;

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

  /** Creates the service. */
  protected HandlerService() {}

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
   * Calls {@link #onSocketCreated(String, ConnInfo)} and answers.
   *
   * @param request the request
   * @param responseObserver receives {@code EmptySuccess} or an {@code INTERNAL} status
   */
  @Override
  public final void onSocketCreated(SocketCreatedRequest request, StreamObserver<EmptySuccess> responseObserver) {
    run("OnSocketCreated", request.getConn(), responseObserver,
        () -> onSocketCreated(request.getConn(), request.getConninfo()));
  }

  /**
   * Calls {@link #onReceivedBytes(String, byte[])} and answers.
   *
   * @param request the request
   * @param responseObserver receives {@code EmptySuccess} or an {@code INTERNAL} status
   */
  @Override
  public final void onReceivedBytes(ReceivedBytesRequest request, StreamObserver<EmptySuccess> responseObserver) {
    run("OnReceivedBytes", request.getConn(), responseObserver,
        () -> onReceivedBytes(request.getConn(), request.getBytes().toByteArray()));
  }

  /**
   * Calls {@link #onTimerTimeout(String, TimerType)} and answers.
   *
   * @param request the request
   * @param responseObserver receives {@code EmptySuccess} or an {@code INTERNAL} status
   */
  @Override
  public final void onTimerTimeout(TimerTimeoutRequest request, StreamObserver<EmptySuccess> responseObserver) {
    run("OnTimerTimeout", request.getConn(), responseObserver,
        () -> onTimerTimeout(request.getConn(), request.getType()));
  }

  /**
   * Calls {@link #onReceivedMessages(String, List)} and answers.
   *
   * @param request the request
   * @param responseObserver receives {@code EmptySuccess} or an {@code INTERNAL} status
   */
  @Override
  public final void onReceivedMessages(ReceivedMessagesRequest request,
      StreamObserver<EmptySuccess> responseObserver) {
    run("OnReceivedMessages", request.getConn(), responseObserver,
        () -> onReceivedMessages(request.getConn(), request.getMessagesList()));
  }

  /**
   * Calls {@link #onSocketClosed(String, String)} and answers.
   *
   * @param request the request
   * @param responseObserver receives {@code EmptySuccess} or an {@code INTERNAL} status
   */
  @Override
  public final void onSocketClosed(SocketClosedRequest request, StreamObserver<EmptySuccess> responseObserver) {
    run("OnSocketClosed", request.getConn(), responseObserver,
        () -> onSocketClosed(request.getConn(), request.getReason()));
  }

  @FunctionalInterface
  private interface Callback {
    void run() throws Exception;
  }

  private static void run(String rpc, String conn, StreamObserver<EmptySuccess> observer, Callback callback) {
    try {
      callback.run();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      log.warn("{} of connection {} failed", rpc, conn, e);
      String message = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
      answer(rpc, observer, () -> observer.onError(
          Status.INTERNAL.withDescription(rpc + " failed: " + message).withCause(e).asRuntimeException()));
      return;
    }
    answer(rpc, observer, () -> {
      observer.onNext(EmptySuccess.getDefaultInstance());
      observer.onCompleted();
    });
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
