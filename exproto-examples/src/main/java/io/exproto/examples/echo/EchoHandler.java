package io.exproto.examples.echo;

import io.exproto.adapter.Adapter;
import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.Result;
import io.exproto.adapter.TimerType;
import io.exproto.broker.Message;
import io.exproto.handler.ConnectionHandler;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.ReceivedMessages;
import io.exproto.handler.SocketClosed;
import io.exproto.handler.SocketCreated;
import io.exproto.handler.TimerTimeout;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The echo protocol as an in-process handler: it calls the gateway's {@link Adapter} directly, with
 * no gRPC. Pass it to the gateway as {@code Gateway.builder().handler(EchoHandler::new)}.
 *
 * <ul>
 *   <li>On socket created: authenticates the connection with client id = the connection id (unique
 *       per connection) and protocol name {@value #PROTO_NAME}, subscribes it to
 *       {@link #topicOf(String) echo/&lt;clientid&gt;}, and starts a {@value #KEEPALIVE_SECONDS} s
 *       keepalive timer.
 *   <li>On received bytes: publishes them, unchanged, to that topic.
 *   <li>On received messages: sends each payload back to the device.
 * </ul>
 *
 * <p>So bytes travel device, handler, broker, handler, device, and the gateway's mountpoint and
 * broker are on the path. A failed adapter call fails the callback, so the gateway closes the
 * connection with reason {@code handler_error}. Stateless and thread-safe.
 */
public final class EchoHandler implements ConnectionHandler {

  /** The protocol name given to Authenticate. */
  public static final String PROTO_NAME = "echo";

  /** The protocol version given to Authenticate. */
  public static final String PROTO_VERSION = "1";

  /** The keepalive interval started for every connection, in seconds. */
  public static final long KEEPALIVE_SECONDS = 60;

  private static final Logger log = LoggerFactory.getLogger(EchoHandler.class);

  private final Adapter adapter;

  /**
   * Creates the handler.
   *
   * @param adapter the gateway's adapter, not null
   */
  public EchoHandler(Adapter adapter) {
    this.adapter = Objects.requireNonNull(adapter, "adapter");
  }

  /**
   * Returns the topic an echo client publishes to and is subscribed to.
   *
   * @param clientId the client id, not null
   * @return {@code echo/<clientId>}
   */
  public static String topicOf(String clientId) {
    return "echo/" + clientId;
  }

  /**
   * Returns the client id the echo protocol gives a connection: its connection id, which the
   * gateway makes unique and free of topic wildcards.
   *
   * @param conn the connection id, not null
   * @return the client id
   */
  public static String clientIdOf(String conn) {
    return conn;
  }

  /**
   * Authenticates the connection, subscribes it to its topic and starts its keepalive timer.
   *
   * @param event the event, not null
   * @return completes when the three adapter calls succeeded; fails when one did not
   */
  @Override
  public CompletionStage<Void> onSocketCreated(SocketCreated event) {
    String conn = event.conn();
    String clientId = clientIdOf(conn);
    log.debug("{} connected from {}", conn, event.info().peer());
    return adapter.authenticate(conn, new ClientInfo(PROTO_NAME, PROTO_VERSION, clientId, ""), "")
        .thenCompose(r -> {
          require(r, "Authenticate");
          return adapter.subscribe(conn, topicOf(clientId), 0);
        })
        .thenCompose(r -> {
          require(r, "Subscribe");
          return adapter.startTimer(conn, TimerType.KEEPALIVE, KEEPALIVE_SECONDS);
        })
        .thenAccept(r -> require(r, "StartTimer"));
  }

  /**
   * Publishes the bytes to the connection's topic.
   *
   * @param event the event, not null
   * @return completes when the publish succeeded; fails when it did not
   */
  @Override
  public CompletionStage<Void> onReceivedBytes(ReceivedBytes event) {
    return adapter.publish(event.conn(), topicOf(clientIdOf(event.conn())), 0, event.bytes())
        .thenAccept(r -> require(r, "Publish"));
  }

  /**
   * Does nothing: the gateway closes the connection right after a keepalive timeout.
   *
   * @param event the event, not null
   * @return a completed stage
   */
  @Override
  public CompletionStage<Void> onTimerTimeout(TimerTimeout event) {
    log.debug("{} keepalive timed out", event.conn());
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Sends each message's payload back to the device, in order.
   *
   * @param event the event, not null
   * @return completes when every send succeeded; fails at the first that did not
   */
  @Override
  public CompletionStage<Void> onReceivedMessages(ReceivedMessages event) {
    CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
    for (Message message : event.messages()) {
      chain = chain.thenCompose(ignored -> adapter.send(event.conn(), message.payload()))
          .thenAccept(r -> require(r, "Send"));
    }
    return chain;
  }

  /**
   * Does nothing: the gateway drops the connection's subscription itself.
   *
   * @param event the event, not null
   * @return a completed stage
   */
  @Override
  public CompletionStage<Void> onSocketClosed(SocketClosed event) {
    log.debug("{} closed: {}", event.conn(), event.reason());
    return CompletableFuture.completedFuture(null);
  }

  private static void require(Result result, String operation) {
    if (!result.isSuccess()) {
      throw new CompletionException(new IllegalStateException(
          operation + " failed: " + result.code() + " " + result.message()));
    }
  }
}
