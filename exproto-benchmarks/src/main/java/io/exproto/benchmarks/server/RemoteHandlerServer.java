package io.exproto.benchmarks.server;

import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.Result;
import io.exproto.grpc.proto.ConnInfo;
import io.exproto.grpc.proto.Message;
import io.exproto.grpc.sdk.AdapterClient;
import io.exproto.grpc.sdk.HandlerServer;
import io.exproto.grpc.sdk.HandlerService;
import io.exproto.grpc.proto.ConnectionAdapterGrpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * The remote handler of the gRPC scenarios: a {@link HandlerService} written with the project's
 * handler-side SDK, served by {@link HandlerServer} in its own JVM, calling the gateway back
 * through a blocking {@link AdapterClient}, as a user's Java handler service would.
 *
 * <pre>
 * RemoteHandlerServer --mode send    OnSocketCreated: Authenticate, Send greeting
 *                                    OnReceivedBytes: Send the same bytes
 * RemoteHandlerServer --mode emqx    OnSocketCreated: Authenticate, Subscribe echo/&lt;conn&gt;, Send greeting
 *                                    OnReceivedBytes: Publish to echo/&lt;conn&gt;
 *                                    OnReceivedMessages: Send each payload
 * RemoteHandlerServer --mode send-async
 *                                    the send mode without the SDK: {@link AsyncEchoHandlerService}
 * </pre>
 *
 * <p>It announces {@code port} (for the gateway's handler address) before the gateway exists; the
 * generator then starts the gateway and tells this process where the adapter is with the control
 * command {@code adapter <port>}.
 */
public final class RemoteHandlerServer {

  private RemoteHandlerServer() {}

  /**
   * Starts the handler service and serves control commands until told to quit.
   *
   * @param args {@code --mode send|emqx|send-async}
   * @throws Exception when the server cannot start
   */
  public static void main(String[] args) throws Exception {
    String mode = "send";
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--mode")) {
        mode = args[++i];
      } else {
        throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    ServerControl control = new ServerControl();
    Map<String, Object> ready;
    switch (mode) {
      case "send", "emqx" -> {
        BenchHandler service = new BenchHandler(mode.equals("emqx"));
        HandlerServer server = new HandlerServer(service, "127.0.0.1:0");
        server.start();
        control.command("adapter", a -> {
          service.adapter = AdapterClient.connect("http://127.0.0.1:" + Integer.parseInt(a[0]));
          return "connected=true";
        }).closeOnQuit(server);
        ready = Map.of("port", server.port());
      }
      case "send-async" -> {
        AsyncEchoHandlerService service = new AsyncEchoHandlerService();
        Server server = NettyServerBuilder
            .forAddress(new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
            .addService(service)
            .build()
            .start();
        control.command("adapter", a -> {
          ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", Integer.parseInt(a[0]),
              InsecureChannelCredentials.create()).build();
          service.adapter(ConnectionAdapterGrpc.newStub(channel));
          return "connected=true";
        }).closeOnQuit(server::shutdownNow);
        ready = Map.of("port", server.getPort());
      }
      default -> throw new IllegalArgumentException("--mode must be send, emqx or send-async");
    }
    control.serve(ready);
  }

  /** The echo protocol on either path. Thread-safe: it only reads the adapter field. */
  private static final class BenchHandler extends HandlerService {
    private final boolean viaBroker;
    volatile AdapterClient adapter;

    BenchHandler(boolean viaBroker) {
      this.viaBroker = viaBroker;
    }

    @Override
    protected void onSocketCreated(String conn, ConnInfo info) {
      AdapterClient client = adapter;
      require(client.authenticate(conn, ClientInfo.of(conn, ""), ""));
      if (viaBroker) {
        require(client.subscribe(conn, InProcessHandlers.topicOf(conn), 0));
      }
      require(client.send(conn, Greeting.bytes()));
    }

    @Override
    protected void onReceivedBytes(String conn, byte[] bytes) {
      if (viaBroker) {
        require(adapter.publish(conn, InProcessHandlers.topicOf(conn), 0, bytes));
      } else {
        require(adapter.send(conn, bytes));
      }
    }

    @Override
    protected void onReceivedMessages(String conn, List<Message> messages) {
      for (Message message : messages) {
        require(adapter.send(conn, message.getPayload().toByteArray()));
      }
    }

    private static void require(Result result) {
      if (!result.isSuccess()) {
        throw new IllegalStateException(result.code() + ": " + result.message());
      }
    }
  }
}
