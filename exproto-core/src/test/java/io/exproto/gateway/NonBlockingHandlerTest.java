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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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

  @Test
  void callbacksRunOnTheCallingThreadsInStrictOrderPerConnection() throws Exception {
    InProcessListener listener = new InProcessListener();
    CheckingHandler handler = new CheckingHandler(async, true);
    gateway = builder(listener).handler(a -> handler).build();
    gateway.start();

    handler.driveConcurrentTrafficAndCheckOrder(gateway, listener);
    assertThat(submitted.get()).as("callbacks handed to the executor").isZero();
    assertThat(handler.threads).isNotEmpty().doesNotContain("gateway-executor");
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
    CheckingHandler handler = new CheckingHandler(async, false);
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
