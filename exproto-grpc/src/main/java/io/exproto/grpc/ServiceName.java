package io.exproto.grpc;

import java.util.Locale;

/**
 * Which handler service the gateway calls: EMQX's {@code handler.service_name}.
 */
public enum ServiceName {
  /**
   * {@code emqx.exproto.v1.ConnectionUnaryHandler}: one unary call per event, answered by the
   * handler. The default, and what new handler services should serve.
   */
  UNARY("ConnectionUnaryHandler"),
  /**
   * {@code emqx.exproto.v1.ConnectionHandler}: the legacy service, one client stream per rpc kept
   * open, each event one message on it. Deprecated in EMQX; supported for handlers written for it.
   */
  STREAMING("ConnectionHandler");

  private static final String PACKAGE = "emqx.exproto.v1.";

  private final String configName;

  ServiceName(String configName) {
    this.configName = configName;
  }

  /**
   * Returns the name as written in EMQX's {@code handler.service_name}.
   *
   * @return {@code ConnectionUnaryHandler} or {@code ConnectionHandler}
   */
  public String configName() {
    return configName;
  }

  /**
   * Returns the full gRPC service name.
   *
   * @return e.g. {@code emqx.exproto.v1.ConnectionUnaryHandler}
   */
  public String fullName() {
    return PACKAGE + configName;
  }

  /**
   * Parses EMQX's spelling of {@code handler.service_name} (the full gRPC name is accepted too).
   *
   * @param value {@code ConnectionUnaryHandler} or {@code ConnectionHandler}, not null
   * @return the service name
   * @throws IllegalArgumentException when the value names neither
   */
  public static ServiceName fromConfig(String value) {
    String text = value == null ? "" : value.strip();
    if (text.startsWith(PACKAGE)) {
      text = text.substring(PACKAGE.length());
    }
    for (ServiceName name : values()) {
      if (name.configName.toLowerCase(Locale.ROOT).equals(text.toLowerCase(Locale.ROOT))) {
        return name;
      }
    }
    throw new IllegalArgumentException("handler.service_name: '" + value
        + "' is not ConnectionUnaryHandler or ConnectionHandler");
  }
}
