package io.exproto.benchmarks.micro;

import com.google.protobuf.ByteString;
import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.Result;
import io.exproto.gateway.Gateway;
import io.exproto.grpc.adapter.AdapterService;
import io.exproto.grpc.proto.CodeResponse;
import io.exproto.grpc.proto.PublishRequest;
import io.exproto.grpc.proto.ResultCode;
import io.exproto.grpc.proto.SendBytesRequest;
import io.exproto.grpc.proto.SubscribeRequest;
import io.exproto.grpc.proto.TimerRequest;
import io.exproto.grpc.proto.TimerType;
import io.exproto.handler.ConnectionHandler;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.ReceivedMessages;
import io.exproto.handler.SocketClosed;
import io.exproto.handler.SocketCreated;
import io.exproto.handler.TimerTimeout;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Result-code mapping of the adapter: one {@code ConnectionAdapter} rpc handled by
 * {@link AdapterService} over a real gateway engine, from the decoded request to the
 * {@code CodeResponse} handed to the (no-op) response observer, for a success and for each kind of
 * refusal. No gRPC transport is involved.
 *
 * <p>Two connections exist: one authenticated, one not. Sends go to a connection whose writes are
 * dropped ({@link DiscardingListener}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ResultCodeMappingBenchmark {

  private Gateway gateway;
  private AdapterService service;
  private final Observer observer = new Observer();
  private SendBytesRequest sendOk;
  private SendBytesRequest sendUnknownConn;
  private PublishRequest publishOk;
  private PublishRequest publishNotAuthenticated;
  private PublishRequest publishWildcard;
  private SubscribeRequest subscribeEmptyTopic;
  private TimerRequest startTimerOk;

  /** Creates the benchmark; JMH calls {@link #setUp} before measuring. */
  public ResultCodeMappingBenchmark() {}

  /**
   * Starts a gateway whose callbacks complete at once, opens the two connections, and builds the
   * requests; checks that each request gets the code its benchmark is named after.
   *
   * @throws Exception when the gateway does not start or a code is not the expected one
   */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    DiscardingListener listener = new DiscardingListener();
    Map<String, Boolean> conns = new ConcurrentHashMap<>();
    gateway = Gateway.builder()
        .listener(listener)
        .handler(adapter -> new Recording(conns))
        .executor(Runnable::run)
        .idleTimeout(Duration.ofHours(1))
        .build();
    gateway.start();
    listener.connect();
    listener.connect();
    String[] ids = conns.keySet().toArray(new String[0]);
    String authenticated = ids[0];
    String anonymous = ids[1];
    Result auth = gateway.adapter().authenticate(authenticated, ClientInfo.of("bench-client", ""), "")
        .toCompletableFuture().get();
    if (!auth.isSuccess()) {
      throw new IllegalStateException("authenticate failed: " + auth);
    }
    service = new AdapterService(gateway.adapter());
    ByteString payload = ByteString.copyFrom(new byte[16]);
    sendOk = SendBytesRequest.newBuilder().setConn(authenticated).setBytes(payload).build();
    sendUnknownConn = SendBytesRequest.newBuilder().setConn("AAAAAAAAAAAAAAAAAAAAAAAAAAA").setBytes(payload).build();
    publishOk = PublishRequest.newBuilder().setConn(authenticated).setTopic("t/1/dev/1/up").setQos(0)
        .setPayload(payload).build();
    publishNotAuthenticated = publishOk.toBuilder().setConn(anonymous).build();
    publishWildcard = publishOk.toBuilder().setTopic("t/+/dev/1/up").build();
    subscribeEmptyTopic = SubscribeRequest.newBuilder().setConn(authenticated).setTopic("").setQos(0).build();
    startTimerOk = TimerRequest.newBuilder().setConn(authenticated).setType(TimerType.KEEPALIVE).setInterval(3600)
        .build();
    expect(sendOk(), ResultCode.SUCCESS);
    expect(sendNotAlive(), ResultCode.CONN_PROCESS_NOT_ALIVE);
    expect(publishOk(), ResultCode.SUCCESS);
    expect(publishPermissionDeny(), ResultCode.PERMISSION_DENY);
    expect(publishParamsTypeError(), ResultCode.PARAMS_TYPE_ERROR);
    expect(subscribeRequiredParamsMissed(), ResultCode.REQUIRED_PARAMS_MISSED);
    expect(startTimerOk(), ResultCode.SUCCESS);
  }

  /** Stops the gateway. */
  @TearDown(Level.Trial)
  public void tearDown() {
    gateway.stop();
  }

  /**
   * Send to a live connection: SUCCESS.
   *
   * @return the response
   */
  @Benchmark
  public CodeResponse sendOk() {
    service.send(sendOk, observer);
    return observer.last;
  }

  /**
   * Send to an unknown connection: CONN_PROCESS_NOT_ALIVE.
   *
   * @return the response
   */
  @Benchmark
  public CodeResponse sendNotAlive() {
    service.send(sendUnknownConn, observer);
    return observer.last;
  }

  /**
   * Publish from an authenticated connection to a topic nobody subscribes to: SUCCESS.
   *
   * @return the response
   */
  @Benchmark
  public CodeResponse publishOk() {
    service.publish(publishOk, observer);
    return observer.last;
  }

  /**
   * Publish before Authenticate: PERMISSION_DENY.
   *
   * @return the response
   */
  @Benchmark
  public CodeResponse publishPermissionDeny() {
    service.publish(publishNotAuthenticated, observer);
    return observer.last;
  }

  /**
   * Publish to a topic with a wildcard: PARAMS_TYPE_ERROR.
   *
   * @return the response
   */
  @Benchmark
  public CodeResponse publishParamsTypeError() {
    service.publish(publishWildcard, observer);
    return observer.last;
  }

  /**
   * Subscribe with an empty topic: REQUIRED_PARAMS_MISSED.
   *
   * @return the response
   */
  @Benchmark
  public CodeResponse subscribeRequiredParamsMissed() {
    service.subscribe(subscribeEmptyTopic, observer);
    return observer.last;
  }

  /**
   * StartTimer KEEPALIVE on a live connection: SUCCESS (reschedules the liveness timer).
   *
   * @return the response
   */
  @Benchmark
  public CodeResponse startTimerOk() {
    service.startTimer(startTimerOk, observer);
    return observer.last;
  }

  private static void expect(CodeResponse response, ResultCode code) {
    if (response == null || response.getCode() != code) {
      throw new IllegalStateException("expected " + code + ", got " + response);
    }
  }

  /** Keeps the last response, so the work is not optimized away. */
  private static final class Observer implements StreamObserver<CodeResponse> {
    CodeResponse last;

    @Override
    public void onNext(CodeResponse value) {
      last = value;
    }

    @Override
    public void onError(Throwable t) {
      throw new IllegalStateException("the adapter service must never answer with an error", t);
    }

    @Override
    public void onCompleted() {}
  }

  /** Records the ids of the connections created, and completes every callback at once. */
  private static final class Recording implements ConnectionHandler {
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    private final Map<String, Boolean> conns;

    Recording(Map<String, Boolean> conns) {
      this.conns = conns;
    }

    @Override
    public CompletionStage<Void> onSocketCreated(SocketCreated event) {
      conns.put(event.conn(), Boolean.TRUE);
      return DONE;
    }

    @Override
    public CompletionStage<Void> onReceivedBytes(ReceivedBytes event) {
      return DONE;
    }

    @Override
    public CompletionStage<Void> onTimerTimeout(TimerTimeout event) {
      return DONE;
    }

    @Override
    public CompletionStage<Void> onReceivedMessages(ReceivedMessages event) {
      return DONE;
    }

    @Override
    public CompletionStage<Void> onSocketClosed(SocketClosed event) {
      return DONE;
    }
  }
}
