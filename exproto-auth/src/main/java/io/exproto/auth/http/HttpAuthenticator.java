package io.exproto.auth.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exproto.auth.AuthRequest;
import io.exproto.auth.AuthResult;
import io.exproto.auth.Authenticator;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * EMQX's HTTP authentication: for every Authenticate the client's identity is sent to an HTTP
 * service, whose answer decides.
 *
 * <p>The request: {@code POST} sends the body template as JSON, or form-encoded when the
 * {@code content-type} header is {@code application/x-www-form-urlencoded}; {@code GET} sends it as
 * URL query parameters. Template values (and the url's path and query) may contain the
 * placeholders {@code ${clientid}}, {@code ${username}}, {@code ${password}}, {@code ${peerhost}},
 * {@code ${cert_common_name}} and {@code ${cert_subject}}; absent values render as empty strings.
 *
 * <p>The answer: 200 with a JSON (or form-encoded) body {@code {"result": "allow" | "deny" |
 * "ignore", "is_superuser": bool, "expire_at": seconds}} gives ALLOW (until {@code expire_at} when
 * present), DENY or IGNORE; 204 gives ALLOW; any other status, an unparseable body, a timeout or
 * an unreachable server gives IGNORE and a WARN log line with the url (without its query), the
 * status or the failure, and the client id, but never the password, the body or the query. The
 * {@code is_superuser} flag is read but has no effect: the gateway has no superuser notion.
 *
 * <p>Requests are sent with the JDK's {@link HttpClient} asynchronously: {@link #authenticate}
 * never blocks. Answers are handled, and the returned stage completed, on the HTTP client's
 * executor when it has one, else on the common fork-join pool. The returned stage never completes
 * exceptionally. Thread-safe.
 *
 * <pre>{@code
 * Authenticator http = HttpAuthenticator.builder()
 *     .method(HttpAuthenticator.Method.POST)
 *     .url("http://127.0.0.1:8080/auth")
 *     .body(Map.of("clientid", "${clientid}", "username", "${username}", "password", "${password}"))
 *     .requestTimeout(Duration.ofSeconds(5))
 *     .build();
 * }</pre>
 */
public final class HttpAuthenticator implements Authenticator {

  private static final Logger log = LoggerFactory.getLogger(HttpAuthenticator.class);
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final String FORM = "application/x-www-form-urlencoded";
  private static final String CONTENT_TYPE = "content-type";

  /** The HTTP method of the authentication request. */
  public enum Method {
    /** The body template is sent as URL query parameters. */
    GET,
    /** The body template is sent as a JSON or form-encoded request body. */
    POST
  }

  private final Method method;
  private final String baseTemplate;
  private final String queryTemplate;
  private final String safeUrl;
  private final Map<String, String> headers;
  private final Map<String, String> body;
  private final boolean formBody;
  private final Duration requestTimeout;
  private final HttpClient client;
  private final Executor answers;

  private HttpAuthenticator(Builder b, String baseTemplate, String queryTemplate, Map<String, String> headers,
      boolean formBody, HttpClient client) {
    this.method = b.method;
    this.baseTemplate = baseTemplate;
    this.queryTemplate = queryTemplate;
    this.safeUrl = baseTemplate;
    this.headers = headers;
    this.body = Collections.unmodifiableMap(b.body == null ? defaultBody() : new LinkedHashMap<>(b.body));
    this.formBody = formBody;
    this.requestTimeout = b.requestTimeout;
    this.client = client;
    this.answers = client.executor().orElse(ForkJoinPool.commonPool());
  }

  private static Map<String, String> defaultBody() {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("username", "${username}");
    body.put("password", "${password}");
    return body;
  }

  /**
   * Starts a builder: method POST, request timeout 5 s, EMQX's default body
   * ({@code username} and {@code password}). The url is required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Asks the HTTP service about one client.
   *
   * @param request the client, its connection and password
   * @return the decision; never completes exceptionally (failures are IGNORE)
   */
  @Override
  public CompletionStage<AuthResult> authenticate(AuthRequest request) {
    String clientId = request.client().clientId();
    HttpRequest httpRequest;
    try {
      httpRequest = buildRequest(request);
    } catch (RuntimeException e) {
      // The message may quote the rendered url; only the type is safe to show.
      log.warn("HTTP authentication of client {} via {}: cannot build the request ({}); ignoring",
          clientId, safeUrl, e.getClass().getSimpleName());
      return CompletableFuture.completedFuture(AuthResult.ignore());
    }
    log.debug("HTTP authentication of client {}: {} {}", clientId, method, safeUrl);
    CompletableFuture<HttpResponse<String>> sent;
    try {
      sent = client.sendAsync(httpRequest, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<HttpResponse<String>> exchange = sent;
    // The request timeout bounds the wait for the response headers; this also bounds the body.
    // The answer is handled off the JDK's timer thread, which must stay free.
    return sent.copy()
        .orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .handleAsync((response, error) -> {
          if (error != null) {
            exchange.cancel(true);
            return failed(unwrap(error), request);
          }
          return answer(response, clientId);
        }, answers)
        .exceptionally(error -> { // the answers executor refused the task
          log.warn("HTTP authentication of client {} via {}: the executor refused the answer ({}); ignoring",
              clientId, safeUrl, unwrap(error).getClass().getSimpleName());
          return AuthResult.ignore();
        });
  }

  private HttpRequest buildRequest(AuthRequest request) {
    StringBuilder query = new StringBuilder(render(queryTemplate, request, HttpAuthenticator::encodeQuery));
    String requestBody = null;
    if (method == Method.GET) {
      if (!body.isEmpty()) {
        if (query.length() > 0) {
          query.append('&');
        }
        query.append(formEncode(request));
      }
    } else if (formBody) {
      requestBody = formEncode(request);
    } else {
      requestBody = jsonEncode(request);
    }
    String base = render(baseTemplate, request, HttpAuthenticator::encodePath);
    URI uri = URI.create(query.length() == 0 ? base : base + "?" + query);
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(requestTimeout);
    headers.forEach(builder::header);
    if (requestBody == null) {
      builder.GET();
    } else {
      builder.POST(HttpRequest.BodyPublishers.ofString(requestBody, StandardCharsets.UTF_8));
    }
    return builder.build();
  }

  private static String render(String template, AuthRequest request, UnaryOperator<String> encode) {
    if (template.indexOf("${") < 0) {
      return template;
    }
    // Render placeholder by placeholder so only the values are encoded, never the template.
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (true) {
      int start = template.indexOf("${", at);
      int end = start < 0 ? -1 : template.indexOf('}', start);
      if (end < 0) {
        out.append(template, at, template.length());
        return out.toString();
      }
      out.append(template, at, start);
      out.append(encode.apply(Placeholders.render(template.substring(start, end + 1), request)));
      at = end + 1;
    }
  }

  private String formEncode(AuthRequest request) {
    StringBuilder out = new StringBuilder();
    body.forEach((key, template) -> {
      if (out.length() > 0) {
        out.append('&');
      }
      out.append(encodeQuery(key)).append('=').append(encodeQuery(Placeholders.render(template, request)));
    });
    return out.toString();
  }

  private String jsonEncode(AuthRequest request) {
    Map<String, String> rendered = new LinkedHashMap<>();
    body.forEach((key, template) -> rendered.put(key, Placeholders.render(template, request)));
    try {
      return JSON.writeValueAsString(rendered);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot encode the request body");
    }
  }

  private static String encodeQuery(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static String encodePath(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private AuthResult answer(HttpResponse<String> response, String clientId) {
    int status = response.statusCode();
    if (status == 204) {
      log.debug("HTTP authentication of client {}: status 204, allowed", clientId);
      return AuthResult.allow();
    }
    if (status != 200) {
      log.warn("HTTP authentication of client {} via {} answered status {}; ignoring", clientId, safeUrl, status);
      return AuthResult.ignore();
    }
    Map<String, String> fields = parseBody(response);
    String result = fields == null ? null : fields.get("result");
    if (result == null) {
      log.warn("HTTP authentication of client {} via {} answered status 200 with a body that is not {\"result\":"
          + " \"allow\" | \"deny\" | \"ignore\"}; ignoring", clientId, safeUrl);
      return AuthResult.ignore();
    }
    switch (result.toLowerCase(Locale.ROOT)) {
      case "allow": {
        String expireAt = fields.get("expire_at");
        if (expireAt == null) {
          log.debug("HTTP authentication of client {}: allowed", clientId);
          return AuthResult.allow();
        }
        Instant until = parseExpireAt(expireAt);
        if (until == null) {
          log.warn("HTTP authentication of client {} via {} answered allow with an invalid expire_at (not"
              + " whole seconds since the epoch); ignoring", clientId, safeUrl);
          return AuthResult.ignore();
        }
        log.debug("HTTP authentication of client {}: allowed until {}", clientId, until);
        return AuthResult.allowUntil(until);
      }
      case "deny":
        log.debug("HTTP authentication of client {}: denied", clientId);
        return AuthResult.deny("denied by the HTTP authentication service");
      case "ignore":
        log.debug("HTTP authentication of client {}: ignored", clientId);
        return AuthResult.ignore();
      default:
        log.warn("HTTP authentication of client {} via {} answered an unknown result; ignoring", clientId, safeUrl);
        return AuthResult.ignore();
    }
  }

  /** Returns the answer's top-level fields as text, or null when the body is neither JSON nor a form. */
  private static Map<String, String> parseBody(HttpResponse<String> response) {
    String text = response.body() == null ? "" : response.body();
    Optional<String> type = response.headers().firstValue(CONTENT_TYPE);
    if (type.isPresent() && type.get().toLowerCase(Locale.ROOT).startsWith(FORM)) {
      Map<String, String> fields = new TreeMap<>();
      for (String pair : text.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          try {
            fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
          } catch (IllegalArgumentException e) {
            return null;
          }
        }
      }
      return fields;
    }
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (java.io.IOException e) {
      return null;
    }
    if (node == null || !node.isObject()) {
      return null;
    }
    Map<String, String> fields = new TreeMap<>();
    node.properties().forEach(field -> {
      JsonNode value = field.getValue();
      if (value.isValueNode() && !value.isNull()) {
        fields.put(field.getKey(), value.isIntegralNumber() ? value.bigIntegerValue().toString()
            : value.isNumber() ? value.decimalValue().toPlainString() : value.asText());
      }
    });
    return fields;
  }

  private static Instant parseExpireAt(String seconds) {
    try {
      return Instant.ofEpochSecond(Long.parseLong(seconds.trim()));
    } catch (RuntimeException e) {
      return null;
    }
  }

  private AuthResult failed(Throwable cause, AuthRequest request) {
    String clientId = request.client().clientId();
    if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
      log.warn("HTTP authentication of client {} via {} timed out after {} ms; ignoring", clientId, safeUrl,
          requestTimeout.toMillis());
    } else if (cause instanceof ConnectException) {
      log.warn("HTTP authentication of client {} via {} failed: the service is unreachable ({}); ignoring",
          clientId, safeUrl, cause.getClass().getSimpleName());
    } else {
      log.warn("HTTP authentication of client {} via {} failed: {}: {}; ignoring", clientId, safeUrl,
          cause.getClass().getSimpleName(), scrub(cause.getMessage(), request.password()));
    }
    return AuthResult.ignore();
  }

  /** Keeps a failure message only when it cannot quote the password or the rendered request. */
  private static String scrub(String message, String password) {
    if (message == null) {
      return "no detail";
    }
    if ((!password.isEmpty() && message.contains(password)) || message.contains("?") || message.contains("://")) {
      return "detail withheld (it may quote the request)";
    }
    return message;
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /**
   * Describes the authenticator by method and url without its query; never shows secrets.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "HttpAuthenticator[" + method + " " + safeUrl + "]";
  }

  /**
   * Configures an {@link HttpAuthenticator}. Messages of {@link #build()} name the EMQX
   * configuration key at fault ({@code url}, {@code method}, {@code headers}, {@code body},
   * {@code request_timeout}). Not thread-safe.
   */
  public static final class Builder {
    /** Headers the JDK client sets itself; configuring them is refused. */
    private static final Set<String> RESTRICTED = Set.of("content-length", "expect", "host", "upgrade");
    /** Headers about connection reuse, which the JDK client manages; they are dropped. */
    private static final Set<String> CONNECTION_MANAGEMENT = Set.of("connection", "keep-alive");

    private Method method = Method.POST;
    private String url;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private Map<String, String> body;
    private Duration requestTimeout = Duration.ofSeconds(5);
    private HttpClient httpClient;
    private Executor executor;

    private Builder() {}

    /**
     * Sets the HTTP method. Default POST.
     *
     * @param method the method, not null
     * @return this builder
     */
    public Builder method(Method method) {
      this.method = Objects.requireNonNull(method, "method");
      return this;
    }

    /**
     * Sets the HTTP method by its EMQX name.
     *
     * @param method {@code post} or {@code get}, any case
     * @return this builder
     * @throws IllegalArgumentException for any other value
     */
    public Builder method(String method) {
      if (method != null) {
        switch (method.trim().toLowerCase(Locale.ROOT)) {
          case "post":
            return method(Method.POST);
          case "get":
            return method(Method.GET);
          default:
            break;
        }
      }
      throw new IllegalArgumentException("method must be post or get, got '" + method + "'");
    }

    /**
     * Sets the service's url: {@code http} or {@code https}, absolute. Its path and query may contain
     * placeholders (values are URL-encoded). Required.
     *
     * @param url the url template
     * @return this builder
     */
    public Builder url(String url) {
      this.url = url;
      return this;
    }

    /**
     * Adds a request header, replacing an earlier one of the same name (names are case-insensitive).
     * Defaults: {@code accept: application/json}, {@code cache-control: no-cache}, and for POST
     * {@code content-type: application/json}. {@code connection} and {@code keep-alive} are dropped
     * (the HTTP client manages connections); {@code host}, {@code content-length}, {@code expect}
     * and {@code upgrade} are refused. Values are sent as given (no placeholders).
     *
     * @param name the header name
     * @param value the header value
     * @return this builder
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "header name");
      Objects.requireNonNull(value, "header value");
      headers.remove(findKey(headers, name));
      headers.put(name, value);
      return this;
    }

    /**
     * Adds request headers, as {@link #header(String, String)} does for each.
     *
     * @param headers the headers
     * @return this builder
     */
    public Builder headers(Map<String, String> headers) {
      Objects.requireNonNull(headers, "headers").forEach(this::header);
      return this;
    }

    /**
     * Replaces the body template. Default: {@code username = "${username}"} and
     * {@code password = "${password}"} (EMQX's default). An empty map sends no parameters.
     *
     * @param body field names to value templates, iterated in the map's order
     * @return this builder
     */
    public Builder body(Map<String, String> body) {
      this.body = new LinkedHashMap<>(Objects.requireNonNull(body, "body"));
      return this;
    }

    /**
     * Adds one field to the body template (starting from an empty template, not the default).
     *
     * @param name the field name
     * @param template the value template
     * @return this builder
     */
    public Builder body(String name, String template) {
      if (body == null) {
        body = new LinkedHashMap<>();
      }
      body.put(Objects.requireNonNull(name, "body field name"), Objects.requireNonNull(template, "body." + name));
      return this;
    }

    /**
     * Sets how long to wait for the service's answer. Default 5 s.
     *
     * @param requestTimeout positive
     * @return this builder
     */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
      return this;
    }

    /**
     * Uses the host's HTTP client (for its TLS context, proxy or executor). The authenticator does
     * not own it. Default: a new HTTP/1.1 client whose connect timeout is the request timeout.
     *
     * @param httpClient the client
     * @return this builder
     */
    public Builder httpClient(HttpClient httpClient) {
      this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
      return this;
    }

    /**
     * Sets the executor of the default HTTP client (ignored when {@link #httpClient} is set). The
     * authenticator does not own it and never shuts it down. Default: the JDK client's own.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Validates the configuration and builds the authenticator.
     *
     * @return the authenticator
     * @throws IllegalArgumentException naming the key at fault
     */
    public HttpAuthenticator build() {
      if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
        throw new IllegalArgumentException("request_timeout must be positive, got " + requestTimeout);
      }
      if (url == null || url.isBlank()) {
        throw new IllegalArgumentException("url is required, e.g. \"http://127.0.0.1:8080/auth\"");
      }
      String trimmed = url.trim();
      Placeholders.validate(trimmed, "url");
      if (trimmed.indexOf('#') >= 0) {
        throw new IllegalArgumentException("url must not have a fragment ('#...')");
      }
      URI probe;
      try {
        probe = new URI(trimmed.replaceAll("\\$\\{[^}]*}", "x"));
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("url is not a valid URL: " + e.getReason());
      }
      String scheme = probe.getScheme() == null ? "" : probe.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new IllegalArgumentException("url must start with http:// or https://");
      }
      if (probe.getHost() == null || trimmed.matches("(?i)https?://[^/?]*\\$\\{.*")) {
        throw new IllegalArgumentException("url must name a host (placeholders are allowed in the path and"
            + " query only)");
      }
      if (probe.getRawUserInfo() != null) {
        throw new IllegalArgumentException("url must not carry credentials; send them in headers");
      }
      int q = trimmed.indexOf('?');
      String base = q < 0 ? trimmed : trimmed.substring(0, q);
      String query = q < 0 ? "" : trimmed.substring(q + 1);
      if (body != null) {
        body.forEach((key, template) -> {
          if (key.isEmpty()) {
            throw new IllegalArgumentException("body: field names must not be empty");
          }
          Placeholders.validate(template, "body." + key);
        });
      }
      Map<String, String> effective = effectiveHeaders();
      boolean form = false;
      if (method == Method.POST) {
        String type = effective.get(findKey(effective, CONTENT_TYPE)).toLowerCase(Locale.ROOT);
        String mediaType = type.split(";", 2)[0].trim();
        if (mediaType.equals(FORM)) {
          form = true;
        } else if (!mediaType.equals("application/json")) {
          throw new IllegalArgumentException("headers.content-type must be application/json or " + FORM
              + " for method post, got '" + type + "'");
        }
      }
      HttpClient client = httpClient;
      if (client == null) {
        HttpClient.Builder clientBuilder = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(requestTimeout);
        if (executor != null) {
          clientBuilder.executor(executor);
        }
        client = clientBuilder.build();
      }
      return new HttpAuthenticator(this, base, query, Collections.unmodifiableMap(effective), form, client);
    }

    private Map<String, String> effectiveHeaders() {
      Map<String, String> effective = new LinkedHashMap<>();
      effective.put("accept", "application/json");
      effective.put("cache-control", "no-cache");
      if (method == Method.POST) {
        effective.put(CONTENT_TYPE, "application/json");
      }
      headers.forEach((name, value) -> {
        String lower = name.toLowerCase(Locale.ROOT);
        if (RESTRICTED.contains(lower)) {
          throw new IllegalArgumentException("headers." + name + " is set by the HTTP client and cannot be configured");
        }
        if (CONNECTION_MANAGEMENT.contains(lower) || (method == Method.GET && lower.equals(CONTENT_TYPE))) {
          return;
        }
        try {
          HttpRequest.newBuilder(URI.create("http://localhost/")).header(name, value);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("headers." + name + " is not a valid header name or value");
        }
        effective.remove(findKey(effective, name));
        effective.put(name, value);
      });
      return effective;
    }

    private static String findKey(Map<String, String> map, String name) {
      for (String key : map.keySet()) {
        if (key.equalsIgnoreCase(name)) {
          return key;
        }
      }
      return name;
    }
  }
}
