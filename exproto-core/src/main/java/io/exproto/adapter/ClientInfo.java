package io.exproto.adapter;

import java.util.Objects;

/**
 * Who a device says it is, as given to Authenticate. Empty strings stand for absent values (the
 * protobuf convention).
 *
 * @param protoName the device protocol's name
 * @param protoVersion the device protocol's version
 * @param clientId the client id; must not be empty for Authenticate to succeed
 * @param username the user name
 */
public record ClientInfo(String protoName, String protoVersion, String clientId, String username) {

  /**
   * Validates the fields.
   *
   * @param protoName not null
   * @param protoVersion not null
   * @param clientId not null
   * @param username not null
   */
  public ClientInfo {
    Objects.requireNonNull(protoName, "protoName");
    Objects.requireNonNull(protoVersion, "protoVersion");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(username, "username");
  }

  /**
   * Creates client information with only a client id and user name.
   *
   * @param clientId the client id
   * @param username the user name (empty for none)
   * @return the client information
   */
  public static ClientInfo of(String clientId, String username) {
    return new ClientInfo("", "", clientId, username);
  }
}
