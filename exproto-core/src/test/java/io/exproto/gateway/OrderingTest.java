package io.exproto.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.exproto.adapter.Adapter;
import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.TimerType;
import io.exproto.broker.Message;
import io.exproto.handler.ConnectionHandler;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.ReceivedMessages;
import io.exproto.handler.SocketClosed;
import io.exproto.handler.SocketCreated;
import io.exproto.handler.TimerTimeout;
import io.exproto.testing.InProcessDevice;
import io.exproto.testing.InProcessListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Callback order, re-entrancy and batching with real threads. */
class OrderingTest {

  private final ExecutorService async = Executors.newFixedThreadPool(4);
  private Gateway gateway;

  @AfterEach
  void tearDown() {
    if (gateway != null) {
      gateway.close();
    }
    async.shutdownNow();
  }

  /** Checks that no two callbacks of one connection overlap, and records each connection's events. */
  private final class CheckingHandler implements ConnectionHandler {
    final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    final Map<String, List<String>> events = new ConcurrentHashMap<>();
    final AtomicInteger overlaps = new AtomicInteger();
    final AtomicInteger messages = new AtomicInteger();

    private CompletionStage<Void> run(String conn, String event) {
      if (inFlight.computeIfAbsent(conn, c -> new AtomicInteger()).incrementAndGet() != 1) {
        overlaps.incrementAndGet();
      }
      events.computeIfAbsent(conn, c -> java.util.Collections.synchronizedList(new ArrayList<>())).add(event);
      // Complete later on another thread, so the next callback has to wait for this one.
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
  void callbacksOfAConnectionAreSequentialAndInOrderUnderConcurrentAdapterCalls() throws Exception {
    InProcessListener listener = new InProcessListener();
    CheckingHandler handler = new CheckingHandler();
    gateway = Gateway.builder().listener(listener).handler(a -> handler).build();
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
    // Devices write while other threads publish to every connection at the same time.
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
    for (String conn : conns) {
      List<String> events = new ArrayList<>(handler.events.get(conn));
      assertThat(events.get(0)).isEqualTo("created");
      assertThat(events.get(events.size() - 1)).isEqualTo("closed");
      List<String> bytes = events.stream().filter(e -> e.startsWith("b")).toList();
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < chunks; i++) {
        expected.add("b" + i);
      }
      assertThat(bytes).isEqualTo(expected);
      assertThat(events.stream().filter("closed"::equals).count()).isEqualTo(1);
    }
  }

  @Test
  void blockingAdapterCallsInsideCallbacksDoNotDeadlock() throws Exception {
    InProcessListener listener = new InProcessListener();
    // Like EMQX's example handlers: authenticate, subscribe and start a timer inside OnSocketCreated,
    // publish inside OnReceivedBytes and send inside OnReceivedMessages, each waiting for its result.
    final class EchoViaBroker implements ConnectionHandler {
      final Adapter adapter;

      EchoViaBroker(Adapter adapter) {
        this.adapter = adapter;
      }

      @Override
      public CompletionStage<Void> onSocketCreated(SocketCreated e) {
        adapter.authenticate(e.conn(), ClientInfo.of(e.conn(), ""), "").toCompletableFuture().join();
        adapter.subscribe(e.conn(), "echo/" + e.conn(), 1).toCompletableFuture().join();
        adapter.startTimer(e.conn(), TimerType.KEEPALIVE, 60).toCompletableFuture().join();
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public CompletionStage<Void> onReceivedBytes(ReceivedBytes e) {
        adapter.publish(e.conn(), "echo/" + e.conn(), 1, e.bytes()).toCompletableFuture().join();
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public CompletionStage<Void> onTimerTimeout(TimerTimeout e) {
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public CompletionStage<Void> onReceivedMessages(ReceivedMessages e) {
        for (Message m : e.messages()) {
          adapter.send(e.conn(), m.payload()).toCompletableFuture().join();
        }
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public CompletionStage<Void> onSocketClosed(SocketClosed e) {
        return CompletableFuture.completedFuture(null);
      }
    }
    gateway = Gateway.builder().listener(listener).handler(EchoViaBroker::new).build();
    gateway.start();
    InProcessDevice device = listener.connect();
    device.send("hello ");
    device.send("world");
    await().atMost(Duration.ofSeconds(10)).until(() -> device.receivedText().equals("hello world"));
  }
}
