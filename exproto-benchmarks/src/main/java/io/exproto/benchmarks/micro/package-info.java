/**
 * JMH micro-benchmarks of the gateway's hot paths: topic matching in the in-memory broker
 * ({@link io.exproto.benchmarks.micro.TopicMatchBenchmark}), the per-connection event queue of the
 * engine ({@link io.exproto.benchmarks.micro.EventQueueBenchmark}), the result-code mapping of the
 * gRPC adapter service ({@link io.exproto.benchmarks.micro.ResultCodeMappingBenchmark}) and the
 * framing of {@code ReceivedBytesRequest}
 * ({@link io.exproto.benchmarks.micro.ReceivedBytesFramingBenchmark}). Run them with the suite, or
 * with JMH's own launcher: {@code java -cp ... org.openjdk.jmh.Main 'io.exproto.benchmarks.micro.*'}.
 */
package io.exproto.benchmarks.micro;
