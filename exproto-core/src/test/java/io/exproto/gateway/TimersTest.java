package io.exproto.gateway;

import static io.exproto.gateway.GatewayFixture.call;
import static org.assertj.core.api.Assertions.assertThat;

import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.TimerType;
import io.exproto.auth.AuthResult;
import io.exproto.listener.SocketType;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Keepalive, idle timeout and expiry, driven by the manual clock. */
class TimersTest {

  private static void advanceSeconds(GatewayFixture f, long seconds) {
    f.clock.advance(Duration.ofSeconds(seconds));
  }

  @Test
  void keepaliveClosesAfterOneAndAHalfIntervalsWithoutInboundBytes() {
    try (GatewayFixture f = new GatewayFixture()) {
      GatewayFixture.Connected c = f.connectAs("k", "");
      call(f.adapter().startTimer(c.conn(), TimerType.KEEPALIVE, 10));
      advanceSeconds(f, 14);
      c.device().send("ping"); // t=14: the deadline moves to 29
      advanceSeconds(f, 14);
      assertThat(c.device().isClosed()).isFalse();
      call(f.adapter().send(c.conn(), "outbound does not count".getBytes()));
      advanceSeconds(f, 1);
      assertThat(c.device().isClosed()).isTrue();
      assertThat(f.handler.of(c.conn()))
          .containsExactly("created", "bytes:ping", "timeout:KEEPALIVE", "closed:keepalive_timeout");
    }
  }

  @Test
  void startTimerAgainReplacesTheInterval() {
    try (GatewayFixture f = new GatewayFixture()) {
      GatewayFixture.Connected c = f.connectAs("k", "");
      call(f.adapter().startTimer(c.conn(), TimerType.KEEPALIVE, 100));
      call(f.adapter().startTimer(c.conn(), TimerType.KEEPALIVE, 2));
      advanceSeconds(f, 2);
      assertThat(c.device().isClosed()).isFalse();
      advanceSeconds(f, 1);
      assertThat(f.handler.of(c.conn())).last().isEqualTo("closed:keepalive_timeout");
    }
  }

  @Test
  void keepaliveReplacesTheIdleTimeout() {
    try (GatewayFixture f = new GatewayFixture(b -> b.idleTimeout(Duration.ofSeconds(30)))) {
      GatewayFixture.Connected c = f.connectAs("k", "");
      call(f.adapter().startTimer(c.conn(), TimerType.KEEPALIVE, 60));
      advanceSeconds(f, 89);
      assertThat(c.device().isClosed()).isFalse();
      advanceSeconds(f, 1);
      assertThat(f.handler.of(c.conn())).last().isEqualTo("closed:keepalive_timeout");
    }
  }

  @Test
  void anUnauthenticatedConnectionIsClosedIdleTimeoutAfterCreationEvenWhileActive() {
    try (GatewayFixture f = new GatewayFixture(b -> b.idleTimeout(Duration.ofSeconds(30)))) {
      GatewayFixture.Connected c = f.connect();
      for (int i = 0; i < 2; i++) {
        advanceSeconds(f, 10);
        c.device().send("x");
      }
      advanceSeconds(f, 9);
      assertThat(c.device().isClosed()).isFalse();
      advanceSeconds(f, 1);
      assertThat(c.device().isClosed()).isTrue();
      assertThat(f.handler.of(c.conn())).last().isEqualTo("closed:idle_timeout");
    }
  }

  @Test
  void startTimerKeepsAnUnauthenticatedConnectionAlive() {
    try (GatewayFixture f = new GatewayFixture(b -> b.idleTimeout(Duration.ofSeconds(30)))) {
      GatewayFixture.Connected c = f.connect();
      call(f.adapter().startTimer(c.conn(), TimerType.KEEPALIVE, 40));
      advanceSeconds(f, 59);
      assertThat(c.device().isClosed()).isFalse();
      advanceSeconds(f, 1);
      assertThat(f.handler.of(c.conn())).last().isEqualTo("closed:keepalive_timeout");
    }
  }

  @ParameterizedTest
  @EnumSource(value = SocketType.class, names = {"UDP", "DTLS"})
  void anUnauthenticatedDatagramConnectionIsClosedIdleTimeoutAfterCreationEvenWhileActive(SocketType type) {
    try (GatewayFixture f = new GatewayFixture(b -> b.idleTimeout(Duration.ofSeconds(30)))) {
      GatewayFixture.Connected c = f.connect(type);
      advanceSeconds(f, 20);
      c.device().send("x");
      advanceSeconds(f, 9);
      assertThat(c.device().isClosed()).isFalse();
      advanceSeconds(f, 1);
      assertThat(f.handler.of(c.conn())).last().isEqualTo("closed:idle_timeout");
    }
  }

  @ParameterizedTest
  @EnumSource(value = SocketType.class, names = {"UDP", "DTLS"})
  void anAuthenticatedDatagramConnectionWithoutKeepaliveIsClosedAfterIdleTimeoutWithoutADatagram(
      SocketType type) {
    try (GatewayFixture f = new GatewayFixture(b -> b.idleTimeout(Duration.ofSeconds(30)))) {
      GatewayFixture.Connected c = f.connectAs("idle", type);
      advanceSeconds(f, 20);
      c.device().send("x"); // t=20: closes at 50
      advanceSeconds(f, 29);
      assertThat(c.device().isClosed()).isFalse();
      advanceSeconds(f, 1);
      assertThat(f.handler.of(c.conn())).last().isEqualTo("closed:idle_timeout");
    }
  }

  @ParameterizedTest
  @EnumSource(value = SocketType.class, names = {"TCP", "SSL"})
  void aQuietAuthenticatedStreamSubscriberWithoutKeepaliveIsNeverClosedForIdleness(SocketType type) {
    try (GatewayFixture f = new GatewayFixture(b -> b.idleTimeout(Duration.ofSeconds(30)))) {
      GatewayFixture.Connected c = f.connectAs("quiet", type);
      assertThat(call(f.adapter().subscribe(c.conn(), "cmd/quiet", 1)).isSuccess()).isTrue();
      advanceSeconds(f, 86_400); // a day without a byte from the device
      assertThat(c.device().isClosed()).isFalse();
      call(f.adapter().rawPublish("cmd/quiet", 1, "wake up".getBytes()));
      assertThat(f.handler.of(c.conn())).containsExactly("created", "messages:cmd/quiet=wake up");
      assertThat(f.clock.pendingTasks()).isZero(); // no liveness timer is left armed
    }
  }

  @Test
  void aStreamConnectionThatAuthenticatesLateIsNoLongerBoundByItsCreationTime() {
    try (GatewayFixture f = new GatewayFixture(b -> b.idleTimeout(Duration.ofSeconds(30)))) {
      GatewayFixture.Connected c = f.connect();
      advanceSeconds(f, 29);
      assertThat(call(f.adapter().authenticate(c.conn(), ClientInfo.of("late", ""), "")).isSuccess())
          .isTrue();
      advanceSeconds(f, 3_600);
      assertThat(c.device().isClosed()).isFalse();
    }
  }

  @Test
  void aZeroIdleTimeoutDisablesIt() {
    try (GatewayFixture f = new GatewayFixture(b -> b.idleTimeout(Duration.ZERO))) {
      GatewayFixture.Connected c = f.connect();
      advanceSeconds(f, 86_400);
      assertThat(c.device().isClosed()).isFalse();
    }
  }

  @Test
  void anAuthenticationExpiryClosesTheConnectionWithExpired() {
    try (GatewayFixture f = new GatewayFixture(b -> b.idleTimeout(Duration.ZERO)
        .authenticator(r -> CompletableFuture.completedFuture(AuthResult.allowUntil(
            java.time.Instant.ofEpochMilli(0).plusSeconds(1_767_225_600L + 120)))))) {
      GatewayFixture.Connected c = f.connectAs("exp", "");
      advanceSeconds(f, 119);
      assertThat(c.device().isClosed()).isFalse();
      advanceSeconds(f, 1);
      assertThat(f.handler.of(c.conn())).last().isEqualTo("closed:expired");
    }
  }

  @Test
  void timersOfAClosedConnectionAreCancelled() {
    try (GatewayFixture f = new GatewayFixture(b -> b.closeFlushTimeout(Duration.ofSeconds(1)))) {
      GatewayFixture.Connected c = f.connectAs("gone", "");
      call(f.adapter().startTimer(c.conn(), TimerType.KEEPALIVE, 10));
      c.device().disconnect();
      advanceSeconds(f, 2); // the flush timer runs; nothing else is pending
      assertThat(f.clock.pendingTasks()).isZero();
      assertThat(f.handler.of(c.conn())).containsExactly("created", "closed:tcp_closed");
    }
  }
}
