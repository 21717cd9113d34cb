package org.rationalnn.dl4j.rational;

import java.util.Arrays;

import org.hipparchus.exception.MathRuntimeException;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.ArrayRealVector;
import org.hipparchus.linear.QRDecomposition;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.RealVector;
import org.hipparchus.optim.ConvergenceChecker;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LeastSquaresBuilder;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LeastSquaresProblem;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LeastSquaresProblem.Evaluation;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LevenbergMarquardtOptimizer;
import org.hipparchus.optim.nonlinear.vector.leastsquares.MultivariateJacobianFunction;
import org.hipparchus.util.Pair;

/**
 * The least-squares part of a fit: starting points (linearised and polynomial least squares, solved by a ridge
 * QR) and nonlinear least squares on the fit grid by Hipparchus' {@link LevenbergMarquardtOptimizer} with the
 * analytic Jacobian of {@link RationalFunction#gradients}.
 */
final class LeastSquares {
    /** Ridge factor on the scaled coefficients in least squares (keeps magnitudes sane). */
    private static final double RIDGE = 1e-6;

    private static final LevenbergMarquardtOptimizer OPTIMIZER = new LevenbergMarquardtOptimizer();

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

    /** Levenberg–Marquardt on the free coefficients, weighted by w (null: uniform), at most maxIter steps. */
    double[] lm(boolean[] free, double[] start, double[] w, int maxIter) {
        double[] ts = pb.ts;
        int[] idx = pb.freeIndices(free);
        double[] sw = new double[ts.length];
        for (int j = 0; j < ts.length; j++) {
            sw[j] = w == null ? 1.0 / Math.sqrt(ts.length) : Math.sqrt(w[j]);
        }
        Model model = new Model(pb, sw, idx, start);
        double[] x0 = new double[idx.length];
        for (int k = 0; k < idx.length; k++) {
            x0[k] = start[idx[k]];
        }
        ConvergenceChecker<Evaluation> checker = (iteration, previous, current) -> iteration >= maxIter
                || Math.abs(previous.getCost() - current.getCost()) <= 1e-10 * previous.getCost();
        LeastSquaresProblem problem = new LeastSquaresBuilder()
                .model(model)
                .target(new double[model.rows])
                .start(x0)
                .checker(checker)
                .maxIterations(maxIter + 10)
                .maxEvaluations(20 * maxIter + 100)
                .build();
        double[] sol;
        try {
            sol = OPTIMIZER.optimize(problem).getPoint().toArray();
        } catch (MathRuntimeException ex) {
            // iteration/evaluation limits or tolerance exhaustion: keep the best point evaluated
            sol = model.bestPoint != null ? model.bestPoint : x0;
        }
        return model.expand(sol);
    }

    /** Weighted residuals sw_j·(R(t_j) − y_j) and their Jacobian in the free coefficients, plus ridge rows. */
    private static final class Model implements MultivariateJacobianFunction {
        final FitProblem pb;
        final double[] sw;
        final int[] idx;
        final double[] base;
        /** Ridge factor per free coefficient: RIDGE for the numerator, RIDGE·max|f| for the denominator. */
        final double[] ridge;
        final int rows;
        double bestCost = Double.POSITIVE_INFINITY;
        double[] bestPoint;

        Model(FitProblem pb, double[] sw, int[] idx, double[] base) {
            this.pb = pb;
            this.sw = sw;
            this.idx = idx;
            this.base = base;
            this.ridge = new double[idx.length];
            for (int k = 0; k < idx.length; k++) {
                ridge[k] = idx[k] <= pb.m ? RIDGE : RIDGE * pb.yScale;
            }
            this.rows = pb.ts.length + idx.length;
        }

        double[] expand(double[] free) {
            double[] full = base.clone();
            for (int k = 0; k < idx.length; k++) {
                full[idx[k]] = free[k];
            }
            return full;
        }

        @Override
        public Pair<RealVector, RealMatrix> value(RealVector point) {
            double[] pf = point.toArray();
            double[] p = expand(pf);
            int nf = idx.length;
            double[] t = pb.ts;
            double[] y = pb.ys;
            double[] res = new double[rows];
            double[][] jac = new double[rows][nf];
            double[] grad = new double[pb.np];
            double[] dB = new double[pb.n];
            double cost = 0;
            for (int j = 0; j < t.length; j++) {
                double r = sw[j] * pb.gradientRow(p, t[j], y[j], grad, dB);
                res[j] = r;
                cost += r * r;
                double[] row = jac[j];
                for (int k = 0; k < nf; k++) {
                    row[k] = sw[j] * grad[idx[k]];
                }
            }
            for (int k = 0; k < nf; k++) {
                res[t.length + k] = ridge[k] * pf[k];
                jac[t.length + k][k] = ridge[k];
                cost += res[t.length + k] * res[t.length + k];
            }
            if (cost < bestCost) {
                bestCost = cost;
                bestPoint = pf;
            }
            return new Pair<>(new ArrayRealVector(res, false), new Array2DRowRealMatrix(jac, false));
        }
    }
}
