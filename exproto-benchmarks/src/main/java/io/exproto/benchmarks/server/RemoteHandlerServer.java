package io.exproto.benchmarks.server;

import com.google.protobuf.ByteString;
import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.Result;
import io.exproto.grpc.proto.ConnInfo;
import io.exproto.grpc.proto.Message;
import io.exproto.grpc.sdk.AdapterClient;
import io.exproto.grpc.sdk.HandlerServer;
import io.exproto.grpc.sdk.HandlerService;
import io.exproto.grpc.internal.Addresses;
import io.exproto.grpc.internal.ClientChannels;
import io.exproto.grpc.proto.ConnectionAdapterGrpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The remote handler of the gRPC scenarios: a {@link HandlerService} written with the project's
 * handler-side SDK in its recommended non-blocking style ({@link HandlerService#isNonBlocking()},
 * the {@code ...Async} callbacks composing {@link AdapterClient}'s {@code ...Async} calls), served
 * by {@link HandlerServer} in its own JVM, as a user's Java handler service would be.
 *
 * <pre>
 * RemoteHandlerServer --mode send    OnSocketCreated: Authenticate, Send greeting
 *                                    OnReceivedBytes: Send the same bytes
 * RemoteHandlerServer --mode emqx    OnSocketCreated: Authenticate, Subscribe echo/&lt;conn&gt;, Send greeting
 *                                    OnReceivedBytes: Publish to echo/&lt;conn&gt;
 *                                    OnReceivedMessages: Send each payload
 * RemoteHandlerServer --mode send-stubs
 *                                    the send mode without the SDK, on the generated stubs:
 *                                    {@link AsyncEchoHandlerService}
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
   * @param args {@code --mode send|emqx|send-stubs}
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
      case "send-stubs" -> {
        AsyncEchoHandlerService service = new AsyncEchoHandlerService();
        Server server = NettyServerBuilder
            .forAddress(new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
            .directExecutor() // it never blocks, like the SDK's HandlerServer for a non-blocking service
            .addService(service)
            .build()
            .start();
        control.command("adapter", a -> {
          String address = "http://127.0.0.1:" + Integer.parseInt(a[0]);
          ManagedChannel channel = ClientChannels.open(Addresses.parseServiceAddress(address, "adapter address"),
              Optional.empty(), "adapter address");
          service.adapter(ConnectionAdapterGrpc.newStub(channel));
          return "connected=true";
        }).closeOnQuit(server::shutdownNow);
        ready = Map.of("port", server.getPort());
      }
      default -> throw new IllegalArgumentException("--mode must be send, emqx or send-stubs");
    }
    control.serve(ready);
  }

  /**
   * The echo protocol on either path, non-blocking: each callback returns the stage of its adapter
   * calls, and the rpc is answered when they have been. Thread-safe: it only reads the adapter field.
   */
  private static final class BenchHandler extends HandlerService {
    private static final ByteString GREETING = ByteString.copyFrom(Greeting.bytes());
    private final boolean viaBroker;
    volatile AdapterClient adapter;

    BenchHandler(boolean viaBroker) {
      this.viaBroker = viaBroker;
    }

    @Override
    public boolean isNonBlocking() {
      return true;
    }

    @Override
    protected CompletionStage<?> onSocketCreatedAsync(String conn, ConnInfo info) {
      AdapterClient client = adapter;
      CompletionStage<Result> authenticated = client.authenticateAsync(conn, ClientInfo.of(conn, ""), "")
          .thenCompose(AdapterClient::requireSuccess);
      if (viaBroker) {
        authenticated = authenticated
            .thenCompose(ok -> client.subscribeAsync(conn, InProcessHandlers.topicOf(conn), 0))
            .thenCompose(AdapterClient::requireSuccess);
      }
      return authenticated
          .thenCompose(ok -> client.sendAsync(conn, GREETING))
          .thenCompose(AdapterClient::requireSuccess);
    }

    @Override
    protected CompletionStage<?> onReceivedBytesAsync(String conn, ByteString bytes) {
      CompletionStage<Result> done = viaBroker
          ? adapter.publishAsync(conn, InProcessHandlers.topicOf(conn), 0, bytes.toByteArray())
          : adapter.sendAsync(conn, bytes);
      return done.thenCompose(AdapterClient::requireSuccess);
    }

    @Override
    protected CompletionStage<?> onReceivedMessagesAsync(String conn, List<Message> messages) {
      AdapterClient client = adapter;
      CompletionStage<Result> chain = CompletableFuture.completedFuture(Result.success());
      for (Message message : messages) {
        chain = chain.thenCompose(ok -> client.sendAsync(conn, message.getPayload()))
            .thenCompose(AdapterClient::requireSuccess);
      }
      return chain;
    }
  }
}
