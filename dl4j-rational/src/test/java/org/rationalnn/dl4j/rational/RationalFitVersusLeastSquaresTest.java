package org.rationalnn.dl4j.rational;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;

import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.ArrayRealVector;
import org.hipparchus.linear.QRDecomposition;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LeastSquaresBuilder;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LeastSquaresProblem;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LevenbergMarquardtOptimizer;
import org.hipparchus.optim.nonlinear.vector.leastsquares.MultivariateJacobianFunction;
import org.hipparchus.util.Pair;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fitter is at least as good, in uniform error on the dense grid ({@link RationalFit#uniformError}), as an
 * independent bounded least-squares fit with the same coefficient bound, for every target, type (5,4) and (3,2)
 * and version A, B, C, N on [-3, 3] (D is fitted as B).
 *
 * <p>The bound is the fitter's own (documented in {@link RationalFit}): in t = x / s, s = 3, |α_i| ≤ 1000·max|f|
 * and |β_k| ≤ 1000; for version A also the kink margin b_k ≥ δ_k = max(1e-3·s^-k, 1e-5) (in x; the same box the
 * fitter keeps, so that the reference cannot win by sitting on the kink of |b_k| that the fitter must avoid).
 * The reference is written here from scratch: Hipparchus' LM on c = mid + half·tanh(u) over 301 uniform points,
 * from six deterministic starts (least-squares numerator for the denominators d·(1, 1, ...) and d·(1, −1, ...),
 * d in {0.01, 0.3, 3}), keeping the start with the best uniform error.
 */
class RationalFitVersusLeastSquaresTest {
    private static final Logger LOG = LoggerFactory.getLogger(RationalFitVersusLeastSquaresTest.class);
    private static final double LO = -3;
    private static final double HI = 3;

    static Stream<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        for (TargetFunction f : TargetFunction.values()) {
            for (int[] d : new int[][] {{5, 4}, {3, 2}}) {
                for (RationalVersion v : new RationalVersion[] {RationalVersion.A, RationalVersion.B,
                        RationalVersion.C, RationalVersion.N}) {
                    list.add(Arguments.of(f, d[0], d[1], v));
                }
            }
        }
        return list.stream();
    }

    /** Fits the cases on every core first (fits are deterministic and cached; the tests then read the cache). */
    @BeforeAll
    static void fitInParallel() {
        cases().parallel().forEach(c -> {
            Object[] o = c.get();
            RationalFit.fit((TargetFunction) o[0], (RationalVersion) o[3], (int) o[1], (int) o[2], LO, HI);
        });
    }

    @ParameterizedTest(name = "{0} ({1},{2}) {3}")
    @MethodSource("cases")
    void fitterIsNoWorseThanBoundedLeastSquares(TargetFunction f, int m, int n, RationalVersion v) {
        FitResult fit = RationalFit.fit(f, v, m, n, LO, HI);
        RationalFunction ls = boundedLeastSquares(f::apply, v, m, n, LO, HI);
        assertNotNull(ls, "every least-squares start failed");
        double lsError = RationalFit.uniformError(ls, f::apply, LO, HI);
        double fitError = RationalFit.uniformError(fit.function(), f::apply, LO, HI);
        LOG.info("{} ({},{}) {}: fitter {} vs bounded least squares {}", f, m, n, v, fitError, lsError);
        // errors below 1e-12 of max|f| = 3 are rounding (exact fits of IDENTITY)
        assertTrue(fitError <= lsError * (1 + 1e-9) + 3e-12,
                "fitter " + fitError + " > bounded least squares " + lsError + ": " + fit + " vs " + ls);
    }

    /** Bounded least squares as described in the class comment; null if every start fails. */
    static RationalFunction boundedLeastSquares(DoubleUnaryOperator f, RationalVersion v, int m, int n, double lo,
                                                double hi) {
        double s = Math.max(Math.abs(lo), Math.abs(hi));
        int nb = v.denominatorLength(n);
        int np = m + 1 + nb;
        int k = 301;
        double[] t = new double[k];
        double[] y = new double[k];
        double ymax = 0;
        for (int j = 0; j < k; j++) {
            double x = lo + (hi - lo) * j / (k - 1.0);
            t[j] = x / s;
            y[j] = f.applyAsDouble(x);
            ymax = Math.max(ymax, Math.abs(y[j]));
        }
        double[] low = new double[np];
        double[] up = new double[np];
        for (int i = 0; i < np; i++) {
            up[i] = i <= m ? 1e3 * ymax : 1e3;
            low[i] = -up[i];
        }
        if (v == RationalVersion.A) {
            for (int j = 0; j < nb; j++) {
                int p = j + 1;
                double margin = Math.max(1e-3 / Math.pow(s, p), 1e-5 * Math.pow(s, p) <= 1e-2 ? 1e-5 : 0);
                // the box is in t: β = b·s^p, a hair inside so that b in x keeps the margin
                low[m + 1 + j] = margin * Math.pow(s, p) * (1 + 1e-9);
            }
        }
        MultivariateJacobianFunction model = point -> {
            double[] u = point.toArray();
            double[] c = new double[np];
            double[] dc = new double[np];
            for (int i = 0; i < np; i++) {
                double th = Math.tanh(u[i]);
                double half = 0.5 * (up[i] - low[i]);
                c[i] = 0.5 * (up[i] + low[i]) + half * th;
                dc[i] = half * (1 - th * th);
            }
            double[] res = new double[k];
            double[][] jac = new double[k][np];
            double[] dA = new double[m + 1];
            double[] dB = new double[nb];
            for (int j = 0; j < k; j++) {
                RationalFunction.gradients(v, c, 0, m + 1, c, m + 1, nb, t[j], dA, 0, dB, 0);
                res[j] = RationalFunction.value(v, c, 0, m + 1, c, m + 1, nb, t[j]) - y[j];
                for (int i = 0; i <= m; i++) {
                    jac[j][i] = dA[i] * dc[i];
                }
                for (int i = 0; i < nb; i++) {
                    jac[j][m + 1 + i] = dB[i] * dc[m + 1 + i];
                }
            }
            return new Pair<>(new ArrayRealVector(res, false), new Array2DRowRealMatrix(jac, false));
        };
        RationalFunction best = null;
        double bestError = Double.POSITIVE_INFINITY;
        for (double d : new double[] {0.01, 0.3, 3}) {
            for (boolean alternating : new boolean[] {false, true}) {
                double[] c0 = new double[np];
                for (int i = 0; i < nb; i++) {
                    c0[m + 1 + i] = alternating && i % 2 == 1 ? -d : d;
                }
                // the least-squares numerator for this denominator
                double[][] a = new double[k][m + 1];
                for (int j = 0; j < k; j++) {
                    double q = v.denominator(t[j], c0, m + 1, nb);
                    double pw = 1 / q;
                    for (int i = 0; i <= m; i++) {
                        a[j][i] = pw;
                        pw *= t[j];
                    }
                }
                double[] num = new QRDecomposition(new Array2DRowRealMatrix(a, false), 1e-13).getSolver()
                        .solve(new ArrayRealVector(y, false)).toArray();
                System.arraycopy(num, 0, c0, 0, m + 1);
                double[] u0 = new double[np];
                for (int i = 0; i < np; i++) {
                    double ci = v == RationalVersion.A && i > m ? Math.abs(c0[i]) : c0[i];
                    double r = (ci - 0.5 * (up[i] + low[i])) / (0.5 * (up[i] - low[i]));
                    r = Math.max(-1 + 1e-9, Math.min(1 - 1e-9, r));
                    u0[i] = 0.5 * Math.log((1 + r) / (1 - r));
                }
                double[] u;
                try {
                    LeastSquaresProblem problem = new LeastSquaresBuilder().model(model).target(new double[k])
                            .start(u0).maxEvaluations(100_000).maxIterations(100_000)
                            .checker((it, prev, cur) -> it >= 200
                                    || Math.abs(prev.getCost() - cur.getCost()) <= 1e-12 * prev.getCost())
                            .build();
                    u = new LevenbergMarquardtOptimizer().optimize(problem).getPoint().toArray();
                } catch (RuntimeException e) {
                    LOG.info("least-squares start d = {} alternating = {} failed: {}", d, alternating, e.toString());
                    continue;
                }
                double[] an = new double[m + 1];
                double[] bn = new double[nb];
                for (int i = 0; i < np; i++) {
                    double ci = 0.5 * (up[i] + low[i]) + 0.5 * (up[i] - low[i]) * Math.tanh(u[i]);
                    if (i <= m) {
                        an[i] = ci / Math.pow(s, i);
                    } else {
                        bn[i - m - 1] = ci / Math.pow(s, i - m - 1 + v.firstPower());
                    }
                }
                RationalFunction rf = new RationalFunction(v, an, bn);
                double e = RationalFit.uniformError(rf, f, lo, hi);
                if (e < bestError) {
                    bestError = e;
                    best = rf;
                }
            }
        }
        return best;
    }
}
