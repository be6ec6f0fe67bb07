package io.exproto.examples.gateway;

import io.exproto.grpc.GrpcHandler;
import io.exproto.grpc.ServiceName;
import io.exproto.grpc.tls.ClientTlsOptions;
import io.exproto.grpc.tls.ServerTlsOptions;
import io.exproto.grpc.tls.Verify;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code server} and {@code handler} blocks, mapped onto {@link GrpcHandler.Builder} and its
 * TLS options.
 */
final class HandlerSettings {

  private HandlerSettings() {}

  /**
   * Builds the gRPC binding.
   *
   * @param root the {@code gateway.exproto} block
   * @return the binding
   * @throws ConfigFileException when a value is bad
   */
  static GrpcHandler build(Setting root) throws ConfigFileException {
    GrpcHandler.Builder builder = GrpcHandler.builder();
    Map<String, Setting> blame = new LinkedHashMap<>();
    Setting bind = root.at("server", "bind");
    if (bind != null) {
      String value = bind.bind();
      // The builder checks in build(); check this value alone so the error has its line.
      bind.build(() -> GrpcHandler.builder().adapterBind(value).build());
      builder.adapterBind(value);
    }
    Setting serverTls = root.at("server", "ssl_options");
    if (serverTls != null) {
      ServerTlsOptions options = serverTls(serverTls);
      serverTls.apply(() -> builder.adapterTls(options));
    }
    Setting address = root.at("handler", "address");
    if (address != null) {
      String value = address.text();
      builder.handlerAddress(value);
    }
    Setting handlerTls = root.at("handler", "ssl_options");
    if (handlerTls != null) {
      ClientTlsOptions options = clientTls(handlerTls);
      handlerTls.apply(() -> builder.handlerTls(options));
    }
    Setting serviceName = root.at("handler", "service_name");
    if (serviceName != null) {
      String text = serviceName.text();
      ServiceName value = serviceName.build(() -> ServiceName.fromConfig(text));
      serviceName.apply(() -> builder.serviceName(value));
    }
    Setting requestTimeout = root.applyAt(Setting::positiveDuration, builder::callTimeout, "handler", "request_timeout");
    blame.put("server.bind", bind);
    blame.put("handler.address", address);
    blame.put("handler.ssl_options", handlerTls);
    blame.put("server.ssl_options", serverTls);
    blame.put("callTimeout", requestTimeout);
    // An address that disagrees with handler.ssl_options (https:// without TLS, ...) is reported on
    // the address, where the user most likely wants to fix it.
    return root.build(builder::build, blame);
  }

  private static ServerTlsOptions serverTls(Setting options) throws ConfigFileException {
    ServerTlsOptions.Builder tls = ServerTlsOptions.builder();
    Map<String, Setting> blame = new LinkedHashMap<>();
    Setting certfile = options.applyAt(Setting::path, tls::certfile, "certfile");
    Setting keyfile = options.applyAt(Setting::path, tls::keyfile, "keyfile");
    Setting cacertfile = options.applyAt(Setting::path, tls::cacertfile, "cacertfile");
    Setting verify = options.applyAt(s -> Verify.fromConfig(s.choice("verify_none", "verify_peer")), tls::verify, "verify");
    Setting failIfNoPeerCert = options.applyAt(Setting::bool, tls::failIfNoPeerCert, "fail_if_no_peer_cert");
    blame.put(ServerTlsOptions.CONFIG_PREFIX + ".certfile", certfile);
    blame.put(ServerTlsOptions.CONFIG_PREFIX + ".keyfile", keyfile);
    blame.put(ServerTlsOptions.CONFIG_PREFIX + ".cacertfile", cacertfile);
    blame.put(ServerTlsOptions.CONFIG_PREFIX + ".fail_if_no_peer_cert", failIfNoPeerCert);
    return options.build(tls::build, blame);
  }

  private static ClientTlsOptions clientTls(Setting options) throws ConfigFileException {
    ClientTlsOptions.Builder tls = ClientTlsOptions.builder();
    Map<String, Setting> blame = new LinkedHashMap<>();
    options.applyAt(Setting::bool, tls::enable, "enable");
    Setting certfile = options.applyAt(Setting::path, tls::certfile, "certfile");
    Setting keyfile = options.applyAt(Setting::path, tls::keyfile, "keyfile");
    Setting cacertfile = options.applyAt(Setting::path, tls::cacertfile, "cacertfile");
    Setting verify = options.applyAt(s -> Verify.fromConfig(s.choice("verify_none", "verify_peer")), tls::verify, "verify");
    options.applyAt(Setting::text, tls::serverNameIndication, "server_name_indication");
    blame.put(ClientTlsOptions.CONFIG_PREFIX + ".certfile", certfile);
    blame.put(ClientTlsOptions.CONFIG_PREFIX + ".keyfile", keyfile);
    return options.build(tls::build, blame);
  }
}
