package io.exproto.benchmarks.micro;

import io.exproto.listener.Address;
import io.exproto.listener.Connection;
import io.exproto.listener.ConnectionAcceptor;
import io.exproto.listener.ConnectionEvents;
import io.exproto.listener.ConnectionInfo;
import io.exproto.listener.Listener;
import io.exproto.listener.SocketType;
import io.exproto.listener.WriteResult;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A listener whose connections drop every byte the gateway writes, so an adapter benchmark can
 * send to a live connection for as long as it runs without the writes piling up in memory (as
 * {@code InProcessDevice} would keep them).
 */
final class DiscardingListener implements Listener {

  private final AtomicLong written = new AtomicLong();
  private volatile ConnectionAcceptor acceptor;
  private int nextPort = 50_000;

  @Override
  public String name() {
    return "discarding";
  }

  @Override
  public void start(ConnectionAcceptor connectionAcceptor) {
    this.acceptor = connectionAcceptor;
  }

  @Override
  public void stop() {
    acceptor = null;
  }

  /**
   * Opens a connection.
   *
   * @return the gateway's events of the connection (unused by the benchmarks)
   */
  ConnectionEvents connect() {
    ConnectionInfo info = ConnectionInfo.of(SocketType.TCP, new Address("127.0.0.1", nextPort++),
        new Address("127.0.0.1", 7993), name());
    return acceptor.accept(new Discarding(info));
  }

  /**
   * Counts the bytes written to every connection so far.
   *
   * @return the number of bytes dropped
   */
  long written() {
    return written.get();
  }

  private final class Discarding implements Connection {
    private final ConnectionInfo info;

    Discarding(ConnectionInfo info) {
      this.info = info;
    }

    @Override
    public ConnectionInfo info() {
      return info;
    }

    @Override
    public WriteResult write(byte[] bytes) {
      written.addAndGet(bytes.length);
      return WriteResult.ACCEPTED;
    }

    @Override
    public void close() {}

    @Override
    public void pauseReading() {}

    @Override
    public void resumeReading() {}
  }
}
