package io.exproto.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.exproto.adapter.ClientInfo;
import io.exproto.auth.AuthResult;
import io.exproto.auth.Authenticator;
import io.exproto.auth.AuthzResult;
import io.exproto.broker.InMemoryBroker;
import io.exproto.gateway.GatewayMetrics;
import io.exproto.gateway.RecordingHandler;
import io.exproto.handler.FailurePolicy;
import io.exproto.listener.Connection;
import io.exproto.listener.ConnectionAcceptor;
import io.exproto.listener.ConnectionEvents;
import io.exproto.logging.RecordingLogger;
import io.exproto.testing.InProcessDevice;
import io.exproto.testing.InProcessListener;
import io.exproto.testing.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What a remote party can make the engine log is rate-limited per site; the counters stay exact. */
class EngineLogsTest {

  private static final Duration PERIOD = Duration.ofSeconds(10);

  private final AtomicLong nanos = new AtomicLong();
  private final RecordingLogger lines = new RecordingLogger();
  private final GatewayMetrics metrics = new GatewayMetrics();
  private final ManualScheduler clock = new ManualScheduler();
  private final InProcessListener listener = new InProcessListener();
  // Stalls OnReceivedBytes until the test fails them all at once; OnSocketClosed fails too.
  private final CompletableFuture<Void> gate = new CompletableFuture<>();
  private final RecordingHandler handler = new RecordingHandler();
  private Engine engine;

  private void start(List<Authenticator> authenticators) {
    handler.onBytes = e -> gate;
    handler.onClosed = e -> CompletableFuture.failedFuture(new IllegalStateException("handler killed"));
    EngineConfig config = new EngineConfig("node@test", "", 0, 30_000, 15_000, 1000, 10,
        2 * 1024 * 1024, 1024 * 1024, 100, 4096, 128, 10_000, new InMemoryBroker(), authenticators,
        List.of(), AuthzResult.ALLOW, List.of(), FailurePolicy.CLOSE, 60_000, clock, Runnable::run,
        metrics);
    engine = new Engine(config, handler, new EngineLogs(lines, lines, PERIOD, nanos::get));
    listener.start(new ConnectionAcceptor() {
      @Override
      public ConnectionEvents accept(Connection connection) {
        return engine.accept(connection, Optional.empty());
      }

      @Override
      public GatewayMetrics metrics() {
        return metrics;
      }
    });
  }

  @Test
  void aHandlerFailureAcrossOneHundredConnectionsWritesOneLinePerSiteNotOnePerEvent() {
    start(List.of());
    List<InProcessDevice> devices = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      InProcessDevice device = listener.connect();
      devices.add(device);
      for (int j = 0; j < 10; j++) {
        device.send("chunk " + j); // one in flight, nine queued behind it
      }
    }
    gate.completeExceptionally(new IllegalStateException("handler killed"));

    assertThat(devices).allMatch(InProcessDevice::isClosed);
    assertThat(engine.connectionCount()).isZero();
    // 100 x (10 OnReceivedBytes + 1 OnSocketClosed), every one counted.
    assertThat(metrics.get(GatewayMetrics.HANDLER_ERRORS)).isEqualTo(1_100);
    assertThat(lines.lines()).hasSize(2);
    assertThat(lines.lines().get(0)).startsWith("WARN Handler failed OnReceivedBytes of connection ")
        .endsWith("; closing it: java.lang.IllegalStateException: handler killed");
    assertThat(lines.lines().get(1)).startsWith("WARN Handler failed OnSocketClosed of connection ");

    // The next period's first line tells how many were left out.
    nanos.addAndGet(PERIOD.toNanos());
    InProcessDevice late = listener.connect();
    late.send("x");
    assertThat(lines.lines()).hasSize(4);
    assertThat(lines.lines().get(2)).endsWith("(999 similar lines suppressed)");
    assertThat(lines.lines().get(3)).endsWith("(99 similar lines suppressed)");
  }

  @Test
  void deniedAuthenticationsAreRateLimitedToo() {
    start(List.of(request -> CompletableFuture.completedFuture(AuthResult.deny("bad password"))));
    for (int i = 0; i < 50; i++) {
      listener.connect();
    }
    for (int i = 0; i < 50; i++) {
      engine.authenticate(handler.conn(i), ClientInfo.of("device-" + i, ""), "wrong")
          .toCompletableFuture().join();
    }
    assertThat(metrics.get(GatewayMetrics.AUTH_DENIED)).isEqualTo(50);
    assertThat(lines.lines()).hasSize(1).allMatch(line -> line.startsWith("INFO Authentication denied"));
  }
}
