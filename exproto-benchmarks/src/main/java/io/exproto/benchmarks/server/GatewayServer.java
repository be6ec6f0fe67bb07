package io.exproto.benchmarks.server;

import io.exproto.gateway.Gateway;
import io.exproto.grpc.GrpcHandler;
import io.exproto.handler.HandlerFactory;
import io.exproto.transport.tcp.TcpListener;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The system under test: a {@link Gateway} with a {@link TcpListener} on loopback and one of three
 * handlers, run by the load generator in its own JVM so its CPU time and heap are its own.
 *
 * <pre>
 * GatewayServer --handler inproc-echo            in-process Java echo (OnReceivedBytes -&gt; Send)
 * GatewayServer --handler inproc-emqx            in-process publish/subscribe echo (EMQX path)
 * GatewayServer --handler grpc --handler-address http://127.0.0.1:P
 *                                                a remote ConnectionUnaryHandler service
 * options: --bind 127.0.0.1:0  --idle-timeout-seconds 3600
 *          --executor pool|direct   where callbacks run: the gateway's own pool (default), or
 *                                   directly on the thread that queued the event (a Netty worker,
 *                                   or the thread completing the previous callback)
 * </pre>
 *
 * <p>Everything else is the gateway's default (queue capacity, batch size, handler pool, Netty
 * event loops). The idle timeout is raised from 30 s so that long runs and idle connections are
 * not closed; each connection still has its liveness timer, as in production. Announces
 * {@code port} (the device listener) and, with {@code grpc}, {@code adapterPort}; the extra control
 * command {@code connections} answers the gateway's connection count and counters.
 */
public final class GatewayServer {

  private GatewayServer() {}

  /**
   * Starts the gateway and serves control commands until told to quit.
   *
   * @param args see the class comment
   * @throws Exception when the gateway cannot start
   */
  public static void main(String[] args) throws Exception {
    String handler = "inproc-echo";
    String handlerAddress = GrpcHandler.DEFAULT_HANDLER_ADDRESS;
    String bind = "127.0.0.1:0";
    long idleSeconds = 3600;
    boolean direct = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--handler" -> handler = args[++i];
        case "--handler-address" -> handlerAddress = args[++i];
        case "--bind" -> bind = args[++i];
        case "--idle-timeout-seconds" -> idleSeconds = Long.parseLong(args[++i]);
        case "--executor" -> direct = switch (args[++i]) {
          case "direct" -> true;
          case "pool" -> false;
          default -> throw new IllegalArgumentException("--executor must be pool or direct");
        };
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    GrpcHandler grpc = null;
    HandlerFactory factory;
    switch (handler) {
      case "inproc-echo" -> factory = InProcessHandlers::echo;
      case "inproc-emqx" -> factory = InProcessHandlers::publishSubscribe;
      case "grpc" -> {
        grpc = GrpcHandler.builder().handlerAddress(handlerAddress).adapterBind("127.0.0.1:0").build();
        factory = grpc;
      }
      default -> throw new IllegalArgumentException("--handler must be inproc-echo, inproc-emqx or grpc");
    }
    TcpListener listener = TcpListener.builder().name("tcp:bench").bind(bind).build();
    Gateway.Builder builder = Gateway.builder()
        .listener(listener)
        .handler(factory)
        .idleTimeout(Duration.ofSeconds(idleSeconds));
    if (direct) {
      // Both handlers here never block, so they may run on the transport's and gRPC's threads.
      builder.executor(Runnable::run);
    }
    Gateway gateway = builder.build();
    gateway.start();
    Map<String, Object> ready = new LinkedHashMap<>();
    ready.put("port", listener.localAddress().getPort());
    if (grpc != null) {
      ready.put("adapterPort", grpc.adapterPort());
    }
    new ServerControl()
        .command("connections", a -> "count=" + gateway.connectionCount() + " "
            + gateway.metrics().snapshot().toString().replaceAll("[{},]", "").trim())
        .serve(ready);
  }
}
