package io.exproto.transport.policy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A listener's {@code access_rules}: which client addresses may connect. Immutable and
 * thread-safe.
 *
 * <p>Each rule is {@code "allow <who>"} or {@code "deny <who>"}, where {@code who} is {@code all},
 * an IPv4 or IPv6 address ({@code 192.168.1.7}, {@code ::1}), a CIDR block ({@code 10.0.0.0/8},
 * {@code 2001:db8::/32}), or several of these separated by commas ({@code "deny 10.0.0.1,10.0.0.2"},
 * as EMQX accepts). Rules are checked in order and the first that matches decides; an address no
 * rule matches is allowed (EMQX's behaviour). An IPv4 rule never matches an IPv6 address and the
 * other way round, except that Java presents IPv4-mapped IPv6 addresses ({@code ::ffff:a.b.c.d}) as
 * IPv4.
 *
 * <pre>{@code
 * AccessRules rules = AccessRules.parse(List.of("deny 192.168.1.7", "allow 192.168.1.0/24", "deny all"));
 * rules.allows(InetAddress.getByName("192.168.1.20")); // true
 * rules.allows(InetAddress.getByName("192.168.1.7"));  // false
 * }</pre>
 *
 * <p>Parsing never resolves host names: only IP literals are accepted.
 */
public final class AccessRules {

  private static final AccessRules ALLOW_ALL = new AccessRules(List.of(), List.of());

  private final List<Rule> rules;
  private final List<String> texts;

  private AccessRules(List<Rule> rules, List<String> texts) {
    this.rules = rules;
    this.texts = texts;
  }

  /**
   * Returns the rules that allow every address (no rule at all), the default of every listener.
   *
   * @return the empty rule list
   */
  public static AccessRules allowAll() {
    return ALLOW_ALL;
  }

  /**
   * Parses rules in EMQX's syntax.
   *
   * @param rules the rules, in order, not null, no null element
   * @return the parsed rules
   * @throws IllegalArgumentException when a rule is malformed; the message quotes the rule and
   *     starts with {@code access_rules}
   */
  public static AccessRules parse(List<String> rules) {
    Objects.requireNonNull(rules, "access_rules");
    List<Rule> parsed = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (String text : rules) {
      if (text == null) {
        throw new IllegalArgumentException("access_rules: a rule is null");
      }
      parseRule(text, parsed);
      texts.add(text);
    }
    return new AccessRules(List.copyOf(parsed), List.copyOf(texts));
  }

  /**
   * Decides whether a client address may connect: the first matching rule decides, and an
   * address no rule matches is allowed.
   *
   * @param address the client's address, not null
   * @return whether the address is allowed
   */
  public boolean allows(InetAddress address) {
    Objects.requireNonNull(address, "address");
    byte[] bytes = address.getAddress();
    for (Rule rule : rules) {
      if (rule.matches(bytes)) {
        return rule.allow;
      }
    }
    return true;
  }

  /**
   * Returns the rule texts as given to {@link #parse}.
   *
   * @return the rules, immutable
   */
  public List<String> rules() {
    return texts;
  }

  /**
   * Tells whether there is no rule, so every address is allowed without a check.
   *
   * @return whether the rule list is empty
   */
  public boolean isEmpty() {
    return rules.isEmpty();
  }

  @Override
  public String toString() {
    return "AccessRules" + texts;
  }

  private static void parseRule(String text, List<Rule> out) {
    String[] words = text.trim().split("\\s+", 2);
    if (words.length != 2) {
      throw new IllegalArgumentException("access_rules: '" + text + "' must be \"allow <address>\" or"
          + " \"deny <address>\", where the address is an IP, a CIDR block or all");
    }
    boolean allow;
    if (words[0].equals("allow")) {
      allow = true;
    } else if (words[0].equals("deny")) {
      allow = false;
    } else {
      throw new IllegalArgumentException("access_rules: '" + text + "' must start with allow or deny");
    }
    for (String who : words[1].split(",", -1)) {
      String target = who.trim();
      if (target.isEmpty()) {
        throw new IllegalArgumentException("access_rules: '" + text + "' has an empty address");
      }
      out.add(target.equals("all") ? new Rule(allow, null, 0) : parseTarget(allow, target, text));
    }
  }

  private static Rule parseTarget(boolean allow, String target, String text) {
    String host = target;
    Integer prefix = null;
    int slash = target.indexOf('/');
    if (slash >= 0) {
      host = target.substring(0, slash);
      String bits = target.substring(slash + 1);
      if (bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(Character::isDigit)) {
        throw new IllegalArgumentException("access_rules: '" + text + "' has a bad prefix length '"
            + bits + "'");
      }
      prefix = Integer.parseInt(bits);
    }
    byte[] network = ipLiteral(host);
    if (network == null) {
      throw new IllegalArgumentException("access_rules: '" + text + "': '" + host
          + "' is not an IPv4 or IPv6 address (host names are not accepted)");
    }
    int maxBits = network.length * 8;
    if (prefix != null && prefix > maxBits) {
      throw new IllegalArgumentException("access_rules: '" + text + "': the prefix length must be"
          + " 0.." + maxBits + ", got " + prefix);
    }
    return new Rule(allow, network, prefix == null ? maxBits : prefix);
  }

  /** Parses an IP literal without any name lookup; null when it is not one. */
  private static byte[] ipLiteral(String host) {
    if (host.indexOf(':') >= 0) {
      // Only hex digits, ':' and '.' (an embedded IPv4 part): the JDK then parses the literal
      // and never asks a resolver.
      for (int i = 0; i < host.length(); i++) {
        char c = host.charAt(i);
        if (Character.digit(c, 16) < 0 && c != ':' && c != '.') {
          return null;
        }
      }
      try {
        InetAddress address = InetAddress.getByName(host);
        if (address instanceof Inet6Address || address instanceof Inet4Address) {
          // An IPv4-mapped literal (::ffff:1.2.3.4) comes back as IPv4, as client addresses do.
          return address.getAddress();
        }
        return null;
      } catch (UnknownHostException | SecurityException e) {
        return null;
      }
    }
    return ipv4(host);
  }

  /** Strict dotted-quad IPv4: four decimal parts 0..255. */
  private static byte[] ipv4(String host) {
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      String part = parts[i];
      if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return null;
      }
      int value = Integer.parseInt(part);
      if (value > 255) {
        return null;
      }
      bytes[i] = (byte) value;
    }
    return bytes;
  }

  /** One allow or deny entry; a null network matches every address. */
  private static final class Rule {
    final boolean allow;
    final byte[] network;
    final int prefixBits;

    Rule(boolean allow, byte[] network, int prefixBits) {
      this.allow = allow;
      this.network = network == null ? null : Arrays.copyOf(network, network.length);
      this.prefixBits = prefixBits;
    }

    boolean matches(byte[] address) {
      if (network == null) {
        return true;
      }
      if (address.length != network.length) {
        return false;
      }
      int fullBytes = prefixBits / 8;
      for (int i = 0; i < fullBytes; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int restBits = prefixBits % 8;
      if (restBits == 0) {
        return true;
      }
      int mask = (0xFF << (8 - restBits)) & 0xFF;
      return (address[fullBytes] & mask) == (network[fullBytes] & mask);
    }
  }
}
