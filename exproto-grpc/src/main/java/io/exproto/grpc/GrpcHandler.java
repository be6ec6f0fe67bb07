package io.exproto.grpc;

import io.exproto.adapter.Adapter;
import io.exproto.grpc.adapter.AdapterServer;
import io.exproto.grpc.handler.RemoteHandler;
import io.exproto.grpc.handler.StreamingRemoteHandler;
import io.exproto.grpc.internal.Addresses;
import io.exproto.grpc.internal.ClientChannels;
import io.exproto.grpc.tls.ClientTlsOptions;
import io.exproto.grpc.tls.ServerTlsOptions;
import io.exproto.handler.ConnectionHandler;
import io.exproto.handler.HandlerFactory;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.ReceivedMessages;
import io.exproto.handler.SocketClosed;
import io.exproto.handler.SocketCreated;
import io.exproto.handler.TimerTimeout;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The gRPC binding of a gateway: a {@link HandlerFactory} that, when the gateway starts, serves
 * the gateway's adapter as {@code emqx.exproto.v1.ConnectionAdapter} (an {@link AdapterServer})
 * and sends the device events to a remote {@code ConnectionUnaryHandler} service (a
 * {@link RemoteHandler}), or to a legacy {@code ConnectionHandler} service (a
 * {@link StreamingRemoteHandler}, see {@link Builder#serviceName(ServiceName)}). Both links may use
 * TLS: {@link Builder#adapterTls(ServerTlsOptions)} and {@link Builder#handlerTls(ClientTlsOptions)}.
 * Defaults are EMQX's.
 *
 * <pre>{@code
 * GrpcHandler grpc = GrpcHandler.builder()
 *     .handlerAddress("https://handler.internal:9001")
 *     .handlerTls(ClientTlsOptions.builder().cacertfile("/etc/exproto/ca.pem").build())
 *     .adapterBind("0.0.0.0:9100")
 *     .build();
 * try (Gateway gateway = Gateway.builder().listener(tcp).handler(grpc).build()) {
 *   gateway.start();
 *   ...
 * }
 * }</pre>
 *
 * <p>Handler restarts: a callback made while the handler channel is not connected (the handler is
 * restarting, or the connection is being set up again) waits for it, for at most nine tenths of
 * {@link Builder#callTimeout(Duration)}, instead of failing at once, so devices that connect in
 * the first moments after a handler restart are served once it is back. A callback that was never
 * sent to the handler (no connection within that wait) completes with an
 * {@link io.exproto.handler.HandlerUnavailableException}: with the gateway's default failure policy
 * ({@code close}) the device is then closed with reason {@code handler_error}, as in EMQX; with
 * {@code Gateway.Builder.failurePolicy(FailurePolicy.RETRY)} the same callback is sent again, in
 * order, within the gateway's retry window, so a handler outage loses no device and no byte. A
 * callback that may have reached the handler is never sent again, since the handler may have
 * acted on it (published, answered the device): an error answer ({@code INTERNAL} from a handler
 * method that threw, {@code UNIMPLEMENTED} from an address that serves another service, ...),
 * {@code DEADLINE_EXCEEDED} from a live handler too slow to answer, or {@code UNAVAILABLE} from a
 * connection that broke with the call on it (a handler killed mid-call) closes the device with
 * {@code handler_error} under either policy. The legacy streaming service follows the same rule
 * for events not yet written to their stream. Set the gateway's handler deadline
 * ({@code Gateway.Builder.handlerTimeout}) no shorter than the call timeout: a callback still
 * waiting at the gateway's deadline may have been sent, and closes the device.
 *
 * <p>Threading: nothing in the binding blocks. The handler it creates declares
 * {@link ConnectionHandler#isNonBlocking()}, so the gateway starts each callback call on the thread
 * that has the event instead of handing it to its handler pool, and the adapter server runs each
 * adapter call on its network threads (see {@link Builder#adapterExecutor(java.util.concurrent.Executor)}
 * for a host broker that may block).
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
  private final ServiceName serviceName;
  private final Optional<ServerTlsOptions> adapterTls;
  private final Optional<ClientTlsOptions> handlerTls;
  private final Optional<Executor> adapterExecutor;
  private volatile AdapterServer lastServer;

  private GrpcHandler(Builder builder) {
    this.handlerAddress = builder.handlerAddress;
    this.adapterBind = builder.adapterBind;
    this.callTimeout = builder.callTimeout;
    this.serviceName = builder.serviceName;
    this.adapterTls = Optional.ofNullable(builder.adapterTls);
    this.adapterExecutor = Optional.ofNullable(builder.adapterExecutor);
    this.handlerTls = Optional.ofNullable(builder.handlerTls);
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
   * @throws IllegalArgumentException when a TLS file is missing or unusable; the message names the
   *     key ({@code server.ssl_options.certfile}, {@code handler.ssl_options.cacertfile}, ...)
   */
  @Override
  public ConnectionHandler create(Adapter adapter) throws Exception {
    Objects.requireNonNull(adapter, "adapter");
    AdapterServer server = new AdapterServer(adapter, adapterBind, adapterTls.orElse(null),
        adapterExecutor.orElse(null));
    Remote remote;
    try {
      server.start();
      remote = openRemote();
    } catch (Exception | Error e) {
      server.close();
      throw e;
    }
    lastServer = server;
    return new Binding(server, remote);
  }

  private Remote openRemote() {
    if (serviceName == ServiceName.STREAMING) {
      StreamingRemoteHandler streaming = handlerTls.isPresent()
          ? new StreamingRemoteHandler(handlerAddress, callTimeout, handlerTls.get())
          : new StreamingRemoteHandler(handlerAddress, callTimeout);
      return new Remote(streaming, streaming::close, streaming.address());
    }
    RemoteHandler unary = handlerTls.isPresent()
        ? new RemoteHandler(handlerAddress, callTimeout, handlerTls.get())
        : new RemoteHandler(handlerAddress, callTimeout);
    return new Remote(unary, unary::close, unary.address());
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
   * @return the address, {@code http://host:port} or {@code https://host:port}, as configured
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

  /**
   * Returns which handler service is called.
   *
   * @return {@link ServiceName#UNARY} unless configured
   */
  public ServiceName serviceName() {
    return serviceName;
  }

  /**
   * Returns the TLS options of the ConnectionAdapter server.
   *
   * @return the options, or empty for plaintext
   */
  public Optional<ServerTlsOptions> adapterTls() {
    return adapterTls;
  }

  /**
   * Returns the TLS options of the client of the handler service.
   *
   * @return the options, or empty when none were given (an {@code https://} address then uses the
   *     defaults)
   */
  public Optional<ClientTlsOptions> handlerTls() {
    return handlerTls;
  }

  /** The client of the handler service, whichever service it calls. */
  private record Remote(ConnectionHandler handler, Runnable closer, String address) {}

  /** The adapter server and the handler client of one gateway, closed together. */
  private static final class Binding implements ConnectionHandler, AutoCloseable {
    private final AdapterServer server;
    private final Remote remote;

    Binding(AdapterServer server, Remote remote) {
      this.server = server;
      this.remote = remote;
    }

    @Override
    public boolean isNonBlocking() {
      return remote.handler().isNonBlocking();
    }

    @Override
    public CompletionStage<Void> onSocketCreated(SocketCreated event) {
      return remote.handler().onSocketCreated(event);
    }

    @Override
    public CompletionStage<Void> onReceivedBytes(ReceivedBytes event) {
      return remote.handler().onReceivedBytes(event);
    }

    @Override
    public CompletionStage<Void> onTimerTimeout(TimerTimeout event) {
      return remote.handler().onTimerTimeout(event);
    }

    @Override
    public CompletionStage<Void> onReceivedMessages(ReceivedMessages event) {
      return remote.handler().onReceivedMessages(event);
    }

    @Override
    public CompletionStage<Void> onSocketClosed(SocketClosed event) {
      return remote.handler().onSocketClosed(event);
    }

    /** Stops sending callbacks first, then stops accepting adapter calls. */
    @Override
    public void close() {
      try {
        remote.closer().run();
      } finally {
        server.close();
      }
    }

    @Override
    public String toString() {
      return "GrpcHandler[handler=" + remote.address() + ", adapter=" + (server.isTls() ? "tls " : "")
          + server.bind() + "]";
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
    private ServiceName serviceName = ServiceName.UNARY;
    private ServerTlsOptions adapterTls;
    private ClientTlsOptions handlerTls;
    private Executor adapterExecutor;

    private Builder() {}

    /**
     * Runs the ConnectionAdapter server's operations on an executor instead of directly on its
     * network threads. Not needed by default: the gateway's adapter operations never block as long
     * as the host's authenticators, authorizers, hooks and broker keep their contracts. Set it when
     * the host's {@link io.exproto.broker.Broker} may block in publish, subscribe or unsubscribe.
     * It covers the adapter operations only: when a connection closes because a handler callback
     * failed, its subscriptions are removed on the network thread that got the answer, so a
     * broker's unsubscribe should still return quickly. The executor is not owned: the gateway
     * does not shut it down.
     *
     * @param executor where adapter operations run, not null
     * @return this builder
     */
    public Builder adapterExecutor(Executor executor) {
      this.adapterExecutor = Objects.requireNonNull(executor, "adapterExecutor");
      return this;
    }

    /**
     * Sets the address of the user's handler service (EMQX's {@code handler.address}). Default
     * {@value GrpcHandler#DEFAULT_HANDLER_ADDRESS}.
     *
     * @param address {@code "http://host:port"} (plaintext) or {@code "https://host:port"} (TLS,
     *     see {@link #handlerTls(ClientTlsOptions)}); the host may be a name
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
     * Sets the deadline of each callback call to the handler. Default 30 s. A call made while the
     * handler channel is not connected waits for it for at most nine tenths of this; one not sent
     * by then fails as not sent (a handler error, retried under the retry failure policy). A call
     * that was sent and is not answered by the deadline fails with {@code DEADLINE_EXCEEDED}, a
     * handler error that is not retried. For the legacy streaming service, whose streams have no
     * deadline, an event not written to its stream within nine tenths of this fails as not sent.
     * Keep the gateway's handler deadline no shorter.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = timeout;
      return this;
    }

    /**
     * Sets which service the handler serves (EMQX's {@code handler.service_name}). Default
     * {@link ServiceName#UNARY}; {@link ServiceName#STREAMING} calls a legacy
     * {@code ConnectionHandler} through a {@link StreamingRemoteHandler}.
     *
     * @param name the service, not null
     * @return this builder
     */
    public Builder serviceName(ServiceName name) {
      this.serviceName = Objects.requireNonNull(name, "handler.service_name");
      return this;
    }

    /**
     * Serves the ConnectionAdapter over TLS (EMQX's {@code server.ssl_options}); handlers then
     * call {@code https://host:port}. Default: plaintext.
     *
     * @param tls the options, not null
     * @return this builder
     */
    public Builder adapterTls(ServerTlsOptions tls) {
      this.adapterTls = Objects.requireNonNull(tls, "server.ssl_options");
      return this;
    }

    /**
     * Sets the TLS options of the client of the handler service (EMQX's
     * {@code handler.ssl_options}): trusted CAs, a client certificate for mutual TLS, the SNI
     * override. They need an {@code https://} handler address when enabled; disabled options go
     * with {@code http://}. Without options an {@code https://} address uses the JDK's trusted CAs.
     *
     * @param tls the options, not null
     * @return this builder
     */
    public Builder handlerTls(ClientTlsOptions tls) {
      this.handlerTls = Objects.requireNonNull(tls, "handler.ssl_options");
      return this;
    }

    /**
     * Checks the settings and builds the factory. Nothing is started or resolved here.
     *
     * @return the factory
     * @throws IllegalArgumentException when a setting is invalid; the message names its field
     *     ({@code handler.address}, {@code server.bind}, {@code callTimeout}) and says what is
     *     wrong. An {@code http://} address with enabled {@code handler.ssl_options}, or an
     *     {@code https://} one with disabled options, is refused here. TLS files are read when the
     *     gateway starts.
     */
    public GrpcHandler build() {
      Addresses.Target target = Addresses.parseServiceAddress(handlerAddress, "handler.address");
      ClientChannels.checkTls(target, Optional.ofNullable(handlerTls), "handler.address");
      Addresses.parseBind(adapterBind, "server.bind");
      ClientChannels.timeoutMillis(callTimeout, "callTimeout");
      return new GrpcHandler(this);
    }
  }
}
