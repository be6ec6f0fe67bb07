package io.exproto.benchmarks.server;

import io.exproto.grpc.proto.ConnectionUnaryHandlerGrpc;
import io.exproto.grpc.proto.EmptySuccess;
import io.exproto.grpc.proto.ReceivedBytesRequest;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reference point (2), the gRPC limit: a bare grpc-java server (Netty transport) that answers
 * {@code ConnectionUnaryHandler.OnReceivedBytes} at once with {@code EmptySuccess}, on its network
 * thread ({@code directExecutor}, as the gateway's adapter server runs; its client,
 * {@link io.exproto.benchmarks.load.GrpcPingClient}, is tuned as the gateway's handler channel
 * is), so the limit is the best grpc-java does here, not its more cautious defaults. It uses the
 * ExProto message so the request is the same size as the gateway's first call of an echo; no
 * project code runs on the server side.
 *
 * <p>Run by the load generator in its own JVM; announces {@code port}.
 */
public final class PingServer {

  private PingServer() {}

  /**
   * Starts the server and serves control commands until told to quit.
   *
   * @param args ignored
   * @throws Exception when the server cannot start
   */
  public static void main(String[] args) throws Exception {
    Server server = NettyServerBuilder
        .forAddress(new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
        .directExecutor()
        .addService(new Pong())
        .build()
        .start();
    new ServerControl()
        .closeOnQuit(() -> server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS))
        .serve(Map.of("port", server.getPort()));
  }

  /** Answers every OnReceivedBytes with EmptySuccess; the other rpcs are left unimplemented. */
  private static final class Pong extends ConnectionUnaryHandlerGrpc.ConnectionUnaryHandlerImplBase {
    @Override
    public void onReceivedBytes(ReceivedBytesRequest request, StreamObserver<EmptySuccess> observer) {
      observer.onNext(EmptySuccess.getDefaultInstance());
      observer.onCompleted();
    }
  }
}
