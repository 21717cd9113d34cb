package org.rationalnn.dl4j.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.rationalnn.dl4j.rational.RationalVersion;

/**
 * Forward and backward pass of a rational activation over a canonical view.
 *
 * <p>Every array is in the canonical "set view" {@code [outer, S, inner]}: element {@code [o, s, i]}
 * uses coefficient set {@code s}. {@link SetView} builds that view from any supported input
 * (feed-forward, NCW/NWC, NCHW/NHWC) and sharing mode. Coefficients are {@code numerator [S, m+1]}
 * (a_0..a_m) and {@code denominator [S, d]} (d = {@link RationalVersion#denominatorLength(int)}: n, or n + 1 for
 * version C), in the data type of the input. Implementations must follow
 * the formula switches of {@link RationalVersion} and agree with
 * {@link org.rationalnn.dl4j.rational.RationalFunction} (the reference).
 */
public interface RationalKernel {

    /**
     * A short name for reports and logs.
     *
     * @return e.g. "jvm-fused", "jvm-vector", "nd4j-ops"
     */
    String name();

    /**
     * Forward pass {@code out[o,s,i] = R_s(x[o,s,i])}.
     *
     * @param version the denominator form
     * @param x input in the set view {@code [outer, S, inner]}
     * @param numerator {@code [S, m+1]}, a_0..a_m per set
     * @param denominator {@code [S, d]}, the stored denominator coefficients per set
     * @param out output, shape of {@code x}, C-ordered and not a view; may not alias {@code x}
     */
    void forward(RationalVersion version, INDArray x, INDArray numerator, INDArray denominator, INDArray out);

    /**
     * Given {@code eps = dL/dR}, writes {@code dx = dL/dx} (same shape as x) and the coefficient gradients
     * summed over every element that shares them: {@code dNumerator [S, m+1]}, {@code dDenominator [S, n]}
     * (overwritten, not accumulated).
     *
     * @param version the denominator form
     * @param x input in the set view {@code [outer, S, inner]}
     * @param numerator {@code [S, m+1]}
     * @param denominator {@code [S, d]}
     * @param eps dL/dR, shape of {@code x}
     * @param dx destination of dL/dx, shape of {@code x}
     * @param dNumerator destination of dL/da, {@code [S, m+1]}
     * @param dDenominator destination of dL/db, {@code [S, d]}
     */
    void backward(RationalVersion version, INDArray x, INDArray numerator, INDArray denominator, INDArray eps,
                  INDArray dx, INDArray dNumerator, INDArray dDenominator);

    /**
     * The gated product of a GLU: {@code out = R_s(x) ⊙ up} ({@code up} shaped like x; {@code out} may not alias
     * x or up). This default composes {@link #forward} and a multiplication (two passes); the SIMD kernel does it in
     * one.
     *
     * @param version     the rational's version
     * @param x           canonical set view [S, ...] of the gate pre-activation
     * @param numerator   [S, m+1], same data type as x
     * @param denominator [S, n], same data type as x
     * @param up          the linear branch, shaped like x
     * @param out         receives R(x) ⊙ up, shaped like x
     */
    default void gatedForward(RationalVersion version, INDArray x, INDArray numerator, INDArray denominator,
                              INDArray up, INDArray out) {
        forward(version, x, numerator, denominator, out);
        out.muli(up);
    }

    /**
     * Backward pass of {@link #gatedForward} for {@code eps = dL/dout}: {@code dUp = eps ⊙ R(x)}, {@code dx = eps ⊙
     * up ⊙ R'(x)} and the coefficient gradients of R weighted by {@code eps ⊙ up} (overwritten, as in
     * {@link #backward}). {@code dx} and {@code dUp} may not alias any input or each other. This default takes
     * three passes and a temporary array; the SIMD kernel does it in one pass without one.
     *
     * @param version      the rational's version
     * @param x            canonical set view [S, ...] of the gate pre-activation
     * @param numerator    [S, m+1], same data type as x
     * @param denominator  [S, n], same data type as x
     * @param up           the linear branch, shaped like x
     * @param eps          dL/dout, shaped like x
     * @param dx           receives dL/dx, shaped like x
     * @param dUp          receives dL/dup, shaped like x
     * @param dNumerator   receives the numerator gradients [S, m+1] (overwritten)
     * @param dDenominator receives the denominator gradients [S, n] (overwritten)
     */
    default void gatedBackward(RationalVersion version, INDArray x, INDArray numerator, INDArray denominator,
                               INDArray up, INDArray eps, INDArray dx, INDArray dUp, INDArray dNumerator,
                               INDArray dDenominator) {
        backward(version, x, numerator, denominator, eps.mul(up), dx, dNumerator, dDenominator);
        forward(version, x, numerator, denominator, dUp);
        dUp.muli(eps);
    }
}
