package io.exproto.benchmarks.load;

import com.google.protobuf.ByteString;
import io.exproto.grpc.proto.ConnectionUnaryHandlerGrpc;
import io.exproto.grpc.proto.EmptySuccess;
import io.exproto.grpc.proto.ReceivedBytesRequest;
import io.exproto.grpc.internal.Addresses;
import io.exproto.grpc.internal.ClientChannels;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client half of reference point (2): unary {@code OnReceivedBytes} calls to a
 * {@link io.exproto.benchmarks.server.PingServer} over one channel tuned as the gateway's handler
 * client is (answers on the network thread), keeping {@code concurrency} calls outstanding.
 *
 * <p>Completions run on the channel's network threads; each records into a histogram of its own,
 * merged once every call has finished.
 */
public final class GrpcPingClient implements AutoCloseable {

  private final ManagedChannel channel;
  private final ConnectionUnaryHandlerGrpc.ConnectionUnaryHandlerStub stub;
  private final ThreadLocal<LatencyHistogram> histogram;
  private final List<LatencyHistogram> histograms = new ArrayList<>();
  private final AtomicInteger outstanding = new AtomicInteger();
  private final AtomicLong failures = new AtomicLong();
  private volatile boolean running;
  private volatile boolean recording;
  private ReceivedBytesRequest request;

  /**
   * Opens a channel to the server.
   *
   * @param host the server's host
   * @param port the server's port
   */
  public GrpcPingClient(String host, int port) {
    // Opened as the gateway's own channels are, so the reference follows their tuning.
    this.channel = ClientChannels.open(Addresses.parseServiceAddress("http://" + host + ":" + port, "ping address"),
        Optional.empty(), "ping address");
    this.stub = ConnectionUnaryHandlerGrpc.newStub(channel);
    this.histogram = ThreadLocal.withInitial(() -> {
      LatencyHistogram own = new LatencyHistogram();
      synchronized (histograms) {
        histograms.add(own);
      }
      return own;
    });
  }

  /**
   * Starts {@code concurrency} chains of calls, each making its next call when its previous one
   * answers.
   *
   * @param concurrency the calls outstanding at any time
   * @param payloadBytes the size of the request's {@code bytes} field
   */
  public void start(int concurrency, int payloadBytes) {
    byte[] bytes = new byte[payloadBytes];
    java.util.Arrays.fill(bytes, (byte) 'p');
    // A conn id of the length the gateway uses (27 characters).
    request = ReceivedBytesRequest.newBuilder()
        .setConn("AAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .setBytes(ByteString.copyFrom(bytes))
        .build();
    running = true;
    for (int i = 0; i < concurrency; i++) {
      call();
    }
  }

  private void call() {
    outstanding.incrementAndGet();
    long start = System.nanoTime();
    stub.onReceivedBytes(request, new StreamObserver<>() {
      @Override
      public void onNext(EmptySuccess value) {}

      @Override
      public void onError(Throwable error) {
        failures.incrementAndGet();
        finish(false);
      }

      @Override
      public void onCompleted() {
        finish(true);
      }

      private void finish(boolean success) {
        if (success && recording) {
          histogram.get().record(System.nanoTime() - start);
        }
        boolean again = running;
        outstanding.decrementAndGet();
        if (again) {
          call();
        }
      }
    });
  }

  /** Starts counting calls and their latency. */
  public void startRecording() {
    recording = true;
  }

  /**
   * Stops counting, stops making calls, and waits for the outstanding ones.
   *
   * @return the merged latency histogram of the calls answered while recording
   * @throws InterruptedException when interrupted
   */
  public LatencyHistogram stop() throws InterruptedException {
    recording = false;
    running = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (outstanding.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    LatencyHistogram merged = new LatencyHistogram();
    synchronized (histograms) {
      for (LatencyHistogram h : histograms) {
        merged.add(h);
      }
    }
    return merged;
  }

  /**
   * Counts the calls that failed.
   *
   * @return the number of failed calls
   */
  public long failures() {
    return failures.get();
  }

  /** Shuts the channel down. */
  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
