package io.exproto.handler;

import java.util.concurrent.CompletionStage;

/**
 * A device protocol: the five ExProto callbacks as a Java interface. Implement it directly for an
 * in-process handler, or use the gRPC binding's remote handler to call a handler service.
 *
 * <p>Threading: for one connection, the gateway calls one method at a time, in event order, and
 * calls the next only after the stage returned by the previous completes. Different connections
 * are called concurrently. A handler may call the {@link io.exproto.adapter.Adapter} from inside a
 * callback (and may wait on the result there).
 *
 * <p>A stage that completes exceptionally, or does not complete within the gateway's handler
 * deadline, is a handler error: the gateway closes the connection with reason
 * {@code handler_error}. A method that throws is treated the same way.
 */
public interface ConnectionHandler {

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
