package io.exproto.auth.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import io.exproto.logging.RateLimitedLogger;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public keys of a JWKS endpoint (RFC 7517), fetched when first needed and cached.
 *
 * <ul>
 *   <li>A key set older than the refresh interval is fetched again in the background while the
 *       cached one keeps serving; a token whose key is not in the set fetches it again at once (the
 *       issuer may have rotated its keys). Fetches start at most once per {@link #minGap}, however
 *       many tokens name unknown keys, and never two at a time.</li>
 *   <li>Each fetch is bounded: one GET, no redirects, a timeout for the whole exchange, and a
 *       maximum answer size past which the download is cancelled. The endpoint is not trusted: an
 *       answer that is not a 200 with a JWK set is a failed fetch; private and symmetric keys in
 *       it are dropped.</li>
 *   <li>When fetches fail, the last good key set stays in use for {@value #STALE_INTERVALS}
 *       refresh intervals after it was fetched (EMQX drops its keys after 5 failed refreshes);
 *       after that, or before any fetch succeeded, there are no keys: the caller answers IGNORE.
 *       Failures are logged at WARN, rate-limited, with the endpoint (without its query) and what
 *       went wrong, never the answer's body.</li>
 * </ul>
 *
 * <p>Time (ages, gaps) is read from the injected clock, so tests need no sleeps. Thread-safe;
 * never blocks: callers wait on the returned stage. Not API.
 */
final class JwksSource {

  /** How many refresh intervals a key set stays usable when it cannot be fetched again. */
  static final int STALE_INTERVALS = 5;
  /** The least time between the starts of two fetches (unless the refresh interval is shorter). */
  static final Duration MIN_GAP = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(JwksSource.class);

  /** A key of the set, with its verifier made once. */
  record Key(JWK jwk, JWSVerifier verifier) {}

  /**
   * What verification gets.
   *
   * @param keys the usable keys, or null when there are none
   * @param unavailable when {@code keys} is null, why (no secret, no body)
   */
  record Keys(List<Key> keys, String unavailable) {}

  private final URI endpoint;
  private final String safeUrl;
  private final HttpClient client;
  private final Executor answers;
  private final Duration refreshInterval;
  private final Duration maxAge;
  private final Duration minGap;
  private final Duration fetchTimeout;
  private final int maxBytes;
  private final Clock clock;
  private final RateLimitedLogger failureLog = new RateLimitedLogger(log);

  // Guarded by this.
  private List<Key> current;
  private Instant fetchedAt;
  private Instant lastStart;
  private String lastFailure;
  private CompletableFuture<Void> inFlight;

  JwksSource(URI endpoint, HttpClient client, Duration refreshInterval, Duration fetchTimeout,
      int maxBytes, Clock clock) {
    this.endpoint = endpoint;
    this.safeUrl = safeUrl(endpoint);
    this.client = client;
    this.answers = client.executor().orElse(ForkJoinPool.commonPool());
    this.refreshInterval = refreshInterval;
    this.maxAge = refreshInterval.multipliedBy(STALE_INTERVALS);
    this.minGap = refreshInterval.compareTo(MIN_GAP) < 0 ? refreshInterval : MIN_GAP;
    this.fetchTimeout = fetchTimeout;
    this.maxBytes = maxBytes;
    this.clock = clock;
  }

  /** The endpoint without user info, query or fragment: what logs and descriptions show. */
  static String safeUrl(URI uri) {
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
        + (uri.getRawPath() == null ? "" : uri.getRawPath());
  }

  /** The endpoint as logs show it. */
  String describe() {
    return safeUrl;
  }

  /**
   * Gets the keys to verify a token with.
   *
   * @param unknownKey true when the cached keys did not have the token's key: fetch again now,
   *     unless a fetch started less than the minimum gap ago
   * @return the keys, at once when cached ones are usable, else when the fetch under way ends
   */
  CompletionStage<Keys> keys(boolean unknownKey) {
    Instant now = clock.instant();
    CompletableFuture<Void> started = null;
    CompletableFuture<Void> wait;
    Keys ready = null;
    synchronized (this) {
      boolean due = current == null || unknownKey || !now.isBefore(fetchedAt.plus(refreshInterval));
      boolean allowed = lastStart == null || !now.isBefore(lastStart.plus(minGap));
      if (due && allowed && inFlight == null) {
        started = new CompletableFuture<>();
        inFlight = started;
        lastStart = now;
      }
      // Usable keys serve while a refresh runs in the background; an unknown key waits for it.
      if (inFlight == null || (!unknownKey && usable(now))) {
        ready = snapshot(now);
      }
      wait = inFlight;
    }
    if (started != null) {
      fetch(started);
    }
    if (ready != null) {
      return CompletableFuture.completedFuture(ready);
    }
    return wait.handle((ignored, error) -> snapshot(clock.instant()));
  }

  private synchronized boolean usable(Instant now) {
    return current != null && now.isBefore(fetchedAt.plus(maxAge));
  }

  private synchronized Keys snapshot(Instant now) {
    if (usable(now)) {
      return new Keys(current, null);
    }
    if (current != null) {
      return new Keys(null, "the JWKS fetched at " + fetchedAt
          + " is too old and cannot be fetched again"
          + (lastFailure == null ? "" : " (" + lastFailure + ")"));
    }
    return new Keys(null, lastFailure == null ? "the JWKS has not been fetched yet"
        : "the JWKS cannot be fetched (" + lastFailure + ")");
  }

  private void fetch(CompletableFuture<Void> done) {
    LimitedBody body = new LimitedBody(maxBytes);
    CompletableFuture<HttpResponse<byte[]>> sent;
    try {
      HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(fetchTimeout)
          .header("accept", "application/json").GET().build();
      sent = client.sendAsync(request, body);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<HttpResponse<byte[]>> exchange = sent;
    // The request timeout covers the response headers only; this bounds the body too. The answer
    // is handled off the JDK's timer thread.
    sent.copy()
        .orTimeout(fetchTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .handleAsync((response, error) -> {
          if (error != null) {
            exchange.cancel(true);
            body.abort();
            return failure(reason(unwrap(error)));
          }
          return parse(response.body());
        }, answers)
        .exceptionally(error -> failure("the answer could not be handled ("
            + unwrap(error).getClass().getSimpleName() + ")"))
        .thenAccept(this::record)
        .whenComplete((ignored, error) -> done.complete(null));
  }

  /** The outcome of one fetch: keys, or why not. */
  private record Outcome(List<Key> keys, String failure) {}

  private static Outcome failure(String reason) {
    return new Outcome(null, reason);
  }

  private Outcome parse(byte[] body) {
    JWKSet set;
    try {
      set = JWKSet.parse(new String(body, StandardCharsets.UTF_8)).toPublicJWKSet();
    } catch (ParseException | RuntimeException e) {
      // The parser's message may quote the answer: not passed on.
      return failure("the answer is not a JWK set (a JSON object with a keys array of JWKs)");
    }
    List<Key> keys = new ArrayList<>();
    for (JWK jwk : set.getKeys()) {
      JWSVerifier verifier = verifier(jwk);
      if (verifier != null) {
        keys.add(new Key(jwk, verifier));
      }
    }
    return new Outcome(List.copyOf(keys), null);
  }

  /** A verifier for an RSA or EC public key; null for other keys, or keys Nimbus refuses. */
  private static JWSVerifier verifier(JWK jwk) {
    try {
      if (jwk instanceof RSAKey rsa) {
        return new RSASSAVerifier(rsa);
      }
      if (jwk instanceof ECKey ec) {
        return new ECDSAVerifier(ec);
      }
    } catch (JOSEException | RuntimeException e) {
      return null;
    }
    return null;
  }

  private void record(Outcome outcome) {
    Instant now = clock.instant();
    boolean recovered;
    Keys after;
    synchronized (this) {
      inFlight = null;
      if (outcome.keys() != null) {
        recovered = lastFailure != null;
        current = outcome.keys();
        fetchedAt = now;
        lastFailure = null;
      } else {
        recovered = false;
        lastFailure = outcome.failure();
      }
      after = snapshot(now);
    }
    if (outcome.keys() != null) {
      if (recovered) {
        log.info("JWT authentication: fetched the JWKS from {} again (usable keys: {})", safeUrl,
            outcome.keys().size());
      } else {
        log.debug("JWT authentication: fetched the JWKS from {} (usable keys: {})", safeUrl,
            outcome.keys().size());
      }
    } else if (after.keys() != null) {
      failureLog.warn("JWT authentication: cannot fetch the JWKS from {}: {}; the key set fetched"
          + " at {} stays in use until {}", safeUrl, outcome.failure(), fetchedAt(),
          fetchedAt().plus(maxAge));
    } else {
      failureLog.warn("JWT authentication: cannot fetch the JWKS from {}: {}; JWTs are ignored"
          + " (left to the next authenticator) until it can be fetched", safeUrl, outcome.failure());
    }
  }

  private synchronized Instant fetchedAt() {
    return fetchedAt;
  }

  private String reason(Throwable error) {
    Throwable cause = error;
    while (cause != null) {
      if (cause instanceof TooLarge || cause instanceof BadStatus) {
        return cause.getMessage();
      }
      cause = cause.getCause();
    }
    if (error instanceof TimeoutException || error instanceof HttpTimeoutException) {
      return "timed out after " + fetchTimeout.toMillis() + " ms";
    }
    if (error instanceof ConnectException) {
      return "the endpoint is unreachable";
    }
    // Only the type: messages of the TLS and HTTP stacks can be long and say little more.
    return "the request failed (" + error.getClass().getSimpleName() + ")";
  }

  private static Throwable unwrap(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  /** An answer over the size bound. */
  private static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    TooLarge(int maxBytes) {
      super("the answer is larger than " + maxBytes + " bytes");
    }
  }

  /** An answer other than 200. */
  private static final class BadStatus extends IOException {
    private static final long serialVersionUID = 1L;

    BadStatus(int status) {
      super("the endpoint answered status " + status);
    }
  }

  /**
   * Takes a 200 answer of at most {@code maxBytes}; anything else is cancelled as soon as it is
   * known (by the status, the content-length, or the bytes received so far).
   */
  private static final class LimitedBody implements HttpResponse.BodyHandler<byte[]> {
    private final int maxBytes;
    private volatile Subscriber subscriber;

    LimitedBody(int maxBytes) {
      this.maxBytes = maxBytes;
    }

    @Override
    public HttpResponse.BodySubscriber<byte[]> apply(HttpResponse.ResponseInfo info) {
      IOException refused = null;
      if (info.statusCode() != 200) {
        refused = new BadStatus(info.statusCode());
      } else if (info.headers().firstValueAsLong("content-length").orElse(0) > maxBytes) {
        refused = new TooLarge(maxBytes);
      }
      Subscriber created = new Subscriber(maxBytes, refused);
      subscriber = created;
      return created;
    }

    void abort() {
      Subscriber s = subscriber;
      if (s != null) {
        s.cancel();
      }
    }
  }

  private static final class Subscriber implements HttpResponse.BodySubscriber<byte[]> {
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final int maxBytes;
    private final IOException refused;
    private volatile Flow.Subscription subscription;

    Subscriber(int maxBytes, IOException refused) {
      this.maxBytes = maxBytes;
      this.refused = refused;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (refused != null) {
        s.cancel();
        result.completeExceptionally(refused);
      } else {
        s.request(Long.MAX_VALUE);
      }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer buffer : buffers) {
        if (received.size() + (long) buffer.remaining() > maxBytes) {
          cancel();
          result.completeExceptionally(new TooLarge(maxBytes));
          return;
        }
        byte[] chunk = new byte[buffer.remaining()];
        buffer.get(chunk);
        received.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable error) {
      result.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      result.complete(received.toByteArray());
    }

    void cancel() {
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
    }
  }
}
