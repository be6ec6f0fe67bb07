package io.exproto.grpc.internal;

import io.exproto.adapter.Adapter;
import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.Result;
import io.exproto.adapter.TimerType;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * An {@link Adapter} that runs each operation of another one on an executor, for a gateway whose
 * adapter operations may block (a host broker that blocks in publish): the ConnectionAdapter
 * server then calls this one on its network threads, and only the hand-off happens there.
 *
 * <p>Internal: not part of the public API.
 */
public final class ExecutorAdapter implements Adapter {

  private final Adapter adapter;
  private final Executor executor;

  /**
   * Wraps an adapter.
   *
   * @param adapter the adapter whose operations run on {@code executor}; not owned
   * @param executor where they run; not owned
   */
  public ExecutorAdapter(Adapter adapter, Executor executor) {
    this.adapter = adapter;
    this.executor = executor;
  }

  private CompletionStage<Result> on(Supplier<CompletionStage<Result>> operation) {
    return CompletableFuture.supplyAsync(operation, executor).thenCompose(stage -> stage);
  }

  @Override
  public CompletionStage<Result> send(String conn, byte[] bytes) {
    return on(() -> adapter.send(conn, bytes));
  }

  @Override
  public CompletionStage<Result> close(String conn) {
    return on(() -> adapter.close(conn));
  }

  @Override
  public CompletionStage<Result> authenticate(String conn, ClientInfo clientInfo, String password) {
    return on(() -> adapter.authenticate(conn, clientInfo, password));
  }

  @Override
  public CompletionStage<Result> startTimer(String conn, TimerType type, long intervalSeconds) {
    return on(() -> adapter.startTimer(conn, type, intervalSeconds));
  }

  @Override
  public CompletionStage<Result> publish(String conn, String topic, int qos, byte[] payload) {
    return on(() -> adapter.publish(conn, topic, qos, payload));
  }

  @Override
  public CompletionStage<Result> subscribe(String conn, String filter, int qos) {
    return on(() -> adapter.subscribe(conn, filter, qos));
  }

  @Override
  public CompletionStage<Result> unsubscribe(String conn, String filter) {
    return on(() -> adapter.unsubscribe(conn, filter));
  }

  @Override
  public CompletionStage<Result> rawPublish(String topic, int qos, byte[] payload) {
    return on(() -> adapter.rawPublish(topic, qos, payload));
  }
}
