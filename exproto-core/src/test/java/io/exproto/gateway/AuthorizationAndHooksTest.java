package io.exproto.gateway;

import static io.exproto.gateway.GatewayFixture.call;
import static org.assertj.core.api.Assertions.assertThat;

import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.ResultCode;
import io.exproto.auth.Action;
import io.exproto.auth.AuthResult;
import io.exproto.auth.AuthzResult;
import io.exproto.auth.RuleAuthorizer;
import io.exproto.broker.Message;
import io.exproto.hooks.ClientContext;
import io.exproto.hooks.GatewayHooks;
import io.exproto.listener.ConnectionInfo;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class AuthorizationAndHooksTest {

  @Test
  void authorizationDenyIsPermissionDenyOnPublishAndSubscribe() {
    RuleAuthorizer rules = RuleAuthorizer.builder()
        .allow(null, "own/${clientid}/#")
        .build();
    try (GatewayFixture f = new GatewayFixture(b -> b.authorizer(rules).authorizationDefault(AuthzResult.DENY))) {
      GatewayFixture.Connected c = f.connectAs("c1", "");
      assertThat(call(f.adapter().publish(c.conn(), "own/c1/x", 0, new byte[0])).isSuccess()).isTrue();
      assertThat(call(f.adapter().subscribe(c.conn(), "own/c1/+", 0)).isSuccess()).isTrue();
      assertThat(call(f.adapter().publish(c.conn(), "own/c2/x", 0, new byte[0])))
          .satisfies(r -> {
            assertThat(r.code()).isEqualTo(ResultCode.PERMISSION_DENY);
            assertThat(r.message()).contains("topic: not authorized to publish");
          });
      assertThat(call(f.adapter().subscribe(c.conn(), "#", 0)).code()).isEqualTo(ResultCode.PERMISSION_DENY);
      assertThat(call(f.adapter().subscribe(c.conn(), "$share/g/own/c1/a", 0)).isSuccess()).isTrue();
      assertThat(f.gateway.metrics().get(GatewayMetrics.AUTHZ_DENIED)).isEqualTo(2);
    }
  }

  @Test
  void authorizationSeesTheTopicBeforeTheMountpoint() {
    RuleAuthorizer rules = RuleAuthorizer.builder().deny(Action.PUBLISH, "secret").build();
    try (GatewayFixture f = new GatewayFixture(b -> b.mountpoint("m/").authorizer(rules))) {
      GatewayFixture.Connected c = f.connectAs("c1", "");
      assertThat(call(f.adapter().publish(c.conn(), "secret", 0, new byte[0])).code())
          .isEqualTo(ResultCode.PERMISSION_DENY);
      assertThat(call(f.adapter().publish(c.conn(), "open", 0, new byte[0])).isSuccess()).isTrue();
    }
  }

  /** Records hook calls and rewrites or drops messages on request. */
  static final class RecordingHooks implements GatewayHooks {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public void onConnected(ClientContext client) {
      calls.add("connected:" + client.client().clientId());
    }

    @Override
    public void onDisconnected(ClientContext client, String reason) {
      calls.add("disconnected:" + client.client().clientId() + ":" + reason);
    }

    @Override
    public void onAuthenticationFailed(ConnectionInfo connection, ClientInfo client, String reason) {
      calls.add("auth_failed:" + client.clientId() + ":" + reason);
    }

    @Override
    public void onSubscribed(ClientContext client, String filter, int qos) {
      calls.add("subscribed:" + filter + ":" + qos);
    }

    @Override
    public void onUnsubscribed(ClientContext client, String filter) {
      calls.add("unsubscribed:" + filter);
    }

    @Override
    public Message onPublish(ClientContext publisher, Message message) {
      calls.add("publish:" + message.topic());
      return message.topic().endsWith("/drop") ? null : message;
    }

    @Override
    public Message onDeliver(ClientContext subscriber, Message message) {
      if (message.topic().endsWith("/quiet")) {
        return null;
      }
      return message.topic().endsWith("/rewrite")
          ? new Message(message.id(), message.from(), message.topic(), message.qos(), "rewritten".getBytes(),
              message.timestamp())
          : message;
    }
  }

  @Test
  void hooksHearConnectionsSubscriptionsAndMessagesAndCanRewriteOrDrop() {
    RecordingHooks hooks = new RecordingHooks();
    try (GatewayFixture f = new GatewayFixture(b -> b.hooks(hooks).mountpoint("m/")
        .authenticator(r -> CompletableFuture.completedFuture(
            r.password().equals("secret") ? AuthResult.allow() : AuthResult.deny("wrong password"))))) {
      GatewayFixture.Connected denied = f.connect();
      call(f.adapter().authenticate(denied.conn(), ClientInfo.of("intruder", ""), "guess"));
      GatewayFixture.Connected c = f.connectAs("c1", "");
      call(f.adapter().subscribe(c.conn(), "t/#", 1));
      call(f.adapter().publish(c.conn(), "t/plain", 0, "hello".getBytes()));
      call(f.adapter().publish(c.conn(), "t/rewrite", 0, "original".getBytes()));
      call(f.adapter().publish(c.conn(), "t/quiet", 0, "x".getBytes()));
      assertThat(call(f.adapter().publish(c.conn(), "t/drop", 0, "x".getBytes())).isSuccess()).isTrue();
      call(f.adapter().unsubscribe(c.conn(), "t/#"));
      c.device().disconnect();

      assertThat(hooks.calls).containsExactly(
          "auth_failed:intruder:wrong password",
          "connected:c1",
          "subscribed:t/#:1",
          "publish:m/t/plain",
          "publish:m/t/rewrite",
          "publish:m/t/quiet",
          "publish:m/t/drop",
          "unsubscribed:t/#",
          "disconnected:c1:tcp_closed");
      assertThat(f.handler.of(c.conn())).containsSubsequence("messages:t/plain=hello", "messages:t/rewrite=rewritten")
          .noneMatch(e -> e.contains("quiet") || e.contains("drop"));
      assertThat(f.gateway.metrics().get(GatewayMetrics.MESSAGES_DROPPED_BY_HOOK)).isEqualTo(2);
    }
  }

  @Test
  void aThrowingHookIsSkippedAndTheConnectionCarriesOn() {
    GatewayHooks broken = new GatewayHooks() {
      @Override
      public void onConnected(ClientContext client) {
        throw new IllegalStateException("hook bug");
      }

      @Override
      public Message onDeliver(ClientContext subscriber, Message message) {
        throw new IllegalStateException("hook bug");
      }
    };
    try (GatewayFixture f = new GatewayFixture(b -> b.hooks(broken))) {
      GatewayFixture.Connected c = f.connectAs("c1", "");
      call(f.adapter().subscribe(c.conn(), "t", 0));
      call(f.adapter().rawPublish("t", 0, "still delivered".getBytes()));
      assertThat(f.handler.of(c.conn())).contains("messages:t=still delivered");
      assertThat(c.device().isClosed()).isFalse();
    }
  }
}
