package io.exproto.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;

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

    assertThat(logger.lines).containsExactly("WARN refused a");
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

    assertThat(logger.lines).containsExactly(
        "WARN refused a", "ERROR refused d (2 similar lines suppressed)", "INFO refused e");
    assertThat(limited.suppressedTotal()).isEqualTo(2);
  }

  @Test
  void aTrailingThrowableIsLoggedAsTheCause() {
    IllegalStateException error = new IllegalStateException("boom");
    limited.warn("failed {}", "x", error);

    assertThat(logger.lines).containsExactly("WARN failed x");
    assertThat(logger.causes).containsExactly(error);
  }

  @Test
  void aDisabledLevelIsNeitherWrittenNorCounted() {
    logger.warnEnabled = false;
    limited.warn("refused {}", "a");

    assertThat(logger.lines).isEmpty();
    assertThat(limited.suppressedTotal()).isZero();
  }

  /** Keeps each line as "LEVEL message". */
  private static final class RecordingLogger extends AbstractLogger {
    final List<String> lines = new ArrayList<>();
    final List<Throwable> causes = new ArrayList<>();
    boolean warnEnabled = true;

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String format, Object[] args, Throwable cause) {
      lines.add(level + " " + MessageFormatter.basicArrayFormat(format, args));
      if (cause != null) {
        causes.add(cause);
      }
    }

    @Override
    public boolean isTraceEnabled() {
      return true;
    }

    @Override
    public boolean isTraceEnabled(Marker marker) {
      return true;
    }

    @Override
    public boolean isDebugEnabled() {
      return true;
    }

    @Override
    public boolean isDebugEnabled(Marker marker) {
      return true;
    }

    @Override
    public boolean isInfoEnabled() {
      return true;
    }

    @Override
    public boolean isInfoEnabled(Marker marker) {
      return true;
    }

    @Override
    public boolean isWarnEnabled() {
      return warnEnabled;
    }

    @Override
    public boolean isWarnEnabled(Marker marker) {
      return warnEnabled;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled(Marker marker) {
      return true;
    }
  }
}
