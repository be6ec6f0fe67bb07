package io.exproto.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InMemoryBrokerTest {

  private final InMemoryBroker broker = new InMemoryBroker();

  /** Records what it receives. */
  static final class Inbox implements Subscriber {
    final List<Message> messages = new CopyOnWriteArrayList<>();

    @Override
    public void deliver(Message message) {
      messages.add(message);
    }

    List<String> topics() {
      List<String> out = new ArrayList<>();
      messages.forEach(m -> out.add(m.topic()));
      return out;
    }
  }

  private static Message message(String topic, int qos) {
    return new Message("00000000000000000000000000000001", "pub", topic, qos, new byte[] {1}, 0L);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "a/b|a/b|1",
      "a/+|a/b|1",
      "a/#|a|1",
      "a/#|a/b/c|1",
      "#|a|1",
      "#|$SYS/up|0",
      "+/up|$SYS/up|0",
      "$SYS/#|$SYS/up|1",
      "a/+|a/b/c|0",
      "a/b|a/c|0",
      "+/+/+|a/b/c|1",
      "/+|/a|1"})
  void matchesLikeMqtt(String filter, String topic, int expected) {
    Inbox inbox = new Inbox();
    broker.subscribe(filter, 1, inbox);
    broker.publish(message(topic, 1));
    assertThat(inbox.messages).hasSize(expected);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"0|2|0", "2|0|0", "1|2|1", "2|2|2", "2|1|1"})
  void deliveredQosIsTheLowerOfPublishedAndSubscribed(int published, int subscribed, int delivered) {
    Inbox inbox = new Inbox();
    broker.subscribe("t", subscribed, inbox);
    broker.publish(message("t", published));
    assertThat(inbox.messages).singleElement().extracting(Message::qos).isEqualTo(delivered);
  }

  @Test
  void resubscribingUpdatesQos() {
    Inbox inbox = new Inbox();
    broker.subscribe("t", 0, inbox);
    broker.subscribe("t", 2, inbox);
    broker.publish(message("t", 2));
    assertThat(inbox.messages).singleElement().extracting(Message::qos).isEqualTo(2);
    assertThat(broker.subscriptionCount()).isEqualTo(1);
  }

  @Test
  void manySubscribersEachReceiveOneCopyPerSubscription() {
    Inbox a = new Inbox();
    Inbox b = new Inbox();
    broker.subscribe("x/+", 1, a);
    broker.subscribe("x/#", 1, a);
    broker.subscribe("x/y", 1, b);
    broker.publish(message("x/y", 1));
    assertThat(a.messages).hasSize(2);
    assertThat(b.messages).hasSize(1);
  }

  @Test
  void unsubscribeStopsDeliveryAndPrunes() {
    Inbox inbox = new Inbox();
    broker.subscribe("a/b/c", 0, inbox);
    broker.unsubscribe("a/b/c", inbox);
    broker.unsubscribe("never/subscribed", inbox);
    broker.publish(message("a/b/c", 0));
    assertThat(inbox.messages).isEmpty();
    assertThat(broker.subscriptionCount()).isZero();
  }

  @Test
  void sharedSubscriptionDeliversEachMessageToOneMember() {
    Inbox a = new Inbox();
    Inbox b = new Inbox();
    Inbox plain = new Inbox();
    broker.subscribe("$share/g/s/+", 1, a);
    broker.subscribe("$share/g/s/+", 1, b);
    broker.subscribe("s/+", 1, plain);
    for (int i = 0; i < 10; i++) {
      broker.publish(message("s/" + i, 1));
    }
    assertThat(a.messages.size() + b.messages.size()).isEqualTo(10);
    assertThat(a.messages).hasSize(5); // round robin
    assertThat(plain.messages).hasSize(10);
  }

  @Test
  void twoShareGroupsEachGetEveryMessage() {
    Inbox a = new Inbox();
    Inbox b = new Inbox();
    broker.subscribe("$share/g1/t", 0, a);
    broker.subscribe("$share/g2/t", 0, b);
    broker.publish(message("t", 0));
    assertThat(a.messages).hasSize(1);
    assertThat(b.messages).hasSize(1);
    broker.unsubscribe("$share/g1/t", a);
    broker.publish(message("t", 0));
    assertThat(a.messages).hasSize(1);
    assertThat(b.messages).hasSize(2);
  }

  @Test
  void aFailingSubscriberDoesNotStopOthers() {
    Inbox ok = new Inbox();
    broker.subscribe("t", 0, m -> {
      throw new IllegalStateException("boom");
    });
    broker.subscribe("t", 0, ok);
    broker.publish(message("t", 0));
    assertThat(ok.messages).hasSize(1);
  }

  @Test
  void invalidFiltersAreRefused() {
    assertThat(broker.subscribe("a/#/b", 0, new Inbox()).toCompletableFuture()).isCompletedExceptionally();
    assertThat(broker.subscribe("a", 3, new Inbox()).toCompletableFuture()).isCompletedExceptionally();
  }

  @Test
  void concurrentSubscribeAndPublishLoseNothing() throws Exception {
    int threads = 4;
    int perThread = 500;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Inbox> inboxes = new CopyOnWriteArrayList<>();
      CountDownLatch subscribed = new CountDownLatch(threads);
      CountDownLatch done = new CountDownLatch(threads);
      for (int t = 0; t < threads; t++) {
        int id = t;
        pool.execute(() -> {
          Inbox inbox = new Inbox();
          inboxes.add(inbox);
          broker.subscribe("c/" + id + "/#", 1, inbox);
          broker.subscribe("c/+/x", 1, inbox);
          subscribed.countDown();
          try {
            subscribed.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          for (int i = 0; i < perThread; i++) {
            broker.publish(message("c/" + id + "/x", 1));
          }
          done.countDown();
        });
      }
      assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
      int total = inboxes.stream().mapToInt(i -> i.messages.size()).sum();
      // Each message reaches its own thread's "c/<id>/#" and all four "c/+/x" subscriptions.
      assertThat(total).isEqualTo(threads * perThread * (1 + threads));
    } finally {
      pool.shutdownNow();
    }
  }
}
