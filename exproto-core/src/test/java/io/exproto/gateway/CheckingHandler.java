package io.exproto.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.exproto.adapter.Adapter;
import io.exproto.adapter.ClientInfo;
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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records each connection's events and the threads callbacks run on, counts callbacks of one
 * connection that overlap, and completes every callback later on another thread, so the next one
 * has to wait for it.
 */
final class CheckingHandler implements ConnectionHandler {

  final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  final Map<String, List<String>> events = new ConcurrentHashMap<>();
  final List<String> threads = Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger overlaps = new AtomicInteger();
  final AtomicInteger messages = new AtomicInteger();
  private final Executor completions;
  private final boolean nonBlocking;

  CheckingHandler(Executor completions, boolean nonBlocking) {
    this.completions = completions;
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
    return CompletableFuture.runAsync(() -> inFlight.get(conn).decrementAndGet(), completions);
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

  /**
   * Eight devices write 200 chunks each while two threads publish 100 messages to all of them;
   * then every device leaves. Checks that no two callbacks of a connection overlapped and that each
   * connection saw created first, its chunks in order, and exactly one closed, last.
   *
   * @param gateway the started gateway with this handler
   * @param listener its listener
   */
  void driveConcurrentTrafficAndCheckOrder(Gateway gateway, InProcessListener listener) {
    Adapter adapter = gateway.adapter();
    int devices = 8;
    int chunks = 200;
    List<InProcessDevice> connected = new ArrayList<>();
    for (int d = 0; d < devices; d++) {
      connected.add(listener.connect());
    }
    await().until(() -> events.size() == devices);
    List<String> conns = new ArrayList<>(events.keySet());
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
    await().atMost(Duration.ofSeconds(30)).until(() -> messages.get() == devices * 200);
    connected.forEach(InProcessDevice::disconnect);
    await().atMost(Duration.ofSeconds(30)).until(() -> gateway.connectionCount() == 0);

    assertThat(overlaps.get()).isZero();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < chunks; i++) {
      expected.add("b" + i);
    }
    for (String conn : conns) {
      List<String> seen = new ArrayList<>(events.get(conn));
      assertThat(seen.get(0)).isEqualTo("created");
      assertThat(seen.get(seen.size() - 1)).isEqualTo("closed");
      assertThat(seen.stream().filter(e -> e.startsWith("b")).toList()).isEqualTo(expected);
      assertThat(seen.stream().filter("closed"::equals).count()).isEqualTo(1);
    }
  }
}
