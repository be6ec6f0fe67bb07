package io.exproto.auth.http;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpAuthenticatorBuilderTest {

  private static final String URL = "http://127.0.0.1:8080/auth";

  @Test
  void urlIsRequiredAndMustBeHttp() {
    assertThatThrownBy(() -> HttpAuthenticator.builder().build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("url is required");
    assertThatThrownBy(() -> HttpAuthenticator.builder().url("ftp://h/auth").build())
        .hasMessageStartingWith("url must start with http:// or https://");
    assertThatThrownBy(() -> HttpAuthenticator.builder().url("not a url").build())
        .hasMessageStartingWith("url ");
    assertThatThrownBy(() -> HttpAuthenticator.builder().url("http:///auth").build())
        .hasMessageStartingWith("url must name a host");
    assertThatThrownBy(() -> HttpAuthenticator.builder().url("http://${clientid}/auth").build())
        .hasMessageStartingWith("url must name a host");
    assertThatThrownBy(() -> HttpAuthenticator.builder().url("http://h/auth#x").build())
        .hasMessageStartingWith("url must not have a fragment");
    assertThatThrownBy(() -> HttpAuthenticator.builder().url("http://user:pw@h/auth").build())
        .hasMessageStartingWith("url must not carry credentials")
        .hasMessageNotContaining("pw");
    assertThatThrownBy(() -> HttpAuthenticator.builder().url("http://h/auth/${nope}").build())
        .hasMessageStartingWith("url: unknown placeholder ${nope}");
  }

  @Test
  void methodMustBePostOrGet() {
    assertThatThrownBy(() -> HttpAuthenticator.builder().method("put"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("method must be post or get, got 'put'");
    assertThatCode(() -> HttpAuthenticator.builder().method("GET").url(URL).build()).doesNotThrowAnyException();
  }

  @Test
  void requestTimeoutMustBePositive() {
    assertThatThrownBy(() -> HttpAuthenticator.builder().url(URL).requestTimeout(Duration.ZERO).build())
        .hasMessageStartingWith("request_timeout must be positive");
    assertThatThrownBy(() -> HttpAuthenticator.builder().url(URL).requestTimeout(Duration.ofSeconds(-1)).build())
        .hasMessageStartingWith("request_timeout must be positive");
  }

  @Test
  void bodyPlaceholdersAreChecked() {
    assertThatThrownBy(() -> HttpAuthenticator.builder().url(URL).body(Map.of("u", "${user}")).build())
        .hasMessageStartingWith("body.u: unknown placeholder ${user}; known placeholders are ${clientid}");
    assertThatThrownBy(() -> HttpAuthenticator.builder().url(URL).body(Map.of("", "x")).build())
        .hasMessageStartingWith("body: field names must not be empty");
  }

  @Test
  void headersAreChecked() {
    assertThatThrownBy(() -> HttpAuthenticator.builder().url(URL).header("Host", "x").build())
        .hasMessageStartingWith("headers.Host is set by the HTTP client");
    assertThatThrownBy(() -> HttpAuthenticator.builder().url(URL).header("bad header", "x").build())
        .hasMessageStartingWith("headers.bad header is not a valid header");
    assertThatThrownBy(() -> HttpAuthenticator.builder().url(URL).header("content-type", "text/plain").build())
        .hasMessageStartingWith("headers.content-type must be application/json or application/x-www-form-urlencoded");
    assertThatCode(() -> HttpAuthenticator.builder().url(URL).method("get").header("content-type", "text/plain")
        .build()).doesNotThrowAnyException();
    assertThatCode(() -> HttpAuthenticator.builder().url(URL)
        .header("Content-Type", "application/json; charset=utf-8").build()).doesNotThrowAnyException();
  }
}
