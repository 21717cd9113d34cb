/**
 * Fashion-MNIST for the samples: a checked reader of MNIST's IDX format
 * ({@link org.rationalnn.samples.fashion.IdxFile}) and the data set as DL4J DataSets
 * ({@link org.rationalnn.samples.fashion.FashionMnist}), read from Debian's {@code dataset-fashion-mnist} package
 * location by default.
 */
package org.rationalnn.samples.fashion;
