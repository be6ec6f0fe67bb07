package io.exproto.grpc.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on 127.0.0.1 in front of a server, that can be killed: {@link #kill()} resets every
 * relayed connection (TCP RST on both sides) and stops listening, which is what the client sees
 * when the server's process is killed; {@link #start()} listens again on the same port (the
 * process restarted). One thread accepts, two per connection copy bytes; all are daemons.
 */
public final class TcpRelay implements AutoCloseable {

  private final InetSocketAddress target;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile int port;
  private volatile ServerSocket listening;

  /**
   * Creates a relay; nothing listens until {@link #start()}.
   *
   * @param port the port to listen on, 0 for one the system picks (kept across restarts)
   * @param target where to relay to
   */
  public TcpRelay(int port, InetSocketAddress target) {
    this.port = port;
    this.target = target;
  }

  /**
   * Listens (again) on the relay's port.
   *
   * @return this relay
   * @throws IOException when the port cannot be bound
   */
  public synchronized TcpRelay start() throws IOException {
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    port = server.getLocalPort();
    listening = server;
    Thread acceptor = new Thread(() -> accept(server), "relay-accept-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
    return this;
  }

  /**
   * Returns the port the relay listens on.
   *
   * @return the port
   */
  public int port() {
    return port;
  }

  /** Stops listening and resets every relayed connection, as a killed server process would. */
  public synchronized void kill() {
    ServerSocket server = listening;
    listening = null;
    if (server != null) {
      closeQuietly(server);
    }
    for (Socket socket : sockets) {
      try {
        socket.setSoLinger(true, 0); // RST, not FIN
      } catch (SocketException e) {
        // already closed
      }
      closeQuietly(socket);
    }
    sockets.clear();
  }

  @Override
  public void close() {
    kill();
  }

  private void accept(ServerSocket server) {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // killed
      }
      Socket upstream = new Socket();
      sockets.add(client);
      sockets.add(upstream);
      try {
        upstream.connect(target);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        closeQuietly(client);
        closeQuietly(upstream);
      }
      if (listening != server) { // killed while connecting: do not leave this one open
        closeQuietly(client);
        closeQuietly(upstream);
      }
    }
  }

  private void pump(Socket from, Socket to) throws IOException {
    InputStream in = from.getInputStream();
    OutputStream out = to.getOutputStream();
    Thread copier = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
          out.flush();
        }
        to.shutdownOutput();
      } catch (IOException e) {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "relay-copy-" + port);
    copier.setDaemon(true);
    copier.start();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // closing anyway
    }
  }
}
