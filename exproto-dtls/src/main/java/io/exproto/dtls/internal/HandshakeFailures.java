package io.exproto.dtls.internal;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.logging.RateLimitedLogger;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.eclipse.californium.scandium.dtls.AlertMessage;
import org.eclipse.californium.scandium.dtls.HandshakeException;
import org.eclipse.californium.scandium.dtls.Handshaker;
import org.eclipse.californium.scandium.dtls.SessionAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts and logs the DTLS handshakes that did not complete: a wrong or unknown pre-shared key, a
 * client certificate that is missing, untrusted or expired, a client that gave up or timed out. A
 * failed handshake never reaches the gateway (no OnSocketCreated); it is counted as
 * {@code <listener>.refused.dtls_handshake}. Not API.
 *
 * <p>Scandium only starts a handshake after the client proved its address with the
 * HelloVerifyRequest cookie, so spoofed ClientHellos are not counted. Handshakes cut short because
 * the listener is stopping are not counted either. Each failure is logged at INFO, at most one
 * line per period for the listener (a client can fail any number of handshakes). Thread-safe.
 */
public final class HandshakeFailures extends SessionAdapter {

  private static final Logger log = LoggerFactory.getLogger(HandshakeFailures.class);

  private final String listenerName;
  private final GatewayMetrics metrics;
  private final String counter;
  private final BooleanSupplier stopping;
  private final RateLimitedLogger failures = new RateLimitedLogger(log);

  /**
   * Creates the listener of one DTLS listener.
   *
   * @param listenerName the listener's name, not null
   * @param metrics where failures are counted, not null
   * @param counter the full counter name, not null
   * @param stopping tells whether the listener is stopping, not null
   */
  public HandshakeFailures(String listenerName, GatewayMetrics metrics, String counter,
      BooleanSupplier stopping) {
    this.listenerName = Objects.requireNonNull(listenerName, "listenerName");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.counter = Objects.requireNonNull(counter, "counter");
    this.stopping = Objects.requireNonNull(stopping, "stopping");
  }

  /**
   * Counts one failed handshake and logs it (with the peer address and the alert, never key
   * material), unless a line was written within the period.
   *
   * @param handshaker the failed handshake
   * @param error why it failed
   */
  @Override
  public void handshakeFailed(Handshaker handshaker, Throwable error) {
    if (stopping.getAsBoolean()) {
      return;
    }
    metrics.increment(counter);
    failures.info("{} refused a DTLS handshake from {}: {}", listenerName,
        handshaker.getPeerAddress(), describe(error));
  }

  private static String describe(Throwable error) {
    if (error instanceof HandshakeException handshake && handshake.getAlert() != null) {
      AlertMessage alert = handshake.getAlert();
      return alert.getDescription() + " (" + handshake.getMessage() + ")";
    }
    return error == null ? "unknown reason" : error.getClass().getSimpleName() + ": " + error.getMessage();
  }
}
