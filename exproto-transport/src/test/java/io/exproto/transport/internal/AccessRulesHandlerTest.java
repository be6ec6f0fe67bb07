package io.exproto.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.transport.policy.AccessRules;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NettyLeakCheck.class)
class AccessRulesHandlerTest {

  private static final String COUNTER = "tcp:test.refused.access_rules";

  private final GatewayMetrics metrics = new GatewayMetrics();
  private final AccessRulesHandler rules = new AccessRulesHandler("tcp:test",
      AccessRules.parse(List.of("allow 10.0.0.0/8", "deny all")), metrics);
  private final List<EmbeddedChannel> channels = new ArrayList<>();

  @AfterEach
  void tearDown() {
    channels.forEach(EmbeddedChannel::finishAndReleaseAll);
  }

  /** Sets the peer as the PROXY protocol handler would, before the rules see the channel. */
  private static final class PeerIs extends ChannelInboundHandlerAdapter {
    private final String host;

    PeerIs(String host) {
      this.host = host;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.channel().attr(ChannelAttributes.PEER).set(new InetSocketAddress(host, 40000));
      ctx.fireChannelActive();
    }
  }

  private EmbeddedChannel connectFrom(String host, LifecycleRecorder behind) {
    EmbeddedChannel channel = new EmbeddedChannel(new PeerIs(host), rules, behind);
    channels.add(channel);
    return channel;
  }

  @Test
  void anAllowedAddressPasses() {
    LifecycleRecorder behind = new LifecycleRecorder();

    EmbeddedChannel channel = connectFrom("10.1.2.3", behind);

    assertThat(channel.isOpen()).isTrue();
    assertThat(behind.active).isEqualTo(1);
    assertThat(metrics.get(COUNTER)).isZero();
    channel.close();
    assertThat(behind.inactive).isEqualTo(1);
  }

  @Test
  void aDeniedAddressIsClosedCountedAndNeverSeenBehind() {
    LifecycleRecorder behind = new LifecycleRecorder();

    EmbeddedChannel channel = connectFrom("192.168.1.7", behind);

    assertThat(channel.isOpen()).isFalse();
    assertThat(behind.active).isZero();
    assertThat(behind.inactive).as("the close of a refused channel is not passed on").isZero();
    assertThat(metrics.get(COUNTER)).isEqualTo(1);
  }

  @Test
  void oneInstanceServesManyChannels() {
    LifecycleRecorder first = new LifecycleRecorder();
    LifecycleRecorder second = new LifecycleRecorder();
    LifecycleRecorder third = new LifecycleRecorder();

    connectFrom("10.0.0.1", first);
    connectFrom("11.0.0.1", second);
    connectFrom("10.0.0.2", third);

    assertThat(first.active).isEqualTo(1);
    assertThat(second.active).isZero();
    assertThat(third.active).isEqualTo(1);
    assertThat(metrics.get(COUNTER)).isEqualTo(1);
  }

  @Test
  void aChannelWithoutAnIpAddressIsAllowed() {
    LifecycleRecorder behind = new LifecycleRecorder();
    EmbeddedChannel channel = new EmbeddedChannel(rules, behind);
    channels.add(channel);

    assertThat(behind.active).isEqualTo(1);
  }
}
