package io.exproto.grpc.tls;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS of a gRPC server: EMQX's {@code server.ssl_options} for the ConnectionAdapter server, also
 * used by the SDK's {@link io.exproto.grpc.sdk.HandlerServer}.
 *
 * <pre>{@code
 * ServerTlsOptions tls = ServerTlsOptions.builder()
 *     .certfile("/etc/exproto/adapter.pem")
 *     .keyfile("/etc/exproto/adapter.key")
 *     .cacertfile("/etc/exproto/ca.pem")     // the CA of the handlers' client certificates
 *     .verify(Verify.VERIFY_PEER)
 *     .failIfNoPeerCert(true)                // mutual TLS: a client without a certificate is refused
 *     .build();
 * }</pre>
 *
 * <p>Client certificates: {@link Verify#VERIFY_NONE} (the default) never asks for one;
 * {@link Verify#VERIFY_PEER} asks and checks it against {@code cacertfile}, and refuses a client
 * without one only with {@code failIfNoPeerCert(true)} (EMQX's {@code fail_if_no_peer_cert}).
 *
 * <p>Files are PEM: {@code certfile} holds the server certificate, optionally followed by its
 * intermediates; {@code keyfile} an unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY}; the
 * traditional {@code BEGIN RSA PRIVATE KEY} form needs BouncyCastle's {@code bcpkix} on the class
 * path); {@code cacertfile} one or more CA certificates. The files are read when the server starts,
 * not here; errors then name the key, e.g. {@code server.ssl_options.certfile: file not found}.
 *
 * <p>Immutable and thread-safe; {@link #toString()} shows paths only.
 */
public final class ServerTlsOptions {

  /** The configuration block these options mirror; errors start with it. */
  public static final String CONFIG_PREFIX = "server.ssl_options";

  private final Path certfile;
  private final Path keyfile;
  private final Path cacertfile;
  private final Verify verify;
  private final boolean failIfNoPeerCert;

  private ServerTlsOptions(Builder builder) {
    this.certfile = builder.certfile;
    this.keyfile = builder.keyfile;
    this.cacertfile = builder.cacertfile;
    this.verify = builder.verify;
    this.failIfNoPeerCert = builder.failIfNoPeerCert;
  }

  /**
   * Starts a builder: no files, {@code verify_none}, {@code fail_if_no_peer_cert = false}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the server certificate (chain) file.
   *
   * @return the PEM file
   */
  public Path certfile() {
    return certfile;
  }

  /**
   * Returns the server's private key file.
   *
   * @return the PEM file
   */
  public Path keyfile() {
    return keyfile;
  }

  /**
   * Returns the file of the CAs trusted to sign client certificates.
   *
   * @return the PEM file; empty when not set (then {@link #verify()} is {@code verify_none})
   */
  public Optional<Path> cacertfile() {
    return Optional.ofNullable(cacertfile);
  }

  /**
   * Returns whether client certificates are asked for and checked.
   *
   * @return the verify mode
   */
  public Verify verify() {
    return verify;
  }

  /**
   * Returns whether a client without a certificate is refused (only with {@code verify_peer}).
   *
   * @return true for mutual TLS
   */
  public boolean failIfNoPeerCert() {
    return failIfNoPeerCert;
  }

  @Override
  public String toString() {
    return "ServerTlsOptions[certfile=" + certfile + ", keyfile=" + keyfile + ", cacertfile=" + cacertfile
        + ", verify=" + verify.configValue() + ", fail_if_no_peer_cert=" + failIfNoPeerCert + "]";
  }

  /** Configures {@link ServerTlsOptions}; {@link #build()} checks them. Not thread-safe. */
  public static final class Builder {
    private Path certfile;
    private Path keyfile;
    private Path cacertfile;
    private Verify verify = Verify.VERIFY_NONE;
    private boolean failIfNoPeerCert;

    private Builder() {}

    /**
     * Sets the server certificate file ({@code certfile}). Required.
     *
     * @param file a PEM file with the certificate, then any intermediates; not null
     * @return this builder
     */
    public Builder certfile(Path file) {
      this.certfile = Objects.requireNonNull(file, CONFIG_PREFIX + ".certfile");
      return this;
    }

    /**
     * Sets the server certificate file ({@code certfile}). Required.
     *
     * @param file the path of a PEM file, not null
     * @return this builder
     * @throws IllegalArgumentException when the text is not a valid path
     */
    public Builder certfile(String file) {
      return certfile(TlsPaths.toPath(file, CONFIG_PREFIX + ".certfile"));
    }

    /**
     * Sets the server's private key file ({@code keyfile}). Required.
     *
     * @param file an unencrypted PEM private key file, not null
     * @return this builder
     */
    public Builder keyfile(Path file) {
      this.keyfile = Objects.requireNonNull(file, CONFIG_PREFIX + ".keyfile");
      return this;
    }

    /**
     * Sets the server's private key file ({@code keyfile}). Required.
     *
     * @param file the path of a PEM file, not null
     * @return this builder
     * @throws IllegalArgumentException when the text is not a valid path
     */
    public Builder keyfile(String file) {
      return keyfile(TlsPaths.toPath(file, CONFIG_PREFIX + ".keyfile"));
    }

    /**
     * Sets the CAs trusted to sign client certificates ({@code cacertfile}). Required with
     * {@link Verify#VERIFY_PEER}.
     *
     * @param file a PEM file with one or more CA certificates, not null
     * @return this builder
     */
    public Builder cacertfile(Path file) {
      this.cacertfile = Objects.requireNonNull(file, CONFIG_PREFIX + ".cacertfile");
      return this;
    }

    /**
     * Sets the CAs trusted to sign client certificates ({@code cacertfile}).
     *
     * @param file the path of a PEM file, not null
     * @return this builder
     * @throws IllegalArgumentException when the text is not a valid path
     */
    public Builder cacertfile(String file) {
      return cacertfile(TlsPaths.toPath(file, CONFIG_PREFIX + ".cacertfile"));
    }

    /**
     * Sets whether client certificates are asked for and checked ({@code verify}). Default
     * {@link Verify#VERIFY_NONE}.
     *
     * @param verify the mode, not null
     * @return this builder
     */
    public Builder verify(Verify verify) {
      this.verify = Objects.requireNonNull(verify, CONFIG_PREFIX + ".verify");
      return this;
    }

    /**
     * Sets whether a client that presents no certificate is refused ({@code fail_if_no_peer_cert});
     * needs {@link Verify#VERIFY_PEER}. Default false.
     *
     * @param fail true for mutual TLS
     * @return this builder
     */
    public Builder failIfNoPeerCert(boolean fail) {
      this.failIfNoPeerCert = fail;
      return this;
    }

    /**
     * Checks the combination and builds the options. Files are not read here.
     *
     * @return the options
     * @throws IllegalArgumentException when {@code certfile} or {@code keyfile} is missing,
     *     {@code verify_peer} has no {@code cacertfile}, or {@code fail_if_no_peer_cert} is set
     *     with {@code verify_none}; the message names the key
     */
    public ServerTlsOptions build() {
      if (certfile == null) {
        throw new IllegalArgumentException(CONFIG_PREFIX + ".certfile: required: the PEM file of the"
            + " server certificate");
      }
      if (keyfile == null) {
        throw new IllegalArgumentException(CONFIG_PREFIX + ".keyfile: required: the PEM file of the"
            + " server's private key");
      }
      if (verify == Verify.VERIFY_PEER && cacertfile == null) {
        throw new IllegalArgumentException(CONFIG_PREFIX + ".cacertfile: required with verify = verify_peer:"
            + " the PEM file of the CA that signs the clients' certificates");
      }
      if (failIfNoPeerCert && verify != Verify.VERIFY_PEER) {
        throw new IllegalArgumentException(CONFIG_PREFIX + ".fail_if_no_peer_cert: true needs verify ="
            + " verify_peer (with verify_none no client certificate is asked for)");
      }
      return new ServerTlsOptions(this);
    }
  }
}
