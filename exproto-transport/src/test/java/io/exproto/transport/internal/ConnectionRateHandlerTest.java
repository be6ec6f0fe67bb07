package io.exproto.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.transport.policy.ConnectionRateLimiter;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The handler on a server channel, fed accepted children as Netty's accept loop does. */
@ExtendWith(NettyLeakCheck.class)
class ConnectionRateHandlerTest {

  private static final String DELAYED = "tcp:test.delayed.max_conn_rate";

  private final AtomicLong now = new AtomicLong();
  private final GatewayMetrics metrics = new GatewayMetrics();
  private final ConnectionRateHandler rate =
      new ConnectionRateHandler("tcp:test", new ConnectionRateLimiter(2, 2, now::get), metrics);
  private final List<EmbeddedChannel> children = new ArrayList<>();
  private EmbeddedChannel server;

  @BeforeEach
  void setUp() {
    server = EmbeddedChannel.builder().handlers(rate).build();
    server.freezeTime();
  }

  @AfterEach
  void tearDown() {
    server.finishAndReleaseAll();
    children.forEach(EmbeddedChannel::finishAndReleaseAll);
  }

  private EmbeddedChannel accept() {
    EmbeddedChannel child = new EmbeddedChannel();
    children.add(child);
    server.writeInbound(child);
    return child;
  }

  private void advanceMillis(long millis) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    server.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
    server.runScheduledPendingTasks();
  }

  @Test
  void holdsTheExcessStopsAcceptingAndHandsItOnWhenATokenReturns() {
    EmbeddedChannel first = accept();
    EmbeddedChannel second = accept();
    assertThat(server.<Channel>readInbound()).isSameAs(first);
    assertThat(server.<Channel>readInbound()).isSameAs(second);
    assertThat(server.config().isAutoRead()).isTrue();

    EmbeddedChannel third = accept();
    EmbeddedChannel fourth = accept();

    assertThat(server.<Object>readInbound()).as("held, not handed on").isNull();
    assertThat(third.isOpen()).as("a delayed connection is not closed").isTrue();
    assertThat(fourth.isOpen()).isTrue();
    assertThat(server.config().isAutoRead()).as("accepting stops").isFalse();
    assertThat(metrics.get(DELAYED)).isEqualTo(2);
    assertThat(rate.heldConnections()).isEqualTo(2);

    advanceMillis(500); // one token
    assertThat(server.<Channel>readInbound()).isSameAs(third);
    assertThat(server.<Object>readInbound()).isNull();
    assertThat(server.config().isAutoRead()).as("still holding one").isFalse();

    advanceMillis(500);
    assertThat(server.<Channel>readInbound()).as("in accept order").isSameAs(fourth);
    assertThat(server.config().isAutoRead()).as("accepting resumes").isTrue();
    assertThat(rate.heldConnections()).isZero();
    assertThat(metrics.get(DELAYED)).isEqualTo(2);
  }

  @Test
  void aTokenFreeAgainIsNotTakenAheadOfAHeldConnection() {
    accept();
    accept();
    EmbeddedChannel held = accept();
    server.readInbound();
    server.readInbound();

    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500)); // a token, before the timer fires
    EmbeddedChannel next = accept();

    assertThat(server.<Object>readInbound()).as("the newcomer queues behind").isNull();
    advanceMillis(200); // the timer's longest wait
    assertThat(server.<Channel>readInbound()).isSameAs(held);
    advanceMillis(500);
    assertThat(server.<Channel>readInbound()).isSameAs(next);
  }

  @Test
  void closingTheServerClosesTheHeldConnections() {
    accept();
    accept();
    EmbeddedChannel held = accept();

    server.close();

    assertThat(held.isOpen()).isFalse();
    assertThat(rate.heldConnections()).isZero();
  }
}
