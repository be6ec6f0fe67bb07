package io.exproto.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.exproto.adapter.Adapter;
import io.exproto.adapter.ClientInfo;
import io.exproto.broker.Message;
import io.exproto.handler.ConnectionHandler;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.ReceivedMessages;
import io.exproto.handler.SocketClosed;
import io.exproto.handler.SocketCreated;
import io.exproto.handler.TimerTimeout;
import io.exproto.testing.InProcessDevice;
import io.exproto.testing.InProcessListener;
import io.exproto.testing.ManualScheduler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Handlers that declare {@link ConnectionHandler#isNonBlocking()}: called on the calling thread. */
class NonBlockingHandlerTest {

  private final ExecutorService async = Executors.newFixedThreadPool(4);
  /** The gateway's executor: counts what is handed to it, then runs it on a pool thread. */
  private final AtomicInteger submitted = new AtomicInteger();
  private final ExecutorService pool = Executors.newFixedThreadPool(2, task -> new Thread(task, "gateway-executor"));
  private Gateway gateway;

  @AfterEach
  void tearDown() {
    if (gateway != null) {
      gateway.close();
    }
    async.shutdownNow();
    pool.shutdownNow();
  }

  private Gateway.Builder builder(InProcessListener listener) {
    return Gateway.builder().listener(listener).executor(task -> {
      submitted.incrementAndGet();
      pool.execute(task);
    });
  }

  /** Records events per connection, detects overlapping callbacks, completes on another thread. */
  private final class AsyncChecking implements ConnectionHandler {
    final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    final Map<String, List<String>> events = new ConcurrentHashMap<>();
    final List<String> threads = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger overlaps = new AtomicInteger();
    final AtomicInteger messages = new AtomicInteger();
    final boolean nonBlocking;

    AsyncChecking(boolean nonBlocking) {
      this.nonBlocking = nonBlocking;
    }

    @Override
    public boolean isNonBlocking() {
      return nonBlocking;
    }

    private CompletionStage<Void> run(String conn, String event) {
      threads.add(Thread.currentThread().getName());
      if (inFlight.computeIfAbsent(conn, c -> new AtomicInteger()).incrementAndGet() != 1) {
        overlaps.incrementAndGet();
      }
      events.computeIfAbsent(conn, c -> Collections.synchronizedList(new ArrayList<>())).add(event);
      return CompletableFuture.runAsync(() -> inFlight.get(conn).decrementAndGet(), async);
    }

    @Override
    public CompletionStage<Void> onSocketCreated(SocketCreated e) {
      return run(e.conn(), "created");
    }

    @Override
    public CompletionStage<Void> onReceivedBytes(ReceivedBytes e) {
      return run(e.conn(), new String(e.bytes(), StandardCharsets.UTF_8));
    }

    @Override
    public CompletionStage<Void> onTimerTimeout(TimerTimeout e) {
      return run(e.conn(), "timeout");
    }

    @Override
    public CompletionStage<Void> onReceivedMessages(ReceivedMessages e) {
      messages.addAndGet(e.messages().size());
      return run(e.conn(), "messages");
    }

    @Override
    public CompletionStage<Void> onSocketClosed(SocketClosed e) {
      return run(e.conn(), "closed");
    }
  }

  @Test
  void callbacksRunOnTheCallingThreadsInStrictOrderPerConnection() throws Exception {
    InProcessListener listener = new InProcessListener();
    AsyncChecking handler = new AsyncChecking(true);
    gateway = builder(listener).handler(a -> handler).build();
    gateway.start();
    Adapter adapter = gateway.adapter();

    int devices = 8;
    int chunks = 200;
    List<InProcessDevice> connected = new ArrayList<>();
    for (int d = 0; d < devices; d++) {
      connected.add(listener.connect());
    }
    await().until(() -> handler.events.size() == devices);
    List<String> conns = new ArrayList<>(handler.events.keySet());
    for (int d = 0; d < devices; d++) {
      adapter.authenticate(conns.get(d), ClientInfo.of("c" + d, ""), "").toCompletableFuture().join();
      adapter.subscribe(conns.get(d), "all", 0).toCompletableFuture().join();
    }
    List<CompletableFuture<Void>> work = new ArrayList<>();
    for (InProcessDevice device : connected) {
      work.add(CompletableFuture.runAsync(() -> {
        for (int i = 0; i < chunks; i++) {
          device.send("b" + i);
        }
      }));
    }
    for (int p = 0; p < 2; p++) {
      work.add(CompletableFuture.runAsync(() -> {
        for (int i = 0; i < 100; i++) {
          adapter.rawPublish("all", 0, new byte[] {1}).toCompletableFuture().join();
        }
      }));
    }
    CompletableFuture.allOf(work.toArray(new CompletableFuture[0])).join();
    await().atMost(Duration.ofSeconds(30)).until(() -> handler.messages.get() == devices * 200);
    connected.forEach(InProcessDevice::disconnect);
    await().atMost(Duration.ofSeconds(30)).until(() -> gateway.connectionCount() == 0);

    assertThat(handler.overlaps.get()).isZero();
    assertThat(submitted.get()).as("callbacks handed to the executor").isZero();
    assertThat(handler.threads).isNotEmpty().doesNotContain("gateway-executor");
    for (String conn : conns) {
      List<String> events = new ArrayList<>(handler.events.get(conn));
      assertThat(events.get(0)).isEqualTo("created");
      assertThat(events.get(events.size() - 1)).isEqualTo("closed");
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < chunks; i++) {
        expected.add("b" + i);
      }
      assertThat(events.stream().filter(e -> e.startsWith("b")).toList()).isEqualTo(expected);
      assertThat(events.stream().filter("closed"::equals).count()).isEqualTo(1);
    }
  }

  @Test
  void theFirstCallbackOfAnIdleQueueRunsOnTheThreadThatQueuedIt() throws Exception {
    InProcessListener listener = new InProcessListener();
    List<String> threads = Collections.synchronizedList(new ArrayList<>());
    ConnectionHandler handler = new Composing(adapter -> e -> {
      threads.add(Thread.currentThread().getName());
      return CompletableFuture.completedFuture(null);
    }, null);
    gateway = builder(listener).handler(a -> handler).build();
    gateway.start();
    InProcessDevice device = listener.connect();
    device.send("x");
    assertThat(threads).containsExactly(Thread.currentThread().getName());
    assertThat(submitted.get()).isZero();
  }

  @Test
  void adapterCallsComposedInsideCallbacksWorkWithoutDeadlock() throws Exception {
    InProcessListener listener = new InProcessListener();
    // EMQX's example path, non-blocking: authenticate and subscribe in OnSocketCreated, publish to
    // the connection's own subscription in OnReceivedBytes (delivered while that callback is in
    // flight) and send in OnReceivedMessages, composing on the adapter's stages.
    gateway = builder(listener).handler(adapter -> new Composing(null, adapter)).build();
    gateway.start();
    InProcessDevice device = listener.connect();
    device.send("hello ");
    device.send("world");
    await().atMost(Duration.ofSeconds(10)).until(() -> device.receivedText().equals("hello world"));
    assertThat(submitted.get()).isZero();
  }

  @Test
  void aBlockingHandlerStillRunsOnTheExecutor() throws Exception {
    InProcessListener listener = new InProcessListener();
    AsyncChecking handler = new AsyncChecking(false);
    gateway = builder(listener).handler(a -> handler).build();
    gateway.start();
    InProcessDevice device = listener.connect();
    device.send("x");
    await().until(() -> handler.events.values().stream().anyMatch(l -> l.contains("x")));
    assertThat(submitted.get()).isPositive();
    assertThat(handler.threads).isNotEmpty().containsOnly("gateway-executor");
  }

  @Test
  void aCallbackThatSettlesWithAnEmptyQueueIsNotFollowedByAnEmptyDrainTask() throws Exception {
    InProcessListener listener = new InProcessListener();
    List<CompletableFuture<Void>> pending = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger calls = new AtomicInteger();
    ConnectionHandler handler = new Composing(adapter -> e -> {
      calls.incrementAndGet();
      CompletableFuture<Void> answer = new CompletableFuture<>();
      pending.add(answer);
      return answer;
    }, null) {
      @Override
      public boolean isNonBlocking() {
        return false;
      }
    };
    ManualScheduler clock = new ManualScheduler();
    gateway = builder(listener).scheduler(clock).handler(a -> handler).build();
    gateway.start();
    InProcessDevice device = listener.connect();
    await().until(() -> gateway.metrics().get(GatewayMetrics.CONNECTIONS_ACCEPTED) == 1 && clock.pendingTasks() == 1);
    device.send("x");
    // The callback is in flight once its deadline is armed, next to the liveness timer.
    await().until(() -> pending.size() == 1 && clock.pendingTasks() == 2);
    int before = submitted.get();
    pending.get(0).complete(null); // nothing queued behind it
    assertThat(submitted.get()).isEqualTo(before);
    device.send("y");
    await().until(() -> pending.size() == 2);
    assertThat(submitted.get()).isEqualTo(before + 1);
    pending.get(1).complete(null); // lets the gateway close without waiting for the deadline
  }

  @Test
  void theHandlerDeadlineHoldsForNonBlockingHandlers() throws Exception {
    ManualScheduler clock = new ManualScheduler();
    InProcessListener listener = new InProcessListener();
    ConnectionHandler handler = new Composing(adapter -> e -> new CompletableFuture<>(), null);
    gateway = builder(listener).scheduler(clock).handlerTimeout(Duration.ofSeconds(5))
        .handler(a -> handler).build();
    gateway.start();
    InProcessDevice device = listener.connect();
    device.send("x");
    clock.advance(Duration.ofMillis(4999));
    assertThat(device.isClosed()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(device.isClosed()).isTrue();
    assertThat(gateway.metrics().get(GatewayMetrics.HANDLER_ERRORS)).isEqualTo(1);
    assertThat(submitted.get()).isZero();
  }

  /**
   * A non-blocking handler: with an adapter, authenticates and subscribes to {@code echo/<conn>}
   * on creation, publishes received bytes there and sends delivered payloads back, composing on the
   * adapter's stages; with a bytes function instead, answers bytes with it.
   */
  private static class Composing implements ConnectionHandler {
    private final Function<ReceivedBytes, CompletionStage<Void>> onBytes;
    private final Adapter adapter;

    Composing(Function<Adapter, Function<ReceivedBytes, CompletionStage<Void>>> onBytes, Adapter adapter) {
      this.onBytes = onBytes == null ? null : onBytes.apply(adapter);
      this.adapter = adapter;
    }

    @Override
    public boolean isNonBlocking() {
      return true;
    }

    @Override
    public CompletionStage<Void> onSocketCreated(SocketCreated e) {
      if (adapter == null) {
        return CompletableFuture.completedFuture(null);
      }
      return adapter.authenticate(e.conn(), ClientInfo.of(e.conn(), ""), "")
          .thenCompose(r -> adapter.subscribe(e.conn(), "echo/" + e.conn(), 1))
          .thenApply(r -> null);
    }

    @Override
    public CompletionStage<Void> onReceivedBytes(ReceivedBytes e) {
      if (onBytes != null) {
        return onBytes.apply(e);
      }
      return adapter.publish(e.conn(), "echo/" + e.conn(), 1, e.bytes()).thenApply(r -> null);
    }

    @Override
    public CompletionStage<Void> onTimerTimeout(TimerTimeout e) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> onReceivedMessages(ReceivedMessages e) {
      CompletionStage<?> chain = CompletableFuture.completedFuture(null);
      for (Message m : e.messages()) {
        chain = chain.thenCompose(r -> adapter.send(e.conn(), m.payload()));
      }
      return chain.thenApply(r -> null);
    }

    @Override
    public CompletionStage<Void> onSocketClosed(SocketClosed e) {
      return CompletableFuture.completedFuture(null);
    }
  }
}
