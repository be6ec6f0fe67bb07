package io.exproto.examples.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A device that speaks lines over TCP to 127.0.0.1. Reads time out after 20 seconds, so a test
 * never hangs on a gateway that does not answer.
 */
public final class LineClient implements AutoCloseable {

  private final Socket socket;
  private final BufferedReader in;
  private final OutputStream out;

  /**
   * Connects to a port on 127.0.0.1.
   *
   * @param port the port
   * @throws IOException when the connection fails
   */
  public LineClient(int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
    socket.setSoTimeout(20_000);
    in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    out = socket.getOutputStream();
  }

  /**
   * Speaks lines over a socket already connected (for example a TLS socket).
   *
   * @param connected the socket; closed by {@link #close()}
   * @throws IOException when its streams cannot be opened
   */
  public LineClient(Socket connected) throws IOException {
    socket = connected;
    socket.setSoTimeout(20_000);
    in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    out = socket.getOutputStream();
  }

  /**
   * Connects to a listener's bound port.
   *
   * @param address the bound address (its port is used; the host is always 127.0.0.1)
   * @throws IOException when the connection fails
   */
  public LineClient(InetSocketAddress address) throws IOException {
    this(address.getPort());
  }

  /**
   * Sends one line; a newline is appended.
   *
   * @param line the text
   * @throws IOException when writing fails
   */
  public void send(String line) throws IOException {
    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /**
   * Reads one line.
   *
   * @return the line without its newline, or null when the gateway closed the socket
   * @throws IOException when reading fails or times out
   */
  public String readLine() throws IOException {
    return in.readLine();
  }

  /**
   * Sends a line and reads the next one.
   *
   * @param line the text
   * @return the line read
   * @throws IOException when writing or reading fails
   */
  public String roundTrip(String line) throws IOException {
    send(line);
    return readLine();
  }

  /**
   * Tells whether the gateway closed the socket: the next read sees the end of the stream (or a
   * reset). Waits up to the read timeout.
   *
   * @return true when closed by the peer, false when data arrived instead
   * @throws SocketTimeoutException when the socket stays open
   * @throws IOException when reading fails otherwise
   */
  public boolean closedByPeer() throws IOException {
    try {
      return in.read() == -1;
    } catch (SocketTimeoutException e) {
      throw e;
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
