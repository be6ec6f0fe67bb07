package io.exproto.gateway;

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
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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

  @Test
  void callbacksOfAConnectionAreSequentialAndInOrderUnderConcurrentAdapterCalls() throws Exception {
    InProcessListener listener = new InProcessListener();
    CheckingHandler handler = new CheckingHandler(async, false);
    gateway = Gateway.builder().listener(listener).handler(a -> handler).build();
    gateway.start();

    handler.driveConcurrentTrafficAndCheckOrder(gateway, listener);
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
