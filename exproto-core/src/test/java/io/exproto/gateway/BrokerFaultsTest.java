package io.exproto.gateway;

import static io.exproto.gateway.GatewayFixture.call;
import static org.assertj.core.api.Assertions.assertThat;

import io.exproto.adapter.Result;
import io.exproto.adapter.ResultCode;
import io.exproto.broker.Broker;
import io.exproto.broker.InMemoryBroker;
import io.exproto.broker.Message;
import io.exproto.broker.Subscriber;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A host broker that throws, fails, returns null or never answers: every adapter call still
 * answers, no half subscription is left behind, and other connections go on.
 */
class BrokerFaultsTest {

  /** What the broker does wrong. */
  enum Fault { NONE, THROW, FAIL, NULL, HANG }

  /** An InMemoryBroker with a fault injected per operation. */
  static final class FaultyBroker implements Broker {
    final InMemoryBroker delegate = new InMemoryBroker();
    final List<CompletableFuture<Void>> hung = new CopyOnWriteArrayList<>();
    volatile Fault publish = Fault.NONE;
    volatile Fault subscribe = Fault.NONE;
    volatile Fault unsubscribe = Fault.NONE;

    private CompletionStage<Void> apply(Fault fault, String operation,
        java.util.function.Supplier<CompletionStage<Void>> call) {
      switch (fault) {
        case THROW:
          throw new IllegalStateException("injected: " + operation + " threw");
        case FAIL:
          return CompletableFuture.failedFuture(new IllegalStateException("injected: " + operation + " failed"));
        case NULL:
          return null;
        case HANG:
          // The broker does the work but its answer never comes (until a test completes it).
          call.get();
          CompletableFuture<Void> never = new CompletableFuture<>();
          hung.add(never);
          return never;
        default:
          return call.get();
      }
    }

    @Override
    public CompletionStage<Void> publish(Message message) {
      return apply(publish, "publish", () -> delegate.publish(message));
    }

    @Override
    public CompletionStage<Void> subscribe(String filter, int qos, Subscriber subscriber) {
      return apply(subscribe, "subscribe", () -> delegate.subscribe(filter, qos, subscriber));
    }

    @Override
    public CompletionStage<Void> unsubscribe(String filter, Subscriber subscriber) {
      return apply(unsubscribe, "unsubscribe", () -> delegate.unsubscribe(filter, subscriber));
    }
  }

  private final FaultyBroker broker = new FaultyBroker();

  private GatewayFixture fixture() {
    return new GatewayFixture(b -> b.broker(broker).brokerTimeout(Duration.ofSeconds(5)).maxSubscriptions(2));
  }

  /** Waits for an answer, moving the clock past the broker timeout when the broker hangs. */
  private static Result answer(GatewayFixture f, CompletionStage<Result> stage, Fault fault) {
    CompletableFuture<Result> future = stage.toCompletableFuture();
    if (fault == Fault.HANG) {
      assertThat(future).as("no answer before the broker timeout").isNotDone();
      f.clock.advance(Duration.ofSeconds(5));
    }
    assertThat(future).as("an answer").isDone();
    return future.join();
  }

  private static void assertBrokerFailure(Result result, Fault fault, String operation) {
    assertThat(result.code()).as(result.toString()).isEqualTo(ResultCode.UNKNOWN);
    assertThat(result.message()).as(result.toString()).contains("broker");
    if (fault == Fault.HANG) {
      assertThat(result.message()).contains("did not answer " + operation + " within 5000 ms");
    }
  }

  @ParameterizedTest
  @EnumSource(value = Fault.class, names = {"THROW", "FAIL", "NULL", "HANG"})
  void publishAndRawPublishAlwaysAnswer(Fault fault) {
    try (GatewayFixture f = fixture()) {
      GatewayFixture.Connected c = f.connectAs("pub", "");
      broker.publish = fault;
      assertBrokerFailure(answer(f, f.adapter().publish(c.conn(), "t", 0, new byte[1]), fault), fault, "publish");
      assertBrokerFailure(answer(f, f.adapter().rawPublish("t", 0, new byte[1]), fault), fault, "publish");
      assertThat(f.gateway.metrics().get(GatewayMetrics.BROKER_ERRORS)).isEqualTo(2);
      assertThat(c.device().isClosed()).isFalse();
    }
  }

  @ParameterizedTest
  @EnumSource(value = Fault.class, names = {"THROW", "FAIL", "NULL", "HANG"})
  void aSubscribeThatFailsOrNeverCompletesLeavesNoHalfSubscription(Fault fault) {
    try (GatewayFixture f = fixture()) {
      GatewayFixture.Connected c = f.connectAs("sub", "");
      broker.subscribe = fault;
      assertBrokerFailure(answer(f, f.adapter().subscribe(c.conn(), "a", 0), fault), fault, "subscribe");
      // The broker's late answer does not bring the subscription back either.
      broker.hung.forEach(late -> late.complete(null));
      assertThat(broker.delegate.subscriptionCount()).isZero();
      call(f.adapter().rawPublish("a", 0, "lost".getBytes()));
      assertThat(f.handler.of(c.conn())).containsExactly("created");

      // The failed attempt holds no slot of the limit of 2.
      broker.subscribe = Fault.NONE;
      assertThat(call(f.adapter().subscribe(c.conn(), "b", 0)).isSuccess()).isTrue();
      assertThat(call(f.adapter().subscribe(c.conn(), "c", 0)).isSuccess()).isTrue();
      assertThat(broker.delegate.subscriptionCount()).isEqualTo(2);
      assertThat(f.gateway.metrics().get(GatewayMetrics.BROKER_ERRORS)).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Fault.class, names = {"THROW", "FAIL", "NULL", "HANG"})
  void anUnsubscribeThatFailsKeepsTheSubscriptionSoClosingStillRemovesIt(Fault fault) {
    try (GatewayFixture f = fixture()) {
      GatewayFixture.Connected c = f.connectAs("unsub", "");
      assertThat(call(f.adapter().subscribe(c.conn(), "a", 0)).isSuccess()).isTrue();
      broker.unsubscribe = fault;
      assertBrokerFailure(answer(f, f.adapter().unsubscribe(c.conn(), "a"), fault), fault, "unsubscribe");
      broker.unsubscribe = Fault.NONE;
      c.device().disconnect();
      assertThat(broker.delegate.subscriptionCount()).isZero();
      assertThat(f.handler.of(c.conn())).last().isEqualTo("closed:tcp_closed");
    }
  }

  @ParameterizedTest
  @EnumSource(value = Fault.class, names = {"THROW", "FAIL", "NULL", "HANG"})
  void aBrokerThatFailsWhileAConnectionClosesDoesNotStopTheClose(Fault fault) {
    try (GatewayFixture f = fixture()) {
      GatewayFixture.Connected c = f.connectAs("closing", "");
      call(f.adapter().subscribe(c.conn(), "a", 0));
      call(f.adapter().subscribe(c.conn(), "b", 0));
      broker.unsubscribe = fault;
      c.device().disconnect();
      assertThat(f.handler.of(c.conn())).last().isEqualTo("closed:tcp_closed");
      assertThat(f.gateway.connectionCount()).isZero();
      if (fault != Fault.HANG) {
        assertThat(f.gateway.metrics().get(GatewayMetrics.BROKER_ERRORS)).isEqualTo(2);
      }
    }
  }

  @Test
  void deliveriesGoOnForOtherConnectionsWhileTheBrokerHangsForOne() {
    try (GatewayFixture f = fixture()) {
      GatewayFixture.Connected quiet = f.connectAs("quiet", "");
      assertThat(call(f.adapter().subscribe(quiet.conn(), "news", 0)).isSuccess()).isTrue();
      GatewayFixture.Connected stuck = f.connectAs("stuck", "");
      broker.subscribe = Fault.HANG;
      CompletableFuture<Result> pending = f.adapter().subscribe(stuck.conn(), "news", 0).toCompletableFuture();

      assertThat(call(f.adapter().rawPublish("news", 0, "one".getBytes())).isSuccess()).isTrue();
      assertThat(call(f.adapter().publish(quiet.conn(), "news", 0, "two".getBytes())).isSuccess()).isTrue();
      assertThat(f.handler.of(quiet.conn())).containsExactly("created", "messages:news=one", "messages:news=two");

      f.clock.advance(Duration.ofSeconds(5));
      assertThat(pending).isDone();
      assertThat(pending.join().code()).isEqualTo(ResultCode.UNKNOWN);
      assertThat(stuck.device().isClosed()).isFalse();
    }
  }
}
