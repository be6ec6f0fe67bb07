package io.exproto.handler;

import java.util.concurrent.CompletionStage;

/**
 * A device protocol: the five ExProto callbacks as a Java interface. Implement it directly for an
 * in-process handler, or use the gRPC binding's remote handler to call a handler service.
 *
 * <p>Threading: for one connection, the gateway calls one method at a time, in event order, and
 * calls the next only after the stage returned by the previous completes. Different connections
 * are called concurrently. A handler may call the {@link io.exproto.adapter.Adapter} from inside a
 * callback (and, unless it declares {@link #isNonBlocking()}, may wait on the result there).
 *
 * <p>A stage that completes exceptionally, or does not complete within the gateway's handler
 * deadline, is a handler error: the gateway closes the connection with reason
 * {@code handler_error}. A method that throws is treated the same way.
 *
 * <p>A handler whose callbacks never block may say so with {@link #isNonBlocking()}; the gateway
 * then calls it on whatever thread has the event at hand instead of handing each callback to its
 * handler pool.
 */
public interface ConnectionHandler {

  /**
   * Tells whether this handler's callbacks never block. False by default: the gateway then runs
   * every callback on its handler pool ({@code Gateway.Builder.executor}), so a callback may wait,
   * for example on the result of an adapter call.
   *
   * <p>A handler that returns true promises that each callback returns quickly, without waiting on
   * a lock held for long, on I/O, on a future (an adapter call's result among them) or on another
   * connection's callback; its slow or remote work completes the returned stage later, from any
   * thread. The gateway then calls it directly on the thread that has the event: a transport's
   * event loop that read the bytes, the thread that completed the previous callback's stage, the
   * gateway's timer thread, or a thread inside an adapter call or a broker delivery for another
   * connection. Every other guarantee stays: one callback at a time per connection, in event order,
   * the handler deadline, and adapter calls (also for the connection whose callback is running)
   * may be made from inside a callback, as long as the callback does not wait for their results
   * but composes on the returned stages. A handler that breaks the promise stalls the threads it
   * blocks, the transport's among them.
   *
   * <p>The gateway reads this once per connection, when the connection opens.
   *
   * @return true when every callback returns without blocking; false (the default) otherwise
   */
  default boolean isNonBlocking() {
    return false;
  }

  /**
   * The first event of a connection.
   *
   * @param event the event
   * @return completes when the handler has processed the event
   */
  CompletionStage<Void> onSocketCreated(SocketCreated event);

  /**
   * Bytes arrived from the device.
   *
   * @param event the event
   * @return completes when the handler has processed the event
   */
  CompletionStage<Void> onReceivedBytes(ReceivedBytes event);

  /**
   * A timer fired.
   *
   * @param event the event
   * @return completes when the handler has processed the event
   */
  CompletionStage<Void> onTimerTimeout(TimerTimeout event);

  /**
   * Messages were delivered to the connection's subscriptions.
   *
   * @param event the event
   * @return completes when the handler has processed the event
   */
  CompletionStage<Void> onReceivedMessages(ReceivedMessages event);

  /**
   * The last event of a connection.
   *
   * @param event the event
   * @return completes when the handler has processed the event
   */
  CompletionStage<Void> onSocketClosed(SocketClosed event);
}
