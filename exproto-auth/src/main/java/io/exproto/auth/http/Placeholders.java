package io.exproto.auth.http;

import io.exproto.auth.AuthRequest;
import io.exproto.listener.CertificateInfo;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Renders EMQX's {@code ${name}} placeholders from an authentication request. */
final class Placeholders {

  static final String PASSWORD = "password";

  /** The placeholders a template may use, in the order the validation message lists them. */
  static final List<String> KNOWN =
      List.of("clientid", "username", PASSWORD, "peerhost", "cert_common_name", "cert_subject");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");

  private Placeholders() {}

  /**
   * Checks that a template names only known placeholders.
   *
   * @param template the template
   * @param key the configuration key, for the message
   * @throws IllegalArgumentException naming the key and the unknown placeholder
   */
  static void validate(String template, String key) {
    Matcher m = PLACEHOLDER.matcher(template);
    while (m.find()) {
      if (!KNOWN.contains(m.group(1))) {
        throw new IllegalArgumentException(key + ": unknown placeholder ${" + m.group(1)
            + "}; known placeholders are ${" + String.join("}, ${", KNOWN) + "}");
      }
    }
  }

  /**
   * Renders a validated template; absent values render as empty strings (as EMQX does).
   *
   * @param template the template
   * @param request the request
   * @return the rendered text
   */
  static String render(String template, AuthRequest request) {
    if (template.indexOf("${") < 0) {
      return template;
    }
    Map<String, String> values = Map.of(
        "clientid", request.client().clientId(),
        "username", request.client().username(),
        PASSWORD, request.password(),
        "peerhost", request.connection().peer().host(),
        "cert_common_name", request.connection().peerCertificate().map(CertificateInfo::cn).orElse(""),
        "cert_subject", request.connection().peerCertificate().map(CertificateInfo::dn).orElse(""));
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(values.getOrDefault(m.group(1), m.group())));
    }
    m.appendTail(out);
    return out.toString();
  }
}
