package io.exproto.benchmarks.server;

import io.exproto.adapter.Adapter;
import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.Result;
import io.exproto.broker.Message;
import io.exproto.handler.ConnectionHandler;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.ReceivedMessages;
import io.exproto.handler.SocketClosed;
import io.exproto.handler.SocketCreated;
import io.exproto.handler.TimerTimeout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The Java handlers the benchmark gateway runs in-process, without gRPC. Both authenticate every
 * new connection with its conn id as client id, then greet it ({@link Greeting}).
 */
public final class InProcessHandlers {

  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private InProcessHandlers() {}

  /**
   * Creates the echo handler: {@code OnReceivedBytes -> Send} of the same bytes.
   *
   * @param adapter the gateway's adapter
   * @return the handler
   */
  public static ConnectionHandler echo(Adapter adapter) {
    return new Echo(adapter, false);
  }

  /**
   * Creates the handler of the EMQX-example path: it subscribes each connection to
   * {@code echo/<conn>} when it connects, publishes received bytes to that topic, and sends
   * delivered messages back to the device ({@code OnReceivedBytes -> Publish ->
   * OnReceivedMessages -> Send}).
   *
   * @param adapter the gateway's adapter
   * @return the handler
   */
  public static ConnectionHandler publishSubscribe(Adapter adapter) {
    return new Echo(adapter, true);
  }

  /**
   * The topic a connection's bytes go to and come back from on the EMQX path.
   *
   * @param conn the connection id (URL-safe base64: never a wildcard or a level separator)
   * @return {@code echo/<conn>}
   */
  public static String topicOf(String conn) {
    return "echo/" + conn;
  }

  private static final class Echo implements ConnectionHandler {
    private final Adapter adapter;
    private final boolean viaBroker;

    Echo(Adapter adapter, boolean viaBroker) {
      this.adapter = adapter;
      this.viaBroker = viaBroker;
    }

    @Override
    public CompletionStage<Void> onSocketCreated(SocketCreated event) {
      String conn = event.conn();
      CompletionStage<Result> ready = adapter.authenticate(conn, ClientInfo.of(conn, ""), "")
          .thenCompose(r -> {
            require(r);
            return viaBroker ? adapter.subscribe(conn, topicOf(conn), 0) : done(r);
          });
      return ready.thenCompose(r -> {
        require(r);
        return adapter.send(conn, Greeting.bytes());
      }).thenApply(r -> {
        require(r);
        return null;
      });
    }

    @Override
    public CompletionStage<Void> onReceivedBytes(ReceivedBytes event) {
      if (viaBroker) {
        return adapter.publish(event.conn(), topicOf(event.conn()), 0, event.bytes()).thenApply(r -> {
          require(r);
          return null;
        });
      }
      adapter.send(event.conn(), event.bytes());
      return DONE;
    }

    @Override
    public CompletionStage<Void> onReceivedMessages(ReceivedMessages event) {
      for (Message message : event.messages()) {
        adapter.send(event.conn(), message.payload());
      }
      return DONE;
    }

    @Override
    public CompletionStage<Void> onTimerTimeout(TimerTimeout event) {
      return DONE;
    }

    @Override
    public CompletionStage<Void> onSocketClosed(SocketClosed event) {
      return DONE;
    }

    private static void require(Result result) {
      if (!result.isSuccess()) {
        throw new IllegalStateException(result.code() + ": " + result.message());
      }
    }

    private static CompletionStage<Result> done(Result result) {
      return CompletableFuture.completedFuture(result);
    }
  }
}
