package io.exproto.auth.jwt;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * A JWKS endpoint on 127.0.0.1 and an ephemeral port, over HTTP or HTTPS (a certificate for
 * 127.0.0.1 issued by a CA made at test time), whose answer a test sets: a key set, garbage, an
 * error status, a huge body, or no answer until released.
 */
final class JwksServer implements AutoCloseable {

  /** Answers one exchange. */
  @FunctionalInterface
  interface Answer {
    void send(HttpExchange exchange) throws IOException, InterruptedException;
  }

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final CountDownLatch released = new CountDownLatch(1);
  private final AtomicInteger requests = new AtomicInteger();
  private final X509Bundle ca;
  private volatile Answer answer = status(404);

  private JwksServer(boolean tls) throws Exception {
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    if (tls) {
      Instant now = Instant.now();
      CertificateBuilder base = new CertificateBuilder().notBefore(now.minus(1, ChronoUnit.HOURS))
          .notAfter(now.plus(1, ChronoUnit.DAYS)).ecp256();
      ca = base.copy().subject("CN=JWKS Test CA").setIsCertificateAuthority(true).buildSelfSigned();
      X509Bundle certificate = base.copy().subject("CN=127.0.0.1").addSanIpAddress("127.0.0.1")
          .addExtendedKeyUsageServerAuth().buildIssuedBy(ca);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(certificate.toKeyManagerFactory().getKeyManagers(), null, null);
      HttpsServer https = HttpsServer.create(loopback, 0);
      https.setHttpsConfigurator(new HttpsConfigurator(context));
      server = https;
    } else {
      ca = null;
      server = HttpServer.create(loopback, 0);
    }
    server.setExecutor(threads);
    server.createContext("/", exchange -> {
      try (exchange) {
        requests.incrementAndGet();
        answer.send(exchange);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    server.start();
  }

  static JwksServer http() throws Exception {
    return new JwksServer(false);
  }

  static JwksServer https() throws Exception {
    return new JwksServer(true);
  }

  /** Writes the CA certificate of an https server, the file a client trusts it by. */
  Path writeCa(Path file) throws IOException {
    return Files.writeString(file, ca.getCertificatePEM());
  }

  String url() {
    return (ca == null ? "http" : "https") + "://127.0.0.1:" + server.getAddress().getPort() + "/jwks?tenant=t1";
  }

  int requests() {
    return requests.get();
  }

  /** Answers 200 with the public parts of the keys. */
  void serve(JWK... keys) {
    String body = new JWKSet(List.of(keys)).toString(true);
    answer = exchange -> send(exchange, 200, body);
  }

  void answer(Answer answer) {
    this.answer = answer;
  }

  /** Answers nothing until {@link #close()}. */
  void hang() {
    answer = exchange -> released.await(30, TimeUnit.SECONDS);
  }

  static Answer status(int status) {
    return exchange -> exchange.sendResponseHeaders(status, -1);
  }

  static Answer body(String body) {
    return exchange -> send(exchange, 200, body);
  }

  /** A 200 of {@code bytes} bytes of JSON-looking filler, with or without a content-length. */
  static Answer huge(int bytes, boolean declared) {
    return exchange -> {
      exchange.getResponseHeaders().set("content-type", "application/json");
      exchange.sendResponseHeaders(200, declared ? bytes : 0);
      byte[] chunk = new byte[8192];
      java.util.Arrays.fill(chunk, (byte) ' ');
      try (OutputStream out = exchange.getResponseBody()) {
        out.write('{');
        for (int sent = 1; sent < bytes; sent += chunk.length) {
          out.write(chunk, 0, Math.min(chunk.length, bytes - sent));
        }
      } catch (IOException e) {
        // The client gave up on the body, as it should.
      }
    };
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    released.countDown();
    server.stop(0);
    threads.shutdownNow();
  }
}
