package io.exproto.testing;

import io.exproto.listener.Address;
import io.exproto.listener.ConnectionAcceptor;
import io.exproto.listener.ConnectionInfo;
import io.exproto.listener.Listener;
import io.exproto.listener.SocketType;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listener with no sockets: a test calls {@link #connect()} to make a device connection and
 * drives it through the returned {@link InProcessDevice}. Use it to unit-test a protocol handler
 * against a real gateway engine without a network.
 */
public final class InProcessListener implements Listener {

  private final String name;
  private final String mountpoint;
  private final AtomicInteger nextPort = new AtomicInteger(40000);
  private volatile ConnectionAcceptor acceptor;

  /** Creates a listener named {@code inprocess:default} without its own mountpoint. */
  public InProcessListener() {
    this("inprocess:default", null);
  }

  /**
   * Creates a listener.
   *
   * @param name the listener's name
   * @param mountpoint the listener's mountpoint template, or null to use the gateway's
   */
  public InProcessListener(String name, String mountpoint) {
    this.name = name;
    this.mountpoint = mountpoint;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Optional<String> mountpoint() {
    return Optional.ofNullable(mountpoint);
  }

  @Override
  public void start(ConnectionAcceptor acceptor) {
    this.acceptor = acceptor;
  }

  @Override
  public void stop() {
    acceptor = null;
  }

  /**
   * Connects a new TCP-like device from 127.0.0.1 with a fresh port.
   *
   * @return the device
   * @throws IllegalStateException when the listener is not started
   */
  public InProcessDevice connect() {
    return connect(ConnectionInfo.of(SocketType.TCP, new Address("127.0.0.1", nextPort.getAndIncrement()),
        new Address("127.0.0.1", 7993), name));
  }

  /**
   * Connects a new device with the given identity.
   *
   * @param info the connection information the handler will see
   * @return the device
   * @throws IllegalStateException when the listener is not started
   */
  public InProcessDevice connect(ConnectionInfo info) {
    ConnectionAcceptor current = acceptor;
    if (current == null) {
      throw new IllegalStateException("listener " + name + " is not started");
    }
    InProcessDevice device = new InProcessDevice(info);
    device.attach(current.accept(device));
    return device;
  }
}
