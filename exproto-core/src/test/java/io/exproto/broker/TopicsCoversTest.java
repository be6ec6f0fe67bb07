package io.exproto.broker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopicsCoversTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "#|a/b|true",
      "#|#|true",
      "a/#|a/+/c|true",
      "a/#|a|true",
      "a/+|a/b|true",
      "a/+|a/+|true",
      "a/+|a/#|false",
      "a/b|a/+|false",
      "a/+/c|a/b/c|true",
      "a/+|a/b/c|false",
      "#|$SYS/#|false",
      "$SYS/#|$SYS/+|true"})
  void aRuleCoversAFilterWhenItMatchesEveryTopicTheFilterCan(String rule, String filter, boolean expected) {
    assertThat(Topics.covers(rule, filter)).isEqualTo(expected);
  }
}
