/**
 * Benchmarks (plain timing programs with a {@code main}; nothing here is asserted in tests):
 * {@link org.rationalnn.samples.bench.SameDiffCostBenchmark} measures the training step of the SameDiff
 * {@code RationalDense} against the native rational layer and ReLU.
 */
package org.rationalnn.samples.bench;
