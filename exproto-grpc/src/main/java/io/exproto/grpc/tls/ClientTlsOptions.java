package io.exproto.grpc.tls;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS of a gRPC client: EMQX's {@code handler.ssl_options} for the gateway's client of the handler
 * service, also used by the SDK's {@link io.exproto.grpc.sdk.AdapterClient} to call a TLS adapter.
 *
 * <pre>{@code
 * ClientTlsOptions tls = ClientTlsOptions.builder()
 *     .cacertfile("/etc/exproto/ca.pem")        // trust only this CA
 *     .certfile("/etc/exproto/gateway.pem")     // mutual TLS: our certificate ...
 *     .keyfile("/etc/exproto/gateway.key")      // ... and its key
 *     .serverNameIndication("handler.internal") // the name the handler's certificate carries
 *     .build();
 * GrpcHandler.builder().handlerAddress("https://10.0.0.5:9001").handlerTls(tls) ...
 * }</pre>
 *
 * <p>Address and options: an {@code https://} address uses TLS, with these options or, when none
 * are given, with the defaults (the JDK's trusted CAs, no client certificate). An {@code http://}
 * address is plaintext; giving it options with {@code enable = true} is an error (the gateway
 * would silently send in clear what was meant to be encrypted), and options with
 * {@code enable = false} are ignored, as in EMQX. {@code https://} with {@code enable = false} is
 * an error too.
 *
 * <p>Server check: with {@link Verify#VERIFY_PEER} (the default) the server's certificate must be
 * signed by a CA in {@code cacertfile} (or, without it, by one the JDK trusts) and must name the
 * host of the address, or {@code serverNameIndication} when set. {@link Verify#VERIFY_NONE} skips
 * both checks (encryption without authentication; logged as a warning).
 *
 * <p>Files are PEM, as for {@link ServerTlsOptions}; they are read when the client channel is
 * created, and errors name the key, e.g. {@code handler.ssl_options.cacertfile: file not found}.
 *
 * <p>Immutable and thread-safe; {@link #toString()} shows paths only.
 */
public final class ClientTlsOptions {

  /** The configuration block these options mirror; errors start with it. */
  public static final String CONFIG_PREFIX = "handler.ssl_options";

  private final boolean enable;
  private final Path certfile;
  private final Path keyfile;
  private final Path cacertfile;
  private final Verify verify;
  private final String serverNameIndication;

  private ClientTlsOptions(Builder builder) {
    this.enable = builder.enable;
    this.certfile = builder.certfile;
    this.keyfile = builder.keyfile;
    this.cacertfile = builder.cacertfile;
    this.verify = builder.verify;
    this.serverNameIndication = builder.serverNameIndication;
  }

  /**
   * Starts a builder: enabled, {@code verify_peer}, no files (the JDK's trusted CAs, no client
   * certificate), no SNI override.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns whether TLS is on ({@code enable}).
   *
   * @return true when enabled
   */
  public boolean enable() {
    return enable;
  }

  /**
   * Returns the client certificate file, for mutual TLS.
   *
   * @return the PEM file, or empty for no client certificate
   */
  public Optional<Path> certfile() {
    return Optional.ofNullable(certfile);
  }

  /**
   * Returns the client certificate's private key file.
   *
   * @return the PEM file, or empty for no client certificate
   */
  public Optional<Path> keyfile() {
    return Optional.ofNullable(keyfile);
  }

  /**
   * Returns the file of the CAs trusted to sign the server's certificate.
   *
   * @return the PEM file, or empty for the JDK's trusted CAs
   */
  public Optional<Path> cacertfile() {
    return Optional.ofNullable(cacertfile);
  }

  /**
   * Returns whether the server's certificate is checked.
   *
   * @return the verify mode
   */
  public Verify verify() {
    return verify;
  }

  /**
   * Returns the server name sent in the TLS handshake and checked against the server's
   * certificate, instead of the address's host.
   *
   * @return the name, or empty to use the address's host
   */
  public Optional<String> serverNameIndication() {
    return Optional.ofNullable(serverNameIndication);
  }

  @Override
  public String toString() {
    return "ClientTlsOptions[enable=" + enable + ", certfile=" + certfile + ", keyfile=" + keyfile
        + ", cacertfile=" + cacertfile + ", verify=" + verify.configValue() + ", server_name_indication="
        + serverNameIndication + "]";
  }

  /** Configures {@link ClientTlsOptions}; {@link #build()} checks them. Not thread-safe. */
  public static final class Builder {
    private boolean enable = true;
    private Path certfile;
    private Path keyfile;
    private Path cacertfile;
    private Verify verify = Verify.VERIFY_PEER;
    private String serverNameIndication;

    private Builder() {}

    /**
     * Turns TLS on or off ({@code enable}). Default true here, because building options means
     * asking for TLS; EMQX's file default is {@code enable = false}, and a configuration layer
     * passes the file's value.
     *
     * @param enable false to keep an {@code http://} address plaintext and ignore the options
     * @return this builder
     */
    public Builder enable(boolean enable) {
      this.enable = enable;
      return this;
    }

    /**
     * Sets the client certificate for mutual TLS ({@code certfile}); needs {@link #keyfile(Path)}.
     *
     * @param file a PEM file with the certificate, then any intermediates; not null
     * @return this builder
     */
    public Builder certfile(Path file) {
      this.certfile = Objects.requireNonNull(file, CONFIG_PREFIX + ".certfile");
      return this;
    }

    /**
     * Sets the client certificate for mutual TLS ({@code certfile}).
     *
     * @param file the path of a PEM file, not null
     * @return this builder
     * @throws IllegalArgumentException when the text is not a valid path
     */
    public Builder certfile(String file) {
      return certfile(TlsPaths.toPath(file, CONFIG_PREFIX + ".certfile"));
    }

    /**
     * Sets the client certificate's private key ({@code keyfile}); needs {@link #certfile(Path)}.
     *
     * @param file an unencrypted PEM private key file, not null
     * @return this builder
     */
    public Builder keyfile(Path file) {
      this.keyfile = Objects.requireNonNull(file, CONFIG_PREFIX + ".keyfile");
      return this;
    }

    /**
     * Sets the client certificate's private key ({@code keyfile}).
     *
     * @param file the path of a PEM file, not null
     * @return this builder
     * @throws IllegalArgumentException when the text is not a valid path
     */
    public Builder keyfile(String file) {
      return keyfile(TlsPaths.toPath(file, CONFIG_PREFIX + ".keyfile"));
    }

    /**
     * Sets the CAs trusted to sign the server's certificate ({@code cacertfile}). Without it the
     * JDK's trusted CAs are used.
     *
     * @param file a PEM file with one or more CA certificates, not null
     * @return this builder
     */
    public Builder cacertfile(Path file) {
      this.cacertfile = Objects.requireNonNull(file, CONFIG_PREFIX + ".cacertfile");
      return this;
    }

    /**
     * Sets the CAs trusted to sign the server's certificate ({@code cacertfile}).
     *
     * @param file the path of a PEM file, not null
     * @return this builder
     * @throws IllegalArgumentException when the text is not a valid path
     */
    public Builder cacertfile(String file) {
      return cacertfile(TlsPaths.toPath(file, CONFIG_PREFIX + ".cacertfile"));
    }

    /**
     * Sets whether the server's certificate is checked ({@code verify}). Default
     * {@link Verify#VERIFY_PEER}.
     *
     * @param verify the mode, not null
     * @return this builder
     */
    public Builder verify(Verify verify) {
      this.verify = Objects.requireNonNull(verify, CONFIG_PREFIX + ".verify");
      return this;
    }

    /**
     * Sets the server name to send in the handshake and to check the server's certificate against
     * ({@code server_name_indication}), for an address whose host is an IP or another name than
     * the certificate's. EMQX's value {@code disable} is not supported.
     *
     * @param name a host name, not null
     * @return this builder
     * @throws IllegalArgumentException when the name is empty, {@code disable}, or has a scheme,
     *     port, path or blank
     */
    public Builder serverNameIndication(String name) {
      String key = CONFIG_PREFIX + ".server_name_indication";
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException(key + ": must not be empty; give the host name the server's"
            + " certificate carries");
      }
      String text = name.strip();
      if (text.equals("disable")) {
        throw new IllegalArgumentException(key + ": 'disable' is not supported; leave the key out to send"
            + " the address's host, or give a host name");
      }
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '-' || c == '_' || c == '.';
        if (!ok) {
          throw new IllegalArgumentException(key + ": '" + name + "' is not a host name (no scheme, port or"
              + " path), e.g. \"handler.example.com\"");
        }
      }
      this.serverNameIndication = text;
      return this;
    }

    /**
     * Checks the combination and builds the options. Files are not read here.
     *
     * @return the options
     * @throws IllegalArgumentException when only one of {@code certfile} and {@code keyfile} is
     *     set; the message names the missing key
     */
    public ClientTlsOptions build() {
      if (certfile != null && keyfile == null) {
        throw new IllegalArgumentException(CONFIG_PREFIX + ".keyfile: required when certfile is set"
            + " (a client certificate needs its private key)");
      }
      if (keyfile != null && certfile == null) {
        throw new IllegalArgumentException(CONFIG_PREFIX + ".certfile: required when keyfile is set"
            + " (a private key needs its client certificate)");
      }
      return new ClientTlsOptions(this);
    }
  }
}
