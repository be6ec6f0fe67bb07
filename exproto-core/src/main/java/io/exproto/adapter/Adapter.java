package io.exproto.adapter;

import java.util.concurrent.CompletionStage;

/**
 * The operations a protocol handler uses to act on device connections: the Java form of the
 * ExProto {@code ConnectionAdapter} service. Implemented by the gateway; the gRPC adapter server is
 * a thin mapping onto it, and in-process handlers call it directly.
 *
 * <p>Every method may be called from any thread, including from inside a handler callback for the
 * same connection (the gateway holds no lock across a callback). The returned stages never
 * complete exceptionally: every failure is a {@link Result} with its code and a message naming the
 * field at fault. {@code conn} values that are null, malformed or unknown give
 * {@link ResultCode#CONN_PROCESS_NOT_ALIVE}.
 */
public interface Adapter {

  /**
   * Sends bytes to a device.
   *
   * @param conn the connection id
   * @param bytes the bytes, owned by the gateway after the call
   * @return the result
   */
  CompletionStage<Result> send(String conn, byte[] bytes);

  /**
   * Closes a device connection with reason {@code normal}.
   *
   * @param conn the connection id
   * @return the result
   */
  CompletionStage<Result> close(String conn);

  /**
   * Registers the client behind a connection: runs the authenticators and, when allowed, makes the
   * connection able to publish and subscribe. The mountpoint is rendered now.
   *
   * @param conn the connection id
   * @param clientInfo who the device says it is; {@code clientId} must not be empty
   * @param password the password (empty for none); never logged
   * @return the result
   */
  CompletionStage<Result> authenticate(String conn, ClientInfo clientInfo, String password);

  /**
   * Starts (or replaces) a connection's keepalive timer.
   *
   * @param conn the connection id
   * @param type the timer type; null gives {@link ResultCode#PARAMS_TYPE_ERROR}
   * @param intervalSeconds the interval in seconds, greater than 0
   * @return the result
   */
  CompletionStage<Result> startTimer(String conn, TimerType type, long intervalSeconds);

  /**
   * Publishes a message on behalf of an authenticated connection; the topic is mounted.
   *
   * @param conn the connection id
   * @param topic the topic name, without wildcards
   * @param qos 0, 1 or 2
   * @param payload the payload, owned by the gateway after the call
   * @return the result
   */
  CompletionStage<Result> publish(String conn, String topic, int qos, byte[] payload);

  /**
   * Subscribes an authenticated connection to a topic filter; the filter is mounted. Subscribing
   * an existing filter again updates its qos.
   *
   * @param conn the connection id
   * @param filter the topic filter, may be {@code $share/<group>/<filter>}
   * @param qos 0, 1 or 2
   * @return the result
   */
  CompletionStage<Result> subscribe(String conn, String filter, int qos);

  /**
   * Removes a subscription of an authenticated connection. An unknown filter is a success.
   *
   * @param conn the connection id
   * @param filter the topic filter as given to subscribe
   * @return the result
   */
  CompletionStage<Result> unsubscribe(String conn, String filter);

  /**
   * Publishes a message with no connection: no authentication, no mountpoint. The message's
   * {@code from} is {@code exproto}.
   *
   * @param topic the topic name, without wildcards
   * @param qos 0, 1 or 2
   * @param payload the payload, owned by the gateway after the call
   * @return the result
   */
  CompletionStage<Result> rawPublish(String topic, int qos, byte[] payload);
}
