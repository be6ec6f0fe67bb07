package io.exproto.dtls.internal;

import io.exproto.listener.CertificateInfo;
import java.security.Principal;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.elements.auth.X509CertPath;

/**
 * Turns the peer identity Scandium established in the handshake into the ConnInfo
 * {@code peercert} the handler sees. Not API.
 *
 * <ul>
 *   <li>X.509 client certificate: {@code cn} = the subject's common name (empty when it has none),
 *       {@code dn} = the subject in RFC 2253 form, e.g. {@code CN=device-1,O=Acme}.</li>
 *   <li>Pre-shared key: {@code cn} = the PSK identity, {@code dn} = empty. A certificate subject is
 *       never empty, so an empty {@code dn} with a {@code cn} marks a PSK client.</li>
 *   <li>No client authentication (certificate not requested or not sent): no peercert.</li>
 * </ul>
 */
public final class PeerIdentities {

  private PeerIdentities() {}

  /**
   * Describes a peer identity.
   *
   * @param identity the identity from the DTLS endpoint context; null when the client did not
   *     authenticate
   * @return the peercert of ConnInfo, empty for an anonymous client
   */
  public static Optional<CertificateInfo> of(Principal identity) {
    if (identity instanceof PreSharedKeyIdentity psk) {
      return Optional.of(new CertificateInfo(psk.getIdentity(), ""));
    }
    if (identity instanceof X509CertPath path && path.getTarget() != null) {
      X509Certificate certificate = path.getTarget();
      String cn = path.getCN();
      String dn = certificate.getSubjectX500Principal().getName(X500Principal.RFC2253);
      return Optional.of(new CertificateInfo(cn == null ? "" : cn, dn));
    }
    return Optional.empty();
  }
}
