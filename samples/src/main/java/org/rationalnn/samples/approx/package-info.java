/**
 * Classical approximation of single functions, for the expressivity study: discrete minimax fits of linear
 * bases by Lawson's algorithm ({@link org.rationalnn.samples.approx.LawsonMinimax}) and the polynomial and
 * rational approximations of |x| that show the algebraic-versus-root-exponential gap
 * ({@link org.rationalnn.samples.approx.AbsApproximations}).
 */
package org.rationalnn.samples.approx;
