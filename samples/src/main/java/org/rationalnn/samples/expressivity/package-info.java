/**
 * The science of the expressivity study ({@link org.rationalnn.samples.ExpressivityStudy}): constructive
 * separations computed exactly and executed by DL4J networks with explicit parameters
 * ({@link org.rationalnn.samples.expressivity.ConstructiveStudy}: Zolotarev compositions emulating |x| and ReLU,
 * {@link org.rationalnn.samples.expressivity.ZolotarevSign}; free-knot piecewise-linear bounds for 1-hidden-layer
 * ReLU networks, {@link org.rationalnn.samples.expressivity.FreeKnotLinear}), the single-function comparison of
 * rationals and polynomials ({@link org.rationalnn.samples.expressivity.SingleFunctionStudy}), and the training
 * protocol for trained networks ({@link org.rationalnn.samples.expressivity.TrainedStudy}, with its tables and plots
 * in {@link org.rationalnn.samples.expressivity.TrainedOutput}) on the targets of
 * {@link org.rationalnn.samples.expressivity.Target}.
 */
package org.rationalnn.samples.expressivity;
