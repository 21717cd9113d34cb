package org.rationalnn.dl4j.rational;

import java.util.Objects;

/**
 * The outcome of a {@link RationalFit}: the fitted {@link RationalFunction} and how well it approximates
 * the target on the fit interval [lower, upper]. Immutable.
 *
 * <p>Both errors are measured by evaluating the returned function with {@link RationalFunction#value(double)}
 * (the reference formula every execution path is tested against), so they describe the function that will
 * actually run, not an intermediate representation of the fitter.
 */
public final class FitResult {
    private final RationalFunction function;
    private final double uniformError;
    private final double rmsError;
    private final double lower;
    private final double upper;

    /**
     * Creates a result.
     *
     * @param function     the fitted function
     * @param uniformError max |R(x) - f(x)| over the interval (see {@link #uniformError()})
     * @param rmsError     root-mean-square error over the interval (see {@link #rmsError()})
     * @param lower        lower end of the fit interval
     * @param upper        upper end of the fit interval
     * @throws IllegalArgumentException if an error is negative or NaN, or the interval is not {@code lower < upper}
     */
    public FitResult(RationalFunction function, double uniformError, double rmsError, double lower, double upper) {
        this.function = Objects.requireNonNull(function, "function");
        if (!(uniformError >= 0) || !(rmsError >= 0)) {
            throw new IllegalArgumentException("fit errors must be non-negative, got uniform " + uniformError
                    + ", rms " + rmsError);
        }
        if (!(lower < upper)) {
            throw new IllegalArgumentException("fit interval must satisfy lower < upper, got [" + lower + ", "
                    + upper + "]");
        }
        this.uniformError = uniformError;
        this.rmsError = rmsError;
        this.lower = lower;
        this.upper = upper;
    }

    /**
     * The fitted rational function.
     *
     * @return the function (immutable), of the version and type that were fitted
     */
    public RationalFunction function() {
        return function;
    }

    /**
     * The uniform (maximum) error max |R(x) - f(x)| over [lower, upper]: the maximum over a dense grid of at
     * least 4001 uniformly spaced points, the fit nodes, and every grid-local maximum of the error refined by a
     * golden-section search inside its grid cell, so it is the supremum to within rounding for any error
     * curve whose local maxima are resolved by the grid.
     *
     * @return the uniform error, ≥ 0
     */
    public double uniformError() {
        return uniformError;
    }

    /**
     * The root-mean-square error sqrt(mean (R(x) - f(x))^2) over the uniform grid of the interval (an
     * approximation of the L2 error divided by the square root of the interval length).
     *
     * @return the RMS error, ≥ 0 and ≤ {@link #uniformError()}
     */
    public double rmsError() {
        return rmsError;
    }

    /**
     * Lower end of the fit interval.
     *
     * @return the lower bound
     */
    public double lower() {
        return lower;
    }

    /**
     * Upper end of the fit interval.
     *
     * @return the upper bound, &gt; {@link #lower()}
     */
    public double upper() {
        return upper;
    }

    /** A one-line description: the function, the interval and both errors. */
    @Override
    public String toString() {
        return "FitResult{" + function + " on [" + lower + ", " + upper + "], uniformError=" + uniformError
                + ", rmsError=" + rmsError + "}";
    }
}
