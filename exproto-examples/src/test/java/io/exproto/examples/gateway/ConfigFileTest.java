package io.exproto.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigValueFactory;
import io.exproto.adapter.Adapter;
import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.ResultCode;
import io.exproto.broker.InMemoryBroker;
import io.exproto.broker.Message;
import io.exproto.examples.echo.EchoHandler;
import io.exproto.examples.support.LineClient;
import io.exproto.examples.support.Resources;
import io.exproto.examples.support.TestCertificates;
import io.exproto.gateway.Gateway;
import io.exproto.grpc.GrpcHandler;
import io.exproto.grpc.ServiceName;
import io.exproto.grpc.sdk.AdapterClient;
import io.exproto.handler.ConnectionHandler;
import io.exproto.handler.ReceivedBytes;
import io.exproto.handler.ReceivedMessages;
import io.exproto.handler.SocketClosed;
import io.exproto.handler.SocketCreated;
import io.exproto.handler.TimerTimeout;
import io.exproto.listener.Listener;
import io.exproto.testing.InProcessDevice;
import io.exproto.testing.InProcessListener;
import io.exproto.transport.tcp.TcpListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {

  @RegisterExtension final Resources resources = new Resources();

  @TempDir
  Path dir;

  private Path write(String text) throws Exception {
    Path file = dir.resolve("exproto.conf");
    Files.writeString(file, text);
    return file;
  }

  private static List<TcpListener> tcp(List<Listener> listeners) {
    List<TcpListener> tcp = new ArrayList<>();
    for (Listener listener : listeners) {
      tcp.add((TcpListener) listener);
    }
    return tcp;
  }

  /** Reads the file and applies every part of it, as the standalone gateway does. */
  private static void applyAll(ConfigFile config) throws ConfigFileException {
    config.applyTo(Gateway.builder());
    config.listeners();
    config.grpcHandler();
  }

  private static final String FULL = """
      gateway.exproto {
        mountpoint = "gw/"
        idle_timeout = 30s
        enable_stats = true
        server {
          bind = "127.0.0.1:0"
        }
        handler {
          address = "http://127.0.0.1:19001"
          service_name = ConnectionUnaryHandler
        }
        listeners {
          tcp.default {
            bind = "127.0.0.1:0"
            max_connections = 1
            tcp_options { nodelay = true, backlog = 128, recbuf = 64KB, sndbuf = 1MB, high_watermark = 2MB }
          }
          tcp.devices {
            bind = "127.0.0.1:0"
            max_connections = infinity
            mountpoint = "dev/${clientid}/"
          }
        }
      }
      """;

  @Test
  void theReadmeExampleLoadsAndBuildsEveryListener() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    int start = readme.indexOf("```hocon\ngateway.exproto {");
    assertThat(start).as("README.md has a ```hocon gateway.exproto example").isNotNegative();
    String example = readme.substring(start + "```hocon\n".length(), readme.indexOf("```", start + 8));
    TestCertificates.generate().writeAll(dir);

    ConfigFile config = ConfigFile.load(write(example));
    config.applyTo(Gateway.builder());
    assertThat(config.grpcHandler()).isNotNull();
    assertThat(config.listeners()).extracting(Listener::name)
        .containsExactly("tcp:default", "ssl:default", "udp:default", "dtls:default");
  }

  @Test
  void fullFileMapsOntoListenersMountpointsAndConnectionLimit() throws Exception {
    ConfigFile config = ConfigFile.load(write(FULL));
    InMemoryBroker broker = new InMemoryBroker();
    List<Message> published = new CopyOnWriteArrayList<>();
    broker.subscribe("#", 0, published::add).toCompletableFuture().join();

    Gateway.Builder builder = config.applyTo(Gateway.builder().broker(broker));
    List<TcpListener> listeners = tcp(config.listeners());
    listeners.forEach(builder::listener);
    Gateway gateway = resources.track(builder.handler(EchoHandler::new).build());
    gateway.start();

    assertThat(listeners).extracting(TcpListener::name).containsExactly("tcp:default", "tcp:devices");
    for (TcpListener listener : listeners) {
      assertThat(listener.localAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
      assertThat(listener.localAddress().getPort()).isPositive();
    }

    LineClient first = resources.track(new LineClient(listeners.get(0).localAddress()));
    assertThat(first.roundTrip("via default")).isEqualTo("via default");
    LineClient device = resources.track(new LineClient(listeners.get(1).localAddress()));
    assertThat(device.roundTrip("via devices")).isEqualTo("via devices");

    // The gateway's mountpoint on tcp:default, the listener's own (rendered) on tcp:devices.
    assertThat(published).extracting(Message::topic)
        .anySatisfy(topic -> assertThat(topic).matches("gw/echo/[A-Za-z0-9_-]+"))
        .anySatisfy(topic -> assertThat(topic).matches("dev/([A-Za-z0-9_-]+)/echo/\\1"));

    // max_connections = 1 on tcp:default: a second device is turned away.
    LineClient second = resources.track(new LineClient(listeners.get(0).localAddress()));
    assertThat(second.closedByPeer()).isTrue();
    assertThat(first.roundTrip("still here")).isEqualTo("still here");
  }

  @Test
  void idleTimeoutIsApplied() throws Exception {
    ConfigFile config = ConfigFile.parse("""
        gateway.exproto {
          idle_timeout = 300ms
          listeners.tcp.default.bind = "127.0.0.1:0"
        }
        """, "idle.conf");
    Gateway.Builder builder = config.applyTo(Gateway.builder());
    TcpListener listener = tcp(config.listeners()).get(0);
    Gateway gateway = resources.track(builder.listener(listener).handler(adapter -> new SilentHandler()).build());
    gateway.start();

    LineClient client = resources.track(new LineClient(listener.localAddress()));
    // Never authenticated, no keepalive timer: closed after 300 ms (reads time out after 20 s).
    assertThat(client.closedByPeer()).isTrue();
  }

  @Test
  void serverAndHandlerMapOntoTheGrpcBinding() throws Exception {
    ConfigFile config = ConfigFile.load(write(FULL));
    GrpcHandler grpc = config.grpcHandler();
    assertThat(grpc.handlerAddress()).isEqualTo("http://127.0.0.1:19001");
    assertThat(grpc.adapterBind()).isEqualTo("127.0.0.1:0");

    InMemoryBroker broker = new InMemoryBroker();
    List<Message> published = new CopyOnWriteArrayList<>();
    broker.subscribe("raw/#", 0, published::add).toCompletableFuture().join();
    Gateway gateway = resources.track(Gateway.builder().listener(new InProcessListener()).broker(broker)
        .handler(grpc).build());
    gateway.start();

    AdapterClient adapter = resources.track(AdapterClient.connect("http://127.0.0.1:" + grpc.adapterPort()));
    assertThat(adapter.rawPublish("raw/hello", 0, "hi".getBytes(StandardCharsets.UTF_8)).code())
        .isEqualTo(ResultCode.SUCCESS);
    await().atMost(Duration.ofSeconds(10)).until(() -> !published.isEmpty());
    // RawPublish is never mounted, whatever the configured mountpoint.
    assertThat(published.get(0).topic()).isEqualTo("raw/hello");
  }

  @Test
  void queueSizeBoundsWhatWaitsForAStalledHandler() throws Exception {
    ConfigFile config = ConfigFile.load(write("""
        gateway.exproto.handler { queue_size = 3, max_batch_size = 1 }
        """));
    CompletableFuture<Void> stalled = new CompletableFuture<>();
    InProcessListener listener = new InProcessListener();
    Gateway gateway = resources.track(config.applyTo(Gateway.builder()).listener(listener)
        .handler(adapter -> new SilentHandler() {
          @Override
          public CompletionStage<Void> onReceivedBytes(ReceivedBytes event) {
            return stalled;
          }
        }).build());
    gateway.start();

    InProcessDevice device = listener.connect();
    for (int i = 0; i < 4; i++) {
      device.send("chunk " + i);
    }
    // The first chunk is with the handler, three wait: the queue of 3 is full and reading stops
    // (with the default of 1000 it would not).
    await().atMost(Duration.ofSeconds(10)).until(device::isReadingPaused);
    stalled.complete(null);
    await().atMost(Duration.ofSeconds(10)).until(() -> !device.isReadingPaused());
  }

  @Test
  void limitKeysReachTheAdapterOperations() throws Exception {
    ConfigFile config = ConfigFile.load(write("""
        gateway.exproto {
          max_payload_size = 16KB
          max_subscriptions = 1
          max_topic_length = 64
          max_topic_levels = 3
          handler { max_batch_size = 100, max_batch_bytes = 20KB }
        }
        """));
    List<String> conns = new CopyOnWriteArrayList<>();
    List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> held = new CompletableFuture<>();
    InProcessListener listener = new InProcessListener();
    // Callbacks on the calling thread: the batches are then the same on every run.
    Gateway gateway = resources.track(config.applyTo(Gateway.builder()).listener(listener)
        .executor(Runnable::run)
        .handler(adapter -> new SilentHandler() {
          @Override
          public CompletionStage<Void> onSocketCreated(SocketCreated event) {
            conns.add(event.conn());
            return done();
          }

          @Override
          public CompletionStage<Void> onReceivedMessages(ReceivedMessages event) {
            batchSizes.add(event.messages().size());
            return batchSizes.size() == 1 ? held : done();
          }
        }).build());
    gateway.start();
    listener.connect();
    String conn = conns.get(0);
    Adapter adapter = gateway.adapter();
    adapter.authenticate(conn, ClientInfo.of("limited", ""), "").toCompletableFuture().join();

    assertThat(adapter.subscribe(conn, "a/b/c", 0).toCompletableFuture().join().code())
        .isEqualTo(ResultCode.SUCCESS);
    assertThat(adapter.subscribe(conn, "other", 0).toCompletableFuture().join().message())
        .contains("limit of 1 subscriptions");
    assertThat(adapter.rawPublish("a/b/c/d", 0, new byte[0]).toCompletableFuture().join().message())
        .contains("3 levels");
    assertThat(adapter.rawPublish("a/" + "x".repeat(63), 0, new byte[0]).toCompletableFuture().join().message())
        .contains("64 bytes");
    assertThat(adapter.rawPublish("a/b/c", 0, new byte[16 * 1024 + 1]).toCompletableFuture().join().message())
        .contains("payload");
    // 20 KB batches: one held, then 8 KB messages two by two.
    for (int i = 0; i < 5; i++) {
      adapter.rawPublish("a/b/c", 0, new byte[8 * 1024]).toCompletableFuture().join();
    }
    held.complete(null);
    assertThat(batchSizes).containsExactly(1, 2, 2);
  }

  @Test
  void defaultsAreEmqxDefaults() throws Exception {
    ConfigFile config = ConfigFile.defaults();
    List<Listener> listeners = config.listeners();
    assertThat(listeners).extracting(Listener::name).containsExactly("tcp:default");
    assertThat(listeners.get(0).toString()).contains("0.0.0.0:7993");
    GrpcHandler grpc = config.grpcHandler();
    assertThat(grpc.adapterBind()).isEqualTo("0.0.0.0:9100");
    assertThat(grpc.handlerAddress()).isEqualTo("http://127.0.0.1:9001");

    // A file with no listener gets the default one too; an empty file is valid.
    assertThat(ConfigFile.parse("gateway.exproto { idle_timeout = 1m }", "x").listeners())
        .extracting(Listener::name).containsExactly("tcp:default");
    assertThat(ConfigFile.parse("", "empty").listeners()).hasSize(1);
    // Any listener in the file replaces the default one.
    assertThat(ConfigFile.parse("gateway.exproto.listeners.udp.u.bind = \"127.0.0.1:0\"", "u").listeners())
        .extracting(Listener::name).containsExactly("udp:u");
  }

  @Test
  void durationsAndSizesAcceptTheirUnits() throws Exception {
    Map<String, Duration> durations = Map.of("250ms", Duration.ofMillis(250), "30s", Duration.ofSeconds(30),
        "2m", Duration.ofMinutes(2), "1h", Duration.ofHours(1), "1.5s", Duration.ofMillis(1500),
        "0s", Duration.ZERO);
    durations.forEach((text, expected) -> assertThat(read(text, Setting::duration)).as(text).isEqualTo(expected));
    Map<String, Integer> sizes = Map.of("64KB", 65536, "1MB", 1048576, "65536", 65536, "64kb", 65536,
        "64 KB", 65536, "100b", 100);
    sizes.forEach((text, expected) -> assertThat(read(text, Setting::size)).as(text).isEqualTo(expected));
    assertThat(read(65536, Setting::size)).isEqualTo(65536);
    // Placeholders in quotes stay literal (rendered by the gateway at Authenticate).
    assertThat(read("${clientid}/${username}/", Setting::text)).isEqualTo("${clientid}/${username}/");
    ConfigFile.parse("gateway.exproto.mountpoint = \"${clientid}/${username}/\"", "m").applyTo(Gateway.builder());
  }

  private static <T> T read(Object value, Setting.Reader<T> reader) {
    try {
      return reader.read(new Setting(new Setting.Origin("test", null), "k", "k", ConfigValueFactory.fromAnyRef(value)));
    } catch (ConfigFileException e) {
      throw new AssertionError(e);
    }
  }

  // ---- errors name the key and the line ----

  private void assertError(String hocon, String key, int line, String problem) {
    ThrowingCallable apply = () -> applyAll(ConfigFile.load(write(hocon)));
    assertThatThrownBy(apply)
        .isInstanceOf(ConfigFileException.class)
        .hasMessageContaining(key)
        .hasMessageContaining(", line " + line + ":")
        .hasMessageContaining(problem)
        .satisfies(e -> {
          ConfigFileException error = (ConfigFileException) e;
          assertThat(error.key()).contains(key);
          assertThat(error.line()).isEqualTo(line);
          assertThat(error.getMessage()).doesNotContain("\n");
        });
  }

  @Test
  void unknownKeyIsAnError() {
    assertError("""
        gateway.exproto {
          listeners.tcp.default {
            bnd = "127.0.0.1:0"
          }
        }
        """, "gateway.exproto.listeners.tcp.default.bnd", 3, "unknown key; supported here: access_rules, bind, enable, max_conn_rate, max_connections,"
            + " mountpoint, proxy_protocol, proxy_protocol_timeout, tcp_options");
    assertError("""
        gateway.exproto {
          idle_timeout = 30s
          idle_timout = 30s
        }
        """, "gateway.exproto.idle_timout", 3, "unknown key");
    assertError("""
        gateway.exproto { mountpoint = "" }
        gateway.stomp { mountpoint = "" }
        """, "gateway.stomp", 2, "configures only gateway.exproto");
    assertError("""

        node.name = "emqx@127.0.0.1"
        """, "node", 2, "unknown key");
  }

  @Test
  void knownButUnsupportedKeysAreErrors() {
    assertError("""
        gateway.exproto {
          listeners {
            tcp.default { bind = "127.0.0.1:0" }
            tcp.other {
              acceptors = 16
            }
          }
        }
        """, "gateway.exproto.listeners.tcp.other.acceptors", 5, "not supported yet");
    assertError("""
        gateway.exproto {
          listeners.tcp.default {
            bind = "127.0.0.1:0"
            tcp_options.active_n = 100
          }
        }
        """, "gateway.exproto.listeners.tcp.default.tcp_options.active_n", 4, "not supported yet");
    assertError("""
        gateway.exproto {
          listeners.ssl.default.ssl_options.ciphers = ["TLS_AES_128_GCM_SHA256"]
        }
        """, "gateway.exproto.listeners.ssl.default.ssl_options.ciphers", 2, "not supported yet");
    assertError("""
        gateway.exproto {
          listeners.udp.default.proxy_protocol = true
        }
        """, "gateway.exproto.listeners.udp.default.proxy_protocol", 2, "for tcp and ssl listeners only");
    assertError("""
        gateway.exproto {
          mountpoint = ""
          authentication {
            mechanism = password_based
            backend = built_in_database
            password_hash_algorithm { name = sha256 }
          }
        }
        """, "gateway.exproto.authentication.password_hash_algorithm", 6, "hashed by the gateway itself");
    assertError("""
        gateway.exproto {
          clientinfo_override { username = "u" }
        }
        """, "gateway.exproto.clientinfo_override", 2, "not supported yet");
  }

  @Test
  void serviceNameChoosesTheHandlerService() throws Exception {
    assertThat(ConfigFile.parse("gateway.exproto.handler.service_name = ConnectionHandler", "s").grpcHandler()
        .serviceName()).isEqualTo(ServiceName.STREAMING);
    assertThat(ConfigFile.parse("gateway.exproto.handler.service_name = ConnectionUnaryHandler", "s").grpcHandler()
        .serviceName()).isEqualTo(ServiceName.UNARY);
    assertError("""
        gateway.exproto {
          handler.service_name = ConnectionUnaryHandlr
        }
        """, "gateway.exproto.handler.service_name", 2, "is not ConnectionUnaryHandler or ConnectionHandler");
  }

  @Test
  void badDurationsAreErrors() {
    assertError("""
        gateway.exproto {
          idle_timeout = 30x
        }
        """, "gateway.exproto.idle_timeout", 2, "must be a duration");
    assertError("""
        gateway.exproto {
          mountpoint = ""

          idle_timeout = -5s
        }
        """, "gateway.exproto.idle_timeout", 4, "must not be negative");
    assertError("""
        gateway.exproto {
          idle_timeout = 30
        }
        """, "gateway.exproto.idle_timeout", 2, "needs a unit");
  }

  @Test
  void badBindsAreErrors() {
    assertError("""
        gateway.exproto {
          listeners.tcp.default {
            bind = "127.0.0.1:99999"
          }
        }
        """, "gateway.exproto.listeners.tcp.default.bind", 3, "65535");
    assertError("""
        gateway.exproto {
          listeners.tcp.default.bind = "localhost:"
        }
        """, "gateway.exproto.listeners.tcp.default.bind", 2, "port");
    assertError("""
        gateway.exproto {
          server {
            bind = "127.0.0.1:x"
          }
        }
        """, "gateway.exproto.server.bind", 3, "port");
    assertError("""
        gateway.exproto {
          handler.address = "127.0.0.1:9001"
        }
        """, "gateway.exproto.handler.address", 2, "scheme");
  }

  @Test
  void badValuesOfOtherTypesAreErrors() {
    assertError("""
        gateway.exproto {
          listeners.tcp.default.max_connections = lots
        }
        """, "gateway.exproto.listeners.tcp.default.max_connections", 2, "whole number");
    assertError("""
        gateway.exproto {
          listeners.tcp.default.tcp_options.nodelay = 1
        }
        """, "gateway.exproto.listeners.tcp.default.tcp_options.nodelay", 2, "true or false");
    assertError("""
        gateway.exproto {
          listeners.tcp.default.tcp_options.recbuf = 64GB
        }
        """, "gateway.exproto.listeners.tcp.default.tcp_options.recbuf", 2, "size");
    assertError("""
        gateway.exproto {
          listeners.tcp.default.tcp_options.backlog = 0
        }
        """, "gateway.exproto.listeners.tcp.default.tcp_options.backlog", 2, "at least 1");
    assertError("""
        gateway.exproto {
          listeners.tcp.default.tcp_options.high_watermark = 0
        }
        """, "gateway.exproto.listeners.tcp.default.tcp_options.high_watermark", 2, "must be from 1 byte");
    assertError("""
        gateway.exproto {
          mountpoint = 42
        }
        """, "gateway.exproto.mountpoint", 2, "must be a string");
    assertError("""
        gateway.exproto {
          server = 9100
        }
        """, "gateway.exproto.server", 2, "must be an object");
  }

  @Test
  void syntaxErrorsNameTheLine() throws Exception {
    Path file = write("""
        gateway.exproto {
          idle_timeout = 30s
          listeners {
        }
        """);
    assertThatThrownBy(() -> ConfigFile.load(file))
        .isInstanceOf(ConfigFileException.class)
        .hasMessageStartingWith(file.toString())
        .hasMessageContaining(", line ")
        .satisfies(e -> assertThat(((ConfigFileException) e).line()).isPositive());

    assertThatThrownBy(() -> ConfigFile.parse("gateway.exproto {\n  mountpoint = ${clientid}/\n}", "sub.conf"))
        .isInstanceOf(ConfigFileException.class)
        .hasMessageContaining("sub.conf, line 2:")
        .hasMessageContaining("inside double quotes");

    assertThatThrownBy(() -> ConfigFile.load(dir.resolve("missing.conf")))
        .isInstanceOf(ConfigFileException.class)
        .hasMessageContaining("missing.conf")
        .hasMessageContaining("cannot read");
  }

  /** A handler that never authenticates or starts a timer. */
  private static class SilentHandler implements ConnectionHandler {
    static CompletionStage<Void> done() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> onSocketCreated(SocketCreated event) {
      return done();
    }

    @Override
    public CompletionStage<Void> onReceivedBytes(ReceivedBytes event) {
      return done();
    }

    @Override
    public CompletionStage<Void> onTimerTimeout(TimerTimeout event) {
      return done();
    }

    @Override
    public CompletionStage<Void> onReceivedMessages(ReceivedMessages event) {
      return done();
    }

    @Override
    public CompletionStage<Void> onSocketClosed(SocketClosed event) {
      return done();
    }
  }
}
