package io.exproto.auth;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An authenticator's answer.
 *
 * @param decision allow, deny, or ignore (let the next authenticator decide)
 * @param expiresAt for {@link Decision#ALLOW}: when the connection must be closed with reason
 *     {@code expired}
 * @param reason why, for denials (shown to the handler in the result message, never a secret)
 */
public record AuthResult(Decision decision, Optional<Instant> expiresAt, String reason) {

  /** The three answers of an authenticator chain. */
  public enum Decision {
    /** Let the client in; the chain stops. */
    ALLOW,
    /** Keep the client out; the chain stops. */
    DENY,
    /** No opinion; the next authenticator decides. */
    IGNORE
  }

  /**
   * Validates the fields.
   *
   * @param decision not null
   * @param expiresAt not null
   * @param reason not null
   */
  public AuthResult {
    Objects.requireNonNull(decision, "decision");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(reason, "reason");
  }

  /**
   * Allows without expiry.
   *
   * @return the result
   */
  public static AuthResult allow() {
    return new AuthResult(Decision.ALLOW, Optional.empty(), "");
  }

  /**
   * Allows until a time.
   *
   * @param expiresAt when the connection expires
   * @return the result
   */
  public static AuthResult allowUntil(Instant expiresAt) {
    return new AuthResult(Decision.ALLOW, Optional.of(expiresAt), "");
  }

  /**
   * Denies.
   *
   * @param reason why (no secrets)
   * @return the result
   */
  public static AuthResult deny(String reason) {
    return new AuthResult(Decision.DENY, Optional.empty(), reason);
  }

  /**
   * Has no opinion.
   *
   * @return the result
   */
  public static AuthResult ignore() {
    return new AuthResult(Decision.IGNORE, Optional.empty(), "");
  }
}
