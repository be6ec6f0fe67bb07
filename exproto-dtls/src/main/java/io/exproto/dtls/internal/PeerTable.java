package io.exproto.dtls.internal;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.handler.CloseReasons;
import io.exproto.listener.Address;
import io.exproto.listener.ConnectionAcceptor;
import io.exproto.listener.ConnectionEvents;
import io.exproto.listener.ConnectionInfo;
import io.exproto.listener.SocketType;
import io.exproto.listener.WriteResult;
import io.exproto.logging.RateLimitedLogger;
import io.exproto.transport.ListenerCounters;
import io.exproto.transport.policy.ConnectionRateLimiter;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.elements.DtlsEndpointContext;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.MessageCallback;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.RawDataChannel;
import org.eclipse.californium.elements.exception.EndpointMismatchException;
import org.eclipse.californium.elements.exception.EndpointUnconnectedException;
import org.eclipse.californium.scandium.AlertHandler;
import org.eclipse.californium.scandium.ConnectionListener;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.dtls.AlertMessage;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertDescription;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertLevel;
import org.eclipse.californium.scandium.dtls.Connection;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.DTLSContext;
import org.eclipse.californium.scandium.dtls.HandshakeException;
import org.eclipse.californium.scandium.dtls.Handshaker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peers of one running DTLS listener: which gateway connection each DTLS association is, and
 * everything Scandium reports about them. Not API.
 *
 * <p>The rules:
 *
 * <ul>
 *   <li>A connection is one DTLS association: one completed handshake with one peer
 *       {@code ip:port}. It is created on the association's first application datagram (that is
 *       when the gateway sends OnSocketCreated), after {@code max_conn_rate} and
 *       {@code max_connections} admit it; a refused association is sent a close_notify. Access
 *       rules act earlier, on datagrams ({@link AccessFilter}). Datagrams still arriving on an
 *       association this listener closed or refused are dropped: only a new handshake makes a new
 *       connection.</li>
 *   <li>Every application datagram of the association is one {@code onBytes}, unless the gateway
 *       paused the connection: then it is dropped and counted as
 *       {@code <listener>.dropped.backpressure}.</li>
 *   <li>The association ends, and the connection closes with {@code udp_closed}, when the peer
 *       sends close_notify, when Scandium removes it (a fatal alert, eviction), when the same peer
 *       completes a new handshake (a restarted device, a session resumption), or when a write
 *       finds it gone.</li>
 *   <li>The gateway closing a connection sends the peer close_notify; the peer's next datagram
 *       needs a new handshake and becomes a new connection.</li>
 * </ul>
 *
 * <p>Threading: Scandium calls some of these callbacks while it holds its connection store's
 * lock. Closes discovered there are therefore reported to the gateway on the listener's report
 * executor, never on the calling thread, so no lock of Scandium's is ever held while the gateway
 * runs (the gateway may call back into Scandium, for example to write).
 */
public final class PeerTable implements RawDataChannel, ConnectionListener, AlertHandler {

  private static final Logger log = LoggerFactory.getLogger(PeerTable.class);

  private final String listenerName;
  private final ConnectionAcceptor acceptor;
  private final GatewayMetrics metrics;
  private final int maxConnections;
  private final ConnectionRateLimiter rateLimiter;
  private final Executor reports;
  private final String refusedMaxConnections;
  private final String refusedMaxConnRate;
  private final String droppedBackpressure;
  private final String droppedWrites;

  /** Open connections by peer address. */
  private final ConcurrentHashMap<InetSocketAddress, DtlsConnection> byAddress = new ConcurrentHashMap<>();
  /** Open connections by Scandium's id of their association. */
  private final ConcurrentHashMap<ConnectionId, DtlsConnection> byAssociation = new ConcurrentHashMap<>();
  /** The newest established association of each peer address, with or without a connection yet. */
  private final ConcurrentHashMap<InetSocketAddress, ConnectionId> associationByAddress = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<ConnectionId, InetSocketAddress> addressByAssociation = new ConcurrentHashMap<>();
  /**
   * The association of each peer address that this listener closed or refused and the peer has not
   * replaced yet: its datagrams still in flight are dropped instead of opening a new connection.
   */
  private final ConcurrentHashMap<InetSocketAddress, ClosedAssociation> closedByAddress = new ConcurrentHashMap<>();
  private final AtomicInteger open = new AtomicInteger();
  private final RateLimitedLogger rateRefusals = new RateLimitedLogger(log);
  private final RateLimitedLogger limitRefusals = new RateLimitedLogger(log);
  private final RateLimitedLogger writeRefusals = new RateLimitedLogger(log);
  private final String backlogRefusal = "the connection's send backlog is over "
      + DtlsConnection.SEND_QUEUE_LIMIT + " bytes (the network is not keeping up)";

  private volatile DTLSConnector connector;
  private volatile boolean closing;

  /**
   * Creates the table of one listener start.
   *
   * @param listenerName the listener's name, not null
   * @param acceptor the gateway's entry point, not null
   * @param maxConnections the most connections open at once, at least 1
   * @param rateLimiter the {@code max_conn_rate} limiter, null for no limit
   * @param reports where closes found on Scandium's threads are reported, not null
   * @param droppedWritesCounter the suffix of the dropped-writes counter, not null
   */
  public PeerTable(String listenerName, ConnectionAcceptor acceptor, int maxConnections,
      ConnectionRateLimiter rateLimiter, Executor reports, String droppedWritesCounter) {
    this.listenerName = Objects.requireNonNull(listenerName, "listenerName");
    this.acceptor = Objects.requireNonNull(acceptor, "acceptor");
    this.metrics = Objects.requireNonNull(acceptor.metrics(), "metrics");
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be at least 1, got " + maxConnections);
    }
    this.maxConnections = maxConnections;
    this.rateLimiter = rateLimiter;
    this.reports = Objects.requireNonNull(reports, "reports");
    this.refusedMaxConnections = ListenerCounters.name(listenerName, ListenerCounters.REFUSED_MAX_CONNECTIONS);
    this.refusedMaxConnRate = ListenerCounters.name(listenerName, ListenerCounters.REFUSED_MAX_CONN_RATE);
    this.droppedBackpressure = ListenerCounters.name(listenerName, ListenerCounters.DROPPED_BACKPRESSURE);
    this.droppedWrites = ListenerCounters.name(listenerName, Objects.requireNonNull(droppedWritesCounter, "droppedWritesCounter"));
  }

  /**
   * Connects the table to the connector it serves, before the connector starts.
   *
   * @param dtlsConnector the connector, not null
   */
  public void attach(DTLSConnector dtlsConnector) {
    this.connector = Objects.requireNonNull(dtlsConnector, "dtlsConnector");
  }

  /**
   * Tells whether the listener is stopping.
   *
   * @return whether {@link #closeAll} was called
   */
  public boolean closing() {
    return closing;
  }

  /**
   * Counts the open connections.
   *
   * @return the number of connections admitted and not yet closed
   */
  public int openConnections() {
    return open.get();
  }

  /**
   * Adds up the backlogs of the open connections: the bytes of their records handed to Scandium
   * and not yet sent or failed.
   *
   * @return bytes
   */
  public long sendBacklog() {
    return byAddress.values().stream().mapToLong(DtlsConnection::backlog).sum();
  }

  // ---- inbound application data (Scandium's connection threads) ----

  /**
   * Routes one decrypted application datagram to its peer's connection, creating the connection
   * on the association's first datagram.
   *
   * @param raw the datagram, with its DTLS endpoint context
   */
  @Override
  public void receiveData(RawData raw) {
    if (closing || !(raw.getEndpointContext() instanceof DtlsEndpointContext context)) {
      return;
    }
    byte[] bytes = raw.getBytes();
    if (bytes == null || bytes.length == 0) {
      return;
    }
    InetSocketAddress peer = raw.getInetSocketAddress();
    DtlsConnection connection = byAddress.get(peer);
    if (connection != null && !connection.belongsTo(context)) {
      // A newer association of the same peer, whose establishment we have not seen end the old one.
      endLater(connection);
      connection = null;
    }
    if (connection == null) {
      ClosedAssociation closed = closedByAddress.get(peer);
      if (closed != null && DtlsConnection.sameAssociation(closed.context(), context)) {
        log.debug("{} dropped a datagram from {}: its association was closed", listenerName, peer);
        return;
      }
      connection = admit(peer, context, raw.getConnectorAddress());
      if (connection == null) {
        return;
      }
    }
    if (!connection.receive(bytes)) {
      metrics.increment(droppedBackpressure);
      log.debug("{} dropped a datagram from {}: reading is paused (backpressure)", listenerName, peer);
    }
  }

  private DtlsConnection admit(InetSocketAddress peer, DtlsEndpointContext context, InetSocketAddress local) {
    if (rateLimiter != null && !rateLimiter.tryAcquire()) {
      metrics.increment(refusedMaxConnRate);
      rateRefusals.warn("{} refused a connection from {}: max_conn_rate ({}/s) exceeded",
          listenerName, peer,
          rateLimiter.perSecond());
      closeAssociation(peer, associationByAddress.get(peer), context);
      return null;
    }
    int current;
    do {
      current = open.get();
      if (current >= maxConnections) {
        metrics.increment(refusedMaxConnections);
        limitRefusals.warn("{} refused a connection from {}: max_connections ({}) reached",
            listenerName, peer,
            maxConnections);
        closeAssociation(peer, associationByAddress.get(peer), context);
        return null;
      }
    } while (!open.compareAndSet(current, current + 1));
    InetSocketAddress localAddress = local != null ? local : connector.getAddress();
    ConnectionInfo info = new ConnectionInfo(SocketType.DTLS, Address.of(peer),
        localAddress == null ? new Address("", 0) : Address.of(localAddress),
        PeerIdentities.of(context.getPeerIdentity()), listenerName);
    ConnectionId association = associationByAddress.get(peer);
    DtlsConnection connection = new DtlsConnection(this, peer, context, association, info);
    DtlsConnection displaced = byAddress.put(peer, connection);
    if (displaced != null) {
      // The last datagram of an older association, delivered at the same time by another thread.
      endLater(displaced);
    }
    if (association != null) {
      byAssociation.put(association, connection);
    }
    if (closing) {
      // closeAll may have taken its snapshot before this connection was listed.
      release(connection);
      return null;
    }
    return connection;
  }

  /**
   * Registers a connection with the gateway, on its first datagram.
   *
   * @param connection the connection
   * @return the gateway's events of the connection
   */
  ConnectionEvents accept(DtlsConnection connection) {
    return acceptor.accept(connection);
  }

  // ---- outbound ----

  /**
   * Sends bytes to a connection's association as one DTLS record, unless the connection's records
   * not yet sent are over {@link DtlsConnection#SEND_QUEUE_LIMIT} bytes: then the write is refused,
   * counted as {@code dropped.writes} and logged (at most once per period). A record Scandium
   * turns down at once (its outbound queue is full, the connector stopped) is refused too.
   *
   * @param connection the connection
   * @param bytes the bytes, not empty
   * @return whether the record was taken
   */
  WriteResult send(DtlsConnection connection, byte[] bytes) {
    if (!connection.reserve(bytes.length)) {
      metrics.increment(droppedWrites);
      writeRefusals.warn("{} refused a write of {} bytes to {}: {}", listenerName, bytes.length,
          connection.peer(), backlogRefusal);
      return WriteResult.refused(backlogRefusal);
    }
    DTLSConnector dtls = connector;
    WriteOutcome outcome = new WriteOutcome(connection, bytes.length);
    RawData message = RawData.outbound(bytes, connection.context(), outcome, false);
    try {
      dtls.send(message);
    } catch (RuntimeException e) {
      // Scandium has usually reported it to WriteOutcome.onError already; if not, do it here.
      log.trace("{}: send to {} refused", listenerName, connection.peer(), e);
      outcome.onError(e);
    }
    Throwable refused = outcome.refusal;
    if (refused != null) {
      // Turned down at once: dropped and counted by onError.
      return WriteResult.refused("the DTLS connector did not take the record: " + refused);
    }
    return WriteResult.ACCEPTED;
  }

  /**
   * What happens to one write: its bytes leave the connection's backlog once sent or failed;
   * failures are counted, and an association found gone ends the connection. A failure reported
   * on the writing thread, inside {@code DTLSConnector.send}, is Scandium turning the record down
   * at once; one reported on Scandium's threads, however soon, came after Scandium took it.
   */
  private final class WriteOutcome implements MessageCallback {
    private final DtlsConnection connection;
    private final int size;
    private final Thread writer = Thread.currentThread();
    private final AtomicBoolean settled = new AtomicBoolean();
    private volatile Throwable refusal;

    WriteOutcome(DtlsConnection connection, int size) {
      this.connection = connection;
      this.size = size;
    }

    /** Takes the write off the backlog, once; tells whether this was the first outcome. */
    private boolean settle() {
      if (!settled.compareAndSet(false, true)) {
        return false;
      }
      connection.unreserve(size);
      return true;
    }

    @Override
    public void onConnecting() {}

    @Override
    public void onDtlsRetransmission(int flight) {}

    @Override
    public void onContextEstablished(EndpointContext context) {}

    @Override
    public void onSent() {
      settle();
    }

    @Override
    public void onError(Throwable error) {
      if (!settle()) {
        return; // already reported
      }
      if (Thread.currentThread() == writer) {
        refusal = error;
      }
      metrics.increment(droppedWrites);
      boolean gone = error instanceof EndpointUnconnectedException || error instanceof EndpointMismatchException;
      log.debug("{} dropped a write of its connection from {}: {}", listenerName, connection.peer(),
          String.valueOf(error));
      if (gone && !closing) {
        endLater(connection);
      }
    }
  }

  // ---- closing ----

  /**
   * Removes a connection from the table, once, and frees its place under max_connections.
   *
   * @param connection the connection
   */
  void release(DtlsConnection connection) {
    if (!connection.markReleased()) {
      return;
    }
    byAddress.remove(connection.peer(), connection);
    if (connection.association() != null) {
      byAssociation.remove(connection.association(), connection);
    }
    open.decrementAndGet();
  }

  /**
   * Sends close_notify to a connection's association, unless the peer has moved on to a newer
   * association since.
   *
   * @param connection the connection the gateway closed
   */
  void closeAssociation(DtlsConnection connection) {
    closeAssociation(connection.peer(), connection.association(), connection.context());
  }

  private void closeAssociation(InetSocketAddress peer, ConnectionId association, DtlsEndpointContext context) {
    if (association != null && !association.equals(associationByAddress.get(peer))) {
      return;
    }
    DTLSConnector dtls = connector;
    if (dtls == null || closing) {
      return;
    }
    closedByAddress.put(peer, new ClosedAssociation(association, context));
    try {
      dtls.close(peer);
    } catch (RejectedExecutionException | IllegalStateException e) {
      log.debug("{}: could not send close_notify to {}: {}", listenerName, peer, e.toString());
    }
  }

  /** Takes a connection out of the table now and reports its close on the report executor. */
  private void endLater(DtlsConnection connection) {
    release(connection);
    try {
      reports.execute(() -> connection.reportClosed(CloseReasons.UDP_CLOSED));
    } catch (RejectedExecutionException e) {
      // The listener has stopped and Scandium no longer calls in: report here (at most once).
      connection.reportClosed(CloseReasons.UDP_CLOSED);
    }
  }

  /**
   * Closes every connection with the given reason, on the calling thread, and refuses new ones.
   * Connections the gateway closed itself are not reported.
   *
   * @param reason the close reason
   */
  public void closeAll(String reason) {
    closing = true;
    for (DtlsConnection connection : List.copyOf(byAddress.values())) {
      release(connection);
      connection.reportClosed(reason);
    }
  }

  // ---- Scandium's association events ----

  /**
   * Records a newly established association; a previous association of the same peer address
   * ends its connection.
   *
   * @param connection Scandium's connection, with its peer address
   */
  @Override
  public void onConnectionEstablished(Connection connection) {
    InetSocketAddress peer = connection.getPeerAddress();
    ConnectionId association = connection.getConnectionId();
    if (peer == null || association == null) {
      return;
    }
    addressByAssociation.put(association, peer);
    ConnectionId previous = associationByAddress.put(peer, association);
    if (previous != null && !previous.equals(association)) {
      addressByAssociation.remove(previous, peer);
    }
    closedByAddress.remove(peer);
    DtlsConnection current = byAddress.get(peer);
    if (current != null && !association.equals(current.association())) {
      endLater(current);
    }
  }

  /**
   * Ends the connection of an association Scandium removed (fatal alert, eviction, replacement).
   *
   * @param connection Scandium's connection, already cleaned up (only its id is left)
   */
  @Override
  public void onConnectionRemoved(Connection connection) {
    ConnectionId association = connection.getConnectionId();
    if (association == null) {
      return;
    }
    InetSocketAddress peer = addressByAssociation.remove(association);
    if (peer != null) {
      associationByAddress.remove(peer, association);
      closedByAddress.computeIfPresent(peer, (address, closed) -> association.equals(closed.id()) ? null : closed);
    }
    DtlsConnection current = byAssociation.get(association);
    if (current != null) {
      endLater(current);
    }
  }

  /**
   * Ignored.
   *
   * @param connection unused
   * @param writeSequenceNumber unused
   * @return false: sequence numbers never close a connection here
   */
  @Override
  public boolean onConnectionUpdatesSequenceNumbers(Connection connection, boolean writeSequenceNumber) {
    return false;
  }

  /**
   * Fails a handshake whose client sent a record that does not decrypt. During a handshake the
   * only encrypted record a server receives is the client's Finished, so this means the client
   * derived other keys: a wrong pre-shared key or an unknown PSK identity (which
   * {@link PskSecrets} answers with a random key), almost always. Scandium would silently drop the
   * record (as DTLS does with invalid records) and keep the handshake waiting until it is evicted;
   * failing it here makes the refusal visible at once as {@code refused.dtls_handshake}, and the
   * client gets a {@code decrypt_error} alert (RFC 4279's answer to a wrong key) instead of waiting
   * for its retransmissions to time out. MAC errors on established associations are left to
   * Scandium's record filter.
   *
   * @param connection the association the record arrived on
   * @return false: the association itself is not closed here
   */
  @Override
  public boolean onConnectionMacError(Connection connection) {
    Handshaker handshake = connection.getOngoingHandshake();
    if (handshake == null || connection.hasEstablishedDtlsContext() || closing) {
      return false;
    }
    DTLSConnector dtls = connector;
    HandshakeException failure = new HandshakeException(
        "the client's Finished did not decrypt: unknown PSK identity or wrong key",
        new AlertMessage(AlertLevel.FATAL, AlertDescription.DECRYPT_ERROR));
    try {
      // After the record at hand is done, on the association's own serial executor. Scandium sends
      // the fatal alert (still unencrypted at this point of the handshake) and fails the handshake.
      connection.getExecutor().execute(() -> {
        if (connection.getOngoingHandshake() == handshake) {
          dtls.processHandshakeException(connection, failure);
        }
      });
    } catch (RejectedExecutionException e) {
      // Stopping.
    }
    return false;
  }

  /**
   * Ignored.
   *
   * @param connection unused
   */
  @Override
  public void beforeExecution(Connection connection) {}

  /**
   * Ignored.
   *
   * @param connection unused
   */
  @Override
  public void updateExecution(Connection connection) {}

  /**
   * Ignored.
   *
   * @param connection unused
   */
  @Override
  public void afterExecution(Connection connection) {}

  /**
   * Ends the connection of a peer that sent close_notify. Checked on the report executor: the
   * alert ends the connection only if its association is the one that closed (an alert from an
   * older association of the same address is ignored).
   *
   * @param peer the peer's address, null when Scandium no longer knows it
   * @param alert the alert
   */
  @Override
  public void onAlert(InetSocketAddress peer, AlertMessage alert) {
    if (peer == null || alert.getDescription() != AlertDescription.CLOSE_NOTIFY || closing) {
      return;
    }
    DtlsConnection connection = byAddress.get(peer);
    if (connection == null) {
      return;
    }
    try {
      reports.execute(() -> {
        DTLSConnector dtls = connector;
        DTLSContext current = dtls == null ? null : dtls.getDtlsContextByAddress(peer);
        Number handshake = connection.context().getHandshakeTimestamp();
        boolean same = current == null
            || handshake == null
            || current.getLastHandshakeTime() == handshake.longValue();
        if (same && (current == null || current.isMarkedAsClosed())) {
          release(connection);
          connection.reportClosed(CloseReasons.UDP_CLOSED);
        }
      });
    } catch (RejectedExecutionException e) {
      // Stopping: closeAll reports every connection itself.
    }
  }

  /** An association this listener closed or refused: Scandium's id (null if unknown) and its DTLS context. */
  private record ClosedAssociation(ConnectionId id, DtlsEndpointContext context) {}
}
