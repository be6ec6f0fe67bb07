package io.exproto.grpc.sdk;

import io.exproto.grpc.proto.ConnectionHandlerGrpc;
import io.exproto.grpc.proto.EmptySuccess;
import io.exproto.grpc.proto.ReceivedBytesRequest;
import io.exproto.grpc.proto.ReceivedMessagesRequest;
import io.exproto.grpc.proto.SocketClosedRequest;
import io.exproto.grpc.proto.SocketCreatedRequest;
import io.exproto.grpc.proto.TimerTimeoutRequest;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link HandlerService} as the legacy {@code emqx.exproto.v1.ConnectionHandler} service
 * (EMQX's deprecated client-streaming variant), for gateways configured with
 * {@code handler.service_name = ConnectionHandler}. The same handler code serves either service:
 *
 * <pre>{@code
 * HandlerServer server = HandlerServer.builder(new MyProtocol())
 *     .bind("127.0.0.1:9001")
 *     .serviceName(ServiceName.STREAMING)   // serves a StreamingHandlerService
 *     .build();
 * }</pre>
 *
 * <p>Each of the five rpcs is one stream from the gateway carrying that event for every
 * connection; each message calls the service's method. Differences from the unary service, which
 * the legacy protocol imposes:
 * <ul>
 *   <li>Methods run one at a time per stream, in arrival order, for all connections together (a
 *       slow method, or the stage of an {@code ...Async} method until it completes, delays that
 *       rpc for every connection; gRPC flow control then slows the gateway). Different rpcs run concurrently, so a connection's events of different kinds may
 *       be seen out of order (for example {@code OnSocketClosed} before its last
 *       {@code OnReceivedBytes}).</li>
 *   <li>There is no per-event answer: a method that throws (or whose stage fails) is logged and
 *       the stream goes on; the gateway is not told and does not close the device.</li>
 *   <li>When the gateway half-closes a stream (it stops), the stream is answered
 *       {@code EmptySuccess}.</li>
 * </ul>
 *
 * <p>Thread-safe, like the {@link HandlerService} it serves.
 */
public final class StreamingHandlerService extends ConnectionHandlerGrpc.ConnectionHandlerImplBase {

  private static final Logger log = LoggerFactory.getLogger(StreamingHandlerService.class);

  private final HandlerService service;

  /**
   * Wraps a handler service.
   *
   * @param service the service whose methods handle the events, not null; not owned
   */
  public StreamingHandlerService(HandlerService service) {
    this.service = Objects.requireNonNull(service, "service");
  }

  /**
   * Receives the {@code OnSocketCreated} stream.
   *
   * @param responseObserver answered {@code EmptySuccess} when the gateway half-closes
   * @return the receiver of the stream's messages
   */
  @Override
  public StreamObserver<SocketCreatedRequest> onSocketCreated(StreamObserver<EmptySuccess> responseObserver) {
    return new Inbound<>("OnSocketCreated", responseObserver, SocketCreatedRequest::getConn,
        request -> service.onSocketCreatedAsync(request.getConn(), request.getConninfo()));
  }

  /**
   * Receives the {@code OnReceivedBytes} stream.
   *
   * @param responseObserver answered {@code EmptySuccess} when the gateway half-closes
   * @return the receiver of the stream's messages
   */
  @Override
  public StreamObserver<ReceivedBytesRequest> onReceivedBytes(StreamObserver<EmptySuccess> responseObserver) {
    return new Inbound<>("OnReceivedBytes", responseObserver, ReceivedBytesRequest::getConn,
        request -> service.onReceivedBytesAsync(request.getConn(), request.getBytes()));
  }

  /**
   * Receives the {@code OnTimerTimeout} stream.
   *
   * @param responseObserver answered {@code EmptySuccess} when the gateway half-closes
   * @return the receiver of the stream's messages
   */
  @Override
  public StreamObserver<TimerTimeoutRequest> onTimerTimeout(StreamObserver<EmptySuccess> responseObserver) {
    return new Inbound<>("OnTimerTimeout", responseObserver, TimerTimeoutRequest::getConn,
        request -> service.onTimerTimeoutAsync(request.getConn(), request.getType()));
  }

  /**
   * Receives the {@code OnReceivedMessages} stream.
   *
   * @param responseObserver answered {@code EmptySuccess} when the gateway half-closes
   * @return the receiver of the stream's messages
   */
  @Override
  public StreamObserver<ReceivedMessagesRequest> onReceivedMessages(StreamObserver<EmptySuccess> responseObserver) {
    return new Inbound<>("OnReceivedMessages", responseObserver, ReceivedMessagesRequest::getConn,
        request -> service.onReceivedMessagesAsync(request.getConn(), request.getMessagesList()));
  }

  /**
   * Receives the {@code OnSocketClosed} stream.
   *
   * @param responseObserver answered {@code EmptySuccess} when the gateway half-closes
   * @return the receiver of the stream's messages
   */
  @Override
  public StreamObserver<SocketClosedRequest> onSocketClosed(StreamObserver<EmptySuccess> responseObserver) {
    return new Inbound<>("OnSocketClosed", responseObserver, SocketClosedRequest::getConn,
        request -> service.onSocketClosedAsync(request.getConn(), request.getReason()));
  }

  @FunctionalInterface
  private interface Callback<Req> {
    CompletionStage<?> accept(Req request) throws Exception;
  }

  /**
   * One stream from the gateway: each message is one call of the service's method. The stream's
   * next message is requested only when the previous method's stage completed, so the methods run
   * one at a time per stream also in the non-blocking style.
   */
  private static final class Inbound<Req> implements StreamObserver<Req> {
    private final String rpc;
    private final StreamObserver<EmptySuccess> response;
    private final Function<Req, String> conn;
    private final Callback<Req> callback;
    private final ServerCallStreamObserver<EmptySuccess> flow;

    Inbound(String rpc, StreamObserver<EmptySuccess> response, Function<Req, String> conn, Callback<Req> callback) {
      this.rpc = rpc;
      this.response = response;
      this.conn = conn;
      this.callback = callback;
      this.flow = (ServerCallStreamObserver<EmptySuccess>) response;
      flow.disableAutoRequest();
      flow.request(1);
    }

    @Override
    public void onNext(Req request) {
      CompletionStage<?> stage;
      try {
        stage = callback.accept(request);
      } catch (Exception e) {
        failed(request, e);
        flow.request(1);
        return;
      }
      if (stage == null) {
        failed(request, new NullPointerException(rpc + " returned no stage"));
        flow.request(1);
        return;
      }
      stage.whenComplete((value, error) -> {
        if (error != null) {
          failed(request, error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
        }
        flow.request(1);
      });
    }

    private void failed(Req request, Throwable e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      // The legacy protocol has no per-event answer: the gateway cannot be told.
      log.warn("{} of connection {} failed; the stream goes on", rpc, conn.apply(request), e);
    }

    @Override
    public void onError(Throwable error) {
      log.debug("The {} stream from the gateway ended: {}", rpc, String.valueOf(error));
    }

    @Override
    public void onCompleted() {
      try {
        response.onNext(EmptySuccess.getDefaultInstance());
        response.onCompleted();
      } catch (RuntimeException e) {
        log.debug("Could not answer the end of the {} stream: {}", rpc, String.valueOf(e));
      }
    }
  }
}
