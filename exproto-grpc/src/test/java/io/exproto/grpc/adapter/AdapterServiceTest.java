package io.exproto.grpc.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.exproto.gateway.Gateway;
import io.exproto.grpc.proto.AuthenticateRequest;
import io.exproto.grpc.proto.ClientInfo;
import io.exproto.grpc.proto.CloseSocketRequest;
import io.exproto.grpc.proto.CodeResponse;
import io.exproto.grpc.proto.ConnectionAdapterGrpc;
import io.exproto.grpc.proto.PublishRequest;
import io.exproto.grpc.proto.RawPublishRequest;
import io.exproto.grpc.proto.ResultCode;
import io.exproto.grpc.proto.SendBytesRequest;
import io.exproto.grpc.proto.SubscribeRequest;
import io.exproto.grpc.proto.TimerRequest;
import io.exproto.grpc.proto.TimerType;
import io.exproto.grpc.proto.UnsubscribeRequest;
import io.exproto.handler.ConnectionHandler;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.ReceivedMessages;
import io.exproto.handler.SocketClosed;
import io.exproto.handler.SocketCreated;
import io.exproto.handler.TimerTimeout;
import io.exproto.broker.Message;
import io.exproto.testing.InProcessDevice;
import io.exproto.testing.InProcessListener;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ConnectionAdapter service over gRPC (in-process transport) against a real gateway engine:
 * every bad input gets its documented code and a message naming the field, and never a gRPC error.
 */
class AdapterServiceTest {

  private final InProcessListener listener = new InProcessListener();
  private final RecordingHandler handler = new RecordingHandler();
  private Gateway gateway;
  private Server server;
  private ManagedChannel channel;
  private ConnectionAdapterGrpc.ConnectionAdapterBlockingStub adapter;

  @BeforeEach
  void setUp() throws Exception {
    gateway = Gateway.builder().listener(listener).handler(a -> handler).build();
    gateway.start();
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(new AdapterService(gateway.adapter())).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    adapter = ConnectionAdapterGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  private ConnectionAdapterGrpc.ConnectionAdapterBlockingStub adapter() {
    return adapter.withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** Connects a device and waits for its OnSocketCreated; returns its conn id. */
  private String connect(InProcessDevice[] deviceOut) {
    int before = handler.created.size();
    InProcessDevice device = listener.connect();
    await().atMost(Duration.ofSeconds(10)).until(() -> handler.created.size() > before);
    if (deviceOut != null) {
      deviceOut[0] = device;
    }
    return handler.created.get(before);
  }

  private String connect() {
    return connect(null);
  }

  private String authenticatedConn(String clientId) {
    String conn = connect();
    assertSuccess(adapter().authenticate(authenticate(conn, clientId)));
    return conn;
  }

  private static AuthenticateRequest authenticate(String conn, String clientId) {
    return AuthenticateRequest.newBuilder()
        .setConn(conn)
        .setClientinfo(ClientInfo.newBuilder().setProtoName("demo").setProtoVer("1").setClientid(clientId)
            .setUsername("user").setMountpoint("ignored/"))
        .setPassword("secret")
        .build();
  }

  private static void assertSuccess(CodeResponse response) {
    assertThat(response.getCode()).as(response.getMessage()).isEqualTo(ResultCode.SUCCESS);
  }

  private static void assertFailure(CodeResponse response, ResultCode code, String field) {
    assertThat(response.getCode()).as(response.getMessage()).isEqualTo(code);
    assertThat(response.getMessage()).startsWith(field + ":");
  }

  private static ByteString bytes(String text) {
    return ByteString.copyFromUtf8(text);
  }

  // ---- connections that are not alive ----

  @Test
  void unknownConnIsNotAlive() {
    CodeResponse response = adapter().send(SendBytesRequest.newBuilder()
        .setConn("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").setBytes(bytes("x")).build());
    assertFailure(response, ResultCode.CONN_PROCESS_NOT_ALIVE, "conn");
  }

  @Test
  void garbageConnIsNotAliveForEveryConnRpc() {
    String garbage = "\u0000<>../%%\uFFFF not a conn";
    assertFailure(adapter().send(SendBytesRequest.newBuilder().setConn(garbage).build()),
        ResultCode.CONN_PROCESS_NOT_ALIVE, "conn");
    assertFailure(adapter().close(CloseSocketRequest.newBuilder().setConn(garbage).build()),
        ResultCode.CONN_PROCESS_NOT_ALIVE, "conn");
    assertFailure(adapter().authenticate(authenticate(garbage, "c1")), ResultCode.CONN_PROCESS_NOT_ALIVE, "conn");
    assertFailure(adapter().startTimer(TimerRequest.newBuilder().setConn(garbage).setInterval(10).build()),
        ResultCode.CONN_PROCESS_NOT_ALIVE, "conn");
    assertFailure(adapter().publish(PublishRequest.newBuilder().setConn(garbage).setTopic("t").build()),
        ResultCode.CONN_PROCESS_NOT_ALIVE, "conn");
    assertFailure(adapter().subscribe(SubscribeRequest.newBuilder().setConn(garbage).setTopic("t").build()),
        ResultCode.CONN_PROCESS_NOT_ALIVE, "conn");
    assertFailure(adapter().unsubscribe(UnsubscribeRequest.newBuilder().setConn(garbage).setTopic("t").build()),
        ResultCode.CONN_PROCESS_NOT_ALIVE, "conn");
  }

  @Test
  void emptyConnIsNotAlive() {
    assertFailure(adapter().send(SendBytesRequest.newBuilder().setBytes(bytes("x")).build()),
        ResultCode.CONN_PROCESS_NOT_ALIVE, "conn");
    assertFailure(adapter().publish(PublishRequest.newBuilder().setTopic("t").build()),
        ResultCode.CONN_PROCESS_NOT_ALIVE, "conn");
  }

  @Test
  void closedConnIsNotAlive() {
    String conn = connect();
    assertSuccess(adapter().close(CloseSocketRequest.newBuilder().setConn(conn).build()));
    assertFailure(adapter().send(SendBytesRequest.newBuilder().setConn(conn).setBytes(bytes("x")).build()),
        ResultCode.CONN_PROCESS_NOT_ALIVE, "conn");
  }

  // ---- parameter errors ----

  @Test
  void qosSevenIsATypeError() {
    String conn = authenticatedConn("qos7");
    CodeResponse publish = adapter().publish(PublishRequest.newBuilder().setConn(conn).setTopic("t").setQos(7).build());
    assertFailure(publish, ResultCode.PARAMS_TYPE_ERROR, "qos");
    assertThat(publish.getMessage()).contains("7");
    assertFailure(adapter().subscribe(SubscribeRequest.newBuilder().setConn(conn).setTopic("t").setQos(7).build()),
        ResultCode.PARAMS_TYPE_ERROR, "qos");
    assertFailure(adapter().rawPublish(RawPublishRequest.newBuilder().setTopic("t").setQos(7).build()),
        ResultCode.PARAMS_TYPE_ERROR, "qos");
  }

  @Test
  void qosAboveSignedRangeIsPrintedUnsigned() {
    String conn = authenticatedConn("qosmax");
    CodeResponse response = adapter().publish(PublishRequest.newBuilder().setConn(conn).setTopic("t").setQos(-1).build());
    assertFailure(response, ResultCode.PARAMS_TYPE_ERROR, "qos");
    assertThat(response.getMessage()).contains("4294967295");
  }

  @Test
  void emptyTopicIsMissing() {
    String conn = authenticatedConn("empty-topic");
    assertFailure(adapter().publish(PublishRequest.newBuilder().setConn(conn).build()),
        ResultCode.REQUIRED_PARAMS_MISSED, "topic");
    assertFailure(adapter().subscribe(SubscribeRequest.newBuilder().setConn(conn).build()),
        ResultCode.REQUIRED_PARAMS_MISSED, "topic");
    assertFailure(adapter().rawPublish(RawPublishRequest.newBuilder().build()),
        ResultCode.REQUIRED_PARAMS_MISSED, "topic");
  }

  @Test
  void malformedFilterIsATypeError() {
    String conn = authenticatedConn("bad-filter");
    assertFailure(adapter().subscribe(SubscribeRequest.newBuilder().setConn(conn).setTopic("a/#/b").build()),
        ResultCode.PARAMS_TYPE_ERROR, "topic");
    assertFailure(adapter().unsubscribe(UnsubscribeRequest.newBuilder().setConn(conn).setTopic("a/#/b").build()),
        ResultCode.PARAMS_TYPE_ERROR, "topic");
  }

  @Test
  void wildcardInPublishTopicIsATypeError() {
    String conn = authenticatedConn("wild");
    assertFailure(adapter().publish(PublishRequest.newBuilder().setConn(conn).setTopic("a/+/b").build()),
        ResultCode.PARAMS_TYPE_ERROR, "topic");
    assertFailure(adapter().publish(PublishRequest.newBuilder().setConn(conn).setTopic("a/#").build()),
        ResultCode.PARAMS_TYPE_ERROR, "topic");
    assertFailure(adapter().rawPublish(RawPublishRequest.newBuilder().setTopic("a/+").build()),
        ResultCode.PARAMS_TYPE_ERROR, "topic");
  }

  @Test
  void intervalZeroIsATypeError() {
    String conn = connect();
    assertFailure(adapter().startTimer(TimerRequest.newBuilder().setConn(conn).setType(TimerType.KEEPALIVE).build()),
        ResultCode.PARAMS_TYPE_ERROR, "interval");
  }

  @Test
  void unrecognizedTimerTypeIsATypeError() {
    String conn = connect();
    CodeResponse response = adapter().startTimer(TimerRequest.newBuilder().setConn(conn).setTypeValue(5)
        .setInterval(10).build());
    assertFailure(response, ResultCode.PARAMS_TYPE_ERROR, "type");
    assertThat(response.getMessage()).isEqualTo("type: must be KEEPALIVE");
  }

  @Test
  void publishSubscribeUnsubscribeBeforeAuthenticateAreDenied() {
    String conn = connect();
    assertFailure(adapter().publish(PublishRequest.newBuilder().setConn(conn).setTopic("t").build()),
        ResultCode.PERMISSION_DENY, "conn");
    assertFailure(adapter().subscribe(SubscribeRequest.newBuilder().setConn(conn).setTopic("t").build()),
        ResultCode.PERMISSION_DENY, "conn");
    assertFailure(adapter().unsubscribe(UnsubscribeRequest.newBuilder().setConn(conn).setTopic("t").build()),
        ResultCode.PERMISSION_DENY, "conn");
  }

  @Test
  void emptyClientIdIsMissing() {
    String conn = connect();
    CodeResponse response = adapter().authenticate(authenticate(conn, ""));
    assertFailure(response, ResultCode.REQUIRED_PARAMS_MISSED, "clientinfo.clientid");
    CodeResponse noClientInfo = adapter().authenticate(AuthenticateRequest.newBuilder().setConn(conn).build());
    assertFailure(noClientInfo, ResultCode.REQUIRED_PARAMS_MISSED, "clientinfo.clientid");
  }

  @Test
  void secondAuthenticateIsDenied() {
    String conn = authenticatedConn("twice");
    CodeResponse response = adapter().authenticate(authenticate(conn, "twice-again"));
    assertFailure(response, ResultCode.PERMISSION_DENY, "conn");
    assertThat(response.getMessage()).contains("already authenticated");
  }

  // ---- happy paths ----

  @Test
  void sendWritesToTheDevice() {
    InProcessDevice[] device = new InProcessDevice[1];
    String conn = connect(device);
    assertSuccess(adapter().send(SendBytesRequest.newBuilder().setConn(conn).setBytes(bytes("hello")).build()));
    assertThat(device[0].receivedText()).isEqualTo("hello");
  }

  @Test
  void closeClosesTheDeviceWithReasonNormal() {
    InProcessDevice[] device = new InProcessDevice[1];
    String conn = connect(device);
    assertSuccess(adapter().close(CloseSocketRequest.newBuilder().setConn(conn).build()));
    assertThat(device[0].isClosed()).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> handler.closed.containsKey(conn));
    assertThat(handler.closed.get(conn)).isEqualTo("normal");
  }

  @Test
  void authenticateSucceedsAndIgnoresTheRequestMountpoint() {
    String conn = authenticatedConn("client-a");
    assertSuccess(adapter().subscribe(SubscribeRequest.newBuilder().setConn(conn).setTopic("m/#").build()));
    assertSuccess(adapter().rawPublish(RawPublishRequest.newBuilder().setTopic("m/1").setPayload(bytes("p")).build()));
    await().atMost(Duration.ofSeconds(10)).until(() -> !handler.messages.isEmpty());
    // Delivered on the unmounted topic: the request's mountpoint "ignored/" was not applied.
    assertThat(handler.messages.get(0).topic()).isEqualTo("m/1");
  }

  @Test
  void startTimerSucceeds() {
    String conn = connect();
    assertSuccess(adapter().startTimer(TimerRequest.newBuilder().setConn(conn).setType(TimerType.KEEPALIVE)
        .setInterval(60).build()));
    // An interval above 2^31-1 seconds is widened unsigned, not negative.
    assertSuccess(adapter().startTimer(TimerRequest.newBuilder().setConn(conn).setInterval(-1).build()));
  }

  @Test
  void publishAndSubscribeDeliverToTheSubscriber() {
    String subscriber = authenticatedConn("sub");
    String publisher = authenticatedConn("pub");
    assertSuccess(adapter().subscribe(SubscribeRequest.newBuilder().setConn(subscriber).setTopic("room/+")
        .setQos(1).build()));
    assertSuccess(adapter().publish(PublishRequest.newBuilder().setConn(publisher).setTopic("room/1").setQos(2)
        .setPayload(bytes("hi")).build()));
    await().atMost(Duration.ofSeconds(10)).until(() -> !handler.messages.isEmpty());
    Message message = handler.messages.get(0);
    assertThat(message.from()).isEqualTo("pub");
    assertThat(message.topic()).isEqualTo("room/1");
    assertThat(message.qos()).isEqualTo(1);
    assertThat(new String(message.payload(), StandardCharsets.UTF_8)).isEqualTo("hi");
  }

  @Test
  void unsubscribeStopsDeliveries() {
    String conn = authenticatedConn("unsub");
    assertSuccess(adapter().subscribe(SubscribeRequest.newBuilder().setConn(conn).setTopic("u/1").build()));
    assertSuccess(adapter().unsubscribe(UnsubscribeRequest.newBuilder().setConn(conn).setTopic("u/1").build()));
    assertSuccess(adapter().unsubscribe(UnsubscribeRequest.newBuilder().setConn(conn).setTopic("never/subscribed")
        .build()));
    assertSuccess(adapter().rawPublish(RawPublishRequest.newBuilder().setTopic("u/1").setPayload(bytes("x")).build()));
    assertSuccess(adapter().subscribe(SubscribeRequest.newBuilder().setConn(conn).setTopic("u/2").build()));
    assertSuccess(adapter().rawPublish(RawPublishRequest.newBuilder().setTopic("u/2").setPayload(bytes("y")).build()));
    await().atMost(Duration.ofSeconds(10)).until(() -> !handler.messages.isEmpty());
    assertThat(handler.messages).extracting(Message::topic).containsExactly("u/2");
  }

  @Test
  void rawPublishIsFromExproto() {
    String conn = authenticatedConn("raw");
    assertSuccess(adapter().subscribe(SubscribeRequest.newBuilder().setConn(conn).setTopic("raw/t").build()));
    assertSuccess(adapter().rawPublish(RawPublishRequest.newBuilder().setTopic("raw/t").setPayload(bytes("r"))
        .build()));
    await().atMost(Duration.ofSeconds(10)).until(() -> !handler.messages.isEmpty());
    assertThat(handler.messages.get(0).from()).isEqualTo("exproto");
  }

  /** An in-process handler that answers at once and records what it saw. */
  private static final class RecordingHandler implements ConnectionHandler {
    final List<String> created = new CopyOnWriteArrayList<>();
    final List<Message> messages = new CopyOnWriteArrayList<>();
    final Map<String, String> closed = new ConcurrentHashMap<>();

    @Override
    public CompletionStage<Void> onSocketCreated(SocketCreated event) {
      created.add(event.conn());
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> onReceivedBytes(ReceivedBytes event) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> onTimerTimeout(TimerTimeout event) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> onReceivedMessages(ReceivedMessages event) {
      messages.addAll(event.messages());
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> onSocketClosed(SocketClosed event) {
      closed.put(event.conn(), event.reason());
      return CompletableFuture.completedFuture(null);
    }
  }
}
