package io.exproto.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    for (String bad : new String[] {"127.0.0.1:9001", "https://127.0.0.1:9001", "http://127.0.0.1", "nonsense", ""}) {
      assertThatThrownBy(() -> GrpcHandler.builder().handlerAddress(bad).build()).as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("handler.address:");
    }
    assertThatThrownBy(() -> GrpcHandler.builder().handlerAddress(null).build())
        .hasMessageStartingWith("handler.address:");
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
