package io.exproto.auth;

import io.exproto.adapter.ClientInfo;
import io.exproto.listener.ConnectionInfo;
import java.util.Objects;

/**
 * What an {@link Authenticator} decides on. {@link #toString()} never shows the password.
 *
 * @param connection the device connection
 * @param client who the device says it is
 * @param password the password given to Authenticate (empty for none)
 */
public record AuthRequest(ConnectionInfo connection, ClientInfo client, String password) {

  /**
   * Validates the fields.
   *
   * @param connection not null
   * @param client not null
   * @param password not null
   */
  public AuthRequest {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(password, "password");
  }

  @Override
  public String toString() {
    return "AuthRequest[connection=" + connection + ", client=" + client + ", password=******]";
  }
}
