package io.exproto.transport.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLException;

/**
 * A blocking stream device: a plain or TLS {@link Socket} with helpers that never wait more than a
 * few seconds.
 */
public final class DeviceClient implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;

  /** Connects a plain TCP socket. */
  public DeviceClient(InetSocketAddress server) throws IOException {
    this(server, 0);
  }

  /** Connects a plain TCP socket with the given send buffer size (0 for the system's). */
  public DeviceClient(InetSocketAddress server, int sendBufferSize) throws IOException {
    this(connect(server, sendBufferSize, 0));
  }

  /** Wraps a socket that is already connected (a TLS socket, or one with special options). */
  public DeviceClient(Socket connected) throws IOException {
    socket = connected;
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
  }

  /** Connects a plain socket with the given buffer sizes (0 for the system's). */
  public static Socket connect(InetSocketAddress server, int sendBufferSize, int receiveBufferSize)
      throws IOException {
    Socket socket = new Socket();
    if (sendBufferSize > 0) {
      socket.setSendBufferSize(sendBufferSize);
    }
    if (receiveBufferSize > 0) {
      socket.setReceiveBufferSize(receiveBufferSize);
    }
    socket.setSoTimeout(10_000);
    socket.connect(server, 10_000);
    return socket;
  }

  public Socket socket() {
    return socket;
  }

  public void send(String text) throws IOException {
    send(text.getBytes(StandardCharsets.UTF_8));
  }

  public void send(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
  }

  /** Reads exactly as many bytes as {@code expected} has, as UTF-8. */
  public String read(String expected) throws IOException {
    byte[] buf = in.readNBytes(expected.getBytes(StandardCharsets.UTF_8).length);
    return new String(buf, StandardCharsets.UTF_8);
  }

  /**
   * Tells whether the server closed the connection: the next read ends the stream, resets, or
   * (TLS) fails with an alert.
   */
  public boolean closedByServer() throws IOException {
    try {
      return in.read() == -1;
    } catch (SocketException | SSLException reset) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
