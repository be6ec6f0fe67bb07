package io.exproto.gateway;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A handler for tests: records every callback as text ("created", "bytes:hello", "timeout:KEEPALIVE",
 * "messages:t=p,t2=p2", "closed:reason") per connection, and lets a test plug behaviour per callback.
 * Public for the engine's own tests in {@code io.exproto.internal.engine}.
 */
public final class RecordingHandler implements ConnectionHandler {

  final List<String> log = new ArrayList<>();
  final List<String> conns = new ArrayList<>();
  final List<ReceivedMessages> batches = new ArrayList<>();
  volatile Adapter adapter;
  volatile Function<SocketCreated, CompletionStage<Void>> onCreated = e -> done();
  /** What OnReceivedBytes answers; completes at once by default. */
  public volatile Function<ReceivedBytes, CompletionStage<Void>> onBytes = e -> done();
  volatile Function<ReceivedMessages, CompletionStage<Void>> onMessages = e -> done();
  /** What OnSocketClosed answers; completes at once by default. */
  public volatile Function<SocketClosed, CompletionStage<Void>> onClosed = e -> done();

  static CompletableFuture<Void> done() {
    return CompletableFuture.completedFuture(null);
  }

  RecordingHandler attach(Adapter adapter) {
    this.adapter = adapter;
    return this;
  }

  private synchronized void record(String conn, String entry) {
    if (!conns.contains(conn)) {
      conns.add(conn);
    }
    log.add(conn + " " + entry);
  }

  /** The recorded entries of one connection, without its id. */
  synchronized List<String> of(String conn) {
    List<String> out = new ArrayList<>();
    for (String line : log) {
      if (line.startsWith(conn + " ")) {
        out.add(line.substring(conn.length() + 1));
      }
    }
    return out;
  }

  /**
   * Returns the id of the n-th connection seen.
   *
   * @param n from 0
   * @return the conn id, or null when fewer connections were seen
   */
  public synchronized String conn(int n) {
    return conns.size() > n ? conns.get(n) : null;
  }

  synchronized int connCount() {
    return conns.size();
  }

  @Override
  public CompletionStage<Void> onSocketCreated(SocketCreated event) {
    record(event.conn(), "created");
    return onCreated.apply(event);
  }

  @Override
  public CompletionStage<Void> onReceivedBytes(ReceivedBytes event) {
    record(event.conn(), "bytes:" + new String(event.bytes(), StandardCharsets.UTF_8));
    return onBytes.apply(event);
  }

  @Override
  public CompletionStage<Void> onTimerTimeout(TimerTimeout event) {
    record(event.conn(), "timeout:" + event.type());
    return done();
  }

  @Override
  public CompletionStage<Void> onReceivedMessages(ReceivedMessages event) {
    StringBuilder sb = new StringBuilder("messages:");
    event.messages().forEach(m -> sb.append(m.topic()).append('=')
        .append(new String(m.payload(), StandardCharsets.UTF_8)).append(','));
    sb.setLength(sb.length() - 1);
    synchronized (this) {
      batches.add(event);
    }
    record(event.conn(), sb.toString());
    return onMessages.apply(event);
  }

  @Override
  public CompletionStage<Void> onSocketClosed(SocketClosed event) {
    record(event.conn(), "closed:" + event.reason());
    return onClosed.apply(event);
  }
}
