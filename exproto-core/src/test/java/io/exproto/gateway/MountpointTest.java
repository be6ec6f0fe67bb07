package io.exproto.gateway;

import static io.exproto.gateway.GatewayFixture.call;
import static org.assertj.core.api.Assertions.assertThat;

import io.exproto.broker.Message;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class MountpointTest {

  private static List<Message> observe(GatewayFixture f) {
    List<Message> seen = new CopyOnWriteArrayList<>();
    f.broker.subscribe("#", 2, seen::add);
    return seen;
  }

  @Test
  void placeholdersAreRenderedAtAuthenticateAndUnknownOnesStayLiteral() {
    try (GatewayFixture f = new GatewayFixture(
        b -> b.mountpoint("dev/${clientid}/${username}/${peerhost}/${endpoint_name}/"))) {
      List<Message> seen = observe(f);
      GatewayFixture.Connected c = f.connectAs("c1", "u1");
      call(f.adapter().publish(c.conn(), "up", 0, new byte[0]));
      GatewayFixture.Connected anonymous = f.connectAs("c2", "");
      call(f.adapter().publish(anonymous.conn(), "up", 0, new byte[0]));
      assertThat(seen).extracting(Message::topic).containsExactly(
          "dev/c1/u1/127.0.0.1/${endpoint_name}/up",
          "dev/c2/${username}/127.0.0.1/${endpoint_name}/up");
    }
  }

  @Test
  void subscriptionsAreMountedAndDeliveredTopicsUnmounted() {
    try (GatewayFixture f = new GatewayFixture(b -> b.mountpoint("tenant/${clientid}/"))) {
      GatewayFixture.Connected c = f.connectAs("c1", "");
      call(f.adapter().subscribe(c.conn(), "down/+", 1));
      call(f.adapter().rawPublish("tenant/c1/down/x", 1, "hi".getBytes()));
      call(f.adapter().rawPublish("down/x", 1, "not for me".getBytes()));
      assertThat(f.handler.of(c.conn())).contains("messages:down/x=hi").doesNotContain("messages:down/x=not for me");
    }
  }

  @Test
  void sharedSubscriptionsAreMountedInsideTheShare() {
    try (GatewayFixture f = new GatewayFixture(b -> b.mountpoint("m/"))) {
      GatewayFixture.Connected c = f.connectAs("c1", "");
      call(f.adapter().subscribe(c.conn(), "$share/g/jobs/#", 0));
      call(f.adapter().rawPublish("m/jobs/1", 0, "j".getBytes()));
      assertThat(f.handler.of(c.conn())).contains("messages:jobs/1=j");
      call(f.adapter().unsubscribe(c.conn(), "$share/g/jobs/#"));
      assertThat(f.broker.subscriptionCount()).isZero();
    }
  }

  @Test
  void rawPublishIsNeverMounted() {
    try (GatewayFixture f = new GatewayFixture(b -> b.mountpoint("m/"))) {
      List<Message> seen = observe(f);
      call(f.adapter().rawPublish("plain/topic", 1, new byte[0]));
      assertThat(seen).singleElement().satisfies(m -> {
        assertThat(m.topic()).isEqualTo("plain/topic");
        assertThat(m.from()).isEqualTo("exproto");
      });
    }
  }

  @Test
  void aMountpointThatRendersAWildcardIsRefusedOnPublish() {
    try (GatewayFixture f = new GatewayFixture(b -> b.mountpoint("u/${clientid}/"))) {
      GatewayFixture.Connected c = f.connectAs("evil+", "");
      assertThat(call(f.adapter().publish(c.conn(), "t", 0, new byte[0])).message())
          .contains("with the mountpoint applied");
    }
  }
}
