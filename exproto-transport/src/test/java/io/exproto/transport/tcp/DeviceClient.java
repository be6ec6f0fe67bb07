package io.exproto.transport.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/** A blocking device: a plain {@link Socket} with helpers that never wait more than a few seconds. */
final class DeviceClient implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;

  DeviceClient(InetSocketAddress server) throws IOException {
    this(server, 0);
  }

  /** Connects with the given send buffer size (0 for the system's). */
  DeviceClient(InetSocketAddress server, int sendBufferSize) throws IOException {
    socket = new Socket();
    if (sendBufferSize > 0) {
      socket.setSendBufferSize(sendBufferSize);
    }
    socket.setSoTimeout(10_000);
    socket.connect(server, 10_000);
    in = socket.getInputStream();
  }

  Socket socket() {
    return socket;
  }

  void send(String text) throws IOException {
    send(text.getBytes(StandardCharsets.UTF_8));
  }

  void send(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
  }

  /** Reads exactly as many bytes as {@code expected} has, as UTF-8. */
  String read(String expected) throws IOException {
    byte[] buf = in.readNBytes(expected.getBytes(StandardCharsets.UTF_8).length);
    return new String(buf, StandardCharsets.UTF_8);
  }

  /** Tells whether the server closed the connection: the next read ends the stream or resets. */
  boolean closedByServer() throws IOException {
    try {
      return in.read() == -1;
    } catch (SocketException reset) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
