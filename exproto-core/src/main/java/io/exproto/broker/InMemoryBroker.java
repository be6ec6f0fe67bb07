package io.exproto.broker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link Broker}: subscriptions in a topic trie in memory, deliveries made on the
 * publisher's thread. Thread-safe; publishes run concurrently with each other, subscription
 * changes are serialized.
 *
 * <p>Matching follows {@link Topics}: {@code +} and {@code #} wildcards, {@code $}-topics not
 * matched by a leading wildcard, {@code $share/<group>/<filter>} delivering each message to one
 * member of the group (round robin). A subscriber holding several matching subscriptions receives
 * one copy per subscription. A subscriber that throws is logged and does not affect the others.
 */
public final class InMemoryBroker implements Broker {

  private static final Logger log = LoggerFactory.getLogger(InMemoryBroker.class);
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final Node root = new Node();

  /** Creates an empty broker. */
  public InMemoryBroker() {}

  @Override
  public CompletionStage<Void> publish(Message message) {
    List<Delivery> deliveries = new ArrayList<>();
    String[] levels = Topics.levels(message.topic());
    lock.readLock().lock();
    try {
      collect(root, levels, 0, message.topic().startsWith("$"), deliveries);
    } finally {
      lock.readLock().unlock();
    }
    for (Delivery delivery : deliveries) {
      try {
        delivery.subscriber.deliver(message.withQos(Math.min(message.qos(), delivery.qos)));
      } catch (RuntimeException e) {
        log.warn("Subscriber {} failed on a message to {}", delivery.subscriber, message.topic(), e);
      }
    }
    return DONE;
  }

  @Override
  public CompletionStage<Void> subscribe(String filter, int qos, Subscriber subscriber) {
    if (qos < 0 || qos > 2) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("qos must be 0, 1 or 2, got " + qos));
    }
    try {
      Topics.validateFilter(filter);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("filter " + e.getMessage(), e));
    }
    Topics.SharedFilter shared = Topics.parseShared(filter).orElse(null);
    String plain = shared == null ? filter : shared.filter();
    lock.writeLock().lock();
    try {
      Node node = root;
      for (String level : Topics.levels(plain)) {
        node = node.children.computeIfAbsent(level, l -> new Node());
      }
      if (shared == null) {
        node.subscribers.put(subscriber, qos);
      } else {
        node.groups.computeIfAbsent(shared.group(), g -> new Group()).members.put(subscriber, qos);
      }
    } finally {
      lock.writeLock().unlock();
    }
    return DONE;
  }

  @Override
  public CompletionStage<Void> unsubscribe(String filter, Subscriber subscriber) {
    Topics.SharedFilter shared;
    try {
      shared = Topics.parseShared(filter).orElse(null);
    } catch (IllegalArgumentException e) {
      return DONE; // never subscribed: a malformed filter cannot have been accepted
    }
    String[] levels = Topics.levels(shared == null ? filter : shared.filter());
    lock.writeLock().lock();
    try {
      remove(root, levels, 0, shared, subscriber);
    } finally {
      lock.writeLock().unlock();
    }
    return DONE;
  }

  /**
   * Counts the subscriptions held, shared ones included.
   *
   * @return the number of (filter, subscriber) pairs
   */
  public int subscriptionCount() {
    lock.readLock().lock();
    try {
      return root.count();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Removes the subscription and prunes nodes left empty; returns whether {@code node} is now empty. */
  private static boolean remove(Node node, String[] levels, int depth, Topics.SharedFilter shared, Subscriber subscriber) {
    if (depth == levels.length) {
      if (shared == null) {
        node.subscribers.remove(subscriber);
      } else {
        Group group = node.groups.get(shared.group());
        if (group != null) {
          group.members.remove(subscriber);
          if (group.members.isEmpty()) {
            node.groups.remove(shared.group());
          }
        }
      }
    } else {
      Node child = node.children.get(levels[depth]);
      if (child != null && remove(child, levels, depth + 1, shared, subscriber)) {
        node.children.remove(levels[depth]);
      }
    }
    return node.isEmpty();
  }

  private static void collect(Node node, String[] levels, int depth, boolean dollarTopic, List<Delivery> out) {
    boolean wildcardAllowed = !(depth == 0 && dollarTopic);
    if (wildcardAllowed) {
      Node multi = node.children.get("#");
      if (multi != null) {
        multi.addTo(out); // '#' also matches the parent level
      }
    }
    if (depth == levels.length) {
      node.addTo(out);
      return;
    }
    Node exact = node.children.get(levels[depth]);
    if (exact != null) {
      collect(exact, levels, depth + 1, dollarTopic, out);
    }
    if (wildcardAllowed) {
      Node single = node.children.get("+");
      if (single != null) {
        collect(single, levels, depth + 1, dollarTopic, out);
      }
    }
  }

  private record Delivery(Subscriber subscriber, int qos) {}

  /** One topic level. Guarded by the broker's lock. */
  private static final class Node {
    final Map<String, Node> children = new HashMap<>();
    final Map<Subscriber, Integer> subscribers = new LinkedHashMap<>();
    final Map<String, Group> groups = new HashMap<>();

    void addTo(List<Delivery> out) {
      for (Map.Entry<Subscriber, Integer> e : subscribers.entrySet()) {
        out.add(new Delivery(e.getKey(), e.getValue()));
      }
      for (Group group : groups.values()) {
        out.add(group.pick());
      }
    }

    boolean isEmpty() {
      return children.isEmpty() && subscribers.isEmpty() && groups.isEmpty();
    }

    int count() {
      int n = subscribers.size();
      for (Group group : groups.values()) {
        n += group.members.size();
      }
      for (Node child : children.values()) {
        n += child.count();
      }
      return n;
    }
  }

  /** The members of one share group on one filter; picked in turn. */
  private static final class Group {
    final Map<Subscriber, Integer> members = new LinkedHashMap<>();
    private int next;

    synchronized Delivery pick() {
      // Called under the read lock, possibly by several publishers at once: synchronized for 'next'.
      int index = Math.floorMod(next++, members.size());
      int i = 0;
      for (Map.Entry<Subscriber, Integer> e : members.entrySet()) {
        if (i++ == index) {
          return new Delivery(e.getKey(), e.getValue());
        }
      }
      throw new IllegalStateException("empty share group");
    }
  }
}
