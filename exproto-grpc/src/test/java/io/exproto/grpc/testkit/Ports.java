package io.exproto.grpc.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free ports on 127.0.0.1, for a handler that must come back where the gateway expects it. */
public final class Ports {

  private Ports() {}

  /**
   * Returns a port the system just chose for 127.0.0.1 and released, so that a server can be
   * stopped and started again on it (a handler restart). Another process could take it meanwhile;
   * on a test machine that is rare enough.
   *
   * @return the port
   */
  public static int freeLoopbackPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
