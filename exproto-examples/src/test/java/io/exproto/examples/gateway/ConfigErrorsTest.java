package io.exproto.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.exproto.examples.support.TestCertificates;
import io.exproto.gateway.Gateway;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad value of the keys added for listeners, TLS, the handler, authentication and
 * authorization: the error names the full key and its line, and never shows a secret value.
 */
class ConfigErrorsTest {

  @TempDir
  Path dir;

  /** Reads the file and applies every part of it, as the standalone gateway does. */
  private ConfigFileException error(String hocon) throws Exception {
    Path file = dir.resolve("exproto.conf");
    Files.writeString(file, hocon);
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> {
      ConfigFile config = ConfigFile.load(file);
      config.applyTo(Gateway.builder());
      config.listeners();
      config.grpcHandler();
    });
    assertThat(thrown).as("the file must be refused").isInstanceOf(ConfigFileException.class);
    ConfigFileException error = (ConfigFileException) thrown;
    assertThat(error.getMessage()).doesNotContain("\n").startsWith(file + ", line " + error.line() + ": ");
    return error;
  }

  private void assertError(String hocon, String key, int line, String problem) throws Exception {
    ConfigFileException error = error(hocon);
    assertThat(error.key()).as(error.getMessage()).contains(key);
    assertThat(error.line()).as(error.getMessage()).isEqualTo(line);
    assertThat(error.problem()).as(error.getMessage()).contains(problem);
  }

  private void assertSecretHidden(String hocon, String secret, String key, int line) throws Exception {
    ConfigFileException error = error(hocon);
    assertThat(error.getMessage()).doesNotContain(secret);
    assertThat(error.key()).as(error.getMessage()).contains(key);
    assertThat(error.line()).as(error.getMessage()).isEqualTo(line);
  }

  @Test
  void commonListenerKeys() throws Exception {
    assertError("""
        gateway.exproto.listeners.tcp.default {
          max_conn_rate = fast
        }
        """, "gateway.exproto.listeners.tcp.default.max_conn_rate", 2, "new connections per second");
    assertError("""
        gateway.exproto.listeners.udp.default {
          bind = "127.0.0.1:0"
          max_conn_rate = 0
        }
        """, "gateway.exproto.listeners.udp.default.max_conn_rate", 3, "at least 1");
    assertError("""
        gateway.exproto.listeners.tcp.default {
          access_rules = "allow all"
        }
        """, "gateway.exproto.listeners.tcp.default.access_rules", 2, "list of strings");
    assertError("""
        gateway.exproto.listeners.tcp.default {
          access_rules = ["allow all",
            "permit 10.0.0.0/8"]
        }
        """, "gateway.exproto.listeners.tcp.default.access_rules", 2, "permit 10.0.0.0/8");
    assertError("""
        gateway.exproto.listeners.tcp.default {
          access_rules = ["allow all", 42]
        }
        """, "gateway.exproto.listeners.tcp.default.access_rules.2", 2, "must be a string");
    assertError("""
        gateway.exproto.listeners.tcp.default {
          proxy_protocol = yes
        }
        """, "gateway.exproto.listeners.tcp.default.proxy_protocol", 2, "true or false");
    assertError("""
        gateway.exproto.listeners.tcp.default {
          proxy_protocol_timeout = 0s
        }
        """, "gateway.exproto.listeners.tcp.default.proxy_protocol_timeout", 2, "more than zero");
    assertError("""
        gateway.exproto.listeners.tcp.default {
          tcp_options.send_timeout = 15
        }
        """, "gateway.exproto.listeners.tcp.default.tcp_options.send_timeout", 2, "needs a unit");
    assertError("""
        gateway.exproto.listeners.udp.default {
          udp_options { recbuf = lots }
        }
        """, "gateway.exproto.listeners.udp.default.udp_options.recbuf", 2, "size");
    assertError("""
        gateway.exproto.listeners.udp.default {
          tcp_options { nodelay = true }
        }
        """, "gateway.exproto.listeners.udp.default.tcp_options", 2, "use udp_options");
    assertError("""
        gateway.exproto.listeners.tcp.default = 7993
        """, "gateway.exproto.listeners.tcp.default", 1, "must be an object");
    assertError("""
        gateway.exproto.listeners.quic.default.bind = 7993
        """, "gateway.exproto.listeners.quic", 1, "unknown key; supported here: dtls, ssl, tcp, udp");
    assertError("""
        gateway.exproto.listeners.tcp.default {
          enable = maybe
        }
        """, "gateway.exproto.listeners.tcp.default.enable", 2, "true or false");
  }

  @Test
  void sslListenerKeys() throws Exception {
    TestCertificates.generate().writeAll(dir);
    assertError("""
        gateway.exproto.listeners.ssl.default {
          ssl_options {
            certfile = "server.pem"
            keyfile = "server.key"
            verify = verify_all
          }
        }
        """, "gateway.exproto.listeners.ssl.default.ssl_options.verify", 5, "verify_none or verify_peer");
    assertError("""
        gateway.exproto.listeners.ssl.default {
          ssl_options {
            certfile = "server.pem"
            keyfile = "server.key"
            versions = ["tlsv1.3", "tlsv1.4"]
          }
        }
        """, "gateway.exproto.listeners.ssl.default.ssl_options.versions", 5, "tlsv1.4");
    assertError("""
        gateway.exproto.listeners.ssl.default {
          ssl_options {
            certfile = "server.pem"
            keyfile = "server.key"
            depth = -1
          }
        }
        """, "gateway.exproto.listeners.ssl.default.ssl_options.depth", 5, "at least 0");
    assertError("""
        gateway.exproto.listeners.ssl.default {
          ssl_options {
            certfile = "missing.pem"
            keyfile = "server.key"
          }
        }
        """, "gateway.exproto.listeners.ssl.default.ssl_options.certfile", 3, "missing.pem");
    assertError("""
        gateway.exproto.listeners.ssl.default {
          bind = "127.0.0.1:0"
          ssl_options {
            keyfile = "server.key"
          }
        }
        """, "gateway.exproto.listeners.ssl.default.ssl_options", 3, "certfile is required");
    assertError("""
        gateway.exproto.listeners.ssl.default {
          ssl_options {
            certfile = "server.pem"
            keyfile = "server.key"
            fail_if_no_peer_cert = true
          }
        }
        """, "gateway.exproto.listeners.ssl.default.ssl_options.fail_if_no_peer_cert", 5, "verify = verify_peer");
    assertError("""
        gateway.exproto.listeners.ssl.default {
          ssl_options {
            certfile = "server.pem"
            keyfile = "server.key"
            handshake_timeout = soon
          }
        }
        """, "gateway.exproto.listeners.ssl.default.ssl_options.handshake_timeout", 5, "must be a duration");
  }

  @Test
  void dtlsListenerKeys() throws Exception {
    TestCertificates.generate().writeAll(dir);
    assertError("""
        gateway.exproto.listeners.dtls.default {
          bind = "127.0.0.1:0"
        }
        """, "gateway.exproto.listeners.dtls.default", 1, "no credentials");
    assertError("""
        gateway.exproto.listeners.dtls.default {
          dtls_options {
            psk = [
              {identity = "a", secret = "one"}
              {secret = "two"}
            ]
          }
        }
        """, "gateway.exproto.listeners.dtls.default.dtls_options.psk.2", 5, "needs identity");
    assertError("""
        gateway.exproto.listeners.dtls.default {
          dtls_options {
            psk = [
              {identity = "a", secret = "one"}
              {identity = "a", secret = "two"}
            ]
          }
        }
        """, "gateway.exproto.listeners.dtls.default.dtls_options.psk.2.identity", 5, "listed twice");
    assertError("""
        gateway.exproto.listeners.dtls.default {
          dtls_options.psk = {identity = "a", secret = "one"}
        }
        """, "gateway.exproto.listeners.dtls.default.dtls_options.psk", 2, "list of objects");
    assertError("""
        gateway.exproto.listeners.dtls.default {
          dtls_options {
            psk = [{identity = "a", secret = "one", hint = "x"}]
          }
        }
        """, "gateway.exproto.listeners.dtls.default.dtls_options.psk.1.hint", 3, "unknown key; supported here: identity, secret");
    assertError("""
        gateway.exproto.listeners.dtls.default {
          dtls_options {
            psk = [{identity = "a", secret = "one"}]
            ciphers = ["TLS_NOT_A_SUITE"]
          }
        }
        """, "gateway.exproto.listeners.dtls.default.dtls_options.ciphers", 4, "TLS_NOT_A_SUITE");
    assertError("""
        gateway.exproto.listeners.dtls.default {
          dtls_options {
            certfile = "server.pem"
            keyfile = "server.key"
            verify = verify_peer
          }
        }
        """, "gateway.exproto.listeners.dtls.default.dtls_options.verify", 5, "cacertfile");
    assertError("""
        gateway.exproto.listeners.dtls.default {
          dtls_options {
            keyfile = "server.key"
          }
        }
        """, "gateway.exproto.listeners.dtls.default.dtls_options.keyfile", 3, "certfile is not");
    assertError("""
        gateway.exproto.listeners.dtls.default {
          dtls_options { versions = ["dtlsv1.2"] }
        }
        """, "gateway.exproto.listeners.dtls.default.dtls_options.versions", 2, "only DTLS 1.2");
  }

  @Test
  void handlerAndServerKeys() throws Exception {
    assertError("""
        gateway.exproto {
          handler.service_name = ConnectionStreamHandler
        }
        """, "gateway.exproto.handler.service_name", 2, "ConnectionStreamHandler");
    assertError("""
        gateway.exproto {
          handler.failure_policy = ignore
        }
        """, "gateway.exproto.handler.failure_policy", 2, "must be close or retry");
    assertError("""
        gateway.exproto {
          handler.retry_window = 0s
        }
        """, "gateway.exproto.handler.retry_window", 2, "more than zero");
    assertError("""
        gateway.exproto {
          handler.queue_size = 1
        }
        """, "gateway.exproto.handler.queue_size", 2, "at least 2");
    assertError("""
        gateway.exproto {
          handler.max_batch_size = 0
        }
        """, "gateway.exproto.handler.max_batch_size", 2, "at least 1");
    assertError("""
        gateway.exproto {
          handler.max_batch_bytes = 512
        }
        """, "gateway.exproto.handler.max_batch_bytes", 2, "at least 1024");
    assertError("""
        gateway.exproto {
          max_payload_size = 1MB
          handler.max_batch_bytes = 1MB
        }
        """, "gateway.exproto.handler.max_batch_bytes", 3, "raise maxBatchBytes or lower maxPayloadBytes");
    assertError("""
        gateway.exproto {
          max_payload_size = 3MB
        }
        """, "gateway.exproto.max_payload_size", 2, "must be at least maxPayloadBytes (3145728)");
    assertError("""
        gateway.exproto {
          max_payload_size = lots
        }
        """, "gateway.exproto.max_payload_size", 2, "size");
    assertError("""
        gateway.exproto {
          max_subscriptions = 0
        }
        """, "gateway.exproto.max_subscriptions", 2, "or infinity");
    assertError("""
        gateway.exproto {
          max_topic_length = 70000
        }
        """, "gateway.exproto.max_topic_length", 2, "65535");
    assertError("""
        gateway.exproto {
          max_topic_levels = none
        }
        """, "gateway.exproto.max_topic_levels", 2, "whole number");
    assertError("""
        gateway.exproto {
          handler {
            request_timeout = "-1s"
          }
        }
        """, "gateway.exproto.handler.request_timeout", 3, "negative");
    assertError("""
        gateway.exproto {
          handler {
            address = "http://127.0.0.1:9001"
            ssl_options { enable = true, cacertfile = "ca.pem" }
          }
        }
        """, "gateway.exproto.handler.address", 3, "plaintext http://");
    assertError("""
        gateway.exproto {
          handler {
            address = "https://127.0.0.1:9001"
            ssl_options {
              server_name_indication = disable
            }
          }
        }
        """, "gateway.exproto.handler.ssl_options.server_name_indication", 5, "'disable' is not supported");
    assertError("""
        gateway.exproto {
          handler {
            address = "https://127.0.0.1:9001"
            ssl_options {
              certfile = "client.pem"
            }
          }
        }
        """, "gateway.exproto.handler.ssl_options.keyfile", 4, "required when certfile is set");
    assertError("""
        gateway.exproto {
          server {
            ssl_options {
              certfile = "server.pem"
            }
          }
        }
        """, "gateway.exproto.server.ssl_options.keyfile", 3, "required");
    assertError("""
        gateway.exproto {
          server {
            ssl_options {
              certfile = "server.pem"
              keyfile = "server.key"
              verify = verify_peer
            }
          }
        }
        """, "gateway.exproto.server.ssl_options.cacertfile", 3, "required with verify = verify_peer");
    assertError("""
        gateway.exproto {
          server.ssl_options.password = "x"
        }
        """, "gateway.exproto.server.ssl_options.password", 2, "not supported yet");
  }

  @Test
  void authenticationKeys() throws Exception {
    assertError("""
        gateway.exproto {
          authentication = password_based
        }
        """, "gateway.exproto.authentication", 2, "an object {...} or a list of objects");
    assertError("""
        gateway.exproto {
          authentication {
            backend = http
          }
        }
        """, "gateway.exproto.authentication", 2, "needs mechanism = password_based or jwt");
    assertError("""
        gateway.exproto {
          authentication = [
            {mechanism = jwt, algorithm = hmac-based, secret = "s3cr3t-s3cr3t"}
            {mechanism = scram, backend = built_in_database}
          ]
        }
        """, "gateway.exproto.authentication.2.mechanism", 4, "mechanism scram is not supported yet");
    assertError("""
        gateway.exproto {
          authentication {
            mechanism = password_based
            backend = mysql
          }
        }
        """, "gateway.exproto.authentication.backend", 4, "backend mysql is not supported yet");
    assertError("""
        gateway.exproto {
          authentication {
            mechanism = password_based
            backend = http
            url = "http://127.0.0.1:8080/auth"
            users = [{user_id = "a", password = "b"}]
          }
        }
        """, "gateway.exproto.authentication.users", 6, "is not a key of backend = http");
    assertError("""
        gateway.exproto {
          authentication {
            mechanism = password_based
            backend = http
          }
        }
        """, "gateway.exproto.authentication", 2, "url is required");
    assertError("""
        gateway.exproto {
          authentication {
            mechanism = password_based
            backend = http
            url = "ftp://127.0.0.1/auth"
          }
        }
        """, "gateway.exproto.authentication.url", 5, "http:// or https://");
    assertError("""
        gateway.exproto {
          authentication {
            mechanism = password_based
            backend = http
            method = put
            url = "http://127.0.0.1/auth"
          }
        }
        """, "gateway.exproto.authentication.method", 5, "must be post or get");
    assertError("""
        gateway.exproto {
          authentication {
            mechanism = password_based
            backend = http
            url = "http://127.0.0.1/auth"
            body { user { name = "${username}" } }
          }
        }
        """, "gateway.exproto.authentication.body.user", 6, "must be a single value");
    assertError("""
        gateway.exproto {
          authentication {
            mechanism = password_based
            backend = http
            url = "http://127.0.0.1/auth"
            body { username = "${user}" }
          }
        }
        """, "gateway.exproto.authentication.body.username", 6, "${user}");
    assertError("""
        gateway.exproto {
          authentication {
            mechanism = password_based
            backend = built_in_database
            users = [
              {user_id = "alice", password = "x1"}
              {user_id = "alice", password = "x2"}
            ]
          }
        }
        """, "gateway.exproto.authentication.users.2.user_id", 7, "listed twice");
    assertError("""
        gateway.exproto {
          authentication {
            mechanism = password_based
            backend = built_in_database
            user_id_type = email
          }
        }
        """, "gateway.exproto.authentication.user_id_type", 5, "must be username or clientid");
    assertError("""
        gateway.exproto {
          authentication {
            mechanism = jwt
            use_jwks = true
          }
        }
        """, "gateway.exproto.authentication", 2, "needs endpoint, the URL of the JWKS, with use_jwks = true");
    assertError("""
        gateway.exproto {
          authentication {
            mechanism = jwt
            secret = "a secret"
          }
        }
        """, "gateway.exproto.authentication", 2, "needs algorithm");
    assertError("""
        gateway.exproto {
          authentication {
            mechanism = jwt
            algorithm = public-key
            secret = "a secret"
          }
        }
        """, "gateway.exproto.authentication.secret", 5, "is for algorithm = hmac-based");
    assertError("""
        gateway.exproto {
          authentication {
            mechanism = jwt
            algorithm = public-key
            public_key = "no-such-key.pem"
          }
        }
        """, "gateway.exproto.authentication.public_key", 5, "nor a readable file");
    assertError("""
        gateway.exproto {
          authentication {
            mechanism = jwt
            algorithm = hmac-based
            secret = "a secret"
            verify_claims { sub = "${peerhost}" }
          }
        }
        """, "gateway.exproto.authentication.verify_claims.sub", 6, "unknown placeholder ${peerhost}");
  }

  @Test
  void jwksKeys() throws Exception {
    Files.writeString(dir.resolve("not-a-ca.pem"), "not a certificate");
    String[][] cases = {
        {"endpoint = \"ftp://issuer.example/jwks\"", "endpoint", "must be an http:// or https:// URL with a host"},
        {"endpoint = \"\"", "endpoint", "must not be empty"},
        {"endpoint = \"https://issuer.example/jwks\", refresh_interval = 0", "refresh_interval", "must be at least 1"},
        {"endpoint = \"https://issuer.example/jwks\", refresh_interval = soon", "refresh_interval",
            "must be a duration such as 30s"},
        {"endpoint = \"https://issuer.example/jwks\", refresh_interval = 0s", "refresh_interval",
            "must be more than zero"},
        {"endpoint = \"https://issuer.example/jwks\", secret = \"a shared secret of at least 32 bytes\"", "secret",
            "is for use_jwks = false"},
        {"endpoint = \"https://issuer.example/jwks\", public_key = \"key.pem\"", "public_key",
            "is for use_jwks = false"},
        {"endpoint = \"https://issuer.example/jwks\", algorithm = hmac-based", "algorithm", "must be public-key"},
        {"endpoint = \"http://issuer.example/jwks\", ssl { enable = true }", "ssl", "is for an https:// endpoint"},
        {"endpoint = \"https://issuer.example/jwks\", ssl { verify = verify_none }", "ssl.verify",
            "verify_none is not supported"},
        {"endpoint = \"https://issuer.example/jwks\", ssl { verify = maybe }", "ssl.verify",
            "must be verify_peer or verify_none"},
        {"endpoint = \"https://issuer.example/jwks\", ssl { cacertfile = \"missing-ca.pem\" }", "ssl.cacertfile",
            "cannot read"},
        {"endpoint = \"https://issuer.example/jwks\", ssl { cacertfile = \"not-a-ca.pem\" }", "ssl.cacertfile",
            "holds no PEM certificate"},
        {"endpoint = \"https://issuer.example/jwks\", ssl { certfile = \"client.pem\" }", "ssl.certfile",
            "without a client certificate"},
        {"endpoint = \"https://issuer.example/jwks\", ssl { server_name_indication = \"x\" }",
            "ssl.server_name_indication", "not supported yet"},
        {"endpoint = \"https://issuer.example/jwks\", from = header", "from", "must be password or username"},
        {"endpoint = \"https://issuer.example/jwks\", pool_size = 8", "pool_size", "not supported yet"},
    };
    for (String[] c : cases) {
      assertError("""
          gateway.exproto.authentication {
            mechanism = jwt, use_jwks = true
            %s
          }
          """.formatted(c[0]), "gateway.exproto.authentication." + c[1], 3, c[2]);
    }
    assertError("""
        gateway.exproto.authentication {
          mechanism = jwt, algorithm = public-key, public_key = "key.pem"
          endpoint = "https://issuer.example/jwks"
        }
        """, "gateway.exproto.authentication.endpoint", 3, "is for use_jwks = true");
    assertError("""
        gateway.exproto.authentication {
          mechanism = jwt, use_jwks = maybe, endpoint = "https://issuer.example/jwks"
        }
        """, "gateway.exproto.authentication.use_jwks", 2, "must be true or false");
    assertError("""
        gateway.exproto.authentication {
          mechanism = password_based, backend = http, url = "https://127.0.0.1/auth"
          ssl { enable = true }
        }
        """, "gateway.exproto.authentication.ssl", 3, "not supported yet with backend = http");
  }

  @Test
  void authorizationKeys() throws Exception {
    assertError("""
        gateway.exproto.authorization {
          no_match = ignore
        }
        """, "gateway.exproto.authorization.no_match", 2, "must be allow or deny");
    assertError("""
        gateway.exproto.authorization {
          rules = [
            {permission = allow, action = publish, topic = "a/#/b"}
          ]
        }
        """, "gateway.exproto.authorization.rules.1.topic", 3, "a/#/b");
    assertError("""
        gateway.exproto.authorization {
          rules = [
            {permission = allow, topic = "a"}
            {permission = allow, action = connect, topic = "a"}
          ]
        }
        """, "gateway.exproto.authorization.rules.2.action", 4, "must be publish, subscribe or all");
    assertError("""
        gateway.exproto.authorization {
          rules = [{permission = maybe, topic = "a"}]
        }
        """, "gateway.exproto.authorization.rules.1.permission", 2, "must be allow or deny");
    assertError("""
        gateway.exproto.authorization {
          rules = [{permission = allow}]
        }
        """, "gateway.exproto.authorization.rules.1", 2, "needs topic");
    assertError("""
        gateway.exproto.authorization {
          sources = []
        }
        """, "gateway.exproto.authorization.sources", 2, "EMQX broker key");
  }

  @Test
  void secretsAreNeverShown() throws Exception {
    TestCertificates.generate().writeAll(dir);
    assertSecretHidden("""
        gateway.exproto.listeners.ssl.default {
          ssl_options {
            certfile = "server.pem"
            keyfile = "server.key"
            password = 98765
          }
        }
        """, "98765", "gateway.exproto.listeners.ssl.default.ssl_options.password", 5);
    assertSecretHidden("""
        gateway.exproto.authentication {
          mechanism = jwt
          algorithm = hmac-based
          secret_base64_encoded = true
          secret = "not*base64*at*all!"
        }
        """, "not*base64*at*all!", "gateway.exproto.authentication.secret", 5);
    assertSecretHidden("""
        gateway.exproto.authentication {
          mechanism = jwt
          algorithm = hmac-based
          secret = true
        }
        """, "true", "gateway.exproto.authentication.secret", 4);
    assertSecretHidden("""
        gateway.exproto.authentication {
          mechanism = password_based
          backend = built_in_database
          users = [{user_id = "alice", password = 424242}]
        }
        """, "424242", "gateway.exproto.authentication.users.1.password", 4);
    assertSecretHidden("""
        gateway.exproto.listeners.dtls.default.dtls_options {
          psk = [{identity = "dev", secret = 31337}]
        }
        """, "31337", "gateway.exproto.listeners.dtls.default.dtls_options.psk.1.secret", 2);
    assertSecretHidden("""
        gateway.exproto.authentication {
          mechanism = password_based
          backend = http
          url = "http://127.0.0.1/auth"
          headers { authorization = "Bearer 1234567\\nX-Injected: yes" }
        }
        """, "1234567", "gateway.exproto.authentication.headers", 5);
    // A header value the HTTP client refuses: the message of the builder is kept, the value not.
    assertSecretHidden("""
        gateway.exproto.authentication {
          mechanism = password_based
          backend = http
          method = post
          url = "http://127.0.0.1/auth"
          headers { "content-type" = "text/secret-type" }
        }
        """, "text/secret-type", "gateway.exproto.authentication.headers", 6);

    // A syntax error on a line with a secret: the library's quote of the line is withheld.
    Path file = dir.resolve("syntax.conf");
    Files.writeString(file, """
        gateway.exproto.authentication {
          mechanism = jwt
          secret = "my-jwt-secret" "and more" = x
        }
        """);
    assertThatThrownBy(() -> ConfigFile.load(file))
        .isInstanceOf(ConfigFileException.class)
        .hasMessageContaining(", line 3:")
        .hasMessageNotContaining("my-jwt-secret")
        .hasMessageNotContaining("and more");
  }
}
