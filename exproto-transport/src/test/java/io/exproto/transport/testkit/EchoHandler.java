package io.exproto.transport.testkit;

import io.exproto.adapter.Adapter;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.SocketClosed;
import io.exproto.handler.SocketCreated;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An in-process protocol for the socket tests: sends every received chunk back with
 * {@link Adapter#send}, closes the connection with {@link Adapter#close} when a device sends a line
 * {@code quit}, and records every callback. {@link #stall()} makes OnReceivedBytes return a stage
 * the test completes later with {@link #release()}.
 */
public final class EchoHandler extends IdleHandler {

  private final Adapter adapter;
  private final List<SocketCreated> created = new ArrayList<>();
  private final List<SocketClosed> closed = new ArrayList<>();
  private final Map<String, ByteArrayOutputStream> received = new LinkedHashMap<>();
  private int bytesCallbacks;
  private volatile boolean echo = true;
  private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);

  public EchoHandler(Adapter adapter) {
    this.adapter = adapter;
  }

  @Override
  public synchronized CompletionStage<Void> onSocketCreated(SocketCreated event) {
    created.add(event);
    received.put(event.conn(), new ByteArrayOutputStream());
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> onReceivedBytes(ReceivedBytes event) {
    String text;
    synchronized (this) {
      bytesCallbacks++;
      ByteArrayOutputStream sofar = received.get(event.conn());
      sofar.writeBytes(event.bytes());
      text = echo ? sofar.toString(StandardCharsets.UTF_8) : "";
    }
    CompletionStage<?> reply = CompletableFuture.completedFuture(null);
    if (echo) {
      reply = text.endsWith("quit\n")
          ? adapter.close(event.conn())
          : adapter.send(event.conn(), event.bytes());
    }
    CompletableFuture<Void> current = gate;
    return reply.thenCompose(result -> current);
  }

  @Override
  public synchronized CompletionStage<Void> onSocketClosed(SocketClosed event) {
    closed.add(event);
    return CompletableFuture.completedFuture(null);
  }

  /** The gateway's adapter, for a test that makes its own adapter calls. */
  public Adapter adapter() {
    return adapter;
  }

  /** Stops echoing: received bytes are only recorded. */
  public void recordOnly() {
    echo = false;
  }

  /** Makes every OnReceivedBytes from now on wait until {@link #release()}. */
  public void stall() {
    gate = new CompletableFuture<>();
  }

  /** Completes the stalled callbacks, and answers later ones at once. */
  public void release() {
    gate.complete(null);
  }

  public synchronized List<SocketCreated> created() {
    return List.copyOf(created);
  }

  public synchronized Optional<String> closeReason(String conn) {
    return closed.stream().filter(e -> e.conn().equals(conn)).map(SocketClosed::reason).findFirst();
  }

  public synchronized int closedCount() {
    return closed.size();
  }

  public synchronized byte[] received(String conn) {
    ByteArrayOutputStream bytes = received.get(conn);
    return bytes == null ? new byte[0] : bytes.toByteArray();
  }

  public synchronized int receivedCount(String conn) {
    ByteArrayOutputStream bytes = received.get(conn);
    return bytes == null ? 0 : bytes.size();
  }

  public synchronized int bytesCallbacks() {
    return bytesCallbacks;
  }
}
