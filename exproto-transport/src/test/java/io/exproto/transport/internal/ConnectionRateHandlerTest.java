package io.exproto.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.transport.policy.ConnectionRateLimiter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NettyLeakCheck.class)
class ConnectionRateHandlerTest {

  private static final String COUNTER = "tcp:test.refused.max_conn_rate";

  private final AtomicLong now = new AtomicLong();
  private final GatewayMetrics metrics = new GatewayMetrics();
  private final ConnectionRateHandler rate =
      new ConnectionRateHandler("tcp:test", new ConnectionRateLimiter(2, 2, now::get), metrics);
  private final List<EmbeddedChannel> channels = new ArrayList<>();

  @AfterEach
  void tearDown() {
    channels.forEach(EmbeddedChannel::finishAndReleaseAll);
  }

  private EmbeddedChannel connect(LifecycleRecorder behind) {
    EmbeddedChannel channel = new EmbeddedChannel(rate, behind);
    channels.add(channel);
    return channel;
  }

  @Test
  void refusesTheExcessAtOnceAndAdmitsAgainLater() {
    LifecycleRecorder first = new LifecycleRecorder();
    LifecycleRecorder second = new LifecycleRecorder();
    LifecycleRecorder third = new LifecycleRecorder();

    assertThat(connect(first).isOpen()).isTrue();
    assertThat(connect(second).isOpen()).isTrue();
    EmbeddedChannel refused = connect(third);

    assertThat(refused.isOpen()).isFalse();
    assertThat(third.active).isZero();
    assertThat(third.inactive).isZero();
    assertThat(metrics.get(COUNTER)).isEqualTo(1);

    now.addAndGet(500_000_000L);
    LifecycleRecorder later = new LifecycleRecorder();
    assertThat(connect(later).isOpen()).isTrue();
    assertThat(later.active).isEqualTo(1);
    assertThat(metrics.get(COUNTER)).isEqualTo(1);
  }
}
