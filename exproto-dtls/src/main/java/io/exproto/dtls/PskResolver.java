package io.exproto.dtls;

import java.util.Optional;

/**
 * Looks up the pre-shared key of a DTLS client by the PSK identity it sent, for hosts that keep
 * keys in their own store instead of listing them with {@link DtlsListener.Builder#psk}.
 * Implemented by the host.
 *
 * <p>Called on one of the listener's DTLS threads during a handshake, possibly concurrently for
 * different clients; it should answer quickly (a slow resolver holds up other handshakes). A
 * resolver that throws is treated as not knowing the identity: that handshake fails and is counted
 * as {@code <listener>.refused.dtls_handshake}, and the failure (the identity and the exception's
 * type, never its message) is logged at WARN, at most one line per 10 s. The listener never logs
 * the secret.
 *
 * <pre>{@code
 * DtlsListener.builder().pskResolver(identity -> keyVault.lookup(identity)).build();
 * }</pre>
 */
@FunctionalInterface
public interface PskResolver {

  /**
   * Returns the secret of a PSK identity.
   *
   * @param identity the identity the client sent, decoded as UTF-8; never null
   * @return the secret bytes, or empty when the identity is unknown (the handshake then fails); an
   *     empty array counts as unknown. The listener copies the bytes and keeps no reference to the
   *     array.
   */
  Optional<byte[]> secret(String identity);
}
