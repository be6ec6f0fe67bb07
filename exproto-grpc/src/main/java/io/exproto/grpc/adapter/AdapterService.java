package io.exproto.grpc.adapter;

import io.exproto.adapter.Adapter;
import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.Result;
import io.exproto.adapter.ResultCode;
import io.exproto.adapter.TimerType;
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
import io.exproto.grpc.proto.UnsubscribeRequest;
import io.grpc.stub.StreamObserver;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's {@code emqx.exproto.v1.ConnectionAdapter} gRPC service: a thin mapping of each rpc
 * onto the core {@link Adapter}, which does every check and gives every result code.
 *
 * <p>Every call is answered with a {@code CodeResponse}, never with a gRPC error status: a failure
 * the adapter reports keeps its code and message, and anything unexpected (an exception, a failed
 * or null stage) is answered {@code UNKNOWN} with a message and logged with its stack trace. The
 * answer is sent when the adapter's stage completes, from the thread that completes it; no gRPC
 * thread waits for it. Requests are never logged (they hold passwords and payloads).
 *
 * <p>Wire-to-Java mapping: {@code uint32 qos} is passed as the same 32 bits (a value above
 * {@code 2^31-1} arrives negative and is rejected, and printed unsigned, by the adapter);
 * {@code uint32 interval} is widened unsigned; a timer type this version does not know is answered
 * {@code PARAMS_TYPE_ERROR} without calling the adapter; the deprecated
 * {@code ClientInfo.mountpoint} is ignored (the gateway's configured mountpoint wins).
 *
 * <p>Thread-safe. Serve it with {@link AdapterServer} or add it to any gRPC server.
 */
public final class AdapterService extends ConnectionAdapterGrpc.ConnectionAdapterImplBase {

  private static final Logger log = LoggerFactory.getLogger(AdapterService.class);

  private final Adapter adapter;

  /**
   * Creates the service.
   *
   * @param adapter the gateway's adapter operations, not null; not owned
   */
  public AdapterService(Adapter adapter) {
    this.adapter = Objects.requireNonNull(adapter, "adapter");
  }

  /**
   * Handles {@code Send}: bytes to one device.
   *
   * @param request the request
   * @param responseObserver receives the code response
   */
  @Override
  public void send(SendBytesRequest request, StreamObserver<CodeResponse> responseObserver) {
    call("Send", responseObserver,
        () -> adapter.send(request.getConn(), request.getBytes().toByteArray()));
  }

  /**
   * Handles {@code Close}: closes one device connection.
   *
   * @param request the request
   * @param responseObserver receives the code response
   */
  @Override
  public void close(CloseSocketRequest request, StreamObserver<CodeResponse> responseObserver) {
    call("Close", responseObserver, () -> adapter.close(request.getConn()));
  }

  /**
   * Handles {@code Authenticate}. The password is passed on and never logged.
   *
   * @param request the request
   * @param responseObserver receives the code response
   */
  @Override
  public void authenticate(AuthenticateRequest request, StreamObserver<CodeResponse> responseObserver) {
    call("Authenticate", responseObserver, () -> {
      io.exproto.grpc.proto.ClientInfo info = request.getClientinfo();
      ClientInfo clientInfo = new ClientInfo(info.getProtoName(), info.getProtoVer(), info.getClientid(),
          info.getUsername());
      return adapter.authenticate(request.getConn(), clientInfo, request.getPassword());
    });
  }

  /**
   * Handles {@code StartTimer}.
   *
   * @param request the request
   * @param responseObserver receives the code response
   */
  @Override
  public void startTimer(TimerRequest request, StreamObserver<CodeResponse> responseObserver) {
    call("StartTimer", responseObserver, () -> {
      TimerType type = ProtoConversions.toCore(request.getType());
      if (type == null) {
        return CompletableFuture.completedFuture(
            Result.of(ResultCode.PARAMS_TYPE_ERROR, "type: must be KEEPALIVE"));
      }
      return adapter.startTimer(request.getConn(), type, Integer.toUnsignedLong(request.getInterval()));
    });
  }

  /**
   * Handles {@code Publish}.
   *
   * @param request the request
   * @param responseObserver receives the code response
   */
  @Override
  public void publish(PublishRequest request, StreamObserver<CodeResponse> responseObserver) {
    call("Publish", responseObserver, () -> adapter.publish(request.getConn(), request.getTopic(),
        request.getQos(), request.getPayload().toByteArray()));
  }

  /**
   * Handles {@code Subscribe}.
   *
   * @param request the request
   * @param responseObserver receives the code response
   */
  @Override
  public void subscribe(SubscribeRequest request, StreamObserver<CodeResponse> responseObserver) {
    call("Subscribe", responseObserver,
        () -> adapter.subscribe(request.getConn(), request.getTopic(), request.getQos()));
  }

  /**
   * Handles {@code Unsubscribe}.
   *
   * @param request the request
   * @param responseObserver receives the code response
   */
  @Override
  public void unsubscribe(UnsubscribeRequest request, StreamObserver<CodeResponse> responseObserver) {
    call("Unsubscribe", responseObserver, () -> adapter.unsubscribe(request.getConn(), request.getTopic()));
  }

  /**
   * Handles {@code RawPublish}.
   *
   * @param request the request
   * @param responseObserver receives the code response
   */
  @Override
  public void rawPublish(RawPublishRequest request, StreamObserver<CodeResponse> responseObserver) {
    call("RawPublish", responseObserver,
        () -> adapter.rawPublish(request.getTopic(), request.getQos(), request.getPayload().toByteArray()));
  }

  private static void call(String rpc, StreamObserver<CodeResponse> observer,
      Supplier<CompletionStage<Result>> operation) {
    CompletionStage<Result> stage;
    try {
      stage = operation.get();
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      reply(rpc, observer, unexpected(rpc, e));
      return;
    }
    if (stage == null) {
      reply(rpc, observer, unexpected(rpc, new NullPointerException("the adapter returned no stage")));
      return;
    }
    try {
      stage.whenComplete((result, error) -> {
        if (error != null) {
          reply(rpc, observer, unexpected(rpc, error));
        } else if (result == null) {
          reply(rpc, observer, unexpected(rpc, new NullPointerException("the adapter returned no result")));
        } else {
          reply(rpc, observer, result);
        }
      });
    } catch (RuntimeException e) {
      // A broken CompletionStage implementation: answer anyway.
      reply(rpc, observer, unexpected(rpc, e));
    }
  }

  private static Result unexpected(String rpc, Throwable error) {
    log.error("{} failed unexpectedly", rpc, error);
    return Result.of(ResultCode.UNKNOWN, rpc + " failed unexpectedly: " + error);
  }

  private static void reply(String rpc, StreamObserver<CodeResponse> observer, Result result) {
    try {
      observer.onNext(ProtoConversions.toProto(result));
      observer.onCompleted();
    } catch (RuntimeException e) {
      // The caller went away (cancelled, deadline passed): nobody is left to answer.
      log.debug("Could not answer {}: {}", rpc, String.valueOf(e));
    }
  }
}
