package io.exproto.transport.testkit;

import io.exproto.handler.ConnectionHandler;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.ReceivedMessages;
import io.exproto.handler.SocketClosed;
import io.exproto.handler.SocketCreated;
import io.exproto.handler.TimerTimeout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A protocol that does nothing and answers every callback at once; the tests' handlers extend it
 * and override only the callbacks they care about.
 */
public abstract class IdleHandler implements ConnectionHandler {

  /** A stage completed already, the answer of a callback with nothing to wait for. */
  protected static CompletionStage<Void> done() {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> onSocketCreated(SocketCreated event) {
    return done();
  }

  @Override
  public CompletionStage<Void> onReceivedBytes(ReceivedBytes event) {
    return done();
  }

  @Override
  public CompletionStage<Void> onTimerTimeout(TimerTimeout event) {
    return done();
  }

  @Override
  public CompletionStage<Void> onReceivedMessages(ReceivedMessages event) {
    return done();
  }

  @Override
  public CompletionStage<Void> onSocketClosed(SocketClosed event) {
    return done();
  }
}
