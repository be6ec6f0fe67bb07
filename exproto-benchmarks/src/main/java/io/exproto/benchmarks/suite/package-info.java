/**
 * The benchmark suite behind {@code ./benchmarks/run.sh}: it runs every load scenario with its
 * reference points, then the JMH micro-benchmarks, watches how busy the rest of the machine was,
 * and writes {@code BENCHMARKS.md} with the machine, a table per scenario, the JMH scores and the
 * issue's targets as ratios ({@link io.exproto.benchmarks.suite.BenchmarkSuite}).
 */
package io.exproto.benchmarks.suite;
