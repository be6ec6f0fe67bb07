package io.exproto.benchmarks.server;

import com.google.protobuf.ByteString;
import io.exproto.grpc.proto.AuthenticateRequest;
import io.exproto.grpc.proto.ClientInfo;
import io.exproto.grpc.proto.CodeResponse;
import io.exproto.grpc.proto.ConnectionAdapterGrpc;
import io.exproto.grpc.proto.ConnectionUnaryHandlerGrpc;
import io.exproto.grpc.proto.EmptySuccess;
import io.exproto.grpc.proto.ReceivedBytesRequest;
import io.exproto.grpc.proto.ResultCode;
import io.exproto.grpc.proto.SendBytesRequest;
import io.exproto.grpc.proto.SocketClosedRequest;
import io.exproto.grpc.proto.SocketCreatedRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * A non-blocking echo handler written against the generated gRPC stubs instead of the SDK: no
 * thread waits for an adapter call, and the device's bytes are passed from the
 * {@code OnReceivedBytes} request to the {@code Send} request without a copy. It answers each
 * callback when its adapter calls have answered, so the gateway's ordering still holds. Used to
 * tell the cost of the SDK (in its non-blocking style) apart from the cost of the gateway.
 */
final class AsyncEchoHandlerService extends ConnectionUnaryHandlerGrpc.ConnectionUnaryHandlerImplBase {

  private static final ByteString GREETING = ByteString.copyFrom(Greeting.bytes());

  private volatile ConnectionAdapterGrpc.ConnectionAdapterStub adapter;

  /**
   * Sets the adapter to call.
   *
   * @param stub an asynchronous stub of the gateway's adapter
   */
  void adapter(ConnectionAdapterGrpc.ConnectionAdapterStub stub) {
    this.adapter = stub;
  }

  /** Authenticates the connection, then greets it; answers when both adapter calls have. */
  @Override
  public void onSocketCreated(SocketCreatedRequest request, StreamObserver<EmptySuccess> observer) {
    String conn = request.getConn();
    adapter.authenticate(AuthenticateRequest.newBuilder()
            .setConn(conn)
            .setClientinfo(ClientInfo.newBuilder().setClientid(conn))
            .build(),
        then(observer, () -> adapter.send(
            SendBytesRequest.newBuilder().setConn(conn).setBytes(GREETING).build(),
            then(observer, () -> answer(observer)))));
  }

  /** Sends the bytes back; answers when the Send has. */
  @Override
  public void onReceivedBytes(ReceivedBytesRequest request, StreamObserver<EmptySuccess> observer) {
    adapter.send(SendBytesRequest.newBuilder().setConn(request.getConn()).setBytes(request.getBytes()).build(),
        then(observer, () -> answer(observer)));
  }

  /** Nothing to clean up: answers at once. */
  @Override
  public void onSocketClosed(SocketClosedRequest request, StreamObserver<EmptySuccess> observer) {
    answer(observer);
  }

  private static void answer(StreamObserver<EmptySuccess> observer) {
    observer.onNext(EmptySuccess.getDefaultInstance());
    observer.onCompleted();
  }

  /**
   * Makes the observer of an adapter call.
   *
   * @param callback the callback to fail when the adapter call does not succeed
   * @param next what to do when it answers SUCCESS
   * @return the observer
   */
  private static StreamObserver<CodeResponse> then(StreamObserver<EmptySuccess> callback, Runnable next) {
    return new StreamObserver<>() {
      private CodeResponse response;

      @Override
      public void onNext(CodeResponse value) {
        response = value;
      }

      @Override
      public void onError(Throwable t) {
        callback.onError(Status.INTERNAL.withDescription("adapter call failed: " + t).asRuntimeException());
      }

      @Override
      public void onCompleted() {
        if (response != null && response.getCode() == ResultCode.SUCCESS) {
          next.run();
        } else {
          callback.onError(Status.INTERNAL
              .withDescription("adapter answered " + (response == null ? "nothing" : response.getCode()))
              .asRuntimeException());
        }
      }
    };
  }
}
