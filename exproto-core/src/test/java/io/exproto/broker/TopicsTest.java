package io.exproto.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", "a/b", "/a", "a/", "$SYS/x", "a//b", " ", "ü/ß"})
  void validTopicNames(String topic) {
    Topics.validateName(topic);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "a/+|wildcards",
      "#|wildcards",
      "a/b#|wildcards",
      "a\u0000b|NUL"})
  void invalidTopicNames(String topic, String message) {
    assertThatThrownBy(() -> Topics.validateName(topic)).hasMessageContaining(message);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "#", "+", "a/#", "a/+/b", "+/+", "/#", "$share/g/a/#", "$share/g/#", "$SYS/#"})
  void validFilters(String filter) {
    Topics.validateFilter(filter);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "a/#/b|'#' must be a whole level and the last one",
      "a/b#|'#' must be a whole level",
      "a/b+/c|'+' must be a whole level",
      "$share/g|$share/<group>/<filter>",
      "$share//a|group must be non-empty",
      "$share/g/|a filter after the group",
      "$share/g+/a|group must be non-empty and free of wildcards",
      "$share/g/a/#/b|'#' must be a whole level"})
  void invalidFilters(String filter, String message) {
    assertThatThrownBy(() -> Topics.validateFilter(filter)).hasMessageContaining(message);
  }

  @ParameterizedTest
  @ValueSource(strings = {""})
  void emptyIsInvalid(String empty) {
    assertThatThrownBy(() -> Topics.validateName(empty)).hasMessageContaining("empty");
    assertThatThrownBy(() -> Topics.validateFilter(empty)).hasMessageContaining("empty");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "a|a|true",
      "a|b|false",
      "a/b|a/b|true",
      "a/+|a/b|true",
      "a/+|a/b/c|false",
      "a/+|a|false",
      "a/#|a|true",
      "a/#|a/b/c|true",
      "#|a/b/c|true",
      "+/+|/x|true",
      "+|/x|false",
      "/+|/x|true",
      "a/+/c|a//c|true",
      "#|$SYS/x|false",
      "+/x|$SYS/x|false",
      "$SYS/#|$SYS/x|true",
      "$SYS/+|$SYS/x|true",
      "a/b|a/b/|false",
      "a/b/|a/b/|true"})
  void matching(String filter, String topic, boolean expected) {
    assertThat(Topics.matches(filter, topic)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"$share/g1/a/+|g1|a/+", "$share/grp/#|grp|#"})
  void sharedFiltersSplit(String filter, String group, String inner) {
    assertThat(Topics.parseShared(filter)).contains(new Topics.SharedFilter(group, inner));
  }
}
