package org.rationalnn.dl4j.rational;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.hipparchus.exception.LocalizedCoreFormats;
import org.hipparchus.exception.MathRuntimeException;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.ArrayRealVector;
import org.hipparchus.linear.QRDecomposition;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.RealVector;
import org.hipparchus.optim.ConvergenceChecker;
import org.hipparchus.optim.LocalizedOptimFormats;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LeastSquaresBuilder;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LeastSquaresProblem;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LeastSquaresProblem.Evaluation;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LevenbergMarquardtOptimizer;
import org.hipparchus.optim.nonlinear.vector.leastsquares.MultivariateJacobianFunction;
import org.hipparchus.util.Pair;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The least-squares part of a fit: starting points (linearised and polynomial least squares, solved by a ridge
 * QR) and nonlinear least squares on the fit grid by Hipparchus' {@link LevenbergMarquardtOptimizer} with the
 * analytic Jacobian of {@link RationalFunction#gradients}.
 */
final class LeastSquares {
    /** Ridge factor on the scaled coefficients in least squares (keeps magnitudes sane). */
    private static final double RIDGE = 1e-6;

    private static final LevenbergMarquardtOptimizer OPTIMIZER = new LevenbergMarquardtOptimizer();
    private static final Logger LOG = LoggerFactory.getLogger(LeastSquares.class);

    private final FitProblem pb;

    LeastSquares(FitProblem problem) {
        this.pb = problem;
    }

    // ------------------------------------------------------------------------------------------ starts

    /** Least-squares polynomial P with a small denominator that still has a non-zero gradient. */
    double[] polynomialStart() {
        int m = pb.m;
        double[] ts = pb.ts;
        double[] p = new double[pb.np];
        double[][] a = new double[ts.length][m + 1];
        for (int j = 0; j < ts.length; j++) {
            double pw = 1;
            for (int i = 0; i <= m; i++) {
                a[j][i] = pw;
                pw *= ts[j];
            }
        }
        System.arraycopy(ridgeSolve(a, pb.ys), 0, p, 0, m + 1);
        switch (pb.v) {
            case A:
                Arrays.fill(p, m + 1, pb.np, 1e-2);
                break;
            case B:
            case D:
                // T = 0.01 t^2 (or 0.01 t): |T| has a non-zero gradient, Q stays close to 1
                p[m + 1 + (pb.n >= 2 ? 1 : 0)] = 1e-2;
                break;
            case C:
                // Q = 0.1 + |0.9| = 1
                p[m + 1] = 0.9;
                break;
            default:
                break;
        }
        return p;
    }

    /**
     * The last resort when no start is acceptable: the least-squares polynomial start; for version N with
     * Q = 1 (pole-free by construction) and the denominator coefficients fixed in {@code free}.
     */
    double[] polynomialFallback(boolean[] free) {
        double[] poly = polynomialStart();
        if (pb.v == RationalVersion.N) {
            Arrays.fill(poly, pb.m + 1, pb.np, 0.0);
            Arrays.fill(free, pb.m + 1, pb.np, false);
        }
        return poly;
    }

    /** The least-squares polynomial with Q = 1 (denominator coefficients 0; for C, b_0 = 0.9). */
    double[] constantDenominatorStart() {
        double[] poly = polynomialStart();
        Arrays.fill(poly, pb.m + 1, pb.np, 0.0);
        if (pb.v == RationalVersion.C) {
            poly[pb.m + 1] = 0.9;
        }
        return poly;
    }

    /**
     * Linearised least squares P(t) − y·T(t) = offset·y (with {@code even}: only the even powers of T, whose
     * coefficients are then made non-negative, so T ≥ 0); version A takes |β|. Null if not finite.
     */
    double[] linearStart(boolean even) {
        RationalVersion v = pb.v;
        int m = pb.m;
        int n = pb.n;
        int np = pb.np;
        double[] ts = pb.ts;
        double[] ys = pb.ys;
        int fp = v.firstPower();
        double off = v.offset();
        double[][] a = new double[ts.length][np];
        double[] rhs = new double[ts.length];
        for (int j = 0; j < ts.length; j++) {
            double t = ts[j];
            double pw = 1;
            for (int i = 0; i <= m; i++) {
                a[j][i] = pw;
                pw *= t;
            }
            pw = fp == 0 ? 1 : t;
            for (int k = 0; k < n; k++) {
                a[j][m + 1 + k] = even && (k + fp) % 2 != 0 ? 0.0 : -ys[j] * pw;
                pw *= t;
            }
            rhs[j] = off * ys[j];
        }
        double[] sol = ridgeSolve(a, rhs);
        for (int i = 0; i < np; i++) {
            if (!Double.isFinite(sol[i])) {
                return null;
            }
            if (i > m && (v == RationalVersion.A || even)) {
                sol[i] = Math.abs(sol[i]);
            }
        }
        return sol;
    }

    /** Magnitudes of the scaled denominator coefficients of the pattern starts. */
    private static final double[] PATTERN_MAGNITUDES = {0.1, 1.0, 10.0};

    /**
     * Starts with a fixed denominator pattern and the least-squares numerator for it: for d in {0.1, 1, 10},
     * β = d·(1, 1, ..., 1), and (not for version A, whose signs are irrelevant and whose Q is even) β with
     * alternating signs, with the odd powers only and with the even powers only. Least squares thus also
     * explores denominators far from Q = 1, e.g. the large odd terms with which B, C and D approximate |x|.
     */
    List<double[]> patternStarts() {
        List<double[]> out = new ArrayList<>();
        int patterns = pb.v == RationalVersion.A ? 1 : 4;
        int fp = pb.v.firstPower();
        for (double d : PATTERN_MAGNITUDES) {
            for (int pat = 0; pat < patterns; pat++) {
                double[] p = new double[pb.np];
                for (int k = 0; k < pb.n; k++) {
                    boolean odd = (k + fp) % 2 == 1;
                    double c = pat == 1 && k % 2 == 1 ? -d : d;
                    p[pb.m + 1 + k] = pat == 2 && !odd || pat == 3 && odd ? 0.0 : c;
                }
                if (pat == 3 && (pb.n == 1 && fp == 1)) {
                    continue;
                }
                double[] a = numeratorFor(p);
                if (a != null) {
                    System.arraycopy(a, 0, p, 0, pb.m + 1);
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** The least-squares numerator for the denominator of p: min Σ_j (P(t_j)/Q(t_j) − y_j)²; null if not finite. */
    double[] numeratorFor(double[] p) {
        int m = pb.m;
        double[] ts = pb.ts;
        double[][] a = new double[ts.length][m + 1];
        for (int j = 0; j < ts.length; j++) {
            double q = pb.v.denominator(ts[j], p, m + 1, pb.n);
            double pw = 1 / q;
            for (int i = 0; i <= m; i++) {
                a[j][i] = pw;
                pw *= ts[j];
            }
        }
        double[] sol = ridgeSolve(a, pb.ys);
        for (double c : sol) {
            if (!Double.isFinite(c)) {
                return null;
            }
        }
        return sol;
    }

    /** Least squares with column scaling and a tiny ridge, by Hipparchus' QR (copes with rank deficiency). */
    static double[] ridgeSolve(double[][] a, double[] rhs) {
        int rows = a.length;
        int cols = a[0].length;
        double[] norm = new double[cols];
        for (int c = 0; c < cols; c++) {
            double ss = 0;
            for (double[] row : a) {
                ss += row[c] * row[c];
            }
            norm[c] = ss > 0 ? Math.sqrt(ss) : 1.0;
        }
        double[][] aa = new double[rows + cols][cols];
        double[] bb = new double[rows + cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                aa[r][c] = a[r][c] / norm[c];
            }
            bb[r] = rhs[r];
        }
        for (int c = 0; c < cols; c++) {
            aa[rows + c][c] = 1e-7;
        }
        RealVector sol = new QRDecomposition(new Array2DRowRealMatrix(aa, false), 0.0).getSolver()
                .solve(new ArrayRealVector(bb, false));
        double[] out = sol.toArray();
        for (int c = 0; c < cols; c++) {
            out[c] /= norm[c];
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------ nonlinear

    /**
     * Levenberg–Marquardt on the free coefficients, weighted by w (null: uniform), at most {@code maxIter} steps,
     * inside the problem's box: each free coefficient is c = mid + half·tanh(u) with mid ± half the ends of its
     * box, and LM works on u (the start is projected into the box first). Returns the best point evaluated.
     * The optimizer's stops at its limits are expected and documented in {@link #expectedStop}.
     */
    double[] lm(boolean[] free, double[] start, double[] w, int maxIter) {
        return lm(free, start, w, maxIter, 1, 20 * maxIter + 100);
    }

    /**
     * As {@link #lm(boolean[], double[], double[], int)} on every {@code stride}-th point of the fit grid (a
     * cheaper problem for screening starts; w must be null unless stride is 1) with an explicit evaluation limit.
     */
    double[] lm(boolean[] free, double[] start, double[] w, int maxIter, int stride, int maxEvaluations) {
        int count = (pb.ts.length + stride - 1) / stride;
        double[] ts = new double[count];
        double[] ys = new double[count];
        double[] sw = new double[count];
        for (int j = 0; j < count; j++) {
            ts[j] = pb.ts[j * stride];
            ys[j] = pb.ys[j * stride];
            sw[j] = w == null ? 1.0 / Math.sqrt(count) : Math.sqrt(w[j * stride]);
        }
        int[] idx = pb.freeIndices(free);
        Model model = new Model(pb, ts, ys, sw, idx, pb.project(start));
        double[] u0 = model.toFree(model.base);
        ConvergenceChecker<Evaluation> checker = (iteration, previous, current) -> iteration >= maxIter
                || Math.abs(previous.getCost() - current.getCost()) <= 1e-10 * previous.getCost();
        LeastSquaresProblem problem = new LeastSquaresBuilder()
                .model(model)
                .target(new double[model.rows])
                .start(u0)
                .checker(checker)
                .maxIterations(maxIter + 10)
                .maxEvaluations(maxEvaluations)
                .build();
        double[] sol;
        try {
            sol = OPTIMIZER.optimize(problem).getPoint().toArray();
            if (model.bestPoint != null && model.bestCost < model.cost(sol)) {
                sol = model.bestPoint;
            }
        } catch (MathRuntimeException ex) {
            if (!expectedStop(ex)) {
                throw new IllegalStateException("least-squares fit failed (" + pb.v + ", m = " + pb.m
                        + ", " + pb.n + " denominator coefficients): " + ex.getMessage(), ex);
            }
            LOG.debug("least squares stopped early, keeping the best point evaluated: {}", ex.getMessage());
            sol = model.bestPoint != null ? model.bestPoint : u0;
        }
        return model.expand(sol);
    }

    /**
     * Whether an exception of Hipparchus' LM is one of its expected stops, after which the best point evaluated
     * so far is the result: an iteration or evaluation limit ({@code MAX_COUNT_EXCEEDED}); a tolerance that
     * allows no further reduction at double precision ({@code TOO_SMALL_COST_RELATIVE_TOLERANCE},
     * {@code TOO_SMALL_PARAMETERS_RELATIVE_TOLERANCE}, {@code TOO_SMALL_ORTHOGONALITY_TOLERANCE}: converged as
     * far as doubles go); a Jacobian that cannot be factorised ({@code UNABLE_TO_PERFORM_QR_DECOMPOSITION_ON_JACOBIAN},
     * a trial point where R is not finite, e.g. a pole of version N between grid points). Anything else is a
     * failure.
     */
    static boolean expectedStop(MathRuntimeException ex) {
        Object what = ex.getSpecifier();
        return what == LocalizedCoreFormats.MAX_COUNT_EXCEEDED
                || what == LocalizedOptimFormats.TOO_SMALL_COST_RELATIVE_TOLERANCE
                || what == LocalizedOptimFormats.TOO_SMALL_PARAMETERS_RELATIVE_TOLERANCE
                || what == LocalizedOptimFormats.TOO_SMALL_ORTHOGONALITY_TOLERANCE
                || what == LocalizedOptimFormats.UNABLE_TO_PERFORM_QR_DECOMPOSITION_ON_JACOBIAN;
    }

    /**
     * Weighted residuals sw_j·(R(t_j) − y_j) and their Jacobian in the free variables u (c = mid + half·tanh u),
     * plus ridge rows on the coefficients c; remembers the best point evaluated.
     */
    private static final class Model implements MultivariateJacobianFunction {
        final FitProblem pb;
        final double[] t;
        final double[] y;
        final double[] sw;
        final int[] idx;
        final double[] base;
        final double[] mid;
        final double[] half;
        /** Ridge factor per free coefficient: RIDGE for the numerator, RIDGE·max|f| for the denominator. */
        final double[] ridge;
        final int rows;
        double bestCost = Double.POSITIVE_INFINITY;
        double[] bestPoint;

        Model(FitProblem pb, double[] t, double[] y, double[] sw, int[] idx, double[] base) {
            this.pb = pb;
            this.t = t;
            this.y = y;
            this.sw = sw;
            this.idx = idx;
            this.base = base;
            this.ridge = new double[idx.length];
            this.mid = new double[idx.length];
            this.half = new double[idx.length];
            for (int k = 0; k < idx.length; k++) {
                ridge[k] = idx[k] <= pb.m ? RIDGE : RIDGE * pb.yScale;
                mid[k] = 0.5 * (pb.lower(idx[k]) + pb.upper(idx[k]));
                half[k] = 0.5 * (pb.upper(idx[k]) - pb.lower(idx[k]));
            }
            this.rows = t.length + idx.length;
        }

        /** The free variables u of the (projected) coefficients p, kept 1e-12 (relative) inside the box. */
        double[] toFree(double[] p) {
            double[] u = new double[idx.length];
            for (int k = 0; k < idx.length; k++) {
                double r = half[k] > 0 ? (p[idx[k]] - mid[k]) / half[k] : 0.0;
                r = Math.max(-1 + 1e-12, Math.min(1 - 1e-12, r));
                u[k] = 0.5 * Math.log((1 + r) / (1 - r));
            }
            return u;
        }

        double[] expand(double[] u) {
            double[] full = base.clone();
            for (int k = 0; k < idx.length; k++) {
                full[idx[k]] = Math.min(pb.upper(idx[k]), Math.max(pb.lower(idx[k]), mid[k] + half[k] * Math.tanh(u[k])));
            }
            return full;
        }

        double cost(double[] u) {
            return evaluate(u, null, null);
        }

        /** The cost at u; fills the residuals and the Jacobian if given. */
        private double evaluate(double[] u, double[] res, double[][] jac) {
            double[] p = expand(u);
            int nf = idx.length;
            double[] grad = new double[pb.np];
            double[] dB = new double[pb.n];
            double[] dc = new double[nf];
            for (int k = 0; k < nf; k++) {
                double th = Math.tanh(u[k]);
                dc[k] = half[k] * (1 - th * th);
            }
            double cost = 0;
            for (int j = 0; j < t.length; j++) {
                double r = sw[j] * pb.gradientRow(p, t[j], y[j], grad, dB);
                cost += r * r;
                if (res != null) {
                    res[j] = r;
                    double[] row = jac[j];
                    for (int k = 0; k < nf; k++) {
                        row[k] = sw[j] * grad[idx[k]] * dc[k];
                    }
                }
            }
            for (int k = 0; k < nf; k++) {
                double rr = ridge[k] * p[idx[k]];
                cost += rr * rr;
                if (res != null) {
                    res[t.length + k] = rr;
                    jac[t.length + k][k] = ridge[k] * dc[k];
                }
            }
            return cost;
        }

        @Override
        public Pair<RealVector, RealMatrix> value(RealVector point) {
            double[] u = point.toArray();
            double[] res = new double[rows];
            double[][] jac = new double[rows][idx.length];
            double cost = evaluate(u, res, jac);
            if (cost < bestCost) {
                bestCost = cost;
                bestPoint = u;
            }
            return new Pair<>(new ArrayRealVector(res, false), new Array2DRowRealMatrix(jac, false));
        }
    }
}
