package io.exproto.gateway;

import static io.exproto.gateway.GatewayFixture.call;
import static org.assertj.core.api.Assertions.assertThat;

import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.Result;
import io.exproto.adapter.ResultCode;
import io.exproto.adapter.TimerType;
import io.exproto.auth.AuthResult;
import io.exproto.broker.Broker;
import io.exproto.broker.Message;
import io.exproto.broker.Subscriber;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** Every row of the behaviour contract's result-code table, with a message naming the field. */
class ResultCodesTest {

  private static void assertResult(Result result, ResultCode code, String messagePart) {
    assertThat(result.code()).as(result.toString()).isEqualTo(code);
    assertThat(result.message()).as(result.toString()).contains(messagePart);
  }

  @Test
  void unknownMalformedOrClosedConnIsConnProcessNotAlive() {
    try (GatewayFixture f = new GatewayFixture()) {
      GatewayFixture.Connected closed = f.connect();
      closed.device().disconnect();
      for (String conn : new String[] {"unknown", "%%garbage\u0000", "", null, closed.conn()}) {
        assertResult(call(f.adapter().send(conn, new byte[1])), ResultCode.CONN_PROCESS_NOT_ALIVE, "conn");
        assertResult(call(f.adapter().close(conn)), ResultCode.CONN_PROCESS_NOT_ALIVE, "conn");
        assertResult(call(f.adapter().authenticate(conn, ClientInfo.of("c", ""), "")),
            ResultCode.CONN_PROCESS_NOT_ALIVE, "conn");
        assertResult(call(f.adapter().startTimer(conn, TimerType.KEEPALIVE, 1)),
            ResultCode.CONN_PROCESS_NOT_ALIVE, "conn");
        assertResult(call(f.adapter().publish(conn, "t", 0, new byte[0])), ResultCode.CONN_PROCESS_NOT_ALIVE, "conn");
        assertResult(call(f.adapter().subscribe(conn, "t", 0)), ResultCode.CONN_PROCESS_NOT_ALIVE, "conn");
        assertResult(call(f.adapter().unsubscribe(conn, "t")), ResultCode.CONN_PROCESS_NOT_ALIVE, "conn");
      }
    }
  }

  @Test
  void emptyRequiredFieldsAreRequiredParamsMissed() {
    try (GatewayFixture f = new GatewayFixture()) {
      GatewayFixture.Connected c = f.connect();
      assertResult(call(f.adapter().authenticate(c.conn(), ClientInfo.of("", "u"), "")),
          ResultCode.REQUIRED_PARAMS_MISSED, "clientinfo.clientid");
      assertResult(call(f.adapter().authenticate(c.conn(), null, "")),
          ResultCode.REQUIRED_PARAMS_MISSED, "clientinfo.clientid");
      call(f.adapter().authenticate(c.conn(), ClientInfo.of("c", ""), ""));
      assertResult(call(f.adapter().publish(c.conn(), "", 0, new byte[0])), ResultCode.REQUIRED_PARAMS_MISSED, "topic");
      assertResult(call(f.adapter().subscribe(c.conn(), "", 0)), ResultCode.REQUIRED_PARAMS_MISSED, "topic");
      assertResult(call(f.adapter().unsubscribe(c.conn(), "")), ResultCode.REQUIRED_PARAMS_MISSED, "topic");
      assertResult(call(f.adapter().rawPublish("", 0, new byte[0])), ResultCode.REQUIRED_PARAMS_MISSED, "topic");
    }
  }

  @Test
  void valuesOutOfRangeOrFormAreParamsTypeError() {
    try (GatewayFixture f = new GatewayFixture(b -> b.maxPayloadBytes(16))) {
      GatewayFixture.Connected c = f.connectAs("c", "");
      assertResult(call(f.adapter().publish(c.conn(), "t", 7, new byte[0])), ResultCode.PARAMS_TYPE_ERROR, "qos");
      assertResult(call(f.adapter().publish(c.conn(), "t", -1, new byte[0])), ResultCode.PARAMS_TYPE_ERROR,
          "qos: must be 0, 1 or 2, got 4294967295");
      assertResult(call(f.adapter().subscribe(c.conn(), "t", 3)), ResultCode.PARAMS_TYPE_ERROR, "qos");
      assertResult(call(f.adapter().rawPublish("t", 9, new byte[0])), ResultCode.PARAMS_TYPE_ERROR, "qos");
      assertResult(call(f.adapter().startTimer(c.conn(), null, 10)), ResultCode.PARAMS_TYPE_ERROR, "type");
      assertResult(call(f.adapter().startTimer(c.conn(), TimerType.KEEPALIVE, 0)), ResultCode.PARAMS_TYPE_ERROR,
          "interval");
      assertResult(call(f.adapter().publish(c.conn(), "a/+", 0, new byte[0])), ResultCode.PARAMS_TYPE_ERROR,
          "topic");
      assertResult(call(f.adapter().publish(c.conn(), "a/#", 0, new byte[0])), ResultCode.PARAMS_TYPE_ERROR,
          "wildcards");
      assertResult(call(f.adapter().rawPublish("a/#", 0, new byte[0])), ResultCode.PARAMS_TYPE_ERROR, "topic");
      assertResult(call(f.adapter().subscribe(c.conn(), "a/#/b", 0)), ResultCode.PARAMS_TYPE_ERROR, "topic");
      assertResult(call(f.adapter().unsubscribe(c.conn(), "a/#/b")), ResultCode.PARAMS_TYPE_ERROR, "topic");
      assertResult(call(f.adapter().publish(c.conn(), "t", 0, new byte[17])), ResultCode.PARAMS_TYPE_ERROR,
          "payload: 17 bytes exceeds the maximum of 16");
    }
  }

  @Test
  void deniedOrUnauthenticatedOperationsArePermissionDeny() {
    try (GatewayFixture f = new GatewayFixture()) {
      GatewayFixture.Connected c = f.connect();
      assertResult(call(f.adapter().publish(c.conn(), "t", 0, new byte[0])), ResultCode.PERMISSION_DENY,
          "Authenticate");
      assertResult(call(f.adapter().subscribe(c.conn(), "t", 0)), ResultCode.PERMISSION_DENY, "Authenticate");
      assertResult(call(f.adapter().unsubscribe(c.conn(), "t")), ResultCode.PERMISSION_DENY, "Authenticate");
      assertThat(call(f.adapter().authenticate(c.conn(), ClientInfo.of("c", ""), "")).isSuccess()).isTrue();
      assertResult(call(f.adapter().authenticate(c.conn(), ClientInfo.of("c", ""), "")), ResultCode.PERMISSION_DENY,
          "already authenticated");
    }
  }

  @Test
  void authenticationDeniedIsPermissionDenyAndTheSocketStaysOpenForARetry() {
    try (GatewayFixture f = new GatewayFixture(b -> b.authenticator(r -> CompletableFuture.completedFuture(
        r.password().equals("good") ? AuthResult.allow() : AuthResult.deny("bad password"))))) {
      GatewayFixture.Connected c = f.connect();
      assertResult(call(f.adapter().authenticate(c.conn(), ClientInfo.of("c", ""), "bad")),
          ResultCode.PERMISSION_DENY, "authentication denied: bad password");
      assertThat(c.device().isClosed()).isFalse();
      assertThat(call(f.adapter().authenticate(c.conn(), ClientInfo.of("c", ""), "good")).isSuccess()).isTrue();
      assertThat(f.gateway.metrics().get(GatewayMetrics.AUTH_DENIED)).isEqualTo(1);
    }
  }

  @Test
  void theAuthenticatorChainStopsAtTheFirstAnswerAndDeniesWhenAllIgnore() {
    try (GatewayFixture f = new GatewayFixture(b -> b
        .authenticator(r -> {
          throw new IllegalStateException("auth backend down"); // counts as ignore
        })
        .authenticator(r -> CompletableFuture.completedFuture(
            r.client().clientId().equals("known") ? AuthResult.allow() : AuthResult.ignore())))) {
      assertThat(call(f.adapter().authenticate(f.connect().conn(), ClientInfo.of("known", ""), "")).isSuccess())
          .isTrue();
      assertResult(call(f.adapter().authenticate(f.connect().conn(), ClientInfo.of("stranger", ""), "")),
          ResultCode.PERMISSION_DENY, "no authenticator allowed");
    }
  }

  @Test
  void aSendTheConnectionRefusesIsNotSuccessAndSaysWhy() {
    try (GatewayFixture f = new GatewayFixture()) {
      GatewayFixture.Connected c = f.connect();
      c.device().refuseWrites("the connection's send backlog is over its high-water mark of 8 bytes");

      assertResult(call(f.adapter().send(c.conn(), new byte[4])), ResultCode.UNKNOWN,
          "bytes: not sent: the connection's send backlog is over its high-water mark of 8 bytes");
      assertThat(c.device().received()).isEmpty();
      assertThat(c.device().isClosed()).as("a refusal keeps the connection").isFalse();

      c.device().acceptWrites();
      assertThat(call(f.adapter().send(c.conn(), new byte[4])).isSuccess()).isTrue();
      assertThat(c.device().received()).hasSize(4);
    }
  }

  @Test
  void aBrokerFailureIsUnknownWithAMessage() {
    Broker failing = new Broker() {
      @Override
      public CompletionStage<Void> publish(Message message) {
        return CompletableFuture.failedFuture(new IllegalStateException("cluster unreachable"));
      }

      @Override
      public CompletionStage<Void> subscribe(String filter, int qos, Subscriber subscriber) {
        throw new IllegalStateException("subscribe bug");
      }

      @Override
      public CompletionStage<Void> unsubscribe(String filter, Subscriber subscriber) {
        return CompletableFuture.completedFuture(null);
      }
    };
    try (GatewayFixture f = new GatewayFixture(b -> b.broker(failing))) {
      GatewayFixture.Connected c = f.connectAs("c", "");
      assertResult(call(f.adapter().publish(c.conn(), "t", 0, new byte[0])), ResultCode.UNKNOWN,
          "cluster unreachable");
      assertResult(call(f.adapter().subscribe(c.conn(), "t", 0)), ResultCode.UNKNOWN, "subscribe bug");
    }
  }
}
