package io.exproto.examples.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.exproto.auth.Action;
import io.exproto.auth.AuthResult;
import io.exproto.auth.RuleAuthorizer;
import io.exproto.auth.http.HttpAuthenticator;
import io.exproto.auth.jwt.JwtAuthenticator;
import io.exproto.broker.InMemoryBroker;
import io.exproto.broker.Message;
import io.exproto.examples.support.Jwts;
import io.exproto.examples.support.LineClient;
import io.exproto.examples.support.Ports;
import io.exproto.examples.support.Resources;
import io.exproto.gateway.Gateway;
import io.exproto.grpc.GrpcHandler;
import io.exproto.grpc.sdk.AdapterClient;
import io.exproto.grpc.sdk.HandlerServer;
import io.exproto.hooks.ClientContext;
import io.exproto.hooks.GatewayHooks;
import io.exproto.transport.tcp.TcpListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * EMQX's ExProto test suite cases, adapted: a real gateway with a TCP listener, a Java handler
 * service over real gRPC, and devices on real sockets.
 */
class ReferenceSuiteTest {

  @RegisterExtension final Resources resources = new Resources();
  private final InMemoryBroker broker = new InMemoryBroker();
  private Gateway gateway;
  private TcpListener listener;
  private AdapterClient adapter;
  private LineProtocolHandler handler;

  private void start(Consumer<Gateway.Builder> customize) throws Exception {
    int handlerPort = Ports.freeLoopbackPort();
    GrpcHandler grpc = GrpcHandler.builder()
        .handlerAddress("http://127.0.0.1:" + handlerPort)
        .adapterBind("127.0.0.1:0")
        .callTimeout(Duration.ofSeconds(10))
        .build();
    listener = TcpListener.builder().bind("127.0.0.1:0").build();
    Gateway.Builder builder = Gateway.builder().listener(listener).handler(grpc).broker(broker);
    customize.accept(builder);
    gateway = builder.build();
    gateway.start();
    resources.track(gateway);
    adapter = AdapterClient.connect("http://127.0.0.1:" + grpc.adapterPort());
    resources.track(adapter);
    handler = new LineProtocolHandler(adapter);
    HandlerServer server = new HandlerServer(handler, "127.0.0.1:" + handlerPort);
    server.start();
    resources.track(server);
  }

  private LineClient device() throws Exception {
    LineClient client = new LineClient(listener.localAddress());
    resources.track(client);
    return client;
  }

  @Test
  void keepaliveTimeoutSendsOnTimerTimeoutThenClosesExactlyOnce() throws Exception {
    start(b -> {});
    LineClient device = device();
    assertThat(device.roundTrip("CONNECT ka-client user pw")).isEqualTo("CONNACK SUCCESS");
    assertThat(device.roundTrip("KEEPALIVE 1")).isEqualTo("KAACK SUCCESS");
    assertThat(device.closedByPeer()).isTrue(); // after 1.5 s without a byte from the device
    await().until(() -> handler.eventsOfConnectionWith("timeout").contains("closed:keepalive_timeout"));
    assertThat(handler.eventsOfConnectionWith("timeout"))
        .containsExactly("created", "timeout", "closed:keepalive_timeout");
  }

  @Test
  void mountpointEcho() throws Exception {
    start(b -> b.mountpoint("ct/${clientid}/"));
    List<String> brokerTopics = new CopyOnWriteArrayList<>();
    broker.subscribe("#", 0, m -> brokerTopics.add(m.topic()));
    LineClient device = device();
    assertThat(device.roundTrip("CONNECT c1 u pw")).isEqualTo("CONNACK SUCCESS");
    assertThat(device.roundTrip("SUB t/+ 1")).isEqualTo("SUBACK SUCCESS");
    device.send("PUB t/1 hello");
    assertThat(List.of(device.readLine(), device.readLine())).containsExactlyInAnyOrder("PUBACK SUCCESS", "MSG t/1 hello");
    assertThat(brokerTopics).containsExactly("ct/c1/t/1");
  }

  @Test
  void rawPublishIsNotMounted() throws Exception {
    start(b -> b.mountpoint("ct/${clientid}/"));
    LineClient device = device();
    assertThat(device.roundTrip("CONNECT c1 u pw")).isEqualTo("CONNACK SUCCESS");
    assertThat(device.roundTrip("SUB t 0")).isEqualTo("SUBACK SUCCESS");
    assertThat(adapter.rawPublish("t", 0, "unmounted".getBytes()).isSuccess()).isTrue();
    assertThat(adapter.rawPublish("ct/c1/t", 0, "mounted".getBytes()).isSuccess()).isTrue();
    assertThat(device.readLine()).isEqualTo("MSG t mounted"); // the raw "t" reached no subscriber
  }

  @Test
  void authDenyKeepsTheSocketOpenAndARetryWithGoodCredentialsWorks() throws Exception {
    start(b -> b.authenticator(r -> CompletableFuture.completedFuture(
        r.password().equals("good") ? AuthResult.allow() : AuthResult.deny("wrong password"))));
    LineClient device = device();
    assertThat(device.roundTrip("CONNECT c1 u bad")).isEqualTo("CONNACK PERMISSION_DENY");
    assertThat(device.roundTrip("SUB t 0")).isEqualTo("SUBACK PERMISSION_DENY");
    assertThat(device.roundTrip("CONNECT c1 u good")).isEqualTo("CONNACK SUCCESS");
    assertThat(device.roundTrip("SUB t 0")).isEqualTo("SUBACK SUCCESS");
  }

  @Test
  void jwtAuthenticationOverTcpAndGrpc() throws Exception {
    String secret = "a shared secret of at least 32 bytes";
    start(b -> b.authenticator(JwtAuthenticator.builder().secret(secret).verifyClaim("clientid", "${clientid}").build()));
    long exp = Instant.now().plusSeconds(3600).getEpochSecond();
    LineClient device = device();
    String expired = Jwts.hs256(secret, "{\"clientid\":\"j1\",\"exp\":" + (exp - 7200) + "}");
    assertThat(device.roundTrip("CONNECT j1 u " + expired)).isEqualTo("CONNACK PERMISSION_DENY");
    String forged = Jwts.hs256("another secret, also of at least 32 bytes", "{\"clientid\":\"j1\"}");
    assertThat(device.roundTrip("CONNECT j1 u " + forged)).isEqualTo("CONNACK PERMISSION_DENY");
    String otherClient = Jwts.hs256(secret, "{\"clientid\":\"j2\",\"exp\":" + exp + "}");
    assertThat(device.roundTrip("CONNECT j1 u " + otherClient)).isEqualTo("CONNACK PERMISSION_DENY");
    String valid = Jwts.hs256(secret, "{\"clientid\":\"j1\",\"exp\":" + exp + "}");
    assertThat(device.roundTrip("CONNECT j1 u " + valid)).isEqualTo("CONNACK SUCCESS");
    assertThat(device.roundTrip("SUB t 0")).isEqualTo("SUBACK SUCCESS");
  }

  @Test
  void httpAuthenticationOverTcpAndGrpc() throws Exception {
    List<String> bodies = new CopyOnWriteArrayList<>();
    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/auth", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      bodies.add(body);
      String result = body.contains("\"password\":\"good\"") ? "allow" : "deny";
      byte[] answer = ("{\"result\": \"" + result + "\"}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("content-type", "application/json");
      exchange.sendResponseHeaders(200, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    http.start();
    resources.track(() -> http.stop(0));
    start(b -> b.authenticator(HttpAuthenticator.builder()
        .url("http://127.0.0.1:" + http.getAddress().getPort() + "/auth")
        .body("clientid", "${clientid}").body("username", "${username}").body("password", "${password}")
        .build()));
    LineClient device = device();
    assertThat(device.roundTrip("CONNECT h1 hu bad")).isEqualTo("CONNACK PERMISSION_DENY");
    assertThat(device.roundTrip("CONNECT h1 hu good")).isEqualTo("CONNACK SUCCESS");
    assertThat(bodies).hasSize(2);
    assertThat(bodies.get(1)).contains("\"clientid\":\"h1\"").contains("\"username\":\"hu\"");
  }

  @Test
  void authorizationDenyOnPublishAndSubscribe() throws Exception {
    RuleAuthorizer rules = RuleAuthorizer.builder()
        .deny(Action.PUBLISH, "forbidden/#")
        .deny(Action.SUBSCRIBE, "secret/#")
        .build();
    start(b -> b.authorizer(rules));
    LineClient device = device();
    assertThat(device.roundTrip("CONNECT c1 u pw")).isEqualTo("CONNACK SUCCESS");
    assertThat(device.roundTrip("PUB forbidden/x no")).isEqualTo("PUBACK PERMISSION_DENY");
    assertThat(device.roundTrip("SUB secret/# 0")).isEqualTo("SUBACK PERMISSION_DENY");
    assertThat(device.roundTrip("PUB open/x yes")).isEqualTo("PUBACK SUCCESS");
    assertThat(device.roundTrip("SUB open/# 0")).isEqualTo("SUBACK SUCCESS");
  }

  @Test
  void authenticationExpiryClosesTheConnectionWithExpired() throws Exception {
    start(b -> b.authenticator(r -> CompletableFuture.completedFuture(
        AuthResult.allowUntil(Instant.now().plusMillis(800)))));
    LineClient device = device();
    assertThat(device.roundTrip("CONNECT c1 u pw")).isEqualTo("CONNACK SUCCESS");
    assertThat(device.closedByPeer()).isTrue();
    await().until(() -> handler.eventsOfConnectionWith("closed:expired").contains("closed:expired"));
  }

  /** Records hook calls; rewrites deliveries on "rewrite/" topics. */
  static final class Hooks implements GatewayHooks {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public void onConnected(ClientContext client) {
      calls.add("connected " + client.client().clientId());
    }

    @Override
    public void onDisconnected(ClientContext client, String reason) {
      calls.add("disconnected " + client.client().clientId() + " " + reason);
    }

    @Override
    public void onSubscribed(ClientContext client, String filter, int qos) {
      calls.add("subscribed " + filter + " " + qos);
    }

    @Override
    public void onUnsubscribed(ClientContext client, String filter) {
      calls.add("unsubscribed " + filter);
    }

    @Override
    public Message onDeliver(ClientContext subscriber, Message message) {
      return message.topic().startsWith("rewrite/")
          ? new Message(message.id(), message.from(), message.topic(), message.qos(), "REWRITTEN".getBytes(),
              message.timestamp())
          : message;
    }
  }

  @Test
  void hooksConnectedDisconnectedSubscribedUnsubscribed() throws Exception {
    Hooks hooks = new Hooks();
    start(b -> b.hooks(hooks));
    LineClient device = device();
    assertThat(device.roundTrip("CONNECT h1 u pw")).isEqualTo("CONNACK SUCCESS");
    assertThat(device.roundTrip("SUB a/b 1")).isEqualTo("SUBACK SUCCESS");
    assertThat(device.roundTrip("UNSUB a/b")).isEqualTo("UNSUBACK SUCCESS");
    device.send("CLOSE");
    assertThat(device.closedByPeer()).isTrue();
    await().until(() -> hooks.calls.size() == 4);
    assertThat(hooks.calls).containsExactly(
        "connected h1", "subscribed a/b 1", "unsubscribed a/b", "disconnected h1 normal");
  }

  @Test
  void deliveredMessagesCanBeRewrittenByAHook() throws Exception {
    start(b -> b.hooks(new Hooks()));
    LineClient device = device();
    assertThat(device.roundTrip("CONNECT r1 u pw")).isEqualTo("CONNACK SUCCESS");
    assertThat(device.roundTrip("SUB rewrite/# 0")).isEqualTo("SUBACK SUCCESS");
    adapter.rawPublish("rewrite/x", 0, "original".getBytes());
    assertThat(device.readLine()).isEqualTo("MSG rewrite/x REWRITTEN");
  }

  @Test
  void aListenerChangeDoesNotRestartTheOtherListeners() throws Exception {
    start(b -> {});
    LineClient device = device();
    assertThat(device.roundTrip("CONNECT stay u pw")).isEqualTo("CONNACK SUCCESS");
    TcpListener second = TcpListener.builder().name("tcp:second").bind("127.0.0.1:0").build();
    gateway.addListener(second);
    try (LineClient other = new LineClient(second.localAddress())) {
      assertThat(other.roundTrip("CONNECT other u pw")).isEqualTo("CONNACK SUCCESS");
      gateway.removeListener("tcp:second");
      assertThat(other.closedByPeer()).isTrue();
    }
    // The first listener's device kept its connection and its session.
    assertThat(device.roundTrip("SUB still/here 0")).isEqualTo("SUBACK SUCCESS");
    assertThat(gateway.runningListeners()).containsExactly("tcp:default");
  }
}
