package io.exproto.examples.gateway;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One key of the file with its value: navigation to the keys inside it, and typed reads that fail
 * with a {@link ConfigFileException} naming the full key path and the line. The value of a secret
 * key (see {@link ConfigSchema#isSecret}) is never put into a message. Immutable.
 */
final class Setting {

  /**
   * What every setting of one file shares.
   *
   * @param source how messages name the file
   * @param baseDirectory the directory relative file paths are resolved against, or null to leave
   *     them relative to the working directory
   */
  record Origin(String source, Path baseDirectory) {}

  /** A builder call that may reject a value with an {@link IllegalArgumentException} or {@link IllegalStateException}. */
  @FunctionalInterface
  interface BuilderCall {
    /** Calls the builder. */
    void run();
  }

  /**
   * A typed read of a setting, such as {@code Setting::duration}.
   *
   * @param <T> the type read
   */
  @FunctionalInterface
  interface Reader<T> {
    /** Reads the value of the setting. */
    T read(Setting setting) throws ConfigFileException;
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)", Pattern.CASE_INSENSITIVE);
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kb|mb)?", Pattern.CASE_INSENSITIVE);
  private static final Pattern RATE = Pattern.compile("(\\d+)\\s*(?:/\\s*s)?");
  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");

  private final Origin origin;
  private final String key;
  private final String pattern;
  private final ConfigValue value;

  Setting(Origin origin, String key, String pattern, ConfigValue value) {
    this.origin = origin;
    this.key = key;
    this.pattern = pattern;
    this.value = value;
  }

  /** Returns the full key path, e.g. {@code gateway.exproto.listeners.tcp.default.bind}. */
  String key() {
    return key;
  }

  /** Returns the schema pattern of the key, e.g. {@code listeners.tcp.*.bind}. */
  String pattern() {
    return pattern;
  }

  /** Returns the raw value. */
  ConfigValue value() {
    return value;
  }

  /** Returns the 1-based line of the value, or -1. */
  int line() {
    return lineOf(value);
  }

  /** Tells whether the value must never be shown. */
  boolean isSecret() {
    return ConfigSchema.isSecret(pattern);
  }

  static int lineOf(ConfigValue value) {
    return value == null || value.origin() == null ? -1 : value.origin().lineNumber();
  }

  static String quote(String name) {
    return PLAIN_KEY.matcher(name).matches() ? name : "\"" + name.replace("\"", "\\\"") + "\"";
  }

  // ---- navigation ----

  /**
   * Returns a key inside this object.
   *
   * @param names the key names, one per level
   * @return the setting, or null when this is not an object or a key is absent
   */
  Setting at(String... names) {
    Setting current = this;
    for (String name : names) {
      if (current == null || !(current.value instanceof ConfigObject object)) {
        return null;
      }
      ConfigValue child = object.get(name);
      current = child == null ? null : current.child(name, child);
    }
    return current;
  }

  private Setting child(String name, ConfigValue child) {
    String path = key.isEmpty() ? quote(name) : key + "." + quote(name);
    return new Setting(origin, path, ConfigSchema.childPattern(pattern, name), child);
  }

  /** Tells whether the value is an object. */
  boolean isObject() {
    return value instanceof ConfigObject;
  }

  /** Tells whether the value is a list. */
  boolean isList() {
    return value instanceof ConfigList;
  }

  /**
   * Returns the keys inside this object, in file order (then by name).
   *
   * @return the settings, empty when this is not an object
   */
  List<Setting> children() {
    if (!(value instanceof ConfigObject object)) {
      return List.of();
    }
    List<Map.Entry<String, ConfigValue>> entries = new ArrayList<>(object.entrySet());
    entries.sort(Comparator.comparingInt((Map.Entry<String, ConfigValue> e) -> lineOf(e.getValue()))
        .thenComparing(Map.Entry::getKey));
    List<Setting> children = new ArrayList<>();
    for (Map.Entry<String, ConfigValue> entry : entries) {
      children.add(child(entry.getKey(), entry.getValue()));
    }
    return children;
  }

  /** Returns the last name of the key path, unquoted. */
  String name() {
    int dot = lastDot(key);
    String last = key.substring(dot + 1);
    return last.startsWith("\"") ? last.substring(1, last.length() - 1).replace("\\\"", "\"") : last;
  }

  private static int lastDot(String path) {
    boolean quoted = false;
    int last = -1;
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '.' && !quoted) {
        last = i;
      }
    }
    return last;
  }

  /**
   * Returns the elements of this list, each keyed {@code key.N} (numbered from 1, as EMQX does),
   * with this setting's pattern.
   *
   * @return the elements, empty when this is not a list
   */
  List<Setting> elements() {
    if (!(value instanceof ConfigList list)) {
      return List.of();
    }
    List<Setting> elements = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      elements.add(new Setting(origin, key + "." + (i + 1), pattern, list.get(i)));
    }
    return elements;
  }

  // ---- errors ----

  /**
   * Makes the error of this key.
   *
   * @param problem what is wrong; must not quote a secret value
   * @return the exception
   */
  ConfigFileException bad(String problem) {
    return new ConfigFileException(origin.source(), line(), key, problem);
  }

  /**
   * Reads a key inside this object, when the file has it, and hands the value to a builder; a
   * value the reader or the builder rejects is that key's error.
   *
   * @param reader the typed read
   * @param target the builder method
   * @param names the key names, one per level
   * @return the key's setting, or null when the file does not have it
   */
  <T> Setting applyAt(Reader<T> reader, Consumer<? super T> target, String... names) throws ConfigFileException {
    Setting setting = at(names);
    if (setting != null) {
      T value = reader.read(setting);
      setting.apply(() -> target.accept(value));
    }
    return setting;
  }

  /** Runs a builder call; the builder's own validation error becomes this key's error. */
  void apply(BuilderCall call) throws ConfigFileException {
    try {
      call.run();
    } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
      throw rejected(e, secretTexts());
    }
  }

  /** Runs a builder's {@code build()}; its validation error becomes this key's error. */
  <T> T build(Supplier<T> build) throws ConfigFileException {
    try {
      return build.get();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw rejected(e, secretTexts());
    }
  }

  /**
   * Runs a builder's {@code build()} whose errors start with the name of the setting at fault;
   * the error is then reported on the key of that name (with its line) when the file has it, else
   * on this key.
   *
   * @param build the build call
   * @param blame the names a builder message may start with, mapped to the file's keys (values may
   *     be null: keys the file does not have)
   */
  <T> T build(Supplier<T> build, Map<String, Setting> blame) throws ConfigFileException {
    try {
      return build.get();
    } catch (IllegalArgumentException | IllegalStateException e) {
      String message = String.valueOf(e.getMessage());
      List<String> secrets = new ArrayList<>(secretTexts());
      String best = null;
      for (Map.Entry<String, Setting> candidate : blame.entrySet()) {
        if (candidate.getValue() == null) {
          continue;
        }
        secrets.addAll(candidate.getValue().secretTexts());
        if (message.startsWith(candidate.getKey()) && (best == null || candidate.getKey().length() > best.length())) {
          best = candidate.getKey();
        }
      }
      throw (best == null ? this : blame.get(best)).rejected(e, secrets);
    }
  }

  /** The secret values in this setting and below it. */
  private List<String> secretTexts() {
    List<String> texts = new ArrayList<>();
    if (isSecret() && value.valueType() == ConfigValueType.STRING) {
      texts.add((String) value.unwrapped());
    } else if (isSecret() && value.valueType() != ConfigValueType.NULL) {
      texts.add(String.valueOf(value.unwrapped()));
    }
    for (Setting child : children()) {
      texts.addAll(child.secretTexts());
    }
    for (Setting element : elements()) {
      texts.addAll(element.secretTexts());
    }
    return texts;
  }

  /**
   * Replaces every secret in a message with {@code ******}.
   *
   * @return the message, or null when a secret is too short to be replaced without mangling the
   *     message (it must then not be shown at all)
   */
  private static String withoutSecrets(String message, List<String> secrets) {
    String out = message;
    for (String secret : secrets) {
      if (secret.isEmpty() || !out.contains(secret)) {
        continue;
      }
      if (secret.length() < 4) {
        return null;
      }
      out = out.replace(secret, "******");
    }
    return out;
  }

  private ConfigFileException rejected(RuntimeException e, List<String> secrets) {
    String message = withoutSecrets(e.getMessage() == null ? e.toString() : e.getMessage(), secrets);
    if (message == null) {
      return bad("the value is not valid (the builder's message is not shown: it quotes a secret)");
    }
    // Builders name their field ("bind: ...", "server.bind: ..."); the error already names the key.
    // A field below this key ("handler.ssl_options.keyfile: ..." for handler.ssl_options) becomes
    // the key of the error.
    String suffix = key;
    while (true) {
      if (message.startsWith(suffix + ": ")) {
        return bad(message.substring(suffix.length() + 2));
      }
      if (message.startsWith(suffix + ".")) {
        int colon = message.indexOf(": ", suffix.length() + 1);
        String below = colon < 0 ? "" : message.substring(suffix.length() + 1, colon);
        if (below.matches("[A-Za-z0-9_.-]+")) {
          Setting child = at(below.split("\\."));
          String problem = message.substring(colon + 2);
          return child != null ? child.bad(problem)
              : new ConfigFileException(origin.source(), line(), key + "." + below, problem);
        }
      }
      int dot = suffix.indexOf('.');
      if (dot < 0) {
        return bad(message);
      }
      suffix = suffix.substring(dot + 1);
    }
  }

  /** Describes the value for a message: the value itself, or only its type for a secret. */
  String describe() {
    if (isSecret()) {
      return switch (value.valueType()) {
        case NULL -> "null";
        case STRING -> "a string (not shown: it is a secret)";
        case LIST -> "a list";
        case OBJECT -> "an object";
        case NUMBER -> "a number (not shown: it is a secret)";
        case BOOLEAN -> "a boolean (not shown: it is a secret)";
      };
    }
    return switch (value.valueType()) {
      case NULL -> "null";
      case STRING -> "\"" + value.unwrapped() + "\"";
      case LIST -> "a list";
      case OBJECT -> "an object";
      default -> String.valueOf(value.unwrapped());
    };
  }

  // ---- typed reads ----

  /** Reads a string. */
  String text() throws ConfigFileException {
    if (value.valueType() != ConfigValueType.STRING) {
      throw bad("must be a string, got " + describe());
    }
    return (String) value.unwrapped();
  }

  /** Reads a string that is not empty (after trimming). */
  String nonEmptyText() throws ConfigFileException {
    String text = text();
    if (text.isBlank()) {
      throw bad("must not be empty");
    }
    return text;
  }

  /** Reads a string, number or boolean as text (HOCON leaves {@code 1} and {@code true} unquoted). */
  String scalarText() throws ConfigFileException {
    return switch (value.valueType()) {
      case STRING -> (String) value.unwrapped();
      case NUMBER, BOOLEAN -> String.valueOf(value.unwrapped());
      default -> throw bad("must be a string, got " + describe());
    };
  }

  /**
   * Reads one of a fixed set of words, case-insensitively.
   *
   * @param choices the allowed words, in lower case, in the order the message lists them
   * @return the word given, in lower case
   */
  String choice(String... choices) throws ConfigFileException {
    if (value.valueType() == ConfigValueType.STRING) {
      String text = ((String) value.unwrapped()).trim().toLowerCase(Locale.ROOT);
      for (String choice : choices) {
        if (choice.equals(text)) {
          return choice;
        }
      }
    }
    throw bad("must be " + orList(choices) + ", got " + describe());
  }

  private static String orList(String... words) {
    if (words.length == 1) {
      return words[0];
    }
    return String.join(", ", List.of(words).subList(0, words.length - 1)) + " or " + words[words.length - 1];
  }

  /** Reads true or false. */
  boolean bool() throws ConfigFileException {
    if (value.valueType() == ConfigValueType.BOOLEAN) {
      return (Boolean) value.unwrapped();
    }
    if (value.valueType() == ConfigValueType.STRING) {
      String text = ((String) value.unwrapped()).trim();
      if (text.equals("true") || text.equals("false")) {
        return Boolean.parseBoolean(text);
      }
    }
    throw bad("must be true or false, got " + describe());
  }

  /** Reads a duration: a number and a unit, {@code ms}, {@code s}, {@code m} or {@code h}. */
  Duration duration() throws ConfigFileException {
    if (value.valueType() == ConfigValueType.NUMBER) {
      throw bad("a duration needs a unit: ms, s, m or h (e.g. " + value.unwrapped() + "s), got " + describe());
    }
    if (value.valueType() != ConfigValueType.STRING) {
      throw bad("must be a duration such as 30s (units: ms, s, m, h), got " + describe());
    }
    String text = ((String) value.unwrapped()).trim();
    if (text.startsWith("-")) {
      throw bad("must not be negative, got " + describe());
    }
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      throw bad("must be a duration such as 30s (units: ms, s, m, h), got " + describe());
    }
    double amount = Double.parseDouble(m.group(1));
    double millis = switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "ms" -> amount;
      case "s" -> amount * 1_000;
      case "m" -> amount * 60_000;
      default -> amount * 3_600_000;
    };
    if (millis > Long.MAX_VALUE / 2) {
      throw bad("is too long, got " + describe());
    }
    return Duration.ofMillis(Math.round(millis));
  }

  /** Reads a duration that is more than zero. */
  Duration positiveDuration() throws ConfigFileException {
    Duration duration = duration();
    if (duration.isZero()) {
      throw bad("must be more than zero, got " + describe());
    }
    return duration;
  }

  /** Reads a whole number of at least {@code min}. */
  int intAtLeast(int min) throws ConfigFileException {
    Object unwrapped = value.unwrapped();
    if (value.valueType() != ConfigValueType.NUMBER || !(unwrapped instanceof Integer number)) {
      throw bad("must be a whole number from " + min + " to " + Integer.MAX_VALUE + ", got " + describe());
    }
    if (number < min) {
      throw bad("must be at least " + min + ", got " + describe());
    }
    return number;
  }

  /** Reads a whole number of at least 1. */
  int positiveInt() throws ConfigFileException {
    return intAtLeast(1);
  }

  /** Reads a whole number of at least 1, or {@code infinity} (the largest int). */
  int positiveIntOrInfinity() throws ConfigFileException {
    if (value.valueType() == ConfigValueType.STRING && "infinity".equals(value.unwrapped())) {
      return Integer.MAX_VALUE;
    }
    try {
      return positiveInt();
    } catch (ConfigFileException e) {
      throw bad(e.problem() + " (or infinity)");
    }
  }

  /**
   * Reads a rate per second: a whole number, or {@code "N/s"}, or {@code infinity}.
   *
   * @return the rate, or -1 for infinity
   */
  int ratePerSecond() throws ConfigFileException {
    if (value.valueType() == ConfigValueType.STRING) {
      String text = ((String) value.unwrapped()).trim();
      if (text.equals("infinity")) {
        return -1;
      }
      Matcher m = RATE.matcher(text);
      if (m.matches() && m.group(1).length() <= 9 && Integer.parseInt(m.group(1)) >= 1) {
        return Integer.parseInt(m.group(1));
      }
    } else if (value.valueType() == ConfigValueType.NUMBER && value.unwrapped() instanceof Integer number
        && number >= 1) {
      return number;
    }
    throw bad("must be a number of new connections per second (at least 1, e.g. 1000 or \"1000/s\") or"
        + " infinity, got " + describe());
  }

  /** Reads a size: a number of bytes, optionally with {@code KB} or {@code MB} (1024-based). */
  int size() throws ConfigFileException {
    long bytes;
    if (value.valueType() == ConfigValueType.NUMBER && value.unwrapped() instanceof Integer number) {
      bytes = number;
    } else if (value.valueType() == ConfigValueType.STRING) {
      Matcher m = SIZE.matcher(((String) value.unwrapped()).trim());
      if (!m.matches() || m.group(1).length() > 10) {
        throw bad("must be a size such as 64KB (a number of bytes, or with KB or MB), got " + describe());
      }
      long amount = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
      bytes = switch (unit) {
        case "kb" -> amount * 1024;
        case "mb" -> amount * 1024 * 1024;
        default -> amount;
      };
    } else {
      throw bad("must be a size such as 64KB (a number of bytes, or with KB or MB), got " + describe());
    }
    if (bytes < 1 || bytes > Integer.MAX_VALUE) {
      throw bad("must be from 1 byte to 2047MB, got " + describe());
    }
    return (int) bytes;
  }

  /** Reads {@code "port"} or {@code "host:port"} as text; the builder that receives it checks the form. */
  String bind() throws ConfigFileException {
    if (value.valueType() == ConfigValueType.NUMBER && value.unwrapped() instanceof Integer number) {
      return number.toString();
    }
    if (value.valueType() == ConfigValueType.STRING) {
      return ((String) value.unwrapped()).trim();
    }
    throw bad("must be \"port\" or \"host:port\", got " + describe());
  }

  /** Reads a list of strings (a single string is not accepted: EMQX writes lists in brackets). */
  List<String> textList() throws ConfigFileException {
    if (!(value instanceof ConfigList)) {
      throw bad("must be a list of strings in brackets, e.g. [\"...\"], got " + describe());
    }
    List<String> texts = new ArrayList<>();
    for (Setting element : elements()) {
      texts.add(element.text());
    }
    return List.copyOf(texts);
  }

  /**
   * Reads a file path; a relative one is resolved against the configuration file's directory.
   *
   * @return the path as text, for the builder
   */
  String path() throws ConfigFileException {
    String text = nonEmptyText().trim();
    Path path;
    try {
      path = Path.of(text);
    } catch (java.nio.file.InvalidPathException e) {
      throw bad("is not a valid file path, got " + describe());
    }
    if (!path.isAbsolute() && origin.baseDirectory() != null) {
      path = origin.baseDirectory().resolve(path);
    }
    return path.toString();
  }

  /**
   * Reads an object of names to single values as text, in file order.
   *
   * @return the entries
   */
  Map<String, String> textMap() throws ConfigFileException {
    if (!(value instanceof ConfigObject)) {
      throw bad("must be an object { name = \"value\", ... }, got " + describe());
    }
    Map<String, String> entries = new LinkedHashMap<>();
    for (Setting child : children()) {
      entries.put(child.name(), child.scalarText());
    }
    return entries;
  }
}
