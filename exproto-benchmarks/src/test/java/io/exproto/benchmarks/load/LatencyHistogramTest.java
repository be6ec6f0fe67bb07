package io.exproto.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  @Test
  void percentilesAreWithinTheBucketResolution() {
    SplittableRandom random = new SplittableRandom(7);
    long[] values = new long[100_000];
    LatencyHistogram histogram = new LatencyHistogram();
    for (int i = 0; i < values.length; i++) {
      values[i] = (long) Math.exp(random.nextDouble(Math.log(50), Math.log(500_000_000L)));
      histogram.record(values[i]);
    }
    Arrays.sort(values);
    for (double q : new double[] {0.5, 0.9, 0.99, 0.999}) {
      long exact = values[(int) Math.ceil(q * values.length) - 1];
      assertThat((double) histogram.percentile(q)).isCloseTo(exact, within(exact * 0.016 + 1));
    }
    assertThat(histogram.count()).isEqualTo(values.length);
    assertThat(histogram.max()).isEqualTo(values[values.length - 1]);
  }

  @Test
  void bucketsCoverEveryValueInOrder() {
    long previous = -1;
    for (int index = 0; LatencyHistogram.lowerBoundOf(index) > previous && index < 3_712; index++) {
      long low = LatencyHistogram.lowerBoundOf(index);
      assertThat(LatencyHistogram.indexOf(low)).isEqualTo(index);
      if (low > 0) {
        assertThat(LatencyHistogram.indexOf(low - 1)).isEqualTo(index - 1);
      }
      previous = low;
    }
    assertThat(LatencyHistogram.indexOf(Long.MAX_VALUE)).isEqualTo(3_711);
  }

  @Test
  void mergesAndResets() {
    LatencyHistogram a = new LatencyHistogram();
    LatencyHistogram b = new LatencyHistogram();
    a.record(1_000);
    b.record(3_000);
    b.record(-5); // counts as 0
    a.add(b);
    assertThat(a.count()).isEqualTo(3);
    assertThat(a.max()).isEqualTo(3_000);
    assertThat(a.mean()).isCloseTo(4_000 / 3.0, within(1e-9));
    a.reset();
    assertThat(a.count()).isZero();
    assertThat(a.percentile(0.99)).isZero();
  }
}
