package io.exproto.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.exproto.adapter.ClientInfo;
import io.exproto.listener.Address;
import io.exproto.listener.ConnectionInfo;
import io.exproto.listener.SocketType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RuleAuthorizerTest {

  private static final RuleAuthorizer RULES = RuleAuthorizer.builder()
      .deny(Action.PUBLISH, "devices/${clientid}/admin")
      .allow(null, "devices/${clientid}/#")
      .allow(Action.SUBSCRIBE, "users/${username}/+")
      .allow(Action.SUBSCRIBE, "broadcast/#")
      .deny(null, "#")
      .build();

  private static AuthzRequest request(String clientId, String username, Action action, String topic) {
    ConnectionInfo conn = ConnectionInfo.of(SocketType.TCP, new Address("127.0.0.1", 1), new Address("127.0.0.1", 2), "t");
    return new AuthzRequest(ClientInfo.of(clientId, username), conn, action, topic, 0);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "c1|u|PUBLISH|devices/c1/temp|ALLOW",
      "c1|u|PUBLISH|devices/c1/admin|DENY",
      "c1|u|SUBSCRIBE|devices/c1/admin|ALLOW",
      "c1|u|PUBLISH|devices/c2/temp|DENY",
      "c1|u|SUBSCRIBE|devices/c1/+|ALLOW",
      "c1|u|SUBSCRIBE|devices/+/temp|DENY",
      "c1|alice|SUBSCRIBE|users/alice/inbox|ALLOW",
      "c1|alice|SUBSCRIBE|users/alice/#|DENY",
      "c1||SUBSCRIBE|users/${username}/x|DENY",
      "c1|u|SUBSCRIBE|broadcast/+/news|ALLOW",
      "c1|u|PUBLISH|broadcast/news|DENY"})
  void firstMatchingRuleWins(String clientId, String username, Action action, String topic, AuthzResult expected) {
    assertThat(RULES.decide(request(clientId, username == null ? "" : username, action, topic))).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"#|ALLOW", "a/#|ALLOW", "a/+|ALLOW", "b/#|DENY"})
  void withoutAMatchTheDefaultApplies(String filter, AuthzResult expected) {
    RuleAuthorizer only = RuleAuthorizer.builder().allow(null, filter).otherwise(AuthzResult.DENY).build();
    assertThat(only.decide(request("c", "", Action.PUBLISH, "a/x"))).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"a/#/b", "a/b+"})
  void aMalformedRuleIsRefusedWhenBuilt(String filter) {
    assertThatThrownBy(() -> RuleAuthorizer.builder().allow(null, filter)).hasMessageContaining(filter);
  }
}
