/**
 * The SameDiff path: {@link org.rationalnn.dl4j.samediff.RationalSameDiff} (the rational function as a SameDiff
 * expression, shared by every SameDiff layer), {@link org.rationalnn.dl4j.samediff.RationalDense} (a
 * {@code SameDiffLayer}: dense + trainable rational) and {@link org.rationalnn.dl4j.samediff.RationalVertex} (a
 * {@code SameDiffVertex} applying a trainable rational in a {@code ComputationGraph}), with
 * {@link org.rationalnn.dl4j.samediff.ExternalErrorsGraph} and
 * {@link org.rationalnn.dl4j.samediff.SameDiffGradientScale}, which make their gradients exact on DL4J 1.0.0-M2.1
 * (whose SameDiff layer runtime doubles gradients and prints a line per differentiated op). The runtimes live in
 * {@code samediff.impl}.
 */
package org.rationalnn.dl4j.samediff;
