package io.exproto.transport.udp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A UDP device: its own socket on 127.0.0.1, talking to one listener. */
final class UdpPeer implements AutoCloseable {

  private final DatagramSocket socket;
  private final InetSocketAddress server;

  UdpPeer(InetSocketAddress server) throws IOException {
    this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    this.socket.setSoTimeout(10_000);
    this.server = server;
  }

  int port() {
    return socket.getLocalPort();
  }

  void send(String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    socket.send(new DatagramPacket(bytes, bytes.length, server));
  }

  /** Receives one datagram, waiting up to the given milliseconds. */
  String receive(int timeoutMillis) throws IOException {
    socket.setSoTimeout(timeoutMillis);
    byte[] buffer = new byte[65_535];
    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
    socket.receive(packet);
    return new String(Arrays.copyOf(packet.getData(), packet.getLength()), StandardCharsets.UTF_8);
  }

  String receive() throws IOException {
    return receive(10_000);
  }

  /** Sends and waits for the echo, resending a few times since UDP may lose a datagram. */
  String roundTrip(String text) throws IOException {
    SocketTimeoutException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      send(text);
      try {
        return receive(3_000);
      } catch (SocketTimeoutException e) {
        last = e;
      }
    }
    throw last;
  }

  @Override
  public void close() {
    socket.close();
  }
}
