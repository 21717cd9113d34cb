package org.rationalnn.dl4j.convert;

import org.rationalnn.dl4j.rational.RationalFunction;

/**
 * One activation {@link RationalConverter} replaced by a trainable rational, and how faithfully.
 *
 * <p>Bounds are in the maximum norm over the elements of one example: {@code inputDeviationBound} bounds
 * |z' − z|, the difference between the converted and the original network's pre-activation z of this layer that the
 * replacements upstream cause; {@code activationErrorBound} bounds |R(z) − f(z)| for every z the calibration data
 * produced; {@code outputDeviationBound} then bounds the difference of this layer's output, Lip(R)·inputDeviationBound
 * + activationErrorBound, with Lip(R) the largest |R'| on the observed range widened by the input deviation.
 *
 * @param layerName            the layer whose activation was replaced (an {@code ActivationLayer} is replaced as a
 *                             whole and keeps its name)
 * @param rationalLayerName    the name of the new {@code RationalActivationLayer}
 * @param layerType            the original layer's configuration class (simple name)
 * @param activation           DL4J's activation that was replaced (its {@code toString()})
 * @param fitLower             lower end of the fit interval
 * @param fitUpper             upper end of the fit interval
 * @param observedMin          smallest pre-activation seen on the calibration data (NaN without calibration)
 * @param observedMax          largest pre-activation seen on the calibration data (NaN without calibration)
 * @param observedCount        number of pre-activation values seen
 * @param outsideFraction      fraction of them outside the fit interval (0 when the interval comes from the data)
 * @param fitError             the fit's uniform error max |R − f| on the fit interval, against DL4J's own function
 * @param activationErrorBound max |R − f| over the fit interval and the observed range together
 * @param inputDeviationBound  bound on |z' − z| caused upstream (0 for the first replaced layer; NaN if not
 *                             computable)
 * @param outputDeviationBound bound on the difference of this layer's output (NaN if not computable)
 * @param function             the rational's initial coefficients
 * @param sets                 number of coefficient sets (all start from {@code function})
 */
public record ReplacedActivation(String layerName, String rationalLayerName, String layerType, String activation,
                                 double fitLower, double fitUpper, double observedMin, double observedMax,
                                 long observedCount, double outsideFraction, double fitError,
                                 double activationErrorBound, double inputDeviationBound,
                                 double outputDeviationBound, RationalFunction function, int sets) {
}
