package io.exproto.adapter;

import java.util.Objects;

/**
 * The outcome of an adapter operation: a code and, when it is not {@link ResultCode#SUCCESS}, a
 * plain-English message that names the offending field.
 *
 * @param code the result code, not null
 * @param message the reason, empty on success
 */
public record Result(ResultCode code, String message) {

  private static final Result SUCCESS = new Result(ResultCode.SUCCESS, "");

  /**
   * Validates the fields.
   *
   * @param code the result code, not null
   * @param message the reason, not null
   */
  public Result {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }

  /**
   * Returns the shared success result.
   *
   * @return a result with code {@link ResultCode#SUCCESS} and an empty message
   */
  public static Result success() {
    return SUCCESS;
  }

  /**
   * Creates a failure.
   *
   * @param code the failure code
   * @param message the reason, naming the field at fault
   * @return the result
   */
  public static Result of(ResultCode code, String message) {
    return new Result(code, message);
  }

  /**
   * Tells whether the operation succeeded.
   *
   * @return true when the code is {@link ResultCode#SUCCESS}
   */
  public boolean isSuccess() {
    return code == ResultCode.SUCCESS;
  }
}
