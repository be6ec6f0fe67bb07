package io.exproto.grpc;

import io.exproto.adapter.Adapter;
import io.exproto.grpc.adapter.AdapterServer;
import io.exproto.grpc.handler.RemoteHandler;
import io.exproto.grpc.internal.Addresses;
import io.exproto.grpc.internal.ClientChannels;
import io.exproto.handler.ConnectionHandler;
import io.exproto.handler.HandlerFactory;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.ReceivedMessages;
import io.exproto.handler.SocketClosed;
import io.exproto.handler.SocketCreated;
import io.exproto.handler.TimerTimeout;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * The gRPC binding of a gateway: a {@link HandlerFactory} that, when the gateway starts, serves
 * the gateway's adapter as {@code emqx.exproto.v1.ConnectionAdapter} (an {@link AdapterServer})
 * and sends the device events to a remote {@code ConnectionUnaryHandler} service (a
 * {@link RemoteHandler}). Defaults are EMQX's.
 *
 * <pre>{@code
 * GrpcHandler grpc = GrpcHandler.builder()
 *     .handlerAddress("http://127.0.0.1:9001")
 *     .adapterBind("0.0.0.0:9100")
 *     .build();
 * try (Gateway gateway = Gateway.builder().listener(tcp).handler(grpc).build()) {
 *   gateway.start();
 *   ...
 * }
 * }</pre>
 *
 * <p>The handler {@link #create(Adapter) created} is {@link AutoCloseable}; the gateway closes it
 * when it stops, which stops the adapter server and the handler channel. Immutable settings;
 * thread-safe.
 */
public final class GrpcHandler implements HandlerFactory {

  /** EMQX's default handler address. */
  public static final String DEFAULT_HANDLER_ADDRESS = "http://127.0.0.1:9001";
  /** EMQX's default ConnectionAdapter bind address. */
  public static final String DEFAULT_ADAPTER_BIND = AdapterServer.DEFAULT_BIND;
  /** The default deadline of one callback call to the handler. */
  public static final Duration DEFAULT_CALL_TIMEOUT = RemoteHandler.DEFAULT_CALL_TIMEOUT;

  private final String handlerAddress;
  private final String adapterBind;
  private final Duration callTimeout;
  private volatile AdapterServer lastServer;

  private GrpcHandler(Builder builder) {
    this.handlerAddress = builder.handlerAddress;
    this.adapterBind = builder.adapterBind;
    this.callTimeout = builder.callTimeout;
  }

  /**
   * Starts a builder with EMQX's defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the ConnectionAdapter server for {@code adapter} and creates the client of the handler
   * service (which connects on the first callback). Called by the gateway when it starts.
   *
   * @param adapter the gateway's adapter operations, not null
   * @return a handler that is also {@link AutoCloseable}: closing it stops both
   * @throws java.io.IOException when the adapter bind address cannot be bound
   */
  @Override
  public ConnectionHandler create(Adapter adapter) throws Exception {
    Objects.requireNonNull(adapter, "adapter");
    AdapterServer server = new AdapterServer(adapter, adapterBind);
    RemoteHandler remote;
    try {
      server.start();
      remote = new RemoteHandler(handlerAddress, callTimeout);
    } catch (Exception | Error e) {
      server.close();
      throw e;
    }
    lastServer = server;
    return new Binding(server, remote);
  }

  /**
   * Returns the port the ConnectionAdapter server is bound to (useful with port 0). When this
   * factory created several handlers, the most recent one's.
   *
   * @return the bound adapter port
   * @throws IllegalStateException before {@link #create(Adapter)}, or once that handler is closed
   */
  public int adapterPort() {
    AdapterServer server = lastServer;
    if (server == null) {
      throw new IllegalStateException("the adapter server has not started: start the gateway first");
    }
    return server.port();
  }

  /**
   * Returns the handler service's address.
   *
   * @return the address, {@code http://host:port}
   */
  public String handlerAddress() {
    return handlerAddress;
  }

  /**
   * Returns the ConnectionAdapter server's bind address.
   *
   * @return the bind address, as configured
   */
  public String adapterBind() {
    return adapterBind;
  }

  /**
   * Returns the deadline of one callback call.
   *
   * @return the call timeout
   */
  public Duration callTimeout() {
    return callTimeout;
  }

  /** The adapter server and the handler client of one gateway, closed together. */
  private static final class Binding implements ConnectionHandler, AutoCloseable {
    private final AdapterServer server;
    private final RemoteHandler remote;

    Binding(AdapterServer server, RemoteHandler remote) {
      this.server = server;
      this.remote = remote;
    }

    @Override
    public CompletionStage<Void> onSocketCreated(SocketCreated event) {
      return remote.onSocketCreated(event);
    }

    @Override
    public CompletionStage<Void> onReceivedBytes(ReceivedBytes event) {
      return remote.onReceivedBytes(event);
    }

    @Override
    public CompletionStage<Void> onTimerTimeout(TimerTimeout event) {
      return remote.onTimerTimeout(event);
    }

    @Override
    public CompletionStage<Void> onReceivedMessages(ReceivedMessages event) {
      return remote.onReceivedMessages(event);
    }

    @Override
    public CompletionStage<Void> onSocketClosed(SocketClosed event) {
      return remote.onSocketClosed(event);
    }

    /** Stops sending callbacks first, then stops accepting adapter calls. */
    @Override
    public void close() {
      try {
        remote.close();
      } finally {
        server.close();
      }
    }

    @Override
    public String toString() {
      return "GrpcHandler[handler=" + remote.address() + ", adapter=" + server.bind() + "]";
    }
  }

  /**
   * Configures a {@link GrpcHandler}. {@link #build()} checks the settings and makes an immutable
   * factory. Not thread-safe.
   */
  public static final class Builder {
    private String handlerAddress = DEFAULT_HANDLER_ADDRESS;
    private String adapterBind = DEFAULT_ADAPTER_BIND;
    private Duration callTimeout = DEFAULT_CALL_TIMEOUT;

    private Builder() {}

    /**
     * Sets the address of the user's {@code ConnectionUnaryHandler} service (EMQX's
     * {@code handler.address}). Default {@value GrpcHandler#DEFAULT_HANDLER_ADDRESS}.
     *
     * @param address {@code "http://host:port"}; the host may be a name; {@code https://} is not
     *     supported yet
     * @return this builder
     */
    public Builder handlerAddress(String address) {
      this.handlerAddress = address;
      return this;
    }

    /**
     * Sets where the ConnectionAdapter server listens (EMQX's {@code server.bind}). Default
     * {@value GrpcHandler#DEFAULT_ADAPTER_BIND}.
     *
     * @param bind {@code "port"} or {@code "host:port"}; port 0 picks a free port (see
     *     {@link GrpcHandler#adapterPort()})
     * @return this builder
     */
    public Builder adapterBind(String bind) {
      this.adapterBind = bind;
      return this;
    }

    /**
     * Sets the deadline of each callback call to the handler. Default 30 s. A call past it fails
     * with {@code DEADLINE_EXCEEDED}, which the gateway treats as a handler error.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = timeout;
      return this;
    }

    /**
     * Checks the settings and builds the factory. Nothing is started or resolved here.
     *
     * @return the factory
     * @throws IllegalArgumentException when a setting is invalid; the message names its field
     *     ({@code handler.address}, {@code server.bind}, {@code callTimeout}) and says what is wrong
     */
    public GrpcHandler build() {
      Addresses.parseHttpAddress(handlerAddress, "handler.address");
      Addresses.parseBind(adapterBind, "server.bind");
      ClientChannels.timeoutMillis(callTimeout, "callTimeout");
      return new GrpcHandler(this);
    }
  }
}
