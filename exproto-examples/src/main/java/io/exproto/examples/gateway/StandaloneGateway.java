package io.exproto.examples.gateway;

import io.exproto.dtls.DtlsListener;
import io.exproto.examples.echo.EchoHandler;
import io.exproto.gateway.Gateway;
import io.exproto.grpc.GrpcHandler;
import io.exproto.listener.Address;
import io.exproto.listener.Listener;
import io.exproto.transport.ssl.SslListener;
import io.exproto.transport.tcp.TcpListener;
import io.exproto.transport.udp.UdpListener;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone ExProto gateway: device listeners (TCP, TLS, UDP, DTLS), an in-memory broker, and
 * either a remote handler service over gRPC (EMQX's setup) or, with {@code --echo}, the in-process
 * {@link EchoHandler} so that it works with no other service.
 *
 * <pre>
 * ./exproto-gateway [--config FILE] [--echo]
 * </pre>
 *
 * <p>Without a file it runs with EMQX's defaults: listener {@code tcp:default} on
 * {@code 0.0.0.0:7993}, ConnectionAdapter server on {@code 0.0.0.0:9100}, handler service at
 * {@code http://127.0.0.1:9001}. The file ({@link ConfigFile}) sets everything else. A bad file or
 * argument ends the process with exit code 2 and a one-line message; SIGTERM or Ctrl-C stops the
 * gateway cleanly (every device gets its OnSocketClosed).
 *
 * <p><b>Reload.</b> Sending the process SIGHUP ({@code kill -HUP <pid>}) reads the {@code --config}
 * file again and applies its listeners with {@link #reload(ConfigFile)}: listeners that are gone
 * are stopped, new ones started, changed ones restarted, and unchanged ones (same keys, same
 * certificate files) are not touched, nor are their devices. A bad file changes nothing (the error
 * is logged). Keys outside {@code listeners} (handler, server, authentication, authorization,
 * mountpoint, idle_timeout, ...) cannot change while the gateway runs: a reload that changes one
 * applies the listener changes and logs a warning per such key saying a restart is needed; the
 * gateway keeps running with the values it started with. There is no file watch: reload is
 * explicit. Where the JVM offers no SIGHUP (Windows, {@code -Xrs}), the gateway says so at start
 * and runs without it.
 *
 * <p>Embedding or testing: {@link #start(ConfigFile, boolean)} returns the running gateway;
 * {@link #localAddress(String)} gives each listener's bound address. Thread-safe.
 */
public final class StandaloneGateway implements AutoCloseable {

  /** The exit code of a bad argument or configuration file. */
  public static final int EXIT_USAGE = 2;

  /** The exit code of a gateway that could not start (for example a port in use). */
  public static final int EXIT_START_FAILED = 1;

  static final String USAGE = "usage: exproto-gateway [--config FILE] [--echo]\n"
      + "  --config FILE  a HOCON file with a gateway.exproto block (EMQX key names);"
      + " default: EMQX's defaults; SIGHUP reloads its listeners\n"
      + "  --echo         use the in-process echo handler instead of a remote handler service\n"
      + "  exproto-gateway echo-handler --help   runs the echo handler service (see its usage)";

  private static final Logger log = LoggerFactory.getLogger(StandaloneGateway.class);

  /** A listener of the gateway, with what it was built from (to compare and to rebuild). */
  private record Entry(Listener listener, Object fingerprint, ConfigFile source) {}

  private final Gateway gateway;
  private final GrpcHandler grpcHandler;
  /** The configuration the gateway-wide settings came from; they never change. */
  private final ConfigFile startConfig;
  private final Object lock = new Object();
  private final CountDownLatch closed = new CountDownLatch(1);
  // Guarded by lock.
  private final Map<String, Entry> listeners;
  private boolean gatewayStarted;

  private StandaloneGateway(Gateway gateway, Map<String, Entry> listeners, GrpcHandler grpcHandler,
      ConfigFile startConfig) {
    this.gateway = gateway;
    this.listeners = listeners;
    this.grpcHandler = grpcHandler;
    this.startConfig = startConfig;
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
   * with {@code echo}, the {@code server} and {@code handler} blocks are checked but not used
   * (except {@code handler.failure_policy}, {@code retry_window}, {@code request_timeout},
   * {@code queue_size}, {@code max_batch_size} and {@code max_batch_bytes}, which apply to any
   * handler).
   *
   * @param config the configuration, not null
   * @param echo whether to use the in-process echo handler instead of the remote handler service
   * @return the gateway, not started
   * @throws ConfigFileException when a value of the file is bad
   */
  public static StandaloneGateway create(ConfigFile config, boolean echo) throws ConfigFileException {
    Objects.requireNonNull(config, "config");
    Gateway.Builder builder = config.applyTo(Gateway.builder());
    Map<String, Object> fingerprints = config.listenerFingerprints();
    Map<String, Entry> entries = new LinkedHashMap<>();
    for (Listener listener : config.listeners()) {
      entries.put(listener.name(), new Entry(listener, fingerprints.get(listener.name()), config));
      builder.listener(listener);
    }
    GrpcHandler grpc = config.grpcHandler();
    if (echo) {
      builder.handler(EchoHandler::new);
      grpc = null;
    } else {
      builder.handler(grpc);
    }
    return new StandaloneGateway(builder.build(), entries, grpc, config);
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
    List<Listener> started;
    synchronized (lock) {
      if (closed.getCount() == 0) {
        throw new IllegalStateException("the gateway was closed; create a new one");
      }
      if (gatewayStarted) {
        return;
      }
      gateway.start();
      gatewayStarted = true;
      started = currentListeners();
    }
    started.forEach(StandaloneGateway::logBound);
    if (grpcHandler != null) {
      log.info("ConnectionAdapter server on port {} (bind {}); handler service at {}",
          grpcHandler.adapterPort(), grpcHandler.adapterBind(), grpcHandler.handlerAddress());
    } else {
      log.info("Using the in-process echo handler");
    }
  }

  private static void logBound(Listener listener) {
    InetSocketAddress bound = boundAddress(listener);
    log.info("Listener {} accepts devices on {}", listener.name(), bound == null ? "(unknown)" : Address.of(bound));
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
   * Returns the device listeners: before {@link #start()} those the gateway will start, then the
   * running ones, as changed by {@link #reload}.
   *
   * @return a snapshot, in file order (listeners added by a reload come last)
   */
  public List<Listener> listeners() {
    synchronized (lock) {
      return currentListeners();
    }
  }

  private List<Listener> currentListeners() {
    List<Listener> current = new ArrayList<>();
    listeners.values().forEach(entry -> current.add(entry.listener()));
    return List.copyOf(current);
  }

  /**
   * Returns the address a listener is bound to (with port 0 in the file, the port the system chose).
   *
   * @param name the listener's name, e.g. {@code tcp:default}
   * @return the bound address
   * @throws IllegalArgumentException when no listener has that name
   * @throws IllegalStateException before the gateway started
   */
  public InetSocketAddress localAddress(String name) {
    Listener listener;
    synchronized (lock) {
      Entry entry = listeners.get(name);
      if (entry == null) {
        throw new IllegalArgumentException("no listener named " + name + "; listeners: " + listeners.keySet());
      }
      listener = entry.listener();
    }
    InetSocketAddress bound = boundAddress(listener);
    if (bound == null) {
      throw new IllegalStateException("listener " + name + " does not tell its address");
    }
    return bound;
  }

  /** The bound address of a listener of this module's types, or null for another type. */
  private static InetSocketAddress boundAddress(Listener listener) {
    if (listener instanceof TcpListener tcp) {
      return tcp.localAddress();
    }
    if (listener instanceof SslListener ssl) {
      return ssl.localAddress();
    }
    if (listener instanceof UdpListener udp) {
      return udp.localAddress();
    }
    if (listener instanceof DtlsListener dtls) {
      return dtls.localAddress();
    }
    return null;
  }

  /**
   * Returns the gRPC binding ({@link GrpcHandler#adapterPort()} gives the bound adapter port).
   *
   * @return the binding, or empty when the gateway runs the in-process echo handler
   */
  public Optional<GrpcHandler> grpcHandler() {
    return Optional.ofNullable(grpcHandler);
  }

  /**
   * What a {@link #reload} did. Listener names are {@code TYPE:NAME}.
   *
   * @param added listeners started
   * @param removed listeners stopped (their devices closed)
   * @param restarted listeners whose settings changed: stopped (their devices closed), then
   *     started with the new settings
   * @param unchanged listeners left alone, devices included
   * @param failed listeners that could not start, each with the reason; a changed listener that
   *     failed runs again with its old settings when that is possible
   * @param restartNeeded gateway-wide keys whose change the running gateway did not take (full key
   *     paths; never values): a restart is needed for them
   */
  public record ReloadResult(List<String> added, List<String> removed, List<String> restarted,
      List<String> unchanged, List<String> failed, List<String> restartNeeded) {

    /**
     * Copies the lists.
     *
     * @param added not null
     * @param removed not null
     * @param restarted not null
     * @param unchanged not null
     * @param failed not null
     * @param restartNeeded not null
     */
    public ReloadResult {
      added = List.copyOf(added);
      removed = List.copyOf(removed);
      restarted = List.copyOf(restarted);
      unchanged = List.copyOf(unchanged);
      failed = List.copyOf(failed);
      restartNeeded = List.copyOf(restartNeeded);
    }
  }

  /**
   * Reads a configuration file again and applies it: see {@link #reload(ConfigFile)}.
   *
   * @param file the file, not null
   * @return what changed
   * @throws ConfigFileException when the file is bad; nothing was changed
   */
  public ReloadResult reload(Path file) throws ConfigFileException {
    return reload(ConfigFile.load(file));
  }

  /**
   * Applies a new configuration to the running gateway without touching what did not change.
   *
   * <p>The whole configuration is checked first (every value, every listener built, every
   * certificate file read); a bad one throws and changes nothing. Then listeners are compared by
   * name ({@code TYPE:NAME}) and settings: a listener no longer in the configuration (or now
   * {@code enable = false}) is stopped and its devices closed; a new one is started; one whose keys
   * or certificate files changed is restarted (stopped, its devices closed, then started with the
   * new settings); an unchanged one is left alone with its devices. A listener that cannot start
   * (a port in use) is reported in {@link ReloadResult#failed()} and the others still apply; a
   * restarted one that fails is started again with its previous settings.
   *
   * <p>Keys outside {@code listeners} cannot change at runtime: when one differs from the
   * configuration the gateway started with, it is listed in {@link ReloadResult#restartNeeded()}
   * and logged as a warning (its name, never its value); the gateway keeps its old value until
   * restarted.
   *
   * @param newConfig the new configuration, not null
   * @return what changed
   * @throws ConfigFileException when a value of the new configuration is bad; nothing was changed
   * @throws IllegalStateException when the gateway is not running
   */
  public ReloadResult reload(ConfigFile newConfig) throws ConfigFileException {
    Objects.requireNonNull(newConfig, "newConfig");
    List<String> added = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    List<String> restarted = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    List<Listener> toLog = new ArrayList<>();
    List<String> restartNeeded;
    synchronized (lock) {
      if (closed.getCount() == 0 || !gatewayStarted) {
        throw new IllegalStateException("the gateway is not running");
      }
      // Check everything before changing anything.
      newConfig.applyTo(Gateway.builder());
      newConfig.grpcHandler();
      Map<String, Object> fingerprints = newConfig.listenerFingerprints();
      Map<String, Listener> built = new LinkedHashMap<>();
      for (Listener listener : newConfig.listeners()) {
        built.put(listener.name(), listener);
      }
      restartNeeded = startConfig.gatewayWideChanges(newConfig);

      // Stop first what goes away or changes, so a port can pass from one listener to another.
      Map<String, Entry> replaced = new LinkedHashMap<>();
      for (String name : List.copyOf(listeners.keySet())) {
        Entry current = listeners.get(name);
        if (!built.containsKey(name)) {
          gateway.removeListener(name);
          listeners.remove(name);
          removed.add(name);
        } else if (!Objects.equals(current.fingerprint(), fingerprints.get(name))) {
          gateway.removeListener(name);
          listeners.remove(name);
          replaced.put(name, current);
        } else {
          unchanged.add(name);
        }
      }
      for (Map.Entry<String, Listener> next : built.entrySet()) {
        String name = next.getKey();
        if (unchanged.contains(name)) {
          continue;
        }
        Entry replacement = new Entry(next.getValue(), fingerprints.get(name), newConfig);
        if (startListener(replacement, failed)) {
          (replaced.containsKey(name) ? restarted : added).add(name);
          toLog.add(replacement.listener());
        } else if (replaced.containsKey(name)) {
          rollBack(replaced.get(name), failed);
        }
      }
    }
    ReloadResult result = new ReloadResult(added, removed, restarted, unchanged, failed, restartNeeded);
    log.info("Reloaded {}: listeners added {}, removed {}, restarted {}, unchanged {}", newConfig.source(),
        added, removed, restarted, unchanged);
    toLog.forEach(StandaloneGateway::logBound);
    for (String failure : failed) {
      log.error("Reload: {}", failure);
    }
    for (String key : restartNeeded) {
      log.warn("Reload: {} changed; the running gateway keeps its old value until it is restarted", key);
    }
    return result;
  }

  /** Starts a listener on the running gateway; a failure is recorded, not thrown. */
  private boolean startListener(Entry entry, List<String> failed) {
    Listener listener = entry.listener();
    try {
      gateway.addListener(listener);
      listeners.put(listener.name(), entry);
      return true;
    } catch (Exception e) {
      listener.stop();
      failed.add(listener.name() + ": " + e.getMessage());
      return false;
    }
  }

  /** Starts a listener again with the settings it had before a restart that failed. */
  private void rollBack(Entry previous, List<String> failed) {
    String name = previous.listener().name();
    try {
      Listener again = previous.source().listener(name);
      gateway.addListener(again);
      listeners.put(name, new Entry(again, previous.fingerprint(), previous.source()));
      failed.add(name + ": running again with its previous settings");
    } catch (Exception e) {
      failed.add(name + ": could not start again with its previous settings either: " + e.getMessage());
    }
  }

  /** Stops the gateway: every device gets its OnSocketClosed, then the ports are released. Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
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
      options.config().ifPresent(file -> Hangup.reloadOnHangup(running, file));
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
