package io.exproto.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.exproto.testing.InProcessDevice;
import io.exproto.testing.InProcessListener;
import org.junit.jupiter.api.Test;

class RuntimeListenersTest {

  @Test
  void listenersAreAddedAndRemovedWithoutTouchingTheOthers() throws Exception {
    try (GatewayFixture f = new GatewayFixture()) {
      InProcessDevice onDefault = f.connect().device();
      InProcessListener extra = new InProcessListener("inprocess:extra", null);
      f.gateway.addListener(extra);
      assertThat(f.gateway.runningListeners()).containsExactly("inprocess:default", "inprocess:extra");
      InProcessDevice onExtra = extra.connect();
      onExtra.send("hi");
      assertThat(f.gateway.removeListener("inprocess:extra")).isTrue();
      assertThat(f.gateway.removeListener("inprocess:extra")).isFalse();
      assertThatThrownBy(extra::connect).isInstanceOf(IllegalStateException.class);
      assertThat(onDefault.isClosed()).isFalse();
      f.connect(); // the default listener still accepts
      assertThatThrownBy(() -> f.gateway.addListener(new InProcessListener()))
          .hasMessageContaining("already running");
    }
  }
}
