/**
 * Benchmarks of the gateway, kept out of the test run: JMH micro-benchmarks of the hot paths
 * ({@code micro}), an end-to-end load generator ({@code load}) with the server JVMs it drives
 * ({@code server}), and the suite that runs them all and writes {@code BENCHMARKS.md}
 * ({@code suite}).
 */
package io.exproto.benchmarks;
