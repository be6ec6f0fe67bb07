package io.exproto.transport.testkit;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/** PROXY protocol headers, written out by hand as a load balancer would send them. */
public final class ProxyHeaders {

  /** The 12-byte signature every v2 header starts with. */
  private static final byte[] V2_SIGNATURE = {
      0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

  private ProxyHeaders() {}

  /** A v1 (text) header for a TCP over IPv4 or IPv6 connection. */
  public static byte[] v1(String source, int sourcePort, String destination, int destinationPort) {
    String family = source.indexOf(':') >= 0 ? "TCP6" : "TCP4";
    String line = "PROXY " + family + " " + source + " " + destination + " " + sourcePort + " "
        + destinationPort + "\r\n";
    return line.getBytes(StandardCharsets.US_ASCII);
  }

  /** A v2 (binary) PROXY-command header for TCP over IPv4 or IPv6, with no TLVs. */
  public static byte[] v2(String source, int sourcePort, String destination, int destinationPort)
      throws UnknownHostException {
    byte[] src = InetAddress.getByName(source).getAddress();
    byte[] dst = InetAddress.getByName(destination).getAddress();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(V2_SIGNATURE);
    out.write(0x21); // version 2, command PROXY
    out.write(src.length == 4 ? 0x11 : 0x21); // AF_INET or AF_INET6, over STREAM
    int length = 2 * src.length + 4;
    out.write(length >> 8);
    out.write(length & 0xFF);
    out.writeBytes(src);
    out.writeBytes(dst);
    out.write(sourcePort >> 8);
    out.write(sourcePort & 0xFF);
    out.write(destinationPort >> 8);
    out.write(destinationPort & 0xFF);
    return out.toByteArray();
  }

  /** A v2 LOCAL-command header (a proxy's own health check), with no address block. */
  public static byte[] v2Local() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(V2_SIGNATURE);
    out.write(0x20); // version 2, command LOCAL
    out.write(0x00); // AF_UNSPEC, UNSPEC
    out.write(0);
    out.write(0);
    return out.toByteArray();
  }

  /** Concatenates arrays. */
  public static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
