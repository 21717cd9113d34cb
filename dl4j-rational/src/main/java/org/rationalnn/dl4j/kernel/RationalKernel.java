package org.rationalnn.dl4j.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.rationalnn.dl4j.rational.RationalVersion;

/**
 * Forward and backward pass of a rational activation over a canonical view.
 *
 * <p>Every array is in the canonical "set view" {@code [outer, S, inner]}: element {@code [o, s, i]}
 * uses coefficient set {@code s}. {@link SetView} builds that view from any supported input
 * (feed-forward, NCW/NWC, NCHW/NHWC) and sharing mode. Coefficients are {@code numerator [S, m+1]}
 * (a_0..a_m) and {@code denominator [S, n]}, in the data type of the input. Implementations must follow
 * the formula switches of {@link RationalVersion} and agree with
 * {@link org.rationalnn.dl4j.rational.RationalFunction} (the reference).
 */
public interface RationalKernel {

    /** A short name for reports ("nd4j-ops", ...). */
    String name();

    /** {@code out[o,s,i] = R_s(x[o,s,i])}; {@code out} may not alias {@code x}. */
    void forward(RationalVersion version, INDArray x, INDArray numerator, INDArray denominator, INDArray out);

    /**
     * Given {@code eps = dL/dR}, writes {@code dx = dL/dx} (same shape as x) and the coefficient gradients
     * summed over every element that shares them: {@code dNumerator [S, m+1]}, {@code dDenominator [S, n]}
     * (overwritten, not accumulated).
     */
    void backward(RationalVersion version, INDArray x, INDArray numerator, INDArray denominator, INDArray eps,
                  INDArray dx, INDArray dNumerator, INDArray dDenominator);
}
