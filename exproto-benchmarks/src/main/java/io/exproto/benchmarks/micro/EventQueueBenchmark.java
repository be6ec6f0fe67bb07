package io.exproto.benchmarks.micro;

import io.exproto.gateway.Gateway;
import io.exproto.handler.ConnectionHandler;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.ReceivedMessages;
import io.exproto.handler.SocketClosed;
import io.exproto.handler.SocketCreated;
import io.exproto.handler.TimerTimeout;
import io.exproto.testing.InProcessDevice;
import io.exproto.testing.InProcessListener;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The per-connection event queue of the gateway engine: a device's bytes go in
 * ({@code ConnectionEvents.onBytes}), are queued, and come out as {@code OnReceivedBytes} on a
 * handler that completes at once. Driven through {@link InProcessListener}, so no socket is
 * involved.
 *
 * <ul>
 *   <li>{@code executor=direct}: callbacks run on the sending thread, so the score is the queue's
 *       own bookkeeping (lock, enqueue, dispatch, settle) per event.</li>
 *   <li>{@code executor=pool}: callbacks run on a pool of four threads, as with the gateway's
 *       default executor; events are sent one after another, round robin over the connections,
 *       honouring backpressure (the sender waits while the gateway has paused a device), so the
 *       score is the sustained cost of one event including the hand-off between threads.</li>
 *   <li>{@link #roundTrip}: one event, then wait until the handler has run it: the hand-off
 *       latency from the transport's thread to a handler thread and back.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EventQueueBenchmark {

  /** Where callbacks run: {@code direct} (the sending thread) or {@code pool} (four threads). */
  @Param({"direct", "pool"})
  public String executor;

  /** How many connections the events are spread over. */
  @Param({"1", "100"})
  public int connections;

  private final AtomicLong handled = new AtomicLong();
  private ExecutorService pool;
  private Gateway gateway;
  private InProcessDevice[] devices;
  private final byte[] bytes = new byte[16];
  private int next;
  private long sent;

  /** Creates the benchmark; JMH calls {@link #setUp} before measuring. */
  public EventQueueBenchmark() {}

  /**
   * Starts a gateway with an in-process listener and connects the devices.
   *
   * @throws Exception when the gateway does not start
   */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    InProcessListener listener = new InProcessListener();
    Gateway.Builder builder = Gateway.builder()
        .listener(listener)
        .handler(adapter -> new Immediate(handled))
        .idleTimeout(Duration.ofHours(1));
    if (executor.equals("direct")) {
      builder.executor(Runnable::run);
    } else {
      pool = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "bench-handler");
        t.setDaemon(true);
        return t;
      });
      builder.executor(pool);
    }
    gateway = builder.build();
    gateway.start();
    devices = new InProcessDevice[connections];
    for (int i = 0; i < connections; i++) {
      devices[i] = listener.connect();
    }
    awaitHandled(connections); // every OnSocketCreated has run
    sent = connections;
  }

  /** Stops the gateway and the pool. */
  @TearDown(Level.Trial)
  public void tearDown() {
    gateway.stop();
    if (pool != null) {
      pool.shutdownNow();
    }
  }

  /** Sends one 16-byte event to the next device, waiting first while that device is paused. */
  @Benchmark
  public void enqueueAndDispatch() {
    InProcessDevice device = devices[next];
    next = next + 1 == connections ? 0 : next + 1;
    while (device.isReadingPaused()) {
      Thread.onSpinWait();
    }
    device.send(bytes);
    sent++;
  }

  /** Sends one event and waits until the handler has completed it. */
  @Benchmark
  public void roundTrip() {
    InProcessDevice device = devices[next];
    next = next + 1 == connections ? 0 : next + 1;
    device.send(bytes);
    sent++;
    awaitHandled(sent);
  }

  private void awaitHandled(long target) {
    // Spin, then yield: a timed park would add the kernel's timer slack (about 50 us) to the score.
    long spins = 0;
    while (handled.get() < target) {
      if (++spins > 1_000) {
        Thread.yield();
      } else {
        Thread.onSpinWait();
      }
    }
  }

  /** Completes every callback at once and counts them. */
  private static final class Immediate implements ConnectionHandler {
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    private final AtomicLong handled;

    Immediate(AtomicLong handled) {
      this.handled = handled;
    }

    @Override
    public CompletionStage<Void> onSocketCreated(SocketCreated event) {
      handled.incrementAndGet();
      return DONE;
    }

    @Override
    public CompletionStage<Void> onReceivedBytes(ReceivedBytes event) {
      handled.incrementAndGet();
      return DONE;
    }

    @Override
    public CompletionStage<Void> onTimerTimeout(TimerTimeout event) {
      return DONE;
    }

    @Override
    public CompletionStage<Void> onReceivedMessages(ReceivedMessages event) {
      return DONE;
    }

    @Override
    public CompletionStage<Void> onSocketClosed(SocketClosed event) {
      return DONE;
    }
  }
}
