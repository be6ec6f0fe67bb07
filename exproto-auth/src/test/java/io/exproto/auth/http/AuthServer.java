package io.exproto.auth.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real HTTP authentication service on 127.0.0.1 and an ephemeral port, for tests. */
final class AuthServer implements AutoCloseable {

  /** One request as the server received it. */
  record Recorded(String method, String path, String rawQuery, Headers headers, String body) {}

  /** Answers one exchange. */
  @FunctionalInterface
  interface Responder {
    void respond(Recorded request, HttpExchange exchange) throws IOException, InterruptedException;
  }

  final BlockingQueue<Recorded> requests = new LinkedBlockingQueue<>();
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  volatile Responder responder = json(200, "{\"result\":\"allow\"}");

  AuthServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  String url(String pathAndQuery) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + pathAndQuery;
  }

  /** Takes the next received request, failing after 5 s. */
  Recorded take() throws InterruptedException {
    Recorded r = requests.poll(5, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("the server received no request");
    }
    return r;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Recorded recorded = new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
          exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders(), body);
      requests.add(recorded);
      try {
        responder.respond(recorded, exchange);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static Responder json(int status, String body) {
    return (request, exchange) -> send(exchange, status, "application/json", body);
  }

  static Responder status(int status) {
    return (request, exchange) -> exchange.sendResponseHeaders(status, -1);
  }

  static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", contentType);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
