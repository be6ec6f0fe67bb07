package io.exproto.grpc.adapter;

import io.exproto.handler.ConnectionHandler;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.ReceivedMessages;
import io.exproto.handler.SocketClosed;
import io.exproto.handler.SocketCreated;
import io.exproto.handler.TimerTimeout;
import java.util.concurrent.CompletableFuture;

/** A handler that answers every callback at once, for the adapter server tests (no device connects). */
final class NoopHandler implements ConnectionHandler {

  @Override
  public CompletableFuture<Void> onSocketCreated(SocketCreated event) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> onReceivedBytes(ReceivedBytes event) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> onTimerTimeout(TimerTimeout event) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> onReceivedMessages(ReceivedMessages event) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> onSocketClosed(SocketClosed event) {
    return CompletableFuture.completedFuture(null);
  }
}
