package io.exproto.grpc.internal;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
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
 * cannot index it and each new value pushes older entries out of the shared header table. The
 * deadlines of every instance in the JVM run on the {@link SharedTimer} (10 ms tick).
 *
 * <p>{@link #callWhenReady} makes a call that waits for its channel to connect (gRPC's
 * {@code waitForReady}) instead of failing while the channel is reconnecting, and that tells a
 * failure of a call that was never sent ({@link NotSentException}: safe to make again) from one
 * that may have reached the server. Such a call waits for a connection for at most
 * {@link #waitMillis()}, nine tenths of the deadline, so that a caller with a deadline of its own of
 * the same length (the gateway's handler deadline) still learns that it was not sent before that
 * deadline passes.
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

  private final long timeoutMillis;
  private final long waitMillis;
  private volatile boolean closed;

  /**
   * Creates the calls' deadline keeper.
   *
   * @param timeoutMillis the deadline of every call, positive
   */
  public DeadlineCalls(long timeoutMillis) {
    this.timeoutMillis = timeoutMillis;
    this.waitMillis = Math.max(1, timeoutMillis - timeoutMillis / 10);
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
   * Returns how long a call made with {@link #callWhenReady} waits for a connection before it
   * fails as not sent: nine tenths of the deadline (at least 1 ms).
   *
   * @return milliseconds
   */
  public long waitMillis() {
    return waitMillis;
  }

  /**
   * Starts one unary call with the deadline. The call fails at once while its channel cannot
   * connect.
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
    Call<Req, Resp> call = new Call<>(rpc, null);
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
    call.arm(timeoutMillis);
    return call.result;
  }

  /**
   * Starts one unary call that waits for its channel to connect, for at most
   * {@link #waitMillis()}, and then has the rest of the deadline to be answered.
   *
   * @param rpc the rpc's name, for the status descriptions
   * @param channel the channel
   * @param method the method
   * @param request the request
   * @param <Req> the request type
   * @param <Resp> the response type
   * @return completes with the response; exceptionally with a {@link NotSentException} when the
   *     call was never handed to a connection to the server (its cause: {@code UNAVAILABLE}, the
   *     wait for a connection ran out or the channel shut down), else with the call's failure
   *     (a {@link io.grpc.StatusRuntimeException}: the server's error, {@code DEADLINE_EXCEEDED} at
   *     the deadline, {@code UNAVAILABLE} when the connection broke with the call on it), or with
   *     the {@link RuntimeException} thrown when starting the call
   */
  public <Req, Resp> CompletableFuture<Resp> callWhenReady(String rpc, Channel channel,
      MethodDescriptor<Req, Resp> method, Req request) {
    CallReach reach = new CallReach();
    Call<Req, Resp> call = new Call<>(rpc, reach);
    Context detached = Context.current().fork();
    Context previous = detached.attach();
    try {
      ClientCall<Req, Resp> clientCall =
          channel.newCall(method, CallOptions.DEFAULT.withWaitForReady().withStreamTracerFactory(reach));
      ClientCalls.asyncUnaryCall(clientCall, request, call);
    } catch (RuntimeException e) {
      call.result.completeExceptionally(e);
      return call.result;
    } finally {
      detached.detach(previous);
    }
    call.arm(waitMillis);
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
    // Null for a call that does not wait for a connection.
    private final CallReach reach;
    private final long deadlineNanos;
    private volatile ClientCallStreamObserver<Req> requests;
    private volatile Timeout deadline;
    // Set when the call was cancelled because it had not been sent within the wait.
    private volatile boolean gaveUpUnsent;
    private Resp response;

    Call(String rpc, CallReach reach) {
      this.rpc = rpc;
      this.reach = reach;
      this.deadlineNanos = reach == null ? 0 : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Req> requestStream) {
      requests = requestStream;
    }

    void arm(long delayMillis) {
      if (result.isDone() || closed) {
        return;
      }
      deadline = SharedTimer.schedule(this, delayMillis, TimeUnit.MILLISECONDS);
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

    /**
     * The wait or the deadline passed. A call still unsent is cancelled, and fails as not sent
     * when it closes (only then is it certain that no stream was started meanwhile); a sent one
     * gets the rest of its deadline, and at the deadline fails, then is cancelled so the server
     * stops too.
     */
    @Override
    public void run(Timeout timeout) {
      if (result.isDone()) {
        return;
      }
      if (reach != null && !reach.mayHaveReached()) {
        gaveUpUnsent = true;
        cancel(rpc + ": not sent: no connection to the server within " + waitMillis + " ms");
        return;
      }
      long left = deadlineNanos - System.nanoTime();
      if (reach != null && left > TimeUnit.MILLISECONDS.toNanos(1) && !closed) {
        deadline = SharedTimer.schedule(this, left, TimeUnit.NANOSECONDS);
        if (result.isDone()) {
          disarm();
        }
        return;
      }
      String why = rpc + ": no answer within " + timeoutMillis + " ms";
      if (result.completeExceptionally(Status.DEADLINE_EXCEEDED.withDescription(why).asRuntimeException())) {
        cancel(why);
      }
    }

    private void cancel(String why) {
      ClientCallStreamObserver<Req> started = requests;
      if (started != null) {
        started.cancel(why, null);
      }
    }

    @Override
    public void onNext(Resp value) {
      response = value;
    }

    @Override
    public void onError(Throwable error) {
      disarm();
      if (reach == null) {
        result.completeExceptionally(error);
        return;
      }
      boolean reached = reach.mayHaveReached();
      if (gaveUpUnsent) {
        result.completeExceptionally(reached
            // A connection came up as the wait ran out: the call may have gone out on it.
            ? Status.DEADLINE_EXCEEDED.withDescription(rpc + ": no answer within " + waitMillis + " ms")
                .asRuntimeException()
            : new NotSentException(Status.UNAVAILABLE.withDescription(rpc
                + ": not sent: no connection to the server within " + waitMillis + " ms").asRuntimeException()));
        return;
      }
      Status status = Status.fromThrowable(error);
      if (!reached && status.getCode() == Status.Code.UNAVAILABLE) {
        result.completeExceptionally(new NotSentException(
            error instanceof StatusRuntimeException failed ? failed : status.asRuntimeException()));
        return;
      }
      result.completeExceptionally(error);
    }

    @Override
    public void onCompleted() {
      disarm();
      result.complete(response);
    }
  }
}
