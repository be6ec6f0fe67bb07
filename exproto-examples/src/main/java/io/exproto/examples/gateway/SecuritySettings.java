package io.exproto.examples.gateway;

import com.typesafe.config.ConfigValueType;
import io.exproto.auth.Action;
import io.exproto.auth.Authenticator;
import io.exproto.auth.AuthzResult;
import io.exproto.auth.RuleAuthorizer;
import io.exproto.auth.http.HttpAuthenticator;
import io.exproto.auth.jwt.JwtAuthenticator;
import io.exproto.auth.store.UserIdType;
import io.exproto.auth.store.UserStore;
import io.exproto.auth.store.UserStoreAuthenticator;
import io.exproto.gateway.Gateway;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code authentication} block (EMQX's authenticator chain, mapped onto the authenticators of
 * exproto-auth) and the project's {@code authorization} block (a {@link RuleAuthorizer}).
 */
final class SecuritySettings {

  private static final List<String> HTTP_KEYS = List.of("mechanism", "backend", "enable", "method", "url",
      "headers", "body", "request_timeout");
  private static final List<String> BUILT_IN_KEYS = List.of("mechanism", "backend", "enable", "user_id_type",
      "users");
  private static final List<String> JWT_KEYS = List.of("mechanism", "enable", "use_jwks", "algorithm", "secret",
      "secret_base64_encoded", "public_key", "endpoint", "refresh_interval", "ssl", "verify_claims", "from",
      "disconnect_after_expire");
  private static final Set<String> OTHER_EMQX_BACKENDS = Set.of("mysql", "postgresql", "mongodb", "redis",
      "ldap");
  private static final Set<String> OTHER_EMQX_MECHANISMS = Set.of("scram", "gcp_device", "cinfo");

  private SecuritySettings() {}

  /**
   * Appends the authenticators of the {@code authentication} block (one object, or a list: the
   * chain, in order) to the gateway.
   *
   * @param authentication the block, or null when the file has none
   * @param gateway the builder
   */
  static void applyAuthentication(Setting authentication, Gateway.Builder gateway) throws ConfigFileException {
    if (authentication == null) {
      return;
    }
    List<Setting> chain = authentication.isList() ? authentication.elements() : List.of(authentication);
    for (Setting element : chain) {
      Authenticator authenticator = authenticator(element);
      if (authenticator != null) {
        element.apply(() -> gateway.authenticator(authenticator));
      }
    }
  }

  private static Authenticator authenticator(Setting element) throws ConfigFileException {
    Setting mechanism = element.at("mechanism");
    if (mechanism == null) {
      throw element.bad("needs mechanism = password_based or jwt");
    }
    String mechanismName = mechanism.text().trim();
    if (mechanismName.equals("jwt")) {
      Setting backend = element.at("backend");
      if (backend != null) {
        throw backend.bad("is not a key of mechanism = jwt (the token is checked by the gateway itself); remove it");
      }
      onlyKeys(element, JWT_KEYS, "mechanism = jwt");
      boolean enabled = enabled(element);
      JwtAuthenticator jwt = jwt(element);
      return enabled ? jwt : null;
    }
    if (!mechanismName.equals("password_based")) {
      if (OTHER_EMQX_MECHANISMS.contains(mechanismName)) {
        throw mechanism.bad("mechanism " + mechanismName + " is not supported yet; use password_based or jwt");
      }
      throw mechanism.bad("must be password_based or jwt, got " + mechanism.describe());
    }
    Setting backend = element.at("backend");
    if (backend == null) {
      throw element.bad("needs backend = http or built_in_database (with mechanism = password_based)");
    }
    String backendName = backend.text().trim();
    switch (backendName) {
      case "http": {
        Setting ssl = element.at("ssl");
        if (ssl != null) {
          throw ssl.bad("is not supported yet with backend = http");
        }
        onlyKeys(element, HTTP_KEYS, "backend = http");
        boolean enabled = enabled(element);
        HttpAuthenticator http = http(element, enabled);
        return enabled ? http : null;
      }
      case "built_in_database": {
        onlyKeys(element, BUILT_IN_KEYS, "backend = built_in_database");
        boolean enabled = enabled(element);
        UserStoreAuthenticator builtIn = builtInDatabase(element);
        return enabled ? builtIn : null;
      }
      default:
        if (OTHER_EMQX_BACKENDS.contains(backendName)) {
          throw backend.bad("backend " + backendName + " is not supported yet; use http or built_in_database");
        }
        throw backend.bad("must be http or built_in_database, got " + backend.describe());
    }
  }

  private static boolean enabled(Setting element) throws ConfigFileException {
    Setting enable = element.at("enable");
    return enable == null || enable.bool();
  }

  private static void onlyKeys(Setting element, List<String> keys, String kind) throws ConfigFileException {
    for (Setting child : element.children()) {
      if (!keys.contains(child.name())) {
        throw child.bad("is not a key of " + kind + "; its keys: " + String.join(", ", keys));
      }
    }
  }

  /** {@code backend = http}: an {@link HttpAuthenticator}. */
  private static HttpAuthenticator http(Setting element, boolean enabled) throws ConfigFileException {
    HttpAuthenticator.Builder builder = HttpAuthenticator.builder();
    Setting method = element.applyAt(s -> s.choice("post", "get"), builder::method, "method");
    Setting url = element.applyAt(Setting::text, builder::url, "url");
    Setting headers = element.at("headers");
    if (headers != null) {
      Map<String, String> value = headers.textMap();
      headers.apply(() -> builder.headers(value));
    }
    Setting body = element.at("body");
    if (body != null) {
      Map<String, String> value = body.textMap();
      body.apply(() -> builder.body(value));
    }
    Setting requestTimeout = element.applyAt(Setting::positiveDuration, builder::requestTimeout, "request_timeout");
    if (!enabled && url == null) {
      return null;
    }
    Map<String, Setting> blame = new LinkedHashMap<>();
    blame.put("method", method);
    blame.put("url", url);
    blame.put("headers", headers);
    blame.put("body", body);
    blame.put("request_timeout", requestTimeout);
    return element.build(builder::build, blame);
  }

  /** {@code backend = built_in_database}: a {@link UserStoreAuthenticator} over the file's users. */
  private static UserStoreAuthenticator builtInDatabase(Setting element) throws ConfigFileException {
    UserStore store = UserStore.create();
    UserStoreAuthenticator.Builder builder = UserStoreAuthenticator.builder(store);
    Setting userIdType = element.at("user_id_type");
    if (userIdType != null) {
      UserIdType value = userIdType.choice("username", "clientid").equals("clientid")
          ? UserIdType.CLIENTID : UserIdType.USERNAME;
      userIdType.apply(() -> builder.userIdType(value));
    }
    Setting users = element.at("users");
    if (users != null) {
      Set<String> seen = new HashSet<>();
      for (Setting user : users.elements()) {
        Setting userId = user.at("user_id");
        if (userId == null) {
          throw user.bad("needs user_id");
        }
        String id = userId.nonEmptyText();
        if (!seen.add(id)) {
          throw userId.bad("user " + userId.describe() + " is listed twice");
        }
        Setting password = user.at("password");
        if (password == null) {
          throw user.bad("needs password");
        }
        String secret = password.text();
        if (secret.isEmpty()) {
          throw password.bad("must not be empty");
        }
        Setting isSuperuser = user.at("is_superuser");
        boolean superuser = isSuperuser != null && isSuperuser.bool();
        password.apply(() -> store.addUser(id, secret, superuser));
      }
    }
    return element.build(builder::build);
  }

  /** {@code mechanism = jwt}: a {@link JwtAuthenticator} with a secret, a public key or a JWKS. */
  private static JwtAuthenticator jwt(Setting element) throws ConfigFileException {
    JwtAuthenticator.Builder builder = JwtAuthenticator.builder();
    Setting useJwks = element.at("use_jwks");
    boolean fromJwks = useJwks != null && useJwks.bool();
    Setting from = element.at("from");
    if (from != null) {
      JwtAuthenticator.From field = from.choice("password", "username").equals("username")
          ? JwtAuthenticator.From.USERNAME : JwtAuthenticator.From.PASSWORD;
      from.apply(() -> builder.from(field));
    }
    Setting disconnectAfterExpire = element.at("disconnect_after_expire");
    if (disconnectAfterExpire != null && !disconnectAfterExpire.bool()) {
      throw disconnectAfterExpire.bad("false is not supported: a connection is always closed when its token"
          + " expires (exp); remove it or set true");
    }
    Setting algorithm = element.at("algorithm");
    Setting secret = element.at("secret");
    Setting publicKey = element.at("public_key");
    Setting endpoint = element.at("endpoint");
    if (fromJwks) {
      jwks(element, builder);
    } else {
      for (String key : List.of("endpoint", "refresh_interval", "ssl")) {
        Setting jwksKey = element.at(key);
        if (jwksKey != null) {
          throw jwksKey.bad("is for use_jwks = true (keys from a JWKS endpoint); set use_jwks = true"
              + " or remove it");
        }
      }
      fixedKey(element, builder);
    }
    Setting verifyClaims = element.at("verify_claims");
    if (verifyClaims != null) {
      Map<String, String> value = verifyClaims.textMap();
      verifyClaims.apply(() -> builder.verifyClaims(value));
    }
    Map<String, Setting> blame = new LinkedHashMap<>();
    blame.put("algorithm", algorithm);
    blame.put("secret", secret);
    blame.put("public_key", publicKey);
    blame.put("endpoint", endpoint);
    blame.put("verify_claims", verifyClaims);
    return element.build(builder::build, blame);
  }

  /** {@code use_jwks = false}: {@code algorithm} with {@code secret} or {@code public_key}. */
  private static void fixedKey(Setting element, JwtAuthenticator.Builder builder)
      throws ConfigFileException {
    Setting algorithm = element.at("algorithm");
    if (algorithm == null) {
      throw element.bad("needs algorithm = hmac-based (with secret) or public-key (with public_key), or"
          + " use_jwks = true with endpoint");
    }
    Setting secret = element.at("secret");
    Setting secretBase64 = element.at("secret_base64_encoded");
    Setting publicKey = element.at("public_key");
    if (algorithm.choice("hmac-based", "public-key").equals("hmac-based")) {
      if (publicKey != null) {
        throw publicKey.bad("is for algorithm = public-key; with hmac-based set secret");
      }
      if (secret == null) {
        throw element.bad("needs secret with algorithm = hmac-based");
      }
      String value = secret.text();
      boolean base64 = secretBase64 != null && secretBase64.bool();
      algorithm.apply(builder::anyAlgorithmOfTheKey);
      secret.apply(() -> {
        if (base64) {
          builder.secretBase64(value);
        } else {
          builder.secret(value);
        }
      });
    } else {
      if (secret != null) {
        throw secret.bad("is for algorithm = hmac-based; with public-key set public_key");
      }
      if (secretBase64 != null) {
        throw secretBase64.bad("is for algorithm = hmac-based; with public-key set public_key");
      }
      if (publicKey == null) {
        throw element.bad("needs public_key with algorithm = public-key");
      }
      String pem = publicKeyPem(publicKey);
      // RS and PS with an RSA key, the ES algorithm of an EC key's curve: EMQX's public-key.
      algorithm.apply(builder::anyAlgorithmOfTheKey);
      publicKey.apply(() -> builder.publicKey(pem));
    }
  }

  /** {@code use_jwks = true}: {@code endpoint}, {@code refresh_interval} and {@code ssl}. */
  private static void jwks(Setting element, JwtAuthenticator.Builder builder)
      throws ConfigFileException {
    for (String key : List.of("secret", "secret_base64_encoded", "public_key")) {
      Setting fixedKey = element.at(key);
      if (fixedKey != null) {
        throw fixedKey.bad("is for use_jwks = false; with use_jwks = true the keys come from"
            + " endpoint");
      }
    }
    Setting algorithm = element.at("algorithm");
    if (algorithm != null && algorithm.choice("hmac-based", "public-key").equals("hmac-based")) {
      throw algorithm.bad("must be public-key (or left out) with use_jwks = true: a JWKS holds"
          + " public keys");
    }
    Setting endpoint = element.at("endpoint");
    if (endpoint == null) {
      throw element.bad("needs endpoint, the URL of the JWKS, with use_jwks = true");
    }
    String url = endpoint.nonEmptyText().trim();
    endpoint.apply(() -> builder.jwksEndpoint(url));
    Setting refreshInterval = element.at("refresh_interval");
    if (refreshInterval != null) {
      // EMQX's value is a number of seconds; a duration such as 5m is taken too.
      Duration interval = refreshInterval.value().valueType() == ConfigValueType.NUMBER
          ? Duration.ofSeconds(refreshInterval.positiveInt()) : refreshInterval.positiveDuration();
      refreshInterval.apply(() -> builder.jwksRefreshInterval(interval));
    }
    Setting ssl = element.at("ssl");
    Setting enable = ssl == null ? null : ssl.at("enable");
    if (ssl == null || (enable != null && !enable.bool())) {
      return;
    }
    if (!url.toLowerCase(Locale.ROOT).startsWith("https://")) {
      throw ssl.bad("is for an https:// endpoint; endpoint is not one");
    }
    Setting verify = ssl.at("verify");
    if (verify != null && verify.choice("verify_peer", "verify_none").equals("verify_none")) {
      throw verify.bad("verify_none is not supported: the keys must come from an authenticated"
          + " server; set cacertfile to the CA of the endpoint's certificate, or leave it out to"
          + " trust the JDK's CA store");
    }
    Setting cacertfile = ssl.at("cacertfile");
    if (cacertfile != null) {
      Path file = Path.of(cacertfile.path());
      cacertfile.apply(() -> builder.jwksCacertfile(file));
    }
  }

  /** The PEM text of {@code public_key}: the value itself, or the content of the file it names. */
  private static String publicKeyPem(Setting publicKey) throws ConfigFileException {
    String text = publicKey.nonEmptyText();
    if (text.contains("-----BEGIN")) {
      return text;
    }
    String file = publicKey.path();
    try {
      return Files.readString(Path.of(file));
    } catch (IOException | RuntimeException e) {
      throw publicKey.bad("is neither PEM text (-----BEGIN PUBLIC KEY-----...) nor a readable file: cannot read "
          + file + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * Applies the {@code authorization} block: {@code no_match} as the gateway's default decision
   * and {@code rules} as one {@link RuleAuthorizer}.
   *
   * @param authorization the block, or null when the file has none
   * @param gateway the builder
   */
  static void applyAuthorization(Setting authorization, Gateway.Builder gateway) throws ConfigFileException {
    if (authorization == null) {
      return;
    }
    authorization.applyAt(s -> s.choice("allow", "deny").equals("deny") ? AuthzResult.DENY : AuthzResult.ALLOW, gateway::authorizationDefault, "no_match");
    Setting rules = authorization.at("rules");
    if (rules == null) {
      return;
    }
    RuleAuthorizer.Builder builder = RuleAuthorizer.builder();
    for (Setting rule : rules.elements()) {
      Setting permission = rule.at("permission");
      if (permission == null) {
        throw rule.bad("needs permission = allow or deny");
      }
      boolean allow = permission.choice("allow", "deny").equals("allow");
      Setting actionSetting = rule.at("action");
      Action action = null;
      if (actionSetting != null) {
        action = switch (actionSetting.choice("publish", "subscribe", "all")) {
          case "publish" -> Action.PUBLISH;
          case "subscribe" -> Action.SUBSCRIBE;
          default -> null;
        };
      }
      Setting topic = rule.at("topic");
      if (topic == null) {
        throw rule.bad("needs topic, a topic filter such as \"sensors/${clientid}/#\"");
      }
      String filter = topic.nonEmptyText();
      Action ruleAction = action;
      topic.apply(() -> {
        if (allow) {
          builder.allow(ruleAction, filter);
        } else {
          builder.deny(ruleAction, filter);
        }
      });
    }
    RuleAuthorizer authorizer = builder.build();
    rules.apply(() -> gateway.authorizer(authorizer));
  }
}
