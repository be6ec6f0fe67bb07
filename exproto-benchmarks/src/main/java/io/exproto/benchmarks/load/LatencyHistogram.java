package io.exproto.benchmarks.load;

import java.util.Arrays;

/**
 * A log-linear histogram of durations in nanoseconds: values below 128 ns have a bucket each, and
 * every power of two above is split into 64 buckets, so a reported percentile is within 1.6% of
 * the true value, from 1 ns to about 146 years, in 3,712 counters (29 KB).
 *
 * <p>Not thread-safe: each recording thread keeps its own and the results are merged with
 * {@link #add(LatencyHistogram)}.
 */
public final class LatencyHistogram {

  private static final int LINEAR = 128;
  private static final int SUB_BITS = 6;
  private static final int SUB = 1 << SUB_BITS;
  private static final int FIRST_EXPONENT = 7; // 2^7 = LINEAR
  private static final int BUCKETS = LINEAR + (63 - FIRST_EXPONENT) * SUB;

  private final long[] counts = new long[BUCKETS];
  private long total;
  private long sum;
  private long max;

  /** Creates an empty histogram. */
  public LatencyHistogram() {}

  /**
   * Records one duration.
   *
   * @param nanos the duration; negative values count as 0
   */
  public void record(long nanos) {
    long value = Math.max(0, nanos);
    counts[indexOf(value)]++;
    total++;
    sum += value;
    if (value > max) {
      max = value;
    }
  }

  /**
   * Adds another histogram's counts to this one.
   *
   * @param other the histogram to add, unchanged
   */
  public void add(LatencyHistogram other) {
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] += other.counts[i];
    }
    total += other.total;
    sum += other.sum;
    max = Math.max(max, other.max);
  }

  /**
   * Returns a copy.
   *
   * @return a histogram with the same counts
   */
  public LatencyHistogram copy() {
    LatencyHistogram copy = new LatencyHistogram();
    copy.add(this);
    return copy;
  }

  /** Forgets every recorded value. */
  public void reset() {
    Arrays.fill(counts, 0);
    total = 0;
    sum = 0;
    max = 0;
  }

  /**
   * Returns the number of recorded values.
   *
   * @return the count
   */
  public long count() {
    return total;
  }

  /**
   * Returns the mean of the recorded values.
   *
   * @return nanoseconds, 0 when empty
   */
  public double mean() {
    return total == 0 ? 0 : (double) sum / total;
  }

  /**
   * Returns the largest recorded value, exactly.
   *
   * @return nanoseconds, 0 when empty
   */
  public long max() {
    return max;
  }

  /**
   * Returns a percentile: the middle of the bucket holding the value below which {@code q} of
   * the recorded values lie (never above {@link #max()}).
   *
   * @param q the quantile, 0 to 1 (0.99 for p99)
   * @return nanoseconds, 0 when empty
   */
  public long percentile(double q) {
    if (total == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(q * total));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return Math.min(max, middleOf(i));
      }
    }
    return max;
  }

  static int indexOf(long value) {
    if (value < LINEAR) {
      return (int) value;
    }
    int exponent = 63 - Long.numberOfLeadingZeros(value);
    int sub = (int) (value >>> (exponent - SUB_BITS)) & (SUB - 1);
    return LINEAR + (exponent - FIRST_EXPONENT) * SUB + sub;
  }

  static long lowerBoundOf(int index) {
    if (index < LINEAR) {
      return index;
    }
    int exponent = (index - LINEAR) / SUB + FIRST_EXPONENT;
    int sub = (index - LINEAR) % SUB;
    return (1L << exponent) + ((long) sub << (exponent - SUB_BITS));
  }

  private static long middleOf(int index) {
    if (index < LINEAR) {
      return index;
    }
    int exponent = (index - LINEAR) / SUB + FIRST_EXPONENT;
    long width = 1L << (exponent - SUB_BITS);
    return lowerBoundOf(index) + width / 2;
  }
}
