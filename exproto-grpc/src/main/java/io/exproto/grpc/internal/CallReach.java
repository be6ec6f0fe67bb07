package io.exproto.grpc.internal;

import io.grpc.Attributes;
import io.grpc.ClientStreamTracer;
import io.grpc.Metadata;

/**
 * Tells whether one call may have reached its server, from grpc-java's stream tracer callbacks:
 * an attempt may have reached it once the channel gave it a stream on a connected transport
 * ({@link ClientStreamTracer#streamCreated}); before that it sat in the channel, waiting for a
 * connection, and nothing of it left this process. This is a little earlier than the headers
 * being written, so a call whose connection broke in between counts as reached: the answer errs
 * on the side of never sending a call twice.
 *
 * <p>grpc-java's transparent retry makes a new attempt only for one the server provably did not
 * process (refused by a GOAWAY or {@code REFUSED_STREAM}, or never sent), so such an attempt
 * replaces the previous one here; any other new attempt (a retry policy, none is configured)
 * keeps what the previous one may have done.
 *
 * <p>One instance per call, passed in its {@link io.grpc.CallOptions}; thread-safe.
 *
 * <p>Internal: not part of the public API.
 */
public final class CallReach extends ClientStreamTracer.Factory {

  // Guarded by this.
  private Attempt latest;
  private boolean earlierMayHaveReached;

  @Override
  public ClientStreamTracer newClientStreamTracer(ClientStreamTracer.StreamInfo info, Metadata headers) {
    Attempt attempt = new Attempt();
    synchronized (this) {
      if (latest != null && !info.isTransparentRetry()) {
        earlierMayHaveReached |= latest.created;
      }
      latest = attempt;
    }
    return attempt;
  }

  /**
   * Tells whether the call may have reached the server. Final once the call has closed.
   *
   * @return false only when no attempt of the call was ever given a stream on a transport (or
   *     only attempts the server provably did not process were)
   */
  public synchronized boolean mayHaveReached() {
    return earlierMayHaveReached || (latest != null && latest.created);
  }

  /** One attempt of the call. */
  private static final class Attempt extends ClientStreamTracer {
    volatile boolean created;

    @Override
    public void streamCreated(Attributes transportAttrs, Metadata headers) {
      created = true;
    }
  }
}
