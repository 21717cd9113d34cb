package org.rationalnn.samples.approx;

import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.ArrayRealVector;
import org.hipparchus.linear.QRDecomposition;
import org.hipparchus.linear.RealVector;

import java.util.Objects;
import java.util.function.DoubleUnaryOperator;

/**
 * Discrete minimax fits of a linear combination of fixed basis functions, c_0·φ_0(x) + ... + c_{K−1}·φ_{K−1}(x),
 * to a target f on a grid of points, by Lawson's algorithm (iteratively reweighted least squares).
 *
 * <p>Each round solves the weighted least-squares problem min Σ w_i (Σ_k c_k φ_k(x_i) − f(x_i))² by QR
 * (Hipparchus), then updates w_i ← w_i·|r_i| and renormalises to Σ w_i = 1. For weights summing to one the
 * weighted root-mean-square residual is a lower bound of the grid's minimax error, and the largest residual of
 * any iterate is an upper bound, so the iteration stops once the two agree to the requested ratio. The result
 * is the iterate with the smallest largest residual.
 */
public final class LawsonMinimax {

    /** Basis functions evaluated at a point. */
    @FunctionalInterface
    public interface Basis {
        /** Writes φ_0(x) .. φ_{K−1}(x) into {@code out} (length K). */
        void evaluate(double x, double[] out);
    }

    /** The outcome of a fit: coefficients and the bracket [lower, upper] of the grid's minimax error. */
    public static final class Fit {
        private final double[] coefficients;
        private final double upper;
        private final double lower;
        private final int iterations;
        private final Basis basis;

        Fit(Basis basis, double[] coefficients, double upper, double lower, int iterations) {
            this.basis = basis;
            this.coefficients = coefficients.clone();
            this.upper = upper;
            this.lower = lower;
            this.iterations = iterations;
        }

        /** The fitted coefficients c_0..c_{K−1} (a copy). */
        public double[] coefficients() {
            return coefficients.clone();
        }

        /** Largest |residual| on the fit grid of the returned coefficients. */
        public double upper() {
            return upper;
        }

        /** A lower bound of the best possible largest |residual| on the fit grid. */
        public double lower() {
            return lower;
        }

        /** Lawson rounds done. */
        public int iterations() {
            return iterations;
        }

        /** The fitted function as an operator. */
        public DoubleUnaryOperator function() {
            double[] c = coefficients.clone();
            double[] phi = new double[c.length];
            return x -> {
                // a fresh buffer per call would be safer for threads; the operator is used by one thread
                basis.evaluate(x, phi);
                double s = 0;
                for (int k = 0; k < c.length; k++) {
                    s += c[k] * phi[k];
                }
                return s;
            };
        }
    }

    private LawsonMinimax() {
    }

    /**
     * Fits {@code f} on {@code points} with {@code size} basis functions.
     *
     * @param basis         the basis
     * @param size          number of basis functions K
     * @param f             the target
     * @param points        the fit grid (at least K points)
     * @param maxIterations most Lawson rounds
     * @param tolerance     stop once upper/lower ≤ 1 + tolerance
     * @return the best iterate
     */
    public static Fit fit(Basis basis, int size, DoubleUnaryOperator f, double[] points, int maxIterations,
                          double tolerance) {
        Objects.requireNonNull(basis, "basis");
        Objects.requireNonNull(f, "f");
        int m = points.length;
        if (size < 1 || m < size) {
            throw new IllegalArgumentException("need 1 <= basis size <= points, got size " + size + " and "
                    + m + " points");
        }
        double[][] a = new double[m][size];
        double[] y = new double[m];
        double[] w = new double[m];
        for (int i = 0; i < m; i++) {
            basis.evaluate(points[i], a[i]);
            y[i] = f.applyAsDouble(points[i]);
            w[i] = 1.0 / m;
        }
        double[] best = new double[size];
        double bestUpper = Double.POSITIVE_INFINITY;
        double lower = 0;
        double[][] wa = new double[m][size];
        double[] wy = new double[m];
        int it = 0;
        while (it < maxIterations) {
            it++;
            for (int i = 0; i < m; i++) {
                double s = Math.sqrt(w[i]);
                for (int k = 0; k < size; k++) {
                    wa[i][k] = s * a[i][k];
                }
                wy[i] = s * y[i];
            }
            RealVector c = new QRDecomposition(new Array2DRowRealMatrix(wa, false), 0.0).getSolver()
                    .solve(new ArrayRealVector(wy, false));
            double upper = 0;
            double weightedSq = 0;
            double[] r = new double[m];
            for (int i = 0; i < m; i++) {
                double s = -y[i];
                for (int k = 0; k < size; k++) {
                    s += c.getEntry(k) * a[i][k];
                }
                r[i] = s;
                upper = Math.max(upper, Math.abs(s));
                weightedSq += w[i] * s * s;
            }
            lower = Math.max(lower, Math.sqrt(weightedSq));
            if (upper < bestUpper) {
                bestUpper = upper;
                best = c.toArray();
            }
            if (bestUpper <= lower * (1 + tolerance) || upper == 0) {
                break;
            }
            double sum = 0;
            for (int i = 0; i < m; i++) {
                w[i] *= Math.abs(r[i]);
                sum += w[i];
            }
            for (int i = 0; i < m; i++) {
                w[i] /= sum;
            }
        }
        return new Fit(basis, best, bestUpper, lower, it);
    }
}
