package io.exproto.transport.internal;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.listener.Connection;
import io.exproto.listener.ConnectionAcceptor;
import io.exproto.listener.ConnectionEvents;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** A stand-in for the gateway: records the connections it accepts and what they report. */
final class RecordingAcceptor implements ConnectionAcceptor {

  final GatewayMetrics metrics = new GatewayMetrics();
  final List<Connection> connections = new ArrayList<>();
  final List<byte[]> chunks = new ArrayList<>();
  final List<String> closeReasons = new ArrayList<>();
  RuntimeException failure;

  @Override
  public synchronized ConnectionEvents accept(Connection connection) {
    if (failure != null) {
      throw failure;
    }
    connections.add(connection);
    return new ConnectionEvents() {
      @Override
      public void onBytes(byte[] bytes) {
        synchronized (RecordingAcceptor.this) {
          chunks.add(bytes);
        }
      }

      @Override
      public void onClosed(String reason) {
        synchronized (RecordingAcceptor.this) {
          closeReasons.add(reason);
        }
      }
    };
  }

  @Override
  public GatewayMetrics metrics() {
    return metrics;
  }

  synchronized byte[] received() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    chunks.forEach(out::writeBytes);
    return out.toByteArray();
  }
}
