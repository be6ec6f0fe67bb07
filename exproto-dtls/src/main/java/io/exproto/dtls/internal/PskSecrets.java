package io.exproto.dtls.internal;

import io.exproto.dtls.PskResolver;
import io.exproto.logging.RateLimitedLogger;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.security.auth.Destroyable;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.PskPublicInformation;
import org.eclipse.californium.scandium.dtls.PskSecretResult;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedPskStore;
import org.eclipse.californium.scandium.util.SecretUtil;
import org.eclipse.californium.scandium.util.ServerNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side pre-shared key store handed to Scandium: the keys listed on the builder first,
 * then the host's {@link PskResolver}, if any. Not API.
 *
 * <p>An unknown identity gets a random key instead of an {@code unknown_psk_identity} alert, so
 * it fails like a wrong key does (Scandium drops the client's Finished and {@link PeerTable} fails
 * the handshake), and clients cannot probe which identities exist.
 *
 * <p>Secrets are held as {@link SecretKey}s and each handshake gets its own copy (Scandium destroys
 * it when the handshake is done); {@link #destroy()} wipes the listed keys when the listener stops.
 * Neither a secret nor its length is ever logged. A failing resolver is logged at WARN, at most one
 * line per period (each handshake a client starts asks again). Thread-safe: the listed keys never
 * change after construction.
 */
public final class PskSecrets implements AdvancedPskStore, Destroyable {

  private static final Logger log = LoggerFactory.getLogger(PskSecrets.class);

  private final Map<String, SecretKey> keys;
  private final PskResolver resolver;
  private final SecureRandom random = new SecureRandom();
  private final RateLimitedLogger resolverFailures = new RateLimitedLogger(log);
  private volatile boolean destroyed;

  /**
   * Creates the store.
   *
   * @param secrets the listed keys by identity, not null (may be empty); the arrays are copied
   * @param resolver the host's resolver, consulted for identities not listed; null for none
   */
  public PskSecrets(Map<String, byte[]> secrets, PskResolver resolver) {
    Map<String, SecretKey> copy = new HashMap<>();
    Objects.requireNonNull(secrets, "secrets").forEach((identity, secret) ->
        copy.put(identity, SecretUtil.create(secret, PskSecretResult.ALGORITHM_PSK)));
    this.keys = Map.copyOf(copy);
    this.resolver = resolver;
  }

  /**
   * Tells Scandium that ECDHE-PSK cipher suites work with this store (the store only hands out the
   * key; Scandium derives the rest).
   *
   * @return true
   */
  @Override
  public boolean hasEcdhePskSupported() {
    return true;
  }

  /**
   * Returns the secret of the identity a client sent; for an unknown identity, a random secret
   * (see {@link #decoy()}).
   *
   * @param cid the handshake's connection id
   * @param serverName the server names the client asked for (unused)
   * @param identity the client's PSK identity
   * @param hmacAlgorithm unused: the store returns the plain key
   * @param otherSecret unused
   * @param seed unused
   * @param useExtendedMasterSecret unused
   * @return the result for Scandium
   */
  @Override
  public PskSecretResult requestPskSecretResult(ConnectionId cid, ServerNames serverName,
      PskPublicInformation identity, String hmacAlgorithm, SecretKey otherSecret, byte[] seed,
      boolean useExtendedMasterSecret) {
    String name = identity.getPublicInfoAsString();
    SecretKey listed = destroyed ? null : keys.get(name);
    if (listed != null) {
      return new PskSecretResult(cid, identity, SecretUtil.create(listed));
    }
    SecretKey resolved = resolve(name);
    return new PskSecretResult(cid, identity, resolved != null ? resolved : decoy());
  }

  /**
   * A random key for an unknown identity, so the handshake goes on and fails at the client's
   * Finished exactly as with a wrong key (RFC 4279, section 5.1): a client cannot tell which
   * identities exist, and both failures are refused the same way.
   */
  private SecretKey decoy() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    SecretKey key = SecretUtil.create(bytes, PskSecretResult.ALGORITHM_PSK);
    Arrays.fill(bytes, (byte) 0);
    return key;
  }

  private SecretKey resolve(String identity) {
    if (resolver == null || destroyed) {
      return null;
    }
    try {
      Optional<byte[]> secret = resolver.secret(identity);
      if (secret == null || secret.isEmpty() || secret.get().length == 0) {
        return null;
      }
      return SecretUtil.create(secret.get(), PskSecretResult.ALGORITHM_PSK);
    } catch (RuntimeException e) {
      // The exception's message could quote a secret; log its type only.
      resolverFailures.warn(
          "The PSK resolver failed for identity '{}' ({}); the handshake is refused", identity,
          e.getClass().getName());
      return null;
    }
  }

  /**
   * Returns no identity: a server never starts a PSK handshake.
   *
   * @param peerAddress unused
   * @param virtualHost unused
   * @return null
   */
  @Override
  public PskPublicInformation getIdentity(InetSocketAddress peerAddress, ServerNames virtualHost) {
    return null;
  }

  /**
   * Ignores the handler: this store answers synchronously.
   *
   * @param resultHandler unused
   */
  @Override
  public void setResultHandler(HandshakeResultHandler resultHandler) {
    // Synchronous store: nothing is ever reported later.
  }

  /** Wipes the listed keys; later handshakes find no key. Idempotent. */
  @Override
  public void destroy() {
    destroyed = true;
    keys.values().forEach(SecretUtil::destroy);
  }

  /**
   * Tells whether {@link #destroy()} was called.
   *
   * @return whether the keys were wiped
   */
  @Override
  public boolean isDestroyed() {
    return destroyed;
  }

  @Override
  public String toString() {
    return "PskSecrets{" + keys.size() + " listed identities" + (resolver != null ? ", resolver" : "") + "}";
  }
}
