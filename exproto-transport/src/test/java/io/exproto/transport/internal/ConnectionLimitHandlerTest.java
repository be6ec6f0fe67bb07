package io.exproto.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.exproto.gateway.GatewayMetrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NettyLeakCheck.class)
class ConnectionLimitHandlerTest {

  private static final String COUNTER = "tcp:test.refused.max_connections";

  private final GatewayMetrics metrics = new GatewayMetrics();
  private final ConnectionLimitHandler limit = new ConnectionLimitHandler("tcp:test", 2, metrics);
  private final List<EmbeddedChannel> channels = new ArrayList<>();

  @AfterEach
  void tearDown() {
    channels.forEach(EmbeddedChannel::finishAndReleaseAll);
  }

  /** Records the lifecycle events that get past the limit. */
  private static final class Behind extends ChannelInboundHandlerAdapter {
    boolean active;
    boolean inactive;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      active = true;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      inactive = true;
    }
  }

  private EmbeddedChannel connect(Behind behind) {
    EmbeddedChannel channel = new EmbeddedChannel(limit, behind);
    channels.add(channel);
    return channel;
  }

  @Test
  void admitsUpToTheMaximum() {
    Behind first = new Behind();
    Behind second = new Behind();

    EmbeddedChannel a = connect(first);
    EmbeddedChannel b = connect(second);

    assertThat(a.isOpen()).isTrue();
    assertThat(b.isOpen()).isTrue();
    assertThat(first.active).isTrue();
    assertThat(second.active).isTrue();
    assertThat(limit.openConnections()).isEqualTo(2);
    assertThat(metrics.get(COUNTER)).isZero();
  }

  @Test
  void refusesBeyondTheMaximumAndCountsIt() {
    connect(new Behind());
    connect(new Behind());
    Behind third = new Behind();

    EmbeddedChannel refused = connect(third);

    assertThat(refused.isOpen()).isFalse();
    assertThat(third.active).as("the refused channel never reaches the handlers behind").isFalse();
    assertThat(third.inactive).isFalse();
    assertThat(limit.openConnections()).isEqualTo(2);
    assertThat(metrics.get(COUNTER)).isEqualTo(1);
    assertThat(ConnectionLimitHandler.refusedCounterName("tcp:test")).isEqualTo(COUNTER);
  }

  @Test
  void aClosedConnectionFreesItsSlot() {
    Behind first = new Behind();
    EmbeddedChannel a = connect(first);
    connect(new Behind());

    a.close();
    Behind next = new Behind();
    EmbeddedChannel c = connect(next);

    assertThat(first.inactive).isTrue();
    assertThat(c.isOpen()).isTrue();
    assertThat(next.active).isTrue();
    assertThat(limit.openConnections()).isEqualTo(2);
    assertThat(metrics.get(COUNTER)).isZero();
  }

  @Test
  void aRefusedConnectionDoesNotFreeASlotWhenItCloses() {
    connect(new Behind());
    connect(new Behind());
    connect(new Behind()).close();

    EmbeddedChannel fourth = connect(new Behind());

    assertThat(fourth.isOpen()).isFalse();
    assertThat(limit.openConnections()).isEqualTo(2);
    assertThat(metrics.get(COUNTER)).isEqualTo(2);
  }

  @Test
  void rejectsAMaximumBelowOne() {
    assertThatThrownBy(() -> new ConnectionLimitHandler("tcp:test", 0, metrics))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxConnections");
  }
}
