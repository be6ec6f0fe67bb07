package io.exproto.dtls;

import io.exproto.dtls.internal.BindingDtlsConnector;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.DatagramPacket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.MessageCallback;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;

/**
 * The listener's Scandium connector, with a socket the test can hold up: while stalled, every
 * datagram waits before it goes out, as behind a network that does not keep up, so the records
 * the gateway hands over pile up in Scandium; while failing, the socket refuses every datagram
 * (an I/O error) and {@link #send} returns only once Scandium's thread has reported that, so the
 * failure is known before the listener's write returns. Counts the application records whose
 * outcome (sent or failed) the listener has been told.
 */
final class StallingConnector extends BindingDtlsConnector {

  private static final long MAX_STALL_SECONDS = 30;

  private volatile CountDownLatch gate = new CountDownLatch(0);
  private volatile boolean failing;
  private final AtomicInteger settled = new AtomicInteger();
  private final AtomicInteger sendCalls = new AtomicInteger();

  StallingConnector(DtlsConnectorConfig configuration) {
    super(configuration);
  }

  /** Holds every datagram from now on until {@link #release()}. */
  void stall() {
    gate = new CountDownLatch(1);
  }

  /** Lets the held datagrams and the later ones go. */
  void release() {
    gate.countDown();
  }

  /**
   * Makes the socket fail every datagram from now on, each before the send that handed it over
   * returns; or stops failing them.
   */
  void failDatagrams(boolean fail) {
    failing = fail;
  }

  /** The application records sent or failed so far, after the listener heard of it. */
  int settled() {
    return settled.get();
  }

  /** The application records the listener handed over, refused ones included. */
  int sendCalls() {
    return sendCalls.get();
  }

  @Override
  public void send(RawData message) {
    int call = sendCalls.incrementAndGet();
    super.send(RawData.outbound(message.getBytes(), message.getEndpointContext(),
        new Counting(message), message.isMulticast()));
    if (failing) {
      awaitSettled(call);
    }
  }

  private void awaitSettled(int records) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_STALL_SECONDS);
    synchronized (settled) {
      long left;
      while (settled.get() < records && (left = deadline - System.nanoTime()) > 0) {
        try {
          TimeUnit.NANOSECONDS.timedWait(settled, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void settle() {
    synchronized (settled) {
      settled.incrementAndGet();
      settled.notifyAll();
    }
  }

  @Override
  protected void sendNextDatagramOverNetwork(DatagramPacket datagram) throws IOException {
    try {
      if (!gate.await(MAX_STALL_SECONDS, TimeUnit.SECONDS)) {
        throw new IOException("the test never released the stalled socket");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("stopped while stalled");
    }
    if (failing) {
      throw new IOException("the test's socket refused the datagram");
    }
    super.sendNextDatagramOverNetwork(datagram);
  }

  /** Tells the listener first (through its message), then counts. */
  private final class Counting implements MessageCallback {
    private final RawData delegate;

    Counting(RawData delegate) {
      this.delegate = delegate;
    }

    @Override
    public void onConnecting() {
      delegate.onConnecting();
    }

    @Override
    public void onDtlsRetransmission(int flight) {
      delegate.onDtlsRetransmission(flight);
    }

    @Override
    public void onContextEstablished(EndpointContext context) {
      delegate.onContextEstablished(context);
    }

    @Override
    public void onSent() {
      delegate.onSent();
      settle();
    }

    @Override
    public void onError(Throwable error) {
      delegate.onError(error);
      settle();
    }
  }
}
