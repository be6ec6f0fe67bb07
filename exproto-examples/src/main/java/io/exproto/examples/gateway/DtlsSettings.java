package io.exproto.examples.gateway;

import io.exproto.dtls.DtlsListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code listeners.dtls.NAME} sections, mapped onto {@link DtlsListener.Builder}: the keys of
 * every listener, {@code udp_options}, and {@code dtls_options} with the project's {@code psk}
 * list (EMQX has no per-listener pre-shared keys: it reads them from a global
 * {@code psk_authentication.init_file}).
 */
final class DtlsSettings {

  private DtlsSettings() {}

  /**
   * Builds the listener of a section.
   *
   * @param section a {@code listeners.dtls.NAME} section, enabled
   * @param name the listener's name, {@code dtls:NAME}
   * @return the listener, not started
   * @throws ConfigFileException when a value is bad or a file cannot be used
   */
  static DtlsListener build(Setting section, String name) throws ConfigFileException {
    DtlsListener.Builder builder = DtlsListener.builder();
    section.apply(() -> builder.name(name));
    ListenerSettings.common(section, builder);
    ListenerSettings.datagram(section, builder);
    Setting certfile = section.applyAt(s -> Path.of(s.path()), builder::certfile, "dtls_options", "certfile");
    Setting keyfile = section.applyAt(s -> Path.of(s.path()), builder::keyfile, "dtls_options", "keyfile");
    Setting cacertfile = section.applyAt(s -> Path.of(s.path()), builder::cacertfile, "dtls_options", "cacertfile");
    Setting verify = section.at("dtls_options", "verify");
    if (verify != null) {
      DtlsListener.Verify value = verify.choice("verify_none", "verify_peer").equals("verify_peer")
          ? DtlsListener.Verify.VERIFY_PEER : DtlsListener.Verify.VERIFY_NONE;
      verify.apply(() -> builder.verify(value));
    }
    Setting failIfNoPeerCert = section.applyAt(Setting::bool, builder::failIfNoPeerCert, "dtls_options", "fail_if_no_peer_cert");
    Setting ciphers = section.applyAt(Setting::textList, builder::cipherSuites, "dtls_options", "ciphers");
    Setting psk = section.at("dtls_options", "psk");
    if (psk != null) {
      Set<String> identities = new HashSet<>();
      for (Setting entry : psk.elements()) {
        Setting identity = entry.at("identity");
        if (identity == null) {
          throw entry.bad("needs identity, the PSK identity the device sends");
        }
        String id = identity.nonEmptyText();
        if (!identities.add(id)) {
          throw identity.bad("identity " + identity.describe() + " is listed twice");
        }
        Setting secret = entry.at("secret");
        if (secret == null) {
          throw entry.bad("needs secret, the pre-shared key (its UTF-8 bytes are the key)");
        }
        String text = secret.text();
        if (text.isEmpty()) {
          throw secret.bad("must not be empty");
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try {
          secret.apply(() -> builder.psk(id, bytes));
        } finally {
          Arrays.fill(bytes, (byte) 0);
        }
      }
    }
    Setting options = section.at("dtls_options");
    Map<String, Setting> blame = new LinkedHashMap<>();
    blame.put("certfile", certfile);
    blame.put("keyfile", keyfile);
    blame.put("cacertfile", cacertfile);
    blame.put("verify", verify);
    blame.put("failIfNoPeerCert", failIfNoPeerCert);
    blame.put("cipherSuites", ciphers);
    return section.build(builder::build, blame);
  }
}
