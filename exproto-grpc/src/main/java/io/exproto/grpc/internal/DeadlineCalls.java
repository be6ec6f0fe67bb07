package io.exproto.grpc.internal;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Unary calls on an asynchronous stub whose deadline is kept on this side instead of in gRPC's
 * call options: a call still unanswered at its deadline fails with {@code DEADLINE_EXCEEDED} and
 * is cancelled, so the server sees it cancelled. The deadline is not sent as a
 * {@code grpc-timeout} header: its value differs on every call, so HTTP/2's header compression
 * cannot index it and each new value pushes older entries out of the shared header table. Every
 * instance in the JVM shares one daemon timer thread (a hashed wheel with a 10 ms tick, started by
 * the first call), so an application may create any number of clients.
 *
 * <p>A call is started in a fork of the caller's gRPC {@link Context}: it keeps the context's values
 * but not its cancellation, so a call started from inside a server call (a handler callback
 * calling the adapter, or a gateway dispatching a callback from inside an adapter call) does not
 * end when that server call does; its own deadline bounds it.
 *
 * <p>Thread-safe. After {@link #close()} calls get no deadline of their own (their channel is
 * expected to be shut down with it).
 *
 * <p>Internal: not part of the public API.
 */
public final class DeadlineCalls implements AutoCloseable {

  /** The JVM's one deadline timer, created on first use; its thread is a daemon and never stopped. */
  private static final class SharedTimer {
    static final HashedWheelTimer TIMER = new HashedWheelTimer(runnable -> {
      Thread thread = new Thread(runnable, "exproto-grpc-deadlines");
      thread.setDaemon(true);
      return thread;
    }, 10, TimeUnit.MILLISECONDS);
  }

  private final long timeoutMillis;
  private volatile boolean closed;

  /**
   * Creates the calls' deadline keeper.
   *
   * @param timeoutMillis the deadline of every call, positive
   */
  public DeadlineCalls(long timeoutMillis) {
    this.timeoutMillis = timeoutMillis;
  }

  /**
   * Returns the deadline of every call.
   *
   * @return milliseconds
   */
  public long timeoutMillis() {
    return timeoutMillis;
  }

  /**
   * Starts one unary call with the deadline.
   *
   * @param rpc the rpc's name, for the deadline's status description
   * @param request the request
   * @param method the asynchronous stub's method, e.g. {@code stub::send}
   * @param <Req> the request type
   * @param <Resp> the response type
   * @return completes with the response; exceptionally with the call's failure (usually a
   *     {@link io.grpc.StatusRuntimeException}), with a {@code DEADLINE_EXCEEDED}
   *     {@link io.grpc.StatusRuntimeException} at the deadline, or with the
   *     {@link RuntimeException} the stub threw when starting the call
   */
  public <Req, Resp> CompletableFuture<Resp> call(String rpc, Req request,
      BiConsumer<Req, StreamObserver<Resp>> method) {
    Call<Req, Resp> call = new Call<>(rpc);
    Context detached = Context.current().fork();
    Context previous = detached.attach();
    try {
      method.accept(request, call);
    } catch (RuntimeException e) {
      call.result.completeExceptionally(e);
      return call.result;
    } finally {
      detached.detach(previous);
    }
    call.arm();
    return call.result;
  }

  /** Arms no more deadlines; those armed still fire (a call they end is already over). Idempotent. */
  @Override
  public void close() {
    closed = true;
  }

  /** One call: its result, its deadline, and the means to cancel it. */
  private final class Call<Req, Resp> implements ClientResponseObserver<Req, Resp>, TimerTask {
    final CompletableFuture<Resp> result = new CompletableFuture<>();
    private final String rpc;
    private volatile ClientCallStreamObserver<Req> requests;
    private volatile Timeout deadline;
    private Resp response;

    Call(String rpc) {
      this.rpc = rpc;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Req> requestStream) {
      requests = requestStream;
    }

    void arm() {
      if (result.isDone() || closed) {
        return;
      }
      deadline = SharedTimer.TIMER.newTimeout(this, timeoutMillis, TimeUnit.MILLISECONDS);
      if (result.isDone()) {
        disarm(); // answered while arming
      }
    }

    private void disarm() {
      Timeout armed = deadline;
      if (armed != null) {
        armed.cancel();
      }
    }

    /** The deadline passed: fails the call, then cancels it so the server stops too. */
    @Override
    public void run(Timeout timeout) {
      String why = rpc + ": no answer within " + timeoutMillis + " ms";
      if (result.completeExceptionally(Status.DEADLINE_EXCEEDED.withDescription(why).asRuntimeException())) {
        ClientCallStreamObserver<Req> started = requests;
        if (started != null) {
          started.cancel(why, null);
        }
      }
    }

    @Override
    public void onNext(Resp value) {
      response = value;
    }

    @Override
    public void onError(Throwable error) {
      disarm();
      result.completeExceptionally(error);
    }

    @Override
    public void onCompleted() {
      disarm();
      result.complete(response);
    }
  }
}
