package io.exproto.transport.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessRulesTest {

  private static InetAddress ip(String literal) throws UnknownHostException {
    return InetAddress.getByName(literal);
  }

  @Test
  void theFirstMatchingRuleDecides() throws Exception {
    AccessRules rules = AccessRules.parse(List.of("allow 10.0.0.0/8", "deny 192.168.1.7", "allow all",
        "deny ::1", "allow 2001:db8::/32"));

    assertThat(rules.allows(ip("10.20.30.40"))).isTrue();
    assertThat(rules.allows(ip("192.168.1.7"))).isFalse();
    assertThat(rules.allows(ip("192.168.1.8"))).isTrue();
    // "allow all" comes before "deny ::1", so it wins.
    assertThat(rules.allows(ip("::1"))).isTrue();
  }

  @Test
  void noMatchingRuleAllows() throws Exception {
    AccessRules rules = AccessRules.parse(List.of("deny 192.168.1.7"));

    assertThat(rules.allows(ip("192.168.1.8"))).isTrue();
    assertThat(AccessRules.allowAll().allows(ip("1.2.3.4"))).isTrue();
    assertThat(AccessRules.allowAll().isEmpty()).isTrue();
    assertThat(AccessRules.parse(List.of()).allows(ip("::1"))).isTrue();
  }

  @Test
  void denyAllAfterAllowListsOnlyTheListed() throws Exception {
    AccessRules rules = AccessRules.parse(List.of("allow 127.0.0.0/8", "allow 2001:db8::/32", "deny all"));

    assertThat(rules.allows(ip("127.0.0.1"))).isTrue();
    assertThat(rules.allows(ip("127.255.0.9"))).isTrue();
    assertThat(rules.allows(ip("128.0.0.1"))).isFalse();
    assertThat(rules.allows(ip("2001:db8:ffff::1"))).isTrue();
    assertThat(rules.allows(ip("2001:db9::1"))).isFalse();
    assertThat(rules.allows(ip("::1"))).isFalse();
  }

  @Test
  void cidrBoundariesAreExact() throws Exception {
    AccessRules rules = AccessRules.parse(List.of("deny 192.168.0.0/23", "deny 10.1.2.3/32", "deny fe80::/10"));

    assertThat(rules.allows(ip("192.168.0.1"))).isFalse();
    assertThat(rules.allows(ip("192.168.1.255"))).isFalse();
    assertThat(rules.allows(ip("192.168.2.0"))).isTrue();
    assertThat(rules.allows(ip("10.1.2.3"))).isFalse();
    assertThat(rules.allows(ip("10.1.2.4"))).isTrue();
    assertThat(rules.allows(ip("febf::1"))).isFalse();
    assertThat(rules.allows(ip("fec0::1"))).isTrue();
  }

  @Test
  void ipv4RulesDoNotMatchIpv6AddressesAndBack() throws Exception {
    AccessRules rules = AccessRules.parse(List.of("deny 0.0.0.0/0"));
    assertThat(rules.allows(ip("::1"))).isTrue();
    assertThat(rules.allows(ip("1.2.3.4"))).isFalse();

    AccessRules v6 = AccessRules.parse(List.of("deny ::/0"));
    assertThat(v6.allows(ip("1.2.3.4"))).isTrue();
    assertThat(v6.allows(ip("2001:db8::1"))).isFalse();
  }

  @Test
  void aHostRuleWithoutPrefixMatchesOnlyThatAddress() throws Exception {
    AccessRules rules = AccessRules.parse(List.of("deny ::1"));

    assertThat(rules.allows(ip("::1"))).isFalse();
    assertThat(rules.allows(ip("::2"))).isTrue();
  }

  @Test
  void commaSeparatedAddressesAndExtraSpacesAreAccepted() throws Exception {
    AccessRules rules = AccessRules.parse(List.of("  deny   10.0.0.1, 10.0.0.2 ", "allow all"));

    assertThat(rules.allows(ip("10.0.0.1"))).isFalse();
    assertThat(rules.allows(ip("10.0.0.2"))).isFalse();
    assertThat(rules.allows(ip("10.0.0.3"))).isTrue();
    assertThat(rules.rules()).containsExactly("  deny   10.0.0.1, 10.0.0.2 ", "allow all");
  }

  @Test
  void malformedRulesAreRejectedQuotingTheRule() {
    for (String bad : List.of("", "allow", "permit 1.2.3.4", "allow 1.2.3", "allow 1.2.3.256",
        "allow 1.2.3.4/33", "allow ::1/129", "allow 10.0.0.0/", "allow 10.0.0.0/x", "deny example.com",
        "deny 1.2.3.4,", "allow 01.2.3.4.5", "allow :::1", "allow fe80::1%eth0", "Allow all", "deny zzz:1", "deny [::1]")) {
      assertThatThrownBy(() -> AccessRules.parse(List.of("allow all", bad)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("access_rules")
          .hasMessageContaining("'" + bad + "'");
    }
    assertThatThrownBy(() -> AccessRules.parse(java.util.Arrays.asList("allow all", null)))
        .hasMessageStartingWith("access_rules");
  }
}
