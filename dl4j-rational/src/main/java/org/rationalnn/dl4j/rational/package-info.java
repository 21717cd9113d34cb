/**
 * The math core, plain Java with no DL4J types: the rational function R(x) = P(x)/Q(x) and its denominator
 * forms ({@link org.rationalnn.dl4j.rational.RationalVersion}), the scalar reference evaluation and gradients
 * ({@link org.rationalnn.dl4j.rational.RationalFunction}), near-minimax initialisation fits
 * ({@link org.rationalnn.dl4j.rational.RationalFit}), the functions to fit
 * ({@link org.rationalnn.dl4j.rational.TargetFunction}), the immutable layer description
 * ({@link org.rationalnn.dl4j.rational.RationalSpec}, {@link org.rationalnn.dl4j.rational.Sharing}) and the
 * variance-preserving gain ({@link org.rationalnn.dl4j.rational.RationalGain}).
 */
package org.rationalnn.dl4j.rational;
