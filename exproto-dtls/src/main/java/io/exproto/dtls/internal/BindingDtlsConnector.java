package io.exproto.dtls.internal;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;

/**
 * Scandium's connector, binding its socket before handing it over so that a failed bind (port in
 * use) closes the socket instead of leaving it open: the stock connector creates the socket, fails
 * to bind it, and never closes it because it never counted as running. Not API; not final so
 * the listener's tests can hold up its socket.
 */
public class BindingDtlsConnector extends DTLSConnector {

  /**
   * Creates the connector.
   *
   * @param configuration the Scandium configuration, not null
   */
  public BindingDtlsConnector(DtlsConnectorConfig configuration) {
    super(configuration);
  }

  /**
   * Binds a new socket to the address and starts the connector on it.
   *
   * @param bindAddress the address to bind
   * @throws IOException when the address cannot be bound; the socket is closed
   */
  @Override
  protected void start(InetSocketAddress bindAddress) throws IOException {
    if (isRunning()) {
      return;
    }
    DatagramSocket socket = new DatagramSocket(null);
    try {
      socket.bind(bindAddress);
      init(bindAddress, socket, null);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }
}
