package io.exproto.dtls;

import io.exproto.adapter.Adapter;
import io.exproto.handler.ConnectionHandler;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.ReceivedMessages;
import io.exproto.handler.SocketClosed;
import io.exproto.handler.SocketCreated;
import io.exproto.handler.TimerTimeout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An in-process protocol for the DTLS tests: sends every received datagram back with
 * {@link Adapter#send}, closes the connection with {@link Adapter#close} when a device sends
 * {@code quit}, and records every OnSocketCreated, OnReceivedBytes and OnSocketClosed.
 * {@link #stall()} makes OnReceivedBytes return a stage the test completes later with
 * {@link #release()}.
 */
final class EchoHandler implements ConnectionHandler {

  private final Adapter adapter;
  private final List<SocketCreated> created = new ArrayList<>();
  private final List<SocketClosed> closed = new ArrayList<>();
  private final List<String> received = new ArrayList<>();
  private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);

  EchoHandler(Adapter adapter) {
    this.adapter = adapter;
  }

  @Override
  public synchronized CompletionStage<Void> onSocketCreated(SocketCreated event) {
    created.add(event);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> onReceivedBytes(ReceivedBytes event) {
    String text = new String(event.bytes(), StandardCharsets.UTF_8);
    synchronized (this) {
      received.add(text);
    }
    CompletableFuture<Void> current = gate;
    CompletionStage<?> reply = text.equals("quit")
        ? adapter.close(event.conn())
        : adapter.send(event.conn(), event.bytes());
    return reply.thenCompose(result -> current);
  }

  @Override
  public CompletionStage<Void> onTimerTimeout(TimerTimeout event) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> onReceivedMessages(ReceivedMessages event) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized CompletionStage<Void> onSocketClosed(SocketClosed event) {
    closed.add(event);
    return CompletableFuture.completedFuture(null);
  }

  /** The gateway's adapter, for a test's own calls. */
  Adapter adapter() {
    return adapter;
  }

  /** Makes every OnReceivedBytes from now on wait until {@link #release()}. */
  void stall() {
    gate = new CompletableFuture<>();
  }

  /** Completes the stalled callbacks, and answers later ones at once. */
  void release() {
    CompletableFuture<Void> stalled = gate;
    gate = CompletableFuture.completedFuture(null);
    stalled.complete(null);
  }

  synchronized List<SocketCreated> created() {
    return List.copyOf(created);
  }

  synchronized List<SocketClosed> closed() {
    return List.copyOf(closed);
  }

  synchronized List<String> received() {
    return List.copyOf(received);
  }

  synchronized Optional<String> closeReason(String conn) {
    return closed.stream().filter(e -> e.conn().equals(conn)).map(SocketClosed::reason).findFirst();
  }
}
