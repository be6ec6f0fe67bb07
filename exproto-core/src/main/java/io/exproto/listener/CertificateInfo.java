package io.exproto.listener;

import java.util.Objects;

/**
 * The subject of the certificate a TLS or DTLS client presented.
 *
 * @param cn the subject's common name (empty when absent)
 * @param dn the subject's distinguished name (empty when absent)
 */
public record CertificateInfo(String cn, String dn) {

  /**
   * Validates the fields.
   *
   * @param cn the common name, not null
   * @param dn the distinguished name, not null
   */
  public CertificateInfo {
    Objects.requireNonNull(cn, "cn");
    Objects.requireNonNull(dn, "dn");
  }
}
