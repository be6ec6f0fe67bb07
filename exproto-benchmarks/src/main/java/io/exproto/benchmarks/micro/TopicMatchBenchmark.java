package io.exproto.benchmarks.micro;

import io.exproto.broker.InMemoryBroker;
import io.exproto.broker.Message;
import io.exproto.broker.Subscriber;
import io.exproto.broker.Topics;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Topic matching in {@link InMemoryBroker}: the cost of one publish (trie walk plus delivery to
 * the matching subscribers) with 1,000 or 100,000 subscriptions.
 *
 * <p>The subscriptions model one device per subscription under 16 tenants,
 * {@code t/<tenant>/dev/<device>/...}: 90% exact filters ({@code .../cmd}), 5% with a
 * single-level wildcard ({@code .../+}), 5% with a multi-level one ({@code .../#}); plus two
 * wildcard subscriptions that see every device's commands ({@code t/+/dev/+/cmd} and {@code t/#}),
 * so every walk takes the {@code +} and {@code #} branches. A matching publish goes to a random
 * device's {@code cmd} topic and is delivered to three subscribers; a missing one goes to a device
 * id that has no subscription (delivered to the two wildcard subscribers only).
 * {@link #matchesOneFilter} is the linear matcher authorization rules use, for scale.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TopicMatchBenchmark {

  private static final int TOPICS = 4096;

  /** How many subscriptions the broker holds. */
  @Param({"1000", "100000"})
  public int subscriptions;

  private InMemoryBroker broker;
  private Message[] matching;
  private Message[] missing;
  private String[] topicNames;
  private int next;
  private Blackhole sink;

  /** Creates the benchmark; JMH calls {@link #setUp} before measuring. */
  public TopicMatchBenchmark() {}

  /**
   * Builds the broker and the messages to publish.
   *
   * @param blackhole where subscribers put what they receive, so deliveries are not optimized away
   */
  @Setup(Level.Trial)
  public void setUp(Blackhole blackhole) {
    sink = blackhole;
    broker = new InMemoryBroker();
    for (int device = 0; device < subscriptions; device++) {
      String prefix = "t/" + (device % 16) + "/dev/" + device + "/";
      String filter = switch (device % 20) {
        case 0 -> prefix + "+";
        case 1 -> prefix + "#";
        default -> prefix + "cmd";
      };
      broker.subscribe(filter, 1, new Counting());
    }
    broker.subscribe("t/+/dev/+/cmd", 0, new Counting());
    broker.subscribe("t/#", 0, new Counting());
    SplittableRandom random = new SplittableRandom(42);
    matching = new Message[TOPICS];
    missing = new Message[TOPICS];
    topicNames = new String[TOPICS];
    byte[] payload = new byte[16];
    for (int i = 0; i < TOPICS; i++) {
      int device = random.nextInt(subscriptions);
      String topic = "t/" + (device % 16) + "/dev/" + device + "/cmd";
      topicNames[i] = topic;
      matching[i] = new Message("00000000000000000000000000000000", "bench", topic, 1, payload, 0);
      int absent = subscriptions + device;
      missing[i] = new Message("00000000000000000000000000000000", "bench",
          "t/" + (absent % 16) + "/dev/" + absent + "/cmd", 1, payload, 0);
    }
    if (broker.subscriptionCount() != subscriptions + 2) {
      throw new IllegalStateException("expected " + (subscriptions + 2) + " subscriptions, got "
          + broker.subscriptionCount());
    }
  }

  /**
   * Publishes to a topic that three subscriptions match.
   *
   * @return the broker's stage, so the call is not optimized away
   */
  @Benchmark
  public Object publishMatching() {
    return broker.publish(matching[next++ & (TOPICS - 1)]);
  }

  /**
   * Publishes to a topic only the two catch-all wildcard subscriptions match.
   *
   * @return the broker's stage
   */
  @Benchmark
  public Object publishMissing() {
    return broker.publish(missing[next++ & (TOPICS - 1)]);
  }

  /**
   * Matches one topic against one wildcard filter with {@link Topics#matches}.
   *
   * @return whether it matched
   */
  @Benchmark
  public boolean matchesOneFilter() {
    return Topics.matches("t/+/dev/#", topicNames[next++ & (TOPICS - 1)]);
  }

  /** A subscriber that hands each delivery to the blackhole. */
  private final class Counting implements Subscriber {
    @Override
    public void deliver(Message message) {
      sink.consume(message);
    }
  }
}
