package io.exproto.benchmarks.load;

import io.exproto.benchmarks.server.Greeting;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The device side of the load benchmarks: a Netty client that opens many TCP connections to one
 * server, waits for each one's {@link Greeting}, then echoes fixed-size messages through it.
 *
 * <p>Message {@code k} of a connection (counting from 1) is complete when the bytes echoed back on
 * that connection reach {@code k * size}; its latency runs from its write (closed loop) or from
 * the moment the schedule meant to write it (open loop, so a stalled server is not hidden by a
 * client that waits for it) until then.
 *
 * <ul>
 *   <li>Closed loop: each connection keeps {@code inflight} messages outstanding and writes the
 *       next one as soon as one completes: as fast as the server goes.</li>
 *   <li>Open loop: each connection writes at {@code rate / connections} messages per second on a
 *       fixed schedule (phases spread at random), whatever the server does; a pacer thread hands
 *       the messages that have come due to the event loops every 100 microseconds.</li>
 * </ul>
 *
 * <p>Use: {@link #connect}, {@link #startLoad}, {@link #startRecording}, {@link #stopRecording},
 * {@link #stopLoad}, {@link #close}. Each connection is served by one event loop thread; the
 * threads record into histograms of their own, merged when recording stops.
 */
public final class EchoClient implements AutoCloseable {

  /** The most messages an open-loop connection lets pile up before it stops writing. */
  private static final int OPEN_LOOP_BACKLOG_LIMIT = 1 << 20;
  /**
   * How often the open-loop pacer thread hands the messages that have come due to the event loops.
   * It is a thread of its own because an NIO event loop's timers have millisecond resolution (or
   * spin below it); latency is measured from each message's intended time, so a late hand-off is
   * counted, not hidden.
   */
  private static final long PACER_TICK_NANOS = 100_000;

  private final EventLoopGroup group;
  private final List<Connection> connections = new ArrayList<>();
  private final ConcurrentLinkedQueue<Connection> opened = new ConcurrentLinkedQueue<>();
  private final ThreadLocal<ThreadStats> stats = ThreadLocal.withInitial(ThreadStats::new);
  private final AtomicInteger unexpectedCloses = new AtomicInteger();
  private final AtomicInteger overloaded = new AtomicInteger();
  private final LongAdder recorded = new LongAdder();
  private volatile boolean running;
  private volatile boolean recording;
  private volatile boolean closing;
  private int size;
  private int inflight;
  private long periodNanos;
  private ByteBuf payload;

  /**
   * Creates a client with its own event loop threads.
   *
   * @param threads the number of event loop threads; 0 for Netty's default (twice the cores)
   */
  public EchoClient(int threads) {
    this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
  }

  /**
   * What {@link #connect} achieved.
   *
   * @param requested the connections asked for
   * @param greeted the connections set up (greeted by the server)
   * @param failed the connections that failed, or were not set up within the timeout
   * @param elapsedNanos from the first connect to the last setup
   * @param setupLatency from connect to greeting, per connection
   */
  public record ConnectResult(int requested, int greeted, int failed, long elapsedNanos, LatencyHistogram setupLatency) {
    /**
     * Returns the connection setup rate.
     *
     * @return greeted connections per second of the whole connect phase
     */
    public double perSecond() {
      return elapsedNanos == 0 ? 0 : greeted * 1e9 / elapsedNanos;
    }
  }

  /**
   * Opens connections as fast as the server greets them, keeping at most {@code concurrency} of
   * them between connect and greeting, and waits until every one is greeted or failed.
   *
   * @param server the server's address
   * @param count how many connections to open
   * @param concurrency the most connections in setup at once
   * @param timeoutMillis how long the whole phase may take
   * @return the counts, the elapsed time and the connect-to-greeting latency
   * @throws InterruptedException when interrupted
   */
  public ConnectResult connect(InetSocketAddress server, int count, int concurrency, long timeoutMillis)
      throws InterruptedException {
    Semaphore slots = new Semaphore(concurrency);
    AtomicInteger greeted = new AtomicInteger();
    LatencyHistogram setup = new LatencyHistogram();
    Bootstrap bootstrap = new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 15_000);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      if (!slots.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        break;
      }
      long connectStart = System.nanoTime();
      Connection connection = new Connection(success -> {
        if (success) {
          long latency = System.nanoTime() - connectStart;
          synchronized (setup) {
            setup.record(latency);
          }
          greeted.incrementAndGet();
        }
        slots.release();
      });
      opened.add(connection);
      bootstrap.clone().handler(connection).connect(server).addListener((ChannelFuture f) -> {
        if (!f.isSuccess()) {
          connection.settle(false);
        }
      });
    }
    // Every slot back means no setup is pending any more.
    boolean all = slots.tryAcquire(concurrency, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    long elapsed = System.nanoTime() - start;
    if (all) {
      slots.release(concurrency);
    }
    for (Connection c : opened) {
      if (c.greeted) {
        connections.add(c);
      } else if (c.channel != null) {
        c.channel.close();
      }
    }
    opened.clear();
    LatencyHistogram latency;
    synchronized (setup) {
      latency = setup.copy();
    }
    return new ConnectResult(count, greeted.get(), count - greeted.get(), elapsed, latency);
  }

  /**
   * Returns how many connections are greeted and usable.
   *
   * @return the number of connections
   */
  public int connectionCount() {
    return connections.size();
  }

  /**
   * Starts writing on every greeted connection.
   *
   * @param messageSize the size of one message, at least 1 byte
   * @param inflightPerConnection the messages outstanding per connection (closed loop), at least 1
   * @param totalRate messages per second over all connections for the open loop; 0 for the closed
   *     loop
   */
  public void startLoad(int messageSize, int inflightPerConnection, double totalRate) {
    this.size = messageSize;
    this.inflight = inflightPerConnection;
    this.periodNanos = totalRate > 0 ? (long) (1e9 * connections.size() / totalRate) : 0;
    byte[] bytes = new byte[messageSize];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) ('a' + i % 26);
    }
    payload = Unpooled.unreleasableBuffer(Unpooled.directBuffer(messageSize).writeBytes(bytes));
    running = true;
    if (periodNanos == 0) {
      for (Connection connection : connections) {
        connection.channel.eventLoop().execute(connection::start);
      }
      return;
    }
    Map<EventLoop, List<Connection>> byLoop = new HashMap<>();
    for (Connection connection : connections) {
      byLoop.computeIfAbsent(connection.channel.eventLoop(), l -> new ArrayList<>()).add(connection);
    }
    Thread pacer = new Thread(() -> pace(byLoop), "echo-client-pacer");
    pacer.setDaemon(true);
    pacer.start();
  }

  /**
   * The open loop's schedule: every tick, collects per event loop the messages whose intended time
   * has come and hands them over in one task, which writes them with their intended times.
   */
  private void pace(Map<EventLoop, List<Connection>> byLoop) {
    long start = System.nanoTime();
    List<Map.Entry<EventLoop, Connection[]>> loops = new ArrayList<>();
    List<long[]> nextDue = new ArrayList<>();
    byLoop.forEach((loop, list) -> {
      loops.add(Map.entry(loop, list.toArray(new Connection[0])));
      long[] next = new long[list.size()];
      for (int i = 0; i < next.length; i++) {
        next[i] = start + ThreadLocalRandom.current().nextLong(periodNanos);
      }
      nextDue.add(next);
    });
    while (running) {
      long now = System.nanoTime();
      for (int l = 0; l < loops.size(); l++) {
        Connection[] paced = loops.get(l).getValue();
        long[] next = nextDue.get(l);
        int count = 0;
        int[] who = new int[8];
        long[] when = new long[8];
        for (int i = 0; i < paced.length; i++) {
          while (next[i] <= now) {
            if (count == who.length) {
              who = java.util.Arrays.copyOf(who, count * 2);
              when = java.util.Arrays.copyOf(when, count * 2);
            }
            who[count] = i;
            when[count] = next[i];
            count++;
            next[i] += periodNanos;
          }
        }
        if (count > 0) {
          int n = count;
          int[] batchWho = who;
          long[] batchWhen = when;
          loops.get(l).getKey().execute(() -> {
            for (int k = 0; k < n; k++) {
              Connection connection = paced[batchWho[k]];
              connection.writeAt(batchWhen[k]);
              if (k + 1 == n || batchWho[k + 1] != batchWho[k]) {
                connection.channel.flush();
              }
            }
          });
        }
      }
      LockSupport.parkNanos(PACER_TICK_NANOS);
    }
  }

  /** Starts counting completed messages and their latency. */
  public void startRecording() {
    collect(true);
    recorded.reset();
    recording = true;
  }

  /**
   * Returns roughly how many messages completed since {@link #startRecording()}, while recording
   * goes on.
   *
   * @return the count so far
   */
  public long peekRecorded() {
    return recorded.sum();
  }

  /**
   * Stops counting and returns what was counted since {@link #startRecording()}.
   *
   * @return the merged latency histogram of completed messages (its count is the number of them)
   */
  public LatencyHistogram stopRecording() {
    recording = false;
    LatencyHistogram merged = new LatencyHistogram();
    for (ThreadStats s : collect(false)) {
      merged.add(s.histogram);
    }
    return merged;
  }

  /** Stops writing new messages; messages in flight may still complete. */
  public void stopLoad() {
    running = false;
  }

  /**
   * Waits until no message is in flight on any connection (after {@link #stopLoad()}), so load can
   * start again with {@link #startLoad}.
   *
   * @param timeoutMillis the most to wait
   * @return whether every connection went quiet in time
   * @throws InterruptedException when interrupted
   */
  public boolean awaitQuiet(long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (System.nanoTime() < deadline) {
      long outstanding = 0;
      for (Connection connection : connections) {
        try {
          outstanding += connection.channel.eventLoop().submit(() -> connection.sent - connection.completed)
              .get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
          return false;
        }
      }
      if (outstanding == 0) {
        return true;
      }
      Thread.sleep(20);
    }
    return false;
  }

  /**
   * Counts the connections the server closed while load ran.
   *
   * @return the number of unexpected closes
   */
  public int unexpectedCloses() {
    return unexpectedCloses.get();
  }

  /**
   * Counts the open-loop connections that stopped writing because too many messages were
   * outstanding (the server could not keep up with the rate).
   *
   * @return the number of such connections
   */
  public int overloadedConnections() {
    return overloaded.get();
  }

  /** Closes every connection and stops the event loop threads. */
  @Override
  public void close() {
    closing = true;
    running = false;
    for (Connection connection : connections) {
      connection.channel.close();
    }
    for (Connection connection : opened) {
      if (connection.channel != null) {
        connection.channel.close();
      }
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }

  /** Runs on every event loop thread: copies (and with reset, clears) that thread's statistics. */
  private List<ThreadStats> collect(boolean reset) {
    List<ThreadStats> out = new ArrayList<>();
    List<Future<ThreadStats>> pending = new ArrayList<>();
    for (EventExecutor executor : group) {
      pending.add(executor.submit(() -> {
        ThreadStats own = stats.get();
        ThreadStats copy = new ThreadStats();
        copy.histogram.add(own.histogram);
        if (reset) {
          own.histogram.reset();
        }
        return copy;
      }));
    }
    for (Future<ThreadStats> f : pending) {
      try {
        out.add(f.get(30, TimeUnit.SECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted collecting statistics", e);
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException("could not collect statistics from an event loop", e);
      }
    }
    return out;
  }

  /** What one event loop thread has recorded. Touched only by that thread. */
  private static final class ThreadStats {
    final LatencyHistogram histogram = new LatencyHistogram();
  }

  /** One device connection. Every method runs on the channel's event loop. */
  private final class Connection extends ChannelInboundHandlerAdapter {
    private final Consumer<Boolean> onSetup;
    private final AtomicBoolean settled = new AtomicBoolean();
    volatile Channel channel;
    volatile boolean greeted;
    private long received; // echoed bytes, greeting excluded
    long sent; // messages written; event loop only
    long completed; // messages fully echoed; event loop only
    private long[] sendTimes = new long[16]; // ring: sendTimes[k & mask] is message k's start

    Connection(Consumer<Boolean> onSetup) {
      this.onSetup = onSetup;
    }

    /** Reports the end of this connection's setup, once: greeted, or failed before that. */
    void settle(boolean success) {
      if (settled.compareAndSet(false, true)) {
        onSetup.accept(success);
      }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      channel = ctx.channel();
      ctx.fireChannelActive();
    }

    /** Closed loop: writes the first {@code inflight} messages. */
    void start() {
      if (!channel.isActive()) {
        return;
      }
      ensureRing(inflight);
      for (int i = 0; i < inflight; i++) {
        write(System.nanoTime());
      }
      channel.flush();
    }

    /** Open loop: writes one message meant to be sent at {@code intendedNanos}. */
    void writeAt(long intendedNanos) {
      if (!channel.isActive()) {
        return;
      }
      if (sent - completed >= OPEN_LOOP_BACKLOG_LIMIT) {
        overloaded.incrementAndGet();
        channel.close();
        return;
      }
      write(intendedNanos);
    }

    private void write(long startNanos) {
      ensureRing(sent - completed + 1);
      sendTimes[(int) (sent & (sendTimes.length - 1))] = startNanos;
      sent++;
      channel.write(payload.retainedDuplicate(), channel.voidPromise());
    }

    /** Grows the ring so it holds {@code needed} outstanding messages, keeping their order. */
    private void ensureRing(long needed) {
      if (needed <= sendTimes.length) {
        return;
      }
      int capacity = sendTimes.length;
      while (capacity < needed) {
        capacity <<= 1;
      }
      long[] grown = new long[capacity];
      for (long k = completed; k < sent; k++) {
        grown[(int) (k & (capacity - 1))] = sendTimes[(int) (k & (sendTimes.length - 1))];
      }
      sendTimes = grown;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      try {
        int readable = buf.readableBytes();
        if (!greeted && readable > 0) {
          if (buf.getByte(buf.readerIndex()) != Greeting.BYTE) {
            throw new IllegalStateException("the server's first byte is not the greeting");
          }
          readable--;
          greeted = true;
          settle(true);
        }
        received += readable;
      } finally {
        buf.release();
      }
      if (size == 0) {
        return;
      }
      long now = System.nanoTime();
      int finished = 0;
      while (completed < sent && received >= (completed + 1) * size) {
        long latency = now - sendTimes[(int) (completed & (sendTimes.length - 1))];
        completed++;
        finished++;
        if (recording) {
          stats.get().histogram.record(latency);
          recorded.increment();
        }
      }
      if (periodNanos == 0 && running && finished > 0) {
        for (int i = 0; i < finished; i++) {
          write(System.nanoTime());
        }
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!greeted) {
        settle(false);
      } else if (running && !closing) {
        unexpectedCloses.incrementAndGet();
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
