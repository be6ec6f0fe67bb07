package io.exproto.examples.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free ports on 127.0.0.1, for a child process that must be told its port in advance. */
public final class Ports {

  private Ports() {}

  /**
   * Returns a port the system just chose for 127.0.0.1 and released. Another process could take it
   * before the child binds it; on a test machine that is rare enough.
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
