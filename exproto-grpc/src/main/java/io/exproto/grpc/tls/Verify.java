package io.exproto.grpc.tls;

import java.util.Locale;

/**
 * Whether a TLS endpoint checks its peer's certificate: EMQX's {@code verify} option.
 */
public enum Verify {
  /** Do not check the peer's certificate ({@code verify_none}). */
  VERIFY_NONE("verify_none"),
  /** Check the peer's certificate against the trusted CAs ({@code verify_peer}). */
  VERIFY_PEER("verify_peer");

  private final String configValue;

  Verify(String configValue) {
    this.configValue = configValue;
  }

  /**
   * Returns the value as written in EMQX's configuration.
   *
   * @return {@code verify_none} or {@code verify_peer}
   */
  public String configValue() {
    return configValue;
  }

  /**
   * Parses EMQX's spelling, case-insensitively.
   *
   * @param value {@code verify_none} or {@code verify_peer}, not null
   * @return the value
   * @throws IllegalArgumentException when the value is neither
   */
  public static Verify fromConfig(String value) {
    String text = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
    for (Verify verify : values()) {
      if (verify.configValue.equals(text)) {
        return verify;
      }
    }
    throw new IllegalArgumentException("verify: '" + value + "' is not verify_none or verify_peer");
  }
}
