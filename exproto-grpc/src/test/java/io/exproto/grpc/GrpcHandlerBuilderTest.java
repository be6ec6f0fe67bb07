package io.exproto.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.exproto.grpc.tls.ClientTlsOptions;
import io.exproto.grpc.tls.ServerTlsOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The builder's defaults and the validation errors that name the configuration field. */
class GrpcHandlerBuilderTest {

  @Test
  void defaultsAreEmqxs() {
    GrpcHandler grpc = GrpcHandler.builder().build();
    assertThat(grpc.handlerAddress()).isEqualTo("http://127.0.0.1:9001");
    assertThat(grpc.adapterBind()).isEqualTo("0.0.0.0:9100");
    assertThat(grpc.callTimeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void settingsAreKept() {
    GrpcHandler grpc = GrpcHandler.builder()
        .handlerAddress("http://handler.example:9001")
        .adapterBind("9100")
        .callTimeout(Duration.ofMillis(1500))
        .build();
    assertThat(grpc.handlerAddress()).isEqualTo("http://handler.example:9001");
    assertThat(grpc.adapterBind()).isEqualTo("9100");
    assertThat(grpc.callTimeout()).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void aBadHandlerAddressNamesHandlerAddress() {
    for (String bad : new String[] {"127.0.0.1:9001", "ftp://127.0.0.1:9001", "http://127.0.0.1", "nonsense", ""}) {
      assertThatThrownBy(() -> GrpcHandler.builder().handlerAddress(bad).build()).as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("handler.address:");
    }
    assertThatThrownBy(() -> GrpcHandler.builder().handlerAddress(null).build())
        .hasMessageStartingWith("handler.address:");
  }

  @Test
  void theServiceAndTlsDefaultToUnaryAndPlaintext() {
    GrpcHandler grpc = GrpcHandler.builder().build();
    assertThat(grpc.serviceName()).isEqualTo(ServiceName.UNARY);
    assertThat(grpc.adapterTls()).isEmpty();
    assertThat(grpc.handlerTls()).isEmpty();
  }

  @Test
  void theServiceAndTlsSettingsAreKept() {
    ServerTlsOptions adapterTls = ServerTlsOptions.builder().certfile("adapter.pem").keyfile("adapter.key").build();
    ClientTlsOptions handlerTls = ClientTlsOptions.builder().cacertfile("ca.pem").build();
    GrpcHandler grpc = GrpcHandler.builder()
        .handlerAddress("https://handler.example:9001")
        .serviceName(ServiceName.STREAMING)
        .adapterTls(adapterTls)
        .handlerTls(handlerTls)
        .build();
    assertThat(grpc.serviceName()).isEqualTo(ServiceName.STREAMING);
    assertThat(grpc.adapterTls()).containsSame(adapterTls);
    assertThat(grpc.handlerTls()).containsSame(handlerTls);
    assertThatThrownBy(() -> GrpcHandler.builder().serviceName(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("handler.service_name");
    assertThatThrownBy(() -> GrpcHandler.builder().adapterTls(null)).hasMessageContaining("server.ssl_options");
    assertThatThrownBy(() -> GrpcHandler.builder().handlerTls(null)).hasMessageContaining("handler.ssl_options");
  }

  @Test
  void aBadAdapterBindNamesServerBind() {
    for (String bad : new String[] {"abc", "host:", "70000", "http://0.0.0.0:9100", ""}) {
      assertThatThrownBy(() -> GrpcHandler.builder().adapterBind(bad).build()).as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("server.bind:");
    }
  }

  @Test
  void aNonPositiveCallTimeoutIsRejected() {
    assertThatThrownBy(() -> GrpcHandler.builder().callTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("callTimeout:");
    assertThatThrownBy(() -> GrpcHandler.builder().callTimeout(null).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("callTimeout:");
  }
}
