package io.exproto.internal.engine;

import io.exproto.auth.Authenticator;
import io.exproto.auth.Authorizer;
import io.exproto.auth.AuthzResult;
import io.exproto.handler.FailurePolicy;
import io.exproto.hooks.GatewayHooks;
import io.exproto.broker.Broker;
import io.exproto.gateway.GatewayMetrics;
import io.exproto.time.Scheduler;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Everything the engine needs, fixed when the gateway is built.
 *
 * @param nodeName the gateway's node name, in every delivered message
 * @param mountpoint the gateway's mountpoint template
 * @param idleTimeoutMillis the idle timeout, 0 to disable
 * @param handlerTimeoutMillis the deadline of one handler callback
 * @param closeFlushTimeoutMillis how long a closing connection may flush its queued callbacks
 * @param queueCapacity events queued per connection before reading pauses
 * @param maxBatchSize messages per OnReceivedMessages
 * @param maxBatchBytes the estimated encoded bytes per OnReceivedMessages; a message bigger on its
 *     own is dropped
 * @param maxPayloadBytes the largest publish payload
 * @param maxSubscriptions subscriptions per connection
 * @param maxTopicLength the longest topic name or filter, in bytes of UTF-8
 * @param maxTopicLevels the most levels of a topic name or filter
 * @param brokerTimeoutMillis the deadline of one broker call
 * @param broker the broker
 * @param authenticators the authenticator chain, in order
 * @param authorizers the authorizer chain, in order
 * @param authorizationDefault the decision when no authorizer matches (ALLOW or DENY)
 * @param hooks the host's hooks, in order
 * @param failurePolicy what a failed callback does
 * @param retryWindowMillis how long the retry policy keeps retrying one callback
 * @param scheduler the clock and timers
 * @param executor where callbacks of a handler that may block run (see ConnectionHandler#isNonBlocking)
 * @param metrics the counters
 */
public record EngineConfig(
    String nodeName,
    String mountpoint,
    long idleTimeoutMillis,
    long handlerTimeoutMillis,
    long closeFlushTimeoutMillis,
    int queueCapacity,
    int maxBatchSize,
    int maxBatchBytes,
    int maxPayloadBytes,
    int maxSubscriptions,
    int maxTopicLength,
    int maxTopicLevels,
    long brokerTimeoutMillis,
    Broker broker,
    List<Authenticator> authenticators,
    List<Authorizer> authorizers,
    AuthzResult authorizationDefault,
    List<GatewayHooks> hooks,
    FailurePolicy failurePolicy,
    long retryWindowMillis,
    Scheduler scheduler,
    Executor executor,
    GatewayMetrics metrics) {}
