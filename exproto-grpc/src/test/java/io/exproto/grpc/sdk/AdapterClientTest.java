package io.exproto.grpc.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.Result;
import io.exproto.adapter.ResultCode;
import io.exproto.grpc.proto.AuthenticateRequest;
import io.exproto.grpc.proto.CodeResponse;
import io.exproto.grpc.proto.ConnectionAdapterGrpc;
import io.exproto.grpc.proto.SendBytesRequest;
import io.exproto.grpc.proto.TimerRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The typed client's request building and result mapping, against a scripted in-process adapter. */
class AdapterClientTest {

  private final AtomicReference<Object> lastRequest = new AtomicReference<>();
  private volatile CodeResponse answer = CodeResponse.getDefaultInstance();
  private volatile boolean hang;
  private final java.util.concurrent.atomic.AtomicInteger cancelled = new java.util.concurrent.atomic.AtomicInteger();
  private Server server;
  private ManagedChannel channel;
  private AdapterClient client;

  @BeforeEach
  void setUp() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor().addService(new ScriptedAdapter()).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    client = AdapterClient.over(channel, Duration.ofSeconds(10));
  }

  @AfterEach
  void tearDown() throws Exception {
    client.close();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void codesAndMessagesAreMapped() {
    answer = CodeResponse.newBuilder().setCode(io.exproto.grpc.proto.ResultCode.PARAMS_TYPE_ERROR)
        .setMessage("qos: must be 0, 1 or 2, got 7").build();
    assertThat(client.publish("c", "t", 7, new byte[0]))
        .isEqualTo(Result.of(ResultCode.PARAMS_TYPE_ERROR, "qos: must be 0, 1 or 2, got 7"));
    answer = CodeResponse.getDefaultInstance();
    assertThat(client.close("c")).isEqualTo(Result.success());
  }

  @Test
  void anUnknownCodeBecomesUnknown() {
    answer = CodeResponse.newBuilder().setCodeValue(42).setMessage("from the future").build();
    Result result = client.unsubscribe("c", "t");
    assertThat(result.code()).isEqualTo(ResultCode.UNKNOWN);
    assertThat(result.message()).contains("42").contains("from the future");
  }

  @Test
  void requestsCarryTheArguments() {
    client.authenticate("c1", new ClientInfo("mqtt-sn", "1.2", "id-1", "bob"), "pw");
    AuthenticateRequest auth = (AuthenticateRequest) lastRequest.get();
    assertThat(auth.getConn()).isEqualTo("c1");
    assertThat(auth.getClientinfo().getProtoName()).isEqualTo("mqtt-sn");
    assertThat(auth.getClientinfo().getProtoVer()).isEqualTo("1.2");
    assertThat(auth.getClientinfo().getClientid()).isEqualTo("id-1");
    assertThat(auth.getClientinfo().getUsername()).isEqualTo("bob");
    assertThat(auth.getPassword()).isEqualTo("pw");

    client.authenticate("c1", ClientInfo.of("id-2", ""), null);
    assertThat(((AuthenticateRequest) lastRequest.get()).getPassword()).isEmpty();

    client.send("c2", new byte[] {9, 8});
    assertThat(((SendBytesRequest) lastRequest.get()).getBytes().toByteArray()).containsExactly(9, 8);

    client.startTimer("c3", 4_294_967_295L);
    TimerRequest timer = (TimerRequest) lastRequest.get();
    assertThat(Integer.toUnsignedLong(timer.getInterval())).isEqualTo(4_294_967_295L);
    assertThat(timer.getType()).isEqualTo(io.exproto.grpc.proto.TimerType.KEEPALIVE);
  }

  @Test
  void anIntervalOutsideUint32IsRejected() {
    assertThatThrownBy(() -> client.startTimer("c", 4_294_967_296L)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> client.startTimer("c", -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void badAddressesAreRejected() {
    assertThatThrownBy(() -> AdapterClient.connect("127.0.0.1:9100")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no scheme");
    assertThatThrownBy(() -> AdapterClient.connect("ftp://127.0.0.1:9100"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsupported scheme");
  }

  @Test
  void theSchemeMustAgreeWithTheTlsOptions() {
    assertThatThrownBy(() -> AdapterClient.connect("http://127.0.0.1:9100",
        io.exproto.grpc.tls.ClientTlsOptions.builder().build(), java.time.Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is plaintext http://");
    // https:// alone is TLS with the JDK's trusted CAs; nothing connects until the first call.
    AdapterClient.connect("https://127.0.0.1:9100").close();
  }

  @Test
  void asyncCallsCompleteWithTheGatewaysResultCodes() throws Exception {
    answer = CodeResponse.newBuilder().setCode(io.exproto.grpc.proto.ResultCode.PARAMS_TYPE_ERROR)
        .setMessage("qos: must be 0, 1 or 2, got 7").build();
    assertThat(client.publishAsync("c", "t", 7, new byte[0]).get(10, TimeUnit.SECONDS))
        .isEqualTo(Result.of(ResultCode.PARAMS_TYPE_ERROR, "qos: must be 0, 1 or 2, got 7"));
    answer = CodeResponse.newBuilder().setCode(io.exproto.grpc.proto.ResultCode.PERMISSION_DENY)
        .setMessage("authentication denied").build();
    assertThat(client.authenticateAsync("c1", ClientInfo.of("id-1", "bob"), "pw").get(10, TimeUnit.SECONDS))
        .isEqualTo(Result.of(ResultCode.PERMISSION_DENY, "authentication denied"));
    assertThat(((AuthenticateRequest) lastRequest.get()).getClientinfo().getClientid()).isEqualTo("id-1");
    answer = CodeResponse.newBuilder().setCode(io.exproto.grpc.proto.ResultCode.CONN_PROCESS_NOT_ALIVE).build();
    assertThat(client.closeAsync("c").get(10, TimeUnit.SECONDS).code()).isEqualTo(ResultCode.CONN_PROCESS_NOT_ALIVE);
    answer = CodeResponse.getDefaultInstance();
    assertThat(client.sendAsync("c2", new byte[] {9, 8}).get(10, TimeUnit.SECONDS)).isEqualTo(Result.success());
    assertThat(((SendBytesRequest) lastRequest.get()).getBytes().toByteArray()).containsExactly(9, 8);
    assertThat(client.sendAsync("c2", com.google.protobuf.ByteString.copyFromUtf8("hi")).get(10, TimeUnit.SECONDS))
        .isEqualTo(Result.success());
    assertThat(((SendBytesRequest) lastRequest.get()).getBytes().toStringUtf8()).isEqualTo("hi");
    assertThat(client.startTimerAsync("c3", 30).get(10, TimeUnit.SECONDS)).isEqualTo(Result.success());
    assertThat(((TimerRequest) lastRequest.get()).getInterval()).isEqualTo(30);
    assertThat(client.unsubscribeAsync("c", "t").get(10, TimeUnit.SECONDS)).isEqualTo(Result.success());
    assertThatThrownBy(() -> client.startTimerAsync("c", -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anAsyncCallThatFailsCompletesWithItsStatus() {
    // The scripted adapter does not implement Subscribe.
    assertThatThrownBy(() -> client.subscribeAsync("c", "t", 0).get(10, TimeUnit.SECONDS))
        .isInstanceOf(java.util.concurrent.ExecutionException.class)
        .cause().isInstanceOf(io.grpc.StatusRuntimeException.class)
        .satisfies(e -> assertThat(((io.grpc.StatusRuntimeException) e).getStatus().getCode())
            .isEqualTo(io.grpc.Status.Code.UNIMPLEMENTED));
  }

  @Test
  void anAsyncCallPastTheCallTimeoutFailsWithDeadlineExceededAndIsCancelled() throws Exception {
    hang = true;
    try (AdapterClient impatient = AdapterClient.over(channel, Duration.ofMillis(200))) {
      java.util.concurrent.CompletableFuture<Result> answer = impatient.sendAsync("c", new byte[] {1});
      assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS))
          .isInstanceOf(java.util.concurrent.ExecutionException.class)
          .cause().isInstanceOf(io.grpc.StatusRuntimeException.class)
          .satisfies(e -> {
            io.grpc.Status status = ((io.grpc.StatusRuntimeException) e).getStatus();
            assertThat(status.getCode()).isEqualTo(io.grpc.Status.Code.DEADLINE_EXCEEDED);
            assertThat(status.getDescription()).contains("Send").contains("200 ms");
          });
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> cancelled.get() == 1);
    }
  }

  /** Records the last request and answers with {@link #answer}, or never when {@link #hang}. */
  private final class ScriptedAdapter extends ConnectionAdapterGrpc.ConnectionAdapterImplBase {
    private void reply(Object request, StreamObserver<CodeResponse> observer) {
      lastRequest.set(request);
      if (hang) {
        ((io.grpc.stub.ServerCallStreamObserver<CodeResponse>) observer)
            .setOnCancelHandler(cancelled::incrementAndGet);
        return;
      }
      observer.onNext(answer);
      observer.onCompleted();
    }

    @Override
    public void send(SendBytesRequest request, StreamObserver<CodeResponse> observer) {
      reply(request, observer);
    }

    @Override
    public void close(io.exproto.grpc.proto.CloseSocketRequest request, StreamObserver<CodeResponse> observer) {
      reply(request, observer);
    }

    @Override
    public void authenticate(AuthenticateRequest request, StreamObserver<CodeResponse> observer) {
      reply(request, observer);
    }

    @Override
    public void startTimer(TimerRequest request, StreamObserver<CodeResponse> observer) {
      reply(request, observer);
    }

    @Override
    public void publish(io.exproto.grpc.proto.PublishRequest request, StreamObserver<CodeResponse> observer) {
      reply(request, observer);
    }

    @Override
    public void unsubscribe(io.exproto.grpc.proto.UnsubscribeRequest request, StreamObserver<CodeResponse> observer) {
      reply(request, observer);
    }
  }
}
