package io.exproto.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitedLoggerTest {

  private final AtomicLong clock = new AtomicLong(1_000);
  private final RecordingLogger logger = new RecordingLogger();
  private final RateLimitedLogger limited =
      new RateLimitedLogger(logger, Duration.ofNanos(100), clock::get);

  @Test
  void writesTheFirstLineAndSuppressesTheRestOfThePeriod() {
    limited.warn("refused {}", "a");
    limited.warn("refused {}", "b");
    clock.addAndGet(99);
    limited.warn("refused {}", "c");

    assertThat(logger.lines()).containsExactly("WARN refused a");
    assertThat(limited.suppressedTotal()).isEqualTo(2);
  }

  @Test
  void theNextLineAfterThePeriodCountsWhatWasSuppressed() {
    limited.warn("refused {}", "a");
    limited.warn("refused {}", "b");
    limited.warn("refused {}", "c");
    clock.addAndGet(100);
    limited.error("refused {}", "d");
    clock.addAndGet(100);
    limited.info("refused {}", "e");

    assertThat(logger.lines()).containsExactly(
        "WARN refused a", "ERROR refused d (2 similar lines suppressed)", "INFO refused e");
    assertThat(limited.suppressedTotal()).isEqualTo(2);
  }

  @Test
  void aTrailingThrowableIsLoggedAsTheCause() {
    IllegalStateException error = new IllegalStateException("boom");
    limited.warn("failed {}", "x", error);

    assertThat(logger.lines()).containsExactly("WARN failed x");
    assertThat(logger.causes()).containsExactly(error);
  }

  @Test
  void aDisabledLevelIsNeitherWrittenNorCounted() {
    logger.setWarnEnabled(false);
    limited.warn("refused {}", "a");

    assertThat(logger.lines()).isEmpty();
    assertThat(limited.suppressedTotal()).isZero();
  }
}
