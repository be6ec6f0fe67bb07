package io.exproto.examples.support;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A UDP device on 127.0.0.1 that sends text datagrams and reads the replies. */
public final class UdpClient implements AutoCloseable {

  private final DatagramSocket socket;
  private final InetSocketAddress server;

  /**
   * Opens a socket towards a listener.
   *
   * @param server the listener's address (its port is used on 127.0.0.1)
   */
  public UdpClient(InetSocketAddress server) throws IOException {
    this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    this.server = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getPort());
    socket.setSoTimeout(20_000);
  }

  /**
   * Sends one datagram and waits for one back.
   *
   * @param text the text
   * @param timeoutMillis how long to wait for the reply
   * @return the reply, or null when none came in time
   */
  public String roundTrip(String text, int timeoutMillis) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    socket.send(new DatagramPacket(bytes, bytes.length, server));
    socket.setSoTimeout(timeoutMillis);
    DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
    try {
      socket.receive(reply);
    } catch (SocketTimeoutException e) {
      return null;
    }
    return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8);
  }

  /** Sends one datagram and waits up to 20 seconds for one back. */
  public String roundTrip(String text) throws IOException {
    return roundTrip(text, 20_000);
  }

  @Override
  public void close() {
    socket.close();
  }
}
