package io.exproto.transport.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConnectionRateLimiterTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private void advanceMillis(long millis) {
    now.addAndGet(millis * 1_000_000L);
  }

  @Test
  void admitsTheBurstThenRefusesAtOnce() {
    ConnectionRateLimiter limiter = new ConnectionRateLimiter(3, 3, now::get);

    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void refillsAtTheConfiguredRate() {
    ConnectionRateLimiter limiter = new ConnectionRateLimiter(10, 10, now::get);
    for (int i = 0; i < 10; i++) {
      assertThat(limiter.tryAcquire()).isTrue();
    }
    assertThat(limiter.tryAcquire()).isFalse();

    advanceMillis(99);
    assertThat(limiter.tryAcquire()).as("less than one token refilled").isFalse();
    advanceMillis(1);
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();

    advanceMillis(350);
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void theBucketNeverHoldsMoreThanTheBurst() {
    ConnectionRateLimiter limiter = new ConnectionRateLimiter(2, 2, now::get);

    advanceMillis(60_000);
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void aSmallBurstSpreadsAdmissions() {
    ConnectionRateLimiter limiter = new ConnectionRateLimiter(100, 1, now::get);

    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    advanceMillis(10);
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.perSecond()).isEqualTo(100);
    assertThat(limiter.burst()).isEqualTo(1);
  }

  @Test
  void aClockGoingBackwardsRefillsNothing() {
    ConnectionRateLimiter limiter = new ConnectionRateLimiter(1, 1, now::get);
    assertThat(limiter.tryAcquire()).isTrue();

    advanceMillis(-5_000);
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void defaultsToOneSecondOfBurstOnTheSystemClock() {
    ConnectionRateLimiter limiter = new ConnectionRateLimiter(5);

    assertThat(limiter.burst()).isEqualTo(5);
    int admitted = 0;
    for (int i = 0; i < 5; i++) {
      admitted += limiter.tryAcquire() ? 1 : 0;
    }
    assertThat(admitted).isEqualTo(5);
  }

  @Test
  void rejectsRatesBelowOneNamingTheSetting() {
    assertThatThrownBy(() -> new ConnectionRateLimiter(0)).hasMessageContaining("max_conn_rate");
    assertThatThrownBy(() -> new ConnectionRateLimiter(1, 0, System::nanoTime)).hasMessageContaining("burst");
  }
}
