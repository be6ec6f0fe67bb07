package io.exproto.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.exproto.examples.echo.EchoHandlerService;
import io.exproto.examples.support.LineClient;
import io.exproto.examples.support.Ports;
import io.exproto.examples.support.Resources;
import io.exproto.examples.support.TestCertificates;
import io.exproto.gateway.GatewayMetrics;
import io.exproto.grpc.GrpcHandler;
import io.exproto.grpc.ServiceName;
import io.exproto.grpc.proto.ConnInfo;
import io.exproto.grpc.sdk.AdapterClient;
import io.exproto.grpc.sdk.HandlerServer;
import io.exproto.grpc.sdk.HandlerService;
import io.exproto.grpc.tls.ClientTlsOptions;
import io.exproto.grpc.tls.ServerTlsOptions;
import io.exproto.grpc.tls.Verify;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code server} and {@code handler} keys, end to end with a handler service over real gRPC:
 * TLS and mutual TLS both ways, the legacy streaming service, the failure policy and the callback
 * deadline.
 */
class HandlerKeysTest {

  @RegisterExtension final Resources resources = new Resources();

  @TempDir
  Path dir;

  private StandaloneGateway start(String hocon) throws Exception {
    return resources.track(StandaloneGateway.start(ConfigFile.parse(hocon, "handler.conf"), false));
  }

  private String file(String name) {
    return dir.resolve(name).toString();
  }

  @Test
  void mutualTlsOnBothLinks() throws Exception {
    TestCertificates pki = TestCertificates.generate();
    pki.writeAll(dir);
    int handlerPort = Ports.freeLoopbackPort();
    StandaloneGateway gateway = start("""
        gateway.exproto {
          server {
            bind = "127.0.0.1:0"
            ssl_options {
              certfile = "%1$s", keyfile = "%2$s", cacertfile = "%3$s"
              verify = verify_peer, fail_if_no_peer_cert = true
            }
          }
          handler {
            address = "https://127.0.0.1:%6$d"
            ssl_options {
              enable = true
              certfile = "%4$s", keyfile = "%5$s", cacertfile = "%3$s"
              verify = verify_peer
              server_name_indication = "localhost"
            }
          }
          listeners.tcp.default.bind = "127.0.0.1:0"
        }
        """.formatted(file("server.pem"), file("server.key"), file("ca.pem"), file("client.pem"),
        file("client.key"), handlerPort));
    GrpcHandler grpc = gateway.grpcHandler().orElseThrow();
    assertThat(grpc.adapterTls()).isPresent();
    assertThat(grpc.handlerTls()).isPresent();

    ClientTlsOptions handlerSide = ClientTlsOptions.builder().cacertfile(file("ca.pem"))
        .certfile(file("client.pem")).keyfile(file("client.key")).serverNameIndication("localhost").build();
    AdapterClient adapter = resources.track(AdapterClient.connect("https://127.0.0.1:" + grpc.adapterPort(),
        handlerSide, Duration.ofSeconds(10)));
    HandlerServer handler = resources.track(HandlerServer.builder(new EchoHandlerService(adapter))
        .bind("127.0.0.1:" + handlerPort)
        .tls(ServerTlsOptions.builder().certfile(file("server.pem")).keyfile(file("server.key"))
            .cacertfile(file("ca.pem")).verify(Verify.VERIFY_PEER).failIfNoPeerCert(true).build())
        .build());
    handler.start();

    LineClient device = resources.track(new LineClient(gateway.localAddress("tcp:default")));
    assertThat(device.roundTrip("through two tls links")).isEqualTo("through two tls links");

    // The adapter refuses a client without a certificate.
    ClientTlsOptions anonymous = ClientTlsOptions.builder().cacertfile(file("ca.pem"))
        .serverNameIndication("localhost").build();
    AdapterClient stranger = resources.track(AdapterClient.connect("https://127.0.0.1:" + grpc.adapterPort(),
        anonymous, Duration.ofSeconds(10)));
    assertThatThrownBy(() -> stranger.rawPublish("t", 0, new byte[] {1}))
        .isInstanceOf(StatusRuntimeException.class)
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void legacyStreamingService() throws Exception {
    int handlerPort = Ports.freeLoopbackPort();
    StandaloneGateway gateway = start("""
        gateway.exproto {
          server.bind = "127.0.0.1:0"
          handler {
            address = "http://127.0.0.1:%d"
            service_name = ConnectionHandler
          }
          listeners.tcp.default.bind = "127.0.0.1:0"
        }
        """.formatted(handlerPort));
    assertThat(gateway.grpcHandler().orElseThrow().serviceName()).isEqualTo(ServiceName.STREAMING);
    AdapterClient adapter = resources.track(AdapterClient.connect(
        "http://127.0.0.1:" + gateway.grpcHandler().orElseThrow().adapterPort()));
    // The legacy service runs each kind of event on its own stream, so a connection's bytes may
    // arrive before its OnSocketCreated was handled: this handler sends the bytes straight back
    // (Send works before Authenticate) instead of publishing them.
    HandlerService sendBack = new HandlerService() {
      @Override
      protected void onReceivedBytes(String conn, byte[] bytes) {
        adapter.send(conn, bytes);
      }
    };
    HandlerServer handler = resources.track(HandlerServer.builder(sendBack)
        .bind("127.0.0.1:" + handlerPort).serviceName(ServiceName.STREAMING).build());
    handler.start();

    LineClient device = resources.track(new LineClient(gateway.localAddress("tcp:default")));
    assertThat(device.roundTrip("over the streaming service")).isEqualTo("over the streaming service");
  }

  @Test
  void retryPolicyKeepsDevicesUntilTheHandlerComesUp() throws Exception {
    int handlerPort = Ports.freeLoopbackPort();
    StandaloneGateway gateway = start("""
        gateway.exproto {
          server.bind = "127.0.0.1:0"
          handler {
            address = "http://127.0.0.1:%d"
            failure_policy = retry
            retry_window = 60s
          }
          listeners.tcp.default.bind = "127.0.0.1:0"
        }
        """.formatted(handlerPort));
    // The handler is down: OnSocketCreated fails with UNAVAILABLE and is retried.
    LineClient device = resources.track(new LineClient(gateway.localAddress("tcp:default")));
    device.send("sent while the handler was down");
    await().atMost(Duration.ofSeconds(30)).until(
        () -> gateway.gateway().metrics().get(GatewayMetrics.HANDLER_RETRIES) > 0);

    AdapterClient adapter = resources.track(AdapterClient.connect(
        "http://127.0.0.1:" + gateway.grpcHandler().orElseThrow().adapterPort()));
    HandlerServer handler = resources.track(new HandlerServer(new EchoHandlerService(adapter), "127.0.0.1:" + handlerPort));
    handler.start();
    assertThat(device.readLine()).isEqualTo("sent while the handler was down");
    // Stop the gateway while the handler is up: its OnSocketClosed would otherwise be retried.
    gateway.close();
  }

  @Test
  void closePolicyAndRequestTimeoutCloseDevicesOfASlowHandler() throws Exception {
    int handlerPort = Ports.freeLoopbackPort();
    StandaloneGateway gateway = start("""
        gateway.exproto {
          server.bind = "127.0.0.1:0"
          handler {
            address = "http://127.0.0.1:%d"
            failure_policy = close
            request_timeout = 500ms
          }
          listeners.tcp.default.bind = "127.0.0.1:0"
        }
        """.formatted(handlerPort));
    CountDownLatch release = new CountDownLatch(1);
    HandlerServer handler = resources.track(new HandlerServer(new HandlerService() {
      @Override
      protected void onSocketCreated(String conn, ConnInfo info) throws Exception {
        release.await(20, TimeUnit.SECONDS);
      }
    }, "127.0.0.1:" + handlerPort));
    handler.start();

    // 500 ms instead of the default 30 s: the device is closed long before its read times out (20 s).
    LineClient device = resources.track(new LineClient(gateway.localAddress("tcp:default")));
    device.send("hello");
    assertThat(device.closedByPeer()).isTrue();
    // Let the handler answer (late) while its server still runs.
    release.countDown();
  }
}
