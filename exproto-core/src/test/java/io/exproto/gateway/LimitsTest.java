package io.exproto.gateway;

import static io.exproto.gateway.GatewayFixture.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.exproto.adapter.Result;
import io.exproto.adapter.ResultCode;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Subscriptions per connection, topic length and topic levels are bounded, with clear errors. */
class LimitsTest {

  private static void assertResult(Result result, ResultCode code, String... messageParts) {
    assertThat(result.code()).as(result.toString()).isEqualTo(code);
    assertThat(result.message()).as(result.toString()).contains(messageParts);
  }

  @Test
  void aConnectionHasAtMostOneHundredSubscriptionsByDefault() {
    try (GatewayFixture f = new GatewayFixture()) {
      GatewayFixture.Connected c = f.connectAs("many", "");
      for (int i = 0; i < 100; i++) {
        assertThat(call(f.adapter().subscribe(c.conn(), "s/" + i, 0)).isSuccess()).as("filter %d", i).isTrue();
      }
      assertResult(call(f.adapter().subscribe(c.conn(), "s/100", 0)), ResultCode.PERMISSION_DENY,
          "subscriptions", "100");
      assertThat(f.broker.subscriptionCount()).isEqualTo(100);
      // Another connection has its own allowance.
      GatewayFixture.Connected other = f.connectAs("other", "");
      assertThat(call(f.adapter().subscribe(other.conn(), "s/100", 0)).isSuccess()).isTrue();
    }
  }

  @Test
  void reSubscribingAnExistingFilterIsNotANewSubscriptionAndUnsubscribingFreesASlot() {
    try (GatewayFixture f = new GatewayFixture(b -> b.maxSubscriptions(2))) {
      GatewayFixture.Connected c = f.connectAs("two", "");
      assertThat(call(f.adapter().subscribe(c.conn(), "a", 0)).isSuccess()).isTrue();
      assertThat(call(f.adapter().subscribe(c.conn(), "b", 0)).isSuccess()).isTrue();
      assertThat(call(f.adapter().subscribe(c.conn(), "a", 2)).isSuccess()).as("qos update").isTrue();
      assertResult(call(f.adapter().subscribe(c.conn(), "c", 0)), ResultCode.PERMISSION_DENY,
          "limit of 2 subscriptions");
      assertThat(call(f.adapter().unsubscribe(c.conn(), "b")).isSuccess()).isTrue();
      assertThat(call(f.adapter().subscribe(c.conn(), "c", 0)).isSuccess()).isTrue();
    }
  }

  @Test
  void topicsLongerThanTheLimitAreRefusedByEveryOperationNamingTopic() {
    String ascii = "a/" + "x".repeat(4095); // 4097 bytes
    String multibyte = "\u00e9".repeat(2049); // 2049 characters, 4098 bytes of UTF-8
    try (GatewayFixture f = new GatewayFixture()) {
      GatewayFixture.Connected c = f.connectAs("long", "");
      for (String topic : new String[] {ascii, multibyte}) {
        assertResult(call(f.adapter().publish(c.conn(), topic, 0, new byte[0])), ResultCode.PARAMS_TYPE_ERROR,
            "topic", "4096 bytes");
        assertResult(call(f.adapter().rawPublish(topic, 0, new byte[0])), ResultCode.PARAMS_TYPE_ERROR,
            "topic", "4096 bytes");
        assertResult(call(f.adapter().subscribe(c.conn(), topic, 0)), ResultCode.PARAMS_TYPE_ERROR,
            "topic", "4096 bytes");
        assertResult(call(f.adapter().unsubscribe(c.conn(), topic)), ResultCode.PARAMS_TYPE_ERROR,
            "topic", "4096 bytes");
      }
      String longest = "a/" + "x".repeat(4094);
      assertThat(call(f.adapter().subscribe(c.conn(), longest, 0)).isSuccess()).isTrue();
      assertThat(call(f.adapter().publish(c.conn(), longest, 0, new byte[0])).isSuccess()).isTrue();
      assertThat(f.broker.subscriptionCount()).isEqualTo(1);
    }
  }

  @Test
  void theMountpointCountsTowardsTheTopicLength() {
    try (GatewayFixture f = new GatewayFixture(b -> b.mountpoint("tenant/${clientid}/").maxTopicLength(32))) {
      GatewayFixture.Connected c = f.connectAs("device-1", "");
      String topic = "x".repeat(20); // 20 bytes, 36 once mounted
      assertResult(call(f.adapter().publish(c.conn(), topic, 0, new byte[0])), ResultCode.PARAMS_TYPE_ERROR,
          "topic: with the mountpoint applied", "32 bytes");
      assertResult(call(f.adapter().subscribe(c.conn(), topic, 0)), ResultCode.PARAMS_TYPE_ERROR,
          "topic: with the mountpoint applied", "32 bytes");
    }
  }

  @Test
  void topicsWithMoreLevelsThanTheLimitAreRefused() {
    Function<Integer, String> levels = n -> "l" + "/l".repeat(n - 1);
    try (GatewayFixture f = new GatewayFixture()) {
      GatewayFixture.Connected c = f.connectAs("deep", "");
      String deep = levels.apply(129);
      assertResult(call(f.adapter().publish(c.conn(), deep, 0, new byte[0])), ResultCode.PARAMS_TYPE_ERROR,
          "topic", "128 levels");
      assertResult(call(f.adapter().rawPublish(deep, 0, new byte[0])), ResultCode.PARAMS_TYPE_ERROR,
          "topic", "128 levels");
      assertResult(call(f.adapter().subscribe(c.conn(), deep, 0)), ResultCode.PARAMS_TYPE_ERROR,
          "topic", "128 levels");
      assertResult(call(f.adapter().unsubscribe(c.conn(), deep)), ResultCode.PARAMS_TYPE_ERROR,
          "topic", "128 levels");
      assertThat(call(f.adapter().subscribe(c.conn(), levels.apply(128), 0)).isSuccess()).isTrue();
    }
    try (GatewayFixture f = new GatewayFixture(b -> b.maxTopicLevels(3))) {
      GatewayFixture.Connected c = f.connectAs("shallow", "");
      assertThat(call(f.adapter().subscribe(c.conn(), "$share/g/a/b/c", 0)).isSuccess())
          .as("the share prefix is not counted").isTrue();
      assertResult(call(f.adapter().subscribe(c.conn(), "a/b/c/d", 0)), ResultCode.PARAMS_TYPE_ERROR,
          "topic", "3 levels");
    }
  }

  @Test
  void theBuilderSaysWhatToFix() {
    assertThatThrownBy(() -> Gateway.builder().maxSubscriptions(0)).hasMessageContaining("maxSubscriptions");
    assertThatThrownBy(() -> Gateway.builder().maxTopicLength(0)).hasMessageContaining("maxTopicLength");
    assertThatThrownBy(() -> Gateway.builder().maxTopicLength(65_536))
        .hasMessageContaining("maxTopicLength").hasMessageContaining("65535");
    assertThatThrownBy(() -> Gateway.builder().maxTopicLevels(0)).hasMessageContaining("maxTopicLevels");
    assertThatThrownBy(() -> Gateway.builder().brokerTimeout(java.time.Duration.ZERO))
        .hasMessageContaining("brokerTimeout");
  }
}
