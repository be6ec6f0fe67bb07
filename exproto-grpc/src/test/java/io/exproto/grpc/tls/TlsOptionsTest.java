package io.exproto.grpc.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.exproto.grpc.GrpcHandler;
import io.exproto.grpc.ServiceName;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The option builders: defaults, and the errors that name EMQX's keys. */
class TlsOptionsTest {

  @Test
  void serverDefaultsAreEmqxs() {
    ServerTlsOptions options = ServerTlsOptions.builder().certfile("a.pem").keyfile("a.key").build();
    assertThat(options.certfile()).isEqualTo(Path.of("a.pem"));
    assertThat(options.keyfile()).isEqualTo(Path.of("a.key"));
    assertThat(options.cacertfile()).isEmpty();
    assertThat(options.verify()).isEqualTo(Verify.VERIFY_NONE);
    assertThat(options.failIfNoPeerCert()).isFalse();
    assertThat(options.toString()).contains("a.pem", "a.key", "verify_none");
  }

  @Test
  void serverOptionsNeedACertificateAndAKey() {
    assertThatThrownBy(() -> ServerTlsOptions.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("server.ssl_options.certfile: required");
    assertThatThrownBy(() -> ServerTlsOptions.builder().certfile("a.pem").build())
        .hasMessageStartingWith("server.ssl_options.keyfile: required");
    assertThatThrownBy(() -> ServerTlsOptions.builder().certfile(" "))
        .hasMessageStartingWith("server.ssl_options.certfile: must not be empty");
  }

  @Test
  void verifyPeerNeedsACaAndFailIfNoPeerCertNeedsVerifyPeer() {
    assertThatThrownBy(() -> ServerTlsOptions.builder().certfile("a.pem").keyfile("a.key")
        .verify(Verify.VERIFY_PEER).build())
        .hasMessageStartingWith("server.ssl_options.cacertfile: required with verify = verify_peer");
    assertThatThrownBy(() -> ServerTlsOptions.builder().certfile("a.pem").keyfile("a.key")
        .failIfNoPeerCert(true).build())
        .hasMessageStartingWith("server.ssl_options.fail_if_no_peer_cert: true needs verify = verify_peer");
    ServerTlsOptions mutual = ServerTlsOptions.builder().certfile("a.pem").keyfile("a.key").cacertfile("ca.pem")
        .verify(Verify.VERIFY_PEER).failIfNoPeerCert(true).build();
    assertThat(mutual.cacertfile()).contains(Path.of("ca.pem"));
    assertThat(mutual.failIfNoPeerCert()).isTrue();
  }

  @Test
  void clientDefaultsVerifyThePeer() {
    ClientTlsOptions options = ClientTlsOptions.builder().build();
    assertThat(options.enable()).isTrue();
    assertThat(options.verify()).isEqualTo(Verify.VERIFY_PEER);
    assertThat(options.cacertfile()).isEmpty();
    assertThat(options.certfile()).isEmpty();
    assertThat(options.keyfile()).isEmpty();
    assertThat(options.serverNameIndication()).isEmpty();
  }

  @Test
  void aClientCertificateNeedsItsKeyAndTheOtherWayRound() {
    assertThatThrownBy(() -> ClientTlsOptions.builder().certfile("c.pem").build())
        .hasMessageStartingWith("handler.ssl_options.keyfile: required when certfile is set");
    assertThatThrownBy(() -> ClientTlsOptions.builder().keyfile("c.key").build())
        .hasMessageStartingWith("handler.ssl_options.certfile: required when keyfile is set");
  }

  @Test
  void theServerNameMustBeAHostName() {
    assertThat(ClientTlsOptions.builder().serverNameIndication(" handler.example ").build().serverNameIndication())
        .contains("handler.example");
    for (String bad : new String[] {"", "disable", "https://handler", "handler:9001", "a b", "handler/x"}) {
      assertThatThrownBy(() -> ClientTlsOptions.builder().serverNameIndication(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("handler.ssl_options.server_name_indication:");
    }
  }

  @Test
  void configSpellingsParse() {
    assertThat(Verify.fromConfig("verify_peer")).isEqualTo(Verify.VERIFY_PEER);
    assertThat(Verify.fromConfig("VERIFY_NONE")).isEqualTo(Verify.VERIFY_NONE);
    assertThat(Verify.VERIFY_PEER.configValue()).isEqualTo("verify_peer");
    assertThatThrownBy(() -> Verify.fromConfig("verify_maybe")).hasMessageContaining("verify_none or verify_peer");
    assertThat(ServiceName.fromConfig("ConnectionHandler")).isEqualTo(ServiceName.STREAMING);
    assertThat(ServiceName.fromConfig("ConnectionUnaryHandler")).isEqualTo(ServiceName.UNARY);
    assertThat(ServiceName.fromConfig("emqx.exproto.v1.ConnectionHandler")).isEqualTo(ServiceName.STREAMING);
    assertThat(ServiceName.UNARY.fullName()).isEqualTo("emqx.exproto.v1.ConnectionUnaryHandler");
    assertThatThrownBy(() -> ServiceName.fromConfig("Handler")).hasMessageStartingWith("handler.service_name:");
  }

  @Test
  void theHandlerAddressSchemeMustAgreeWithTheOptions() {
    ClientTlsOptions enabled = ClientTlsOptions.builder().build();
    ClientTlsOptions disabled = ClientTlsOptions.builder().enable(false).build();
    assertThatThrownBy(() -> GrpcHandler.builder().handlerAddress("http://127.0.0.1:9001").handlerTls(enabled).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("handler.address: 'http://127.0.0.1:9001' is plaintext http://, but"
            + " handler.ssl_options.enable = true");
    assertThatThrownBy(() -> GrpcHandler.builder().handlerAddress("https://127.0.0.1:9001").handlerTls(disabled)
        .build())
        .hasMessageStartingWith("handler.address: 'https://127.0.0.1:9001' uses https:// (TLS), but"
            + " handler.ssl_options.enable = false");
    // EMQX's default: ssl_options present but disabled, plaintext address.
    assertThat(GrpcHandler.builder().handlerAddress("http://127.0.0.1:9001").handlerTls(disabled).build()
        .handlerTls()).contains(disabled);
    // https:// alone: TLS with the JDK's trusted CAs.
    assertThat(GrpcHandler.builder().handlerAddress("https://127.0.0.1:9001").build().handlerTls()).isEmpty();
  }
}
