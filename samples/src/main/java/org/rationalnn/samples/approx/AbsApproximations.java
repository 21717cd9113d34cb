package org.rationalnn.samples.approx;

import org.rationalnn.dl4j.rational.RationalFit;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.TargetFunction;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.DoubleStream;

/**
 * Approximations of |x| on [−1, 1] by polynomials and by rational functions of type (n, n), the classic example of
 * the gap that rational networks inherit (Newman 1964; Tang &amp; Townsend, arXiv:2602.12390):
 * <ul>
 * <li>best polynomials of degree d reach only about β/d, β ≈ 0.2802 (Bernstein's constant): algebraic;</li>
 * <li>best rationals of type (n, n) reach about 8·e^{−π√n}: root-exponential.</li>
 * </ul>
 * Every error returned here is measured, on {@link #verificationGrid()}: a uniform grid plus points clustered
 * geometrically towards the singularity at 0 down to 10⁻¹⁶ (rational approximations of |x| resolve ever smaller
 * scales near 0, where a uniform grid would not look).
 */
public final class AbsApproximations {
    /** Bernstein's constant: the best polynomial of degree d has error ≈ β/d for |x| on [−1, 1]. */
    public static final double BERNSTEIN = 0.2802;
    /** Tapered pole clustering scale π√2, the rate-optimal choice for |x| (Herremans, Huybrechs, Trefethen). */
    private static final double TAPER = Math.PI * Math.sqrt(2.0);
    private static final int MAX_LAWSON = 500;
    private static final double LAWSON_TOLERANCE = 0.005;

    private static final double[] FIT_GRID = grid(800, 1e-16, 25);
    private static final double[] VERIFICATION_GRID = grid(4000, 1e-16, 60);

    private AbsApproximations() {
    }

    /** The asymptotic error of the best rational of type (n, n): 8·e^{−π√n}. */
    public static double bestRationalRate(int n) {
        return 8.0 * Math.exp(-Math.PI * Math.sqrt(n));
    }

    /** The asymptotic error of the best polynomial of degree d: β/d. */
    public static double bestPolynomialRate(int degree) {
        return BERNSTEIN / degree;
    }

    /**
     * The minimax polynomial of even degree {@code degree}, fitted by Lawson's algorithm in the Chebyshev basis
     * (even T_k only: the best approximation of an even function is even).
     *
     * @return the measured uniform error
     */
    public static double polynomial(int degree) {
        if (degree < 0 || degree % 2 != 0) {
            throw new IllegalArgumentException("polynomial degree must be even and >= 0, got " + degree);
        }
        int k = degree / 2 + 1;
        LawsonMinimax.Basis basis = (x, out) -> {
            double t = Math.acos(Math.max(-1.0, Math.min(1.0, x)));
            for (int j = 0; j < k; j++) {
                out[j] = Math.cos(2 * j * t);
            }
        };
        return error(LawsonMinimax.fit(basis, k, Math::abs, FIT_GRID, MAX_LAWSON, LAWSON_TOLERANCE).function());
    }

    /**
     * A fitted rational of type (n, n), n even, in a well-conditioned form: fixed poles at ±i·σ_j clustered
     * towards 0 with tapered exponential spacing σ_j = exp(−π√2 (√K − √j)), j = 1..K, plus a polynomial part in
     * x² of degree P:
     * r(x) = c_0 + Σ_j c_j x²/(x² + σ_j²) + Σ_{q=1..P} d_q x^{2q}, a rational of type (2K + 2P, 2K) with
     * K + P = n/2. The linear coefficients are minimax-fitted by Lawson's algorithm; P ∈ [0, √K + 1] is chosen
     * by the smallest error. Its error bounds the best type-(n, n) error from above.
     *
     * @return the measured uniform error of the best P
     */
    public static double lightningRational(int n) {
        if (n < 2 || n % 2 != 0) {
            throw new IllegalArgumentException("type (n, n) needs an even n >= 2, got " + n);
        }
        int half = n / 2;
        double best = Double.POSITIVE_INFINITY;
        for (int p = 0; p <= Math.min(half - 1, (int) Math.sqrt(half) + 1); p++) {
            int poles = half - p;
            double[] sigma = new double[poles];
            for (int j = 1; j <= poles; j++) {
                sigma[j - 1] = Math.exp(-TAPER * (Math.sqrt(poles) - Math.sqrt(j)));
            }
            int polyDegree = p;
            LawsonMinimax.Basis basis = (x, out) -> {
                double x2 = x * x;
                out[0] = 1.0;
                for (int j = 0; j < poles; j++) {
                    out[1 + j] = x2 / (x2 + sigma[j] * sigma[j]);
                }
                double power = 1.0;
                for (int q = 1; q <= polyDegree; q++) {
                    power *= x2;
                    out[poles + q] = power;
                }
            };
            LawsonMinimax.Fit fit = LawsonMinimax.fit(basis, 1 + poles + p, Math::abs, FIT_GRID, MAX_LAWSON,
                    LAWSON_TOLERANCE);
            best = Math.min(best, error(fit.function()));
        }
        return best;
    }

    /**
     * Newman's explicit rational of type (n, n), n even: r(x) = x·(p(x) − p(−x))/(p(x) + p(−x)) with
     * p(x) = ∏_{k=0..n−1} (x + a^k), a = e^{−1/√n}; its error is at most 3·e^{−√n} (Newman 1964).
     *
     * @return the measured uniform error
     */
    public static double newman(int n) {
        if (n < 2 || n % 2 != 0) {
            throw new IllegalArgumentException("Newman's rational of type (n, n) needs an even n >= 2, got " + n);
        }
        double a = Math.exp(-1.0 / Math.sqrt(n));
        DoubleUnaryOperator r = x -> {
            // p(−x)/p(x) as a product of bounded ratios: no overflow for any n
            double ratio = 1.0;
            double ax = Math.abs(x);
            for (int k = 0; k < n; k++) {
                double c = Math.pow(a, k);
                ratio *= (c - ax) / (c + ax);
            }
            return ax * (1 - ratio) / (1 + ratio);
        };
        return error(r);
    }

    /**
     * The library's near-minimax fit ({@link RationalFit}) of type (n, n), version N (an unrestricted
     * denominator), normalised Q(0) = 1 in the monomial basis with bounded coefficients: built for activation
     * initialisation, it follows the best rate only for small n.
     *
     * @return the fit's uniform error
     */
    public static double rationalFit(int n) {
        return RationalFit.fit(TargetFunction.ABS, RationalVersion.N, n, n, -1, 1).uniformError();
    }

    /** Measured uniform error of {@code r} against |x| on the verification grid. */
    public static double error(DoubleUnaryOperator r) {
        double max = 0;
        for (double x : VERIFICATION_GRID) {
            double e = Math.abs(r.applyAsDouble(x) - Math.abs(x));
            if (!(e <= Double.MAX_VALUE)) {
                return Double.POSITIVE_INFINITY;
            }
            max = Math.max(max, e);
        }
        return max;
    }

    /** The verification grid (a copy). */
    public static double[] verificationGrid() {
        return VERIFICATION_GRID.clone();
    }

    /** Chebyshev points, plus ±10^e for e from log10(smallest) to 0 in steps of 1/perDecade, plus 0. */
    static double[] grid(int chebyshev, double smallest, int perDecade) {
        DoubleStream cheb = DoubleStream.iterate(0, i -> i + 1).limit(chebyshev + 1L)
                .map(i -> Math.cos(Math.PI * i / chebyshev));
        int decades = (int) Math.round(-Math.log10(smallest) * perDecade);
        DoubleStream geometric = DoubleStream.iterate(0, i -> i + 1).limit(decades)
                .map(i -> Math.pow(10.0, Math.log10(smallest) + i / perDecade))
                .flatMap(x -> DoubleStream.of(x, -x));
        double[] all = DoubleStream.concat(DoubleStream.concat(cheb, geometric), DoubleStream.of(0.0)).toArray();
        Arrays.sort(all);
        return all;
    }
}
