package io.exproto.examples.gateway;

import io.exproto.examples.echo.EchoHandler;
import io.exproto.gateway.Gateway;
import io.exproto.grpc.GrpcHandler;
import io.exproto.listener.Address;
import io.exproto.transport.tcp.TcpListener;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone ExProto gateway: TCP device listeners, an in-memory broker, and either a remote
 * handler service over gRPC (EMQX's setup) or, with {@code --echo}, the in-process
 * {@link EchoHandler} so that it works with no other service.
 *
 * <pre>
 * ./exproto-gateway [--config FILE] [--echo]
 * </pre>
 *
 * <p>Without a file it runs with EMQX's defaults: listener {@code tcp:default} on
 * {@code 0.0.0.0:7993}, ConnectionAdapter server on {@code 0.0.0.0:9100}, handler service at
 * {@code http://127.0.0.1:9001}. The file ({@link ConfigFile}) sets the ports. A bad file or
 * argument ends the process with exit code 2 and a one-line message; SIGTERM or Ctrl-C stops the
 * gateway cleanly (every device gets its OnSocketClosed).
 *
 * <p>Embedding or testing: {@link #start(ConfigFile, boolean)} returns the running gateway, whose
 * listeners and gRPC binding expose their bound ports. Thread-safe.
 */
public final class StandaloneGateway implements AutoCloseable {

  /** The exit code of a bad argument or configuration file. */
  public static final int EXIT_USAGE = 2;

  /** The exit code of a gateway that could not start (for example a port in use). */
  public static final int EXIT_START_FAILED = 1;

  static final String USAGE = "usage: exproto-gateway [--config FILE] [--echo]\n"
      + "  --config FILE  a HOCON file with a gateway.exproto block (EMQX key names);"
      + " default: EMQX's defaults\n"
      + "  --echo         use the in-process echo handler instead of a remote handler service\n"
      + "  exproto-gateway echo-handler --help   runs the echo handler service (see its usage)";

  private static final Logger log = LoggerFactory.getLogger(StandaloneGateway.class);

  private final Gateway gateway;
  private final List<TcpListener> listeners;
  private final GrpcHandler grpcHandler;
  private final CountDownLatch closed = new CountDownLatch(1);
  private boolean gatewayStarted;

  private StandaloneGateway(Gateway gateway, List<TcpListener> listeners, GrpcHandler grpcHandler) {
    this.gateway = gateway;
    this.listeners = listeners;
    this.grpcHandler = grpcHandler;
  }

  /**
   * Builds the gateway from a configuration and starts it: {@link #create} then {@link #start()}.
   *
   * @param config the configuration, not null
   * @param echo whether to use the in-process echo handler instead of the remote handler service
   * @return the running gateway, to be closed
   * @throws ConfigFileException when a value of the file is bad (nothing was started)
   * @throws Exception when the gateway cannot start, for example a port is in use (everything
   *     already started is stopped again)
   */
  public static StandaloneGateway start(ConfigFile config, boolean echo) throws Exception {
    StandaloneGateway gateway = create(config, echo);
    gateway.start();
    return gateway;
  }

  /**
   * Builds the gateway from a configuration, without starting it. The whole file is checked here;
   * with {@code echo}, the {@code server} and {@code handler} blocks are checked but not used.
   *
   * @param config the configuration, not null
   * @param echo whether to use the in-process echo handler instead of the remote handler service
   * @return the gateway, not started
   * @throws ConfigFileException when a value of the file is bad
   */
  public static StandaloneGateway create(ConfigFile config, boolean echo) throws ConfigFileException {
    Objects.requireNonNull(config, "config");
    Gateway.Builder builder = config.applyTo(Gateway.builder());
    List<TcpListener> listeners = config.tcpListeners();
    GrpcHandler grpc = config.grpcHandler();
    listeners.forEach(builder::listener);
    if (echo) {
      builder.handler(EchoHandler::new);
      grpc = null;
    } else {
      builder.handler(grpc);
    }
    return new StandaloneGateway(builder.build(), listeners, grpc);
  }

  /**
   * Starts the listeners and the handler, then logs one line per listener with its bound address.
   * Idempotent while started.
   *
   * @throws Exception when the gateway cannot start, for example a port is in use (everything
   *     already started is stopped again)
   * @throws IllegalStateException when the gateway was closed
   */
  public void start() throws Exception {
    synchronized (closed) {
      if (closed.getCount() == 0) {
        throw new IllegalStateException("the gateway was closed; create a new one");
      }
      if (gatewayStarted) {
        return;
      }
      gateway.start();
      gatewayStarted = true;
    }
    for (TcpListener listener : listeners) {
      log.info("Listener {} accepts devices on {}", listener.name(), Address.of(listener.localAddress()));
    }
    if (grpcHandler != null) {
      log.info("ConnectionAdapter server on port {} (bind {}); handler service at {}",
          grpcHandler.adapterPort(), grpcHandler.adapterBind(), grpcHandler.handlerAddress());
    } else {
      log.info("Using the in-process echo handler");
    }
  }

  /**
   * Returns the running gateway.
   *
   * @return the gateway
   */
  public Gateway gateway() {
    return gateway;
  }

  /**
   * Returns the device listeners, started: {@link TcpListener#localAddress()} gives each bound
   * address.
   *
   * @return the listeners, in file order
   */
  public List<TcpListener> listeners() {
    return listeners;
  }

  /**
   * Returns the gRPC binding ({@link GrpcHandler#adapterPort()} gives the bound adapter port).
   *
   * @return the binding, or empty when the gateway runs the in-process echo handler
   */
  public Optional<GrpcHandler> grpcHandler() {
    return Optional.ofNullable(grpcHandler);
  }

  /** Stops the gateway: every device gets its OnSocketClosed, then the ports are released. Idempotent. */
  @Override
  public void close() {
    synchronized (closed) {
      if (closed.getCount() == 0) {
        return;
      }
      gateway.close();
      closed.countDown();
    }
    log.info("Gateway stopped");
  }

  /**
   * Waits until {@link #close()} has stopped the gateway.
   *
   * @throws InterruptedException when the waiting thread is interrupted
   */
  public void awaitClosed() throws InterruptedException {
    closed.await();
  }

  /**
   * Runs the gateway until the process is stopped.
   *
   * @param args {@code [--config FILE] [--echo]}
   */
  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("exproto-gateway: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(EXIT_USAGE);
      return;
    }
    if (options.help()) {
      System.out.println(USAGE);
      return;
    }
    StandaloneGateway running;
    try {
      ConfigFile config = options.config().isPresent()
          ? ConfigFile.load(options.config().get())
          : ConfigFile.defaults();
      running = create(config, options.echo());
      // Before starting, so that a SIGTERM while the gateway starts still stops it.
      Runtime.getRuntime().addShutdownHook(new Thread(running::close, "exproto-shutdown"));
      running.start();
    } catch (ConfigFileException e) {
      System.err.println("exproto-gateway: " + e.getMessage());
      System.exit(EXIT_USAGE);
      return;
    } catch (Exception e) {
      System.err.println("exproto-gateway: cannot start: " + e.getMessage());
      System.exit(EXIT_START_FAILED);
      return;
    }
    try {
      running.awaitClosed();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running.close();
    }
  }

  /**
   * The command line of the standalone gateway.
   *
   * @param config the configuration file, or empty for EMQX's defaults
   * @param echo whether to use the in-process echo handler
   * @param help whether only the usage was asked for
   */
  public record Options(Optional<Path> config, boolean echo, boolean help) {

    /**
     * Validates the fields.
     *
     * @param config not null
     * @param echo any
     * @param help any
     */
    public Options {
      Objects.requireNonNull(config, "config");
    }

    /**
     * Parses {@code [--config FILE] [--echo] [--help]}; {@code --config=FILE} works too.
     *
     * @param args the arguments, not null
     * @return the options
     * @throws IllegalArgumentException for an unknown argument or a missing value, with a message
     *     naming it
     */
    public static Options parse(String... args) {
      Path config = null;
      boolean echo = false;
      boolean help = false;
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (arg.equals("--config")) {
          if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
            throw new IllegalArgumentException("--config needs a file");
          }
          config = Path.of(args[++i]);
        } else if (arg.startsWith("--config=") && arg.length() > "--config=".length()) {
          config = Path.of(arg.substring("--config=".length()));
        } else if (arg.equals("--echo")) {
          echo = true;
        } else if (arg.equals("--help") || arg.equals("-h")) {
          help = true;
        } else {
          throw new IllegalArgumentException("unknown argument '" + arg + "'");
        }
      }
      return new Options(Optional.ofNullable(config), echo, help);
    }
  }
}
