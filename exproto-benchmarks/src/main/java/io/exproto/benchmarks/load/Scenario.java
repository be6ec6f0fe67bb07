package io.exproto.benchmarks.load;

import io.exproto.benchmarks.server.BareEchoServer;
import io.exproto.benchmarks.server.GatewayServer;
import io.exproto.benchmarks.server.RemoteHandlerServer;
import java.io.IOException;
import java.util.List;

/**
 * What serves the load generator's connections. Each scenario starts its server JVMs with
 * {@link #start(RunSettings)}; every one greets a connection when it is ready and echoes the bytes
 * it receives, by its own path.
 */
public enum Scenario {

  /** Reference point (1): a bare Netty echo server, the transport limit. */
  BARE_NETTY("bare-netty", "bare Netty echo server (transport limit)"),
  /** The gateway with an in-process Java handler: OnReceivedBytes -&gt; Send. */
  INPROC_ECHO("inproc-echo", "gateway, in-process Java handler (OnReceivedBytes -> Send)"),
  /** The gateway with an in-process Java handler on the EMQX-example path. */
  INPROC_EMQX("inproc-emqx", "gateway, in-process Java handler (OnReceivedBytes -> Publish -> OnReceivedMessages -> Send)"),
  /**
   * The gateway with a remote gRPC handler in a second JVM: OnReceivedBytes -&gt; Send. The handler
   * uses the SDK in its recommended non-blocking style, and the gateway's remote handler client is
   * non-blocking too, so callbacks run on the calling thread whatever the gateway's executor.
   */
  GRPC_ECHO("grpc-echo", "gateway, remote gRPC handler in a second JVM (OnReceivedBytes -> Send)"),
  /** The gateway with a remote gRPC handler in a second JVM on the EMQX-example path. */
  GRPC_EMQX("grpc-emqx", "gateway, remote gRPC handler in a second JVM (OnReceivedBytes -> Publish -> OnReceivedMessages -> Send)"),
  /**
   * What-if: {@link #INPROC_ECHO} with {@code Gateway.Builder.executor(Runnable::run)}, so callbacks
   * run on the Netty worker that read the bytes instead of hopping to the gateway's pool.
   */
  INPROC_ECHO_DIRECT("inproc-echo-direct", "what-if: inproc-echo with callbacks run on the calling thread (executor Runnable::run)"),
  /**
   * What-if: {@link #GRPC_ECHO} with the handler written directly on the generated stubs instead of
   * the SDK: what the SDK's convenience costs. (A what-if with the executor {@code Runnable::run}
   * would be the same as {@link #GRPC_ECHO}: the remote handler client declares itself
   * non-blocking, so the executor is not used.)
   */
  GRPC_ECHO_STUBS("grpc-echo-stubs", "what-if: grpc-echo with a non-blocking handler on the generated stubs (no SDK)");

  private final String key;
  private final String description;

  Scenario(String key, String description) {
    this.key = key;
    this.description = description;
  }

  /**
   * Returns the scenario's short name, as used on the command line.
   *
   * @return e.g. {@code grpc-echo}
   */
  public String key() {
    return key;
  }

  /**
   * Returns a one-line description for reports.
   *
   * @return the description
   */
  public String description() {
    return description;
  }

  /**
   * Finds a scenario by its short name.
   *
   * @param key e.g. {@code inproc-echo}
   * @return the scenario
   * @throws IllegalArgumentException naming the valid keys
   */
  public static Scenario of(String key) {
    for (Scenario s : values()) {
      if (s.key.equals(key)) {
        return s;
      }
    }
    StringBuilder keys = new StringBuilder();
    for (Scenario s : values()) {
      keys.append(keys.length() == 0 ? "" : ", ").append(s.key);
    }
    throw new IllegalArgumentException("unknown scenario '" + key + "'; use one of " + keys);
  }

  /**
   * Starts this scenario's server JVMs.
   *
   * @param settings where logs go and the server JVMs' options
   * @return the running servers
   * @throws IOException when a server does not start
   */
  public Servers start(RunSettings settings) throws IOException {
    return switch (this) {
      case BARE_NETTY -> new Servers(child(settings, "bare-netty", BareEchoServer.class, List.of()), null);
      case INPROC_ECHO -> new Servers(child(settings, "gateway-" + key, GatewayServer.class,
          List.of("--handler", "inproc-echo")), null);
      case INPROC_EMQX -> new Servers(child(settings, "gateway-" + key, GatewayServer.class,
          List.of("--handler", "inproc-emqx")), null);
      case INPROC_ECHO_DIRECT -> new Servers(child(settings, "gateway-" + key, GatewayServer.class,
          List.of("--handler", "inproc-echo", "--executor", "direct")), null);
      case GRPC_ECHO, GRPC_EMQX, GRPC_ECHO_STUBS -> startRemote(settings);
    };
  }

  private Servers startRemote(RunSettings settings) throws IOException {
    String mode = switch (this) {
      case GRPC_EMQX -> "emqx";
      case GRPC_ECHO_STUBS -> "send-stubs";
      default -> "send";
    };
    ChildJvm handler = child(settings, "handler-" + key, RemoteHandlerServer.class, List.of("--mode", mode));
    ChildJvm gateway = null;
    try {
      gateway = child(settings, "gateway-" + key, GatewayServer.class,
          List.of("--handler", "grpc", "--handler-address", "http://127.0.0.1:" + handler.readyInt("port")));
      handler.call("adapter " + gateway.readyInt("adapterPort"));
      return new Servers(gateway, handler);
    } catch (IOException | RuntimeException e) {
      if (gateway != null) {
        gateway.close();
      }
      handler.close();
      throw e;
    }
  }

  private static ChildJvm child(RunSettings settings, String name, Class<?> main, List<String> args) throws IOException {
    return ChildJvm.start(name, main, settings.serverJvmArgs(name), args, settings.logDir());
  }
}
