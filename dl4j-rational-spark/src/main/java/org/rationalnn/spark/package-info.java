/**
 * Distributed and multi-worker training of networks with rational layers: Spark with DL4J's parameter averaging
 * ({@link org.rationalnn.spark.SparkTrainingSample}), one machine with {@code ParallelWrapper}
 * ({@link org.rationalnn.spark.ParallelWrapperSample}), and the Spark set-up for Java 17
 * ({@link org.rationalnn.spark.SparkSupport}).
 */
package org.rationalnn.spark;
