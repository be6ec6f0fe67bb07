package io.exproto.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The accepted forms of bind and handler addresses. */
class AddressesTest {

  @Test
  void bindForms() {
    assertThat(Addresses.parseBind("9100", "f")).isEqualTo(new Addresses.HostPort("0.0.0.0", 9100));
    assertThat(Addresses.parseBind("0", "f")).isEqualTo(new Addresses.HostPort("0.0.0.0", 0));
    assertThat(Addresses.parseBind("127.0.0.1:9100", "f")).isEqualTo(new Addresses.HostPort("127.0.0.1", 9100));
    assertThat(Addresses.parseBind("localhost:65535", "f")).isEqualTo(new Addresses.HostPort("localhost", 65535));
    assertThat(Addresses.parseBind("[::]:9100", "f")).isEqualTo(new Addresses.HostPort("::", 9100));
    assertThat(Addresses.parseBind("[fe80::1%eth0]:1", "f")).isEqualTo(new Addresses.HostPort("fe80::1%eth0", 1));
    assertThat(Addresses.parseBind(" 9100 ", "f").port()).isEqualTo(9100);
  }

  @Test
  void serviceAddressForms() {
    assertThat(Addresses.parseServiceAddress("http://127.0.0.1:9001", "f"))
        .isEqualTo(new Addresses.Target(false, new Addresses.HostPort("127.0.0.1", 9001)));
    assertThat(Addresses.parseServiceAddress("http://my-handler.svc.cluster.local:9001/", "f").hostPort())
        .isEqualTo(new Addresses.HostPort("my-handler.svc.cluster.local", 9001));
    assertThat(Addresses.parseServiceAddress("http://[::1]:9001", "f").hostPort())
        .isEqualTo(new Addresses.HostPort("::1", 9001));
    assertThat(Addresses.parseServiceAddress("https://handler.example:9001", "f"))
        .isEqualTo(new Addresses.Target(true, new Addresses.HostPort("handler.example", 9001)));
    assertThat(Addresses.parseServiceAddress("HTTPS://[::1]:1/", "f").tls()).isTrue();
    assertThat(Addresses.parseServiceAddress("https://[::1]:1", "f")).hasToString("https://[::1]:1");
    assertThat(Addresses.parseServiceAddress("http://a:1", "f")).hasToString("http://a:1");
  }

  @Test
  void otherSchemesAreRefused() {
    assertThatThrownBy(() -> Addresses.parseServiceAddress("grpc://a:1", "handler.address"))
        .hasMessageStartingWith("handler.address: 'grpc://a:1' has the unsupported scheme 'grpc'")
        .hasMessageContaining("https://host:port");
  }

  @Test
  void hostPortPrintsIpv6InBrackets() {
    assertThat(new Addresses.HostPort("::1", 1).toString()).isEqualTo("[::1]:1");
    assertThat(new Addresses.HostPort("a", 1).toString()).isEqualTo("a:1");
  }

  @Test
  void errorsStartWithTheFieldAndQuoteTheValue() {
    assertThatThrownBy(() -> Addresses.parseBind("1.2.3.4:x", "server.bind"))
        .hasMessage("server.bind: '1.2.3.4:x' has the port 'x'; a port must be a number from 0 to 65535");
    assertThatThrownBy(() -> Addresses.parseBind("::1", "server.bind"))
        .hasMessageContaining("brackets");
    assertThatThrownBy(() -> Addresses.parseBind("999999", "server.bind"))
        .hasMessageContaining("0 to 65535");
  }
}
