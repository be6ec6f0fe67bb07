package io.exproto.grpc.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import io.exproto.adapter.Adapter;
import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.Result;
import io.exproto.adapter.TimerType;
import io.exproto.grpc.proto.AuthenticateRequest;
import io.exproto.grpc.proto.CloseSocketRequest;
import io.exproto.grpc.proto.CodeResponse;
import io.exproto.grpc.proto.ConnectionAdapterGrpc;
import io.exproto.grpc.proto.PublishRequest;
import io.exproto.grpc.proto.RawPublishRequest;
import io.exproto.grpc.proto.ResultCode;
import io.exproto.grpc.proto.SendBytesRequest;
import io.exproto.grpc.proto.SubscribeRequest;
import io.exproto.grpc.proto.TimerRequest;
import io.exproto.grpc.proto.UnsubscribeRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An adapter that misbehaves (throws, returns null, fails its stage, answers late) never makes the
 * service throw or answer with a gRPC error status.
 */
class AdapterServiceFailureTest {

  private Server server;
  private ManagedChannel channel;

  @AfterEach
  void tearDown() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private ConnectionAdapterGrpc.ConnectionAdapterBlockingStub serve(Adapter adapter) throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(new AdapterService(adapter)).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    return ConnectionAdapterGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void anAdapterThatThrowsGivesUnknownForEveryRpc() throws Exception {
    ConnectionAdapterGrpc.ConnectionAdapterBlockingStub stub = serve(new FixedAdapter(() -> {
      throw new IllegalStateException("boom");
    }));
    CodeResponse[] responses = {
        stub.send(SendBytesRequest.getDefaultInstance()),
        stub.close(CloseSocketRequest.getDefaultInstance()),
        stub.authenticate(AuthenticateRequest.getDefaultInstance()),
        stub.startTimer(TimerRequest.getDefaultInstance()),
        stub.publish(PublishRequest.getDefaultInstance()),
        stub.subscribe(SubscribeRequest.getDefaultInstance()),
        stub.unsubscribe(UnsubscribeRequest.getDefaultInstance()),
        stub.rawPublish(RawPublishRequest.getDefaultInstance()),
    };
    assertThat(responses).allSatisfy(response -> {
      assertThat(response.getCode()).isEqualTo(ResultCode.UNKNOWN);
      assertThat(response.getMessage()).contains("boom");
    });
    assertThat(responses[0].getMessage()).startsWith("Send failed unexpectedly");
    assertThat(responses[7].getMessage()).startsWith("RawPublish failed unexpectedly");
  }

  @Test
  void aNullStageGivesUnknown() throws Exception {
    CodeResponse response = serve(new FixedAdapter(() -> null)).send(SendBytesRequest.getDefaultInstance());
    assertThat(response.getCode()).isEqualTo(ResultCode.UNKNOWN);
    assertThat(response.getMessage()).contains("no stage");
  }

  @Test
  void aNullResultGivesUnknown() throws Exception {
    CodeResponse response = serve(new FixedAdapter(() -> CompletableFuture.completedFuture(null)))
        .close(CloseSocketRequest.getDefaultInstance());
    assertThat(response.getCode()).isEqualTo(ResultCode.UNKNOWN);
    assertThat(response.getMessage()).contains("no result");
  }

  @Test
  void aFailedStageGivesUnknown() throws Exception {
    CodeResponse response = serve(new FixedAdapter(
        () -> CompletableFuture.failedFuture(new RuntimeException("broker down"))))
        .publish(PublishRequest.getDefaultInstance());
    assertThat(response.getCode()).isEqualTo(ResultCode.UNKNOWN);
    assertThat(response.getMessage()).contains("broker down");
  }

  @Test
  void aLateResultIsSentWhenTheStageCompletes() throws Exception {
    CompletableFuture<Result> late = new CompletableFuture<>();
    AtomicInteger calls = new AtomicInteger();
    ConnectionAdapterGrpc.ConnectionAdapterFutureStub stub;
    String name = InProcessServerBuilder.generateName();
    // A direct executor: the rpc returns at once, so only the stage's completion can answer.
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(new AdapterService(new FixedAdapter(() -> {
          calls.incrementAndGet();
          return late;
        }))).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    stub = ConnectionAdapterGrpc.newFutureStub(channel);
    var answer = stub.subscribe(SubscribeRequest.getDefaultInstance());
    assertThat(calls).hasValue(1);
    assertThat(answer.isDone()).isFalse();
    late.complete(Result.of(io.exproto.adapter.ResultCode.PERMISSION_DENY, "topic: not authorized"));
    CodeResponse response = answer.get(10, TimeUnit.SECONDS);
    assertThat(response.getCode()).isEqualTo(ResultCode.PERMISSION_DENY);
    assertThat(response.getMessage()).isEqualTo("topic: not authorized");
  }

  @Test
  void anUnrecognizedTimerTypeDoesNotReachTheAdapter() throws Exception {
    AtomicReference<TimerType> seen = new AtomicReference<>();
    FixedAdapter adapter = new FixedAdapter(() -> CompletableFuture.completedFuture(Result.success())) {
      @Override
      public CompletionStage<Result> startTimer(String conn, TimerType type, long intervalSeconds) {
        seen.set(type);
        return super.startTimer(conn, type, intervalSeconds);
      }
    };
    CodeResponse response = serve(adapter).startTimer(TimerRequest.newBuilder().setTypeValue(5).setInterval(1).build());
    assertThat(response.getCode()).isEqualTo(ResultCode.PARAMS_TYPE_ERROR);
    assertThat(response.getMessage()).isEqualTo("type: must be KEEPALIVE");
    assertThat(seen).hasValue(null);
  }

  @Test
  void argumentsAreMappedAsDocumented() throws Exception {
    AtomicReference<Object[]> seen = new AtomicReference<>();
    FixedAdapter adapter = new FixedAdapter(() -> CompletableFuture.completedFuture(Result.success())) {
      @Override
      public CompletionStage<Result> startTimer(String conn, TimerType type, long intervalSeconds) {
        seen.set(new Object[] {conn, type, intervalSeconds});
        return super.startTimer(conn, type, intervalSeconds);
      }

      @Override
      public CompletionStage<Result> authenticate(String conn, ClientInfo clientInfo, String password) {
        seen.set(new Object[] {conn, clientInfo, password});
        return super.authenticate(conn, clientInfo, password);
      }

      @Override
      public CompletionStage<Result> subscribe(String conn, String filter, int qos) {
        seen.set(new Object[] {conn, filter, qos});
        return super.subscribe(conn, filter, qos);
      }
    };
    ConnectionAdapterGrpc.ConnectionAdapterBlockingStub stub = serve(adapter);

    stub.startTimer(TimerRequest.newBuilder().setConn("c").setInterval(-2).build());
    assertThat(seen.get()).containsExactly("c", TimerType.KEEPALIVE, 4294967294L);

    stub.authenticate(AuthenticateRequest.newBuilder().setConn("c").setPassword("pw")
        .setClientinfo(io.exproto.grpc.proto.ClientInfo.newBuilder().setProtoName("p").setProtoVer("v")
            .setClientid("id").setUsername("u").setMountpoint("m/"))
        .build());
    assertThat(seen.get()).containsExactly("c", new ClientInfo("p", "v", "id", "u"), "pw");

    stub.subscribe(SubscribeRequest.newBuilder().setConn("c").setTopic("f").setQos(-1).build());
    assertThat(seen.get()).containsExactly("c", "f", -1);
  }

  /** Answers every operation with the same supplier. */
  private static class FixedAdapter implements Adapter {
    private final java.util.function.Supplier<CompletionStage<Result>> answer;

    FixedAdapter(java.util.function.Supplier<CompletionStage<Result>> answer) {
      this.answer = answer;
    }

    @Override
    public CompletionStage<Result> send(String conn, byte[] bytes) {
      return answer.get();
    }

    @Override
    public CompletionStage<Result> close(String conn) {
      return answer.get();
    }

    @Override
    public CompletionStage<Result> authenticate(String conn, ClientInfo clientInfo, String password) {
      return answer.get();
    }

    @Override
    public CompletionStage<Result> startTimer(String conn, TimerType type, long intervalSeconds) {
      return answer.get();
    }

    @Override
    public CompletionStage<Result> publish(String conn, String topic, int qos, byte[] payload) {
      return answer.get();
    }

    @Override
    public CompletionStage<Result> subscribe(String conn, String filter, int qos) {
      return answer.get();
    }

    @Override
    public CompletionStage<Result> unsubscribe(String conn, String filter) {
      return answer.get();
    }

    @Override
    public CompletionStage<Result> rawPublish(String topic, int qos, byte[] payload) {
      return answer.get();
    }
  }
}
