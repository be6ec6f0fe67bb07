package io.exproto.examples.echo;

import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.Result;
import io.exproto.grpc.proto.ConnInfo;
import io.exproto.grpc.proto.Message;
import io.exproto.grpc.proto.TimerType;
import io.exproto.grpc.sdk.AdapterClient;
import io.exproto.grpc.sdk.HandlerServer;
import io.exproto.grpc.sdk.HandlerService;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The echo protocol as a gRPC {@code ConnectionUnaryHandler} service, written with the handler-side
 * SDK: the same behaviour as {@link EchoHandler}, in a separate process, the way EMQX's public
 * example handlers work. It makes blocking {@link AdapterClient} calls from inside its callbacks
 * (Authenticate, Subscribe and StartTimer inside OnSocketCreated), as those examples do.
 *
 * <p>Run it with {@code ./exproto-gateway echo-handler [--port N] [--host H] [--adapter URL]}
 * (defaults: port 9001 on every interface, adapter {@code http://127.0.0.1:9100}), then a gateway
 * whose {@code handler.address} points at it. It prints {@code listening on <port>} on standard
 * output once it serves.
 */
public final class EchoHandlerService extends HandlerService {

  /** The default port, EMQX's default handler port. */
  public static final int DEFAULT_PORT = 9001;

  /** The default bind host: every IPv4 interface, as EMQX's example handlers listen. */
  public static final String DEFAULT_HOST = "0.0.0.0";

  /** The default ConnectionAdapter address, EMQX's default. */
  public static final String DEFAULT_ADAPTER = "http://127.0.0.1:9100";

  static final String USAGE = "usage: exproto-gateway echo-handler [--port N] [--host HOST] [--adapter URL]\n"
      + "  --port N       where the handler service listens (default " + DEFAULT_PORT + "; 0 picks a free port)\n"
      + "  --host HOST    the interface to listen on (default " + DEFAULT_HOST + ")\n"
      + "  --adapter URL  the gateway's ConnectionAdapter server (default " + DEFAULT_ADAPTER + ")";

  private static final Logger log = LoggerFactory.getLogger(EchoHandlerService.class);

  private final AdapterClient adapter;

  /**
   * Creates the service.
   *
   * @param adapter the client of the gateway's ConnectionAdapter server, not null; the caller
   *     closes it
   */
  public EchoHandlerService(AdapterClient adapter) {
    this.adapter = Objects.requireNonNull(adapter, "adapter");
  }

  /**
   * Authenticates the connection, subscribes it to its topic and starts its keepalive timer, with
   * blocking adapter calls.
   *
   * @param conn the connection id
   * @param info how the device connected
   * @throws IllegalStateException when an adapter call fails (the gateway then closes the device)
   */
  @Override
  protected void onSocketCreated(String conn, ConnInfo info) {
    String clientId = EchoHandler.clientIdOf(conn);
    log.debug("{} connected from {}:{}", conn, info.getPeername().getHost(), info.getPeername().getPort());
    require(adapter.authenticate(conn,
        new ClientInfo(EchoHandler.PROTO_NAME, EchoHandler.PROTO_VERSION, clientId, ""), ""), "Authenticate");
    require(adapter.subscribe(conn, EchoHandler.topicOf(clientId), 0), "Subscribe");
    require(adapter.startTimer(conn, EchoHandler.KEEPALIVE_SECONDS), "StartTimer");
  }

  /**
   * Publishes the bytes to the connection's topic.
   *
   * @param conn the connection id
   * @param bytes the bytes
   * @throws IllegalStateException when the publish fails
   */
  @Override
  protected void onReceivedBytes(String conn, byte[] bytes) {
    require(adapter.publish(conn, EchoHandler.topicOf(EchoHandler.clientIdOf(conn)), 0, bytes), "Publish");
  }

  /**
   * Sends each message's payload back to the device.
   *
   * @param conn the connection id
   * @param messages the messages
   * @throws IllegalStateException when a send fails
   */
  @Override
  protected void onReceivedMessages(String conn, List<Message> messages) {
    for (Message message : messages) {
      require(adapter.send(conn, message.getPayload().toByteArray()), "Send");
    }
  }

  /**
   * Logs the timeout; the gateway closes the connection.
   *
   * @param conn the connection id
   * @param type the timer
   */
  @Override
  protected void onTimerTimeout(String conn, TimerType type) {
    log.debug("{} timer {} fired", conn, type);
  }

  /**
   * Logs the close.
   *
   * @param conn the connection id
   * @param reason why it closed
   */
  @Override
  protected void onSocketClosed(String conn, String reason) {
    log.debug("{} closed: {}", conn, reason);
  }

  private static void require(Result result, String operation) {
    if (!result.isSuccess()) {
      throw new IllegalStateException(operation + " failed: " + result.code() + " " + result.message());
    }
  }

  /**
   * Runs the service until the process is stopped (SIGTERM or Ctrl-C).
   *
   * @param args {@code [--port N] [--host HOST] [--adapter URL]}; unknown arguments print the usage
   *     and exit with code 2
   */
  public static void main(String[] args) {
    int port = DEFAULT_PORT;
    String host = DEFAULT_HOST;
    String adapterAddress = DEFAULT_ADAPTER;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--port" -> port = parsePort(valueOf(args, ++i, "--port"));
          case "--host" -> host = valueOf(args, ++i, "--host");
          case "--adapter" -> adapterAddress = valueOf(args, ++i, "--adapter");
          case "-h", "--help" -> {
            System.out.println(USAGE);
            return;
          }
          default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
        }
      }
    } catch (IllegalArgumentException e) {
      System.err.println("echo-handler: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }

    String bind = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    AdapterClient adapter;
    try {
      adapter = AdapterClient.connect(adapterAddress);
    } catch (IllegalArgumentException e) {
      System.err.println("echo-handler: --adapter: " + e.getMessage());
      System.exit(2);
      return;
    }
    HandlerServer server;
    try {
      server = new HandlerServer(new EchoHandlerService(adapter), bind);
    } catch (IllegalArgumentException e) {
      adapter.close();
      System.err.println("echo-handler: --host/--port: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      server.start();
    } catch (Exception e) {
      server.close();
      adapter.close();
      System.err.println("echo-handler: cannot listen on " + bind + ": " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      adapter.close();
      stopped.countDown();
    }, "echo-handler-shutdown"));
    log.info("Echo handler service on {}, calling the adapter at {}", server.address(), adapterAddress);
    System.out.println("listening on " + server.port());
    System.out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String valueOf(String[] args, int index, String option) {
    if (index >= args.length || args[index].startsWith("--")) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[index];
  }

  private static int parsePort(String text) {
    try {
      int port = Integer.parseInt(text);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("--port must be a number from 0 to 65535, got '" + text + "'");
  }
}
