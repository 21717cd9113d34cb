package org.rationalnn.dl4j.rational;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.hipparchus.exception.LocalizedCoreFormats;
import org.hipparchus.exception.MathRuntimeException;
import org.hipparchus.optim.MaxIter;
import org.hipparchus.optim.PointValuePair;
import org.hipparchus.optim.linear.LinearConstraint;
import org.hipparchus.optim.linear.LinearConstraintSet;
import org.hipparchus.optim.linear.LinearObjectiveFunction;
import org.hipparchus.optim.linear.NonNegativeConstraint;
import org.hipparchus.optim.linear.PivotSelectionRule;
import org.hipparchus.optim.linear.Relationship;
import org.hipparchus.optim.linear.SimplexSolver;
import org.hipparchus.optim.nonlinear.scalar.GoalType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a least-squares solution towards the minimax one: a few rounds of Lawson's iteratively reweighted least
 * squares, then trust-region sequential linear programming on the error peaks (an exchange method in the spirit
 * of Remez) with dense-scan refinement passes. Every step is monotone in the maximum error.
 */
final class MinimaxPolish {
    /** Lawson rounds. */
    private static final int LAWSON_ROUNDS = 6;
    /** LM iterations per Lawson round. */
    private static final int LAWSON_INNER_ITERATIONS = 6;
    /** Trust-region SLP iterations per pass. */
    private static final int SLP_ITERATIONS = 60;
    /** Dense-scan refinement passes of the SLP polish. */
    private static final int REFINE_PASSES = 3;
    /** Local maxima of |r| below this fraction of the maximum are not SLP constraints. */
    private static final double PEAK_FRACTION = 0.25;
    /** Simplex iteration limit per LP row. */
    static final int LP_ITERATIONS_PER_ROW = 25;
    /** Simplex iterations allowed beyond those per row. */
    static final int LP_ITERATIONS_BASE = 100;

    private static final Logger LOG = LoggerFactory.getLogger(MinimaxPolish.class);

    private final FitProblem pb;
    private final LeastSquares ls;
    /** Simplex iteration limit: per LP row, plus a base (parameters for the tests of the solver's stop). */
    private final int lpIterationsPerRow;
    private final int lpIterationsBase;

    MinimaxPolish(FitProblem problem, LeastSquares leastSquares) {
        this(problem, leastSquares, LP_ITERATIONS_PER_ROW, LP_ITERATIONS_BASE);
    }

    MinimaxPolish(FitProblem problem, LeastSquares leastSquares, int lpIterationsPerRow, int lpIterationsBase) {
        this.pb = problem;
        this.ls = leastSquares;
        this.lpIterationsPerRow = lpIterationsPerRow;
        this.lpIterationsBase = lpIterationsBase;
    }

    /**
     * Linear inequalities A·c ≥ g on the coefficients that the SLP polish keeps (the kink margin's sign-definite
     * inner sum, see {@link FitPipeline}); the start must satisfy them.
     */
    static final class Inequalities {
        final double[][] a;
        final double[] g;

        Inequalities(double[][] a, double[] g) {
            this.a = a;
            this.g = g;
        }

        /** Whether p satisfies every inequality (to within rounding of the sum). */
        boolean hold(double[] p) {
            for (int r = 0; r < g.length; r++) {
                double s = 0;
                double mag = 0;
                for (int i = 0; i < p.length; i++) {
                    s += a[r][i] * p[i];
                    mag += Math.abs(a[r][i] * p[i]);
                }
                if (!(s >= g[r] - 1e-14 * mag)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Lawson, then the SLP polish with dense-scan refinement passes. */
    double[] polish(boolean[] free, double[] start) {
        return polish(free, start, null);
    }

    /**
     * As {@link #polish(boolean[], double[])}, keeping the inequalities (if not null: then without the Lawson
     * rounds, whose least squares cannot keep them).
     */
    double[] polish(boolean[] free, double[] start, Inequalities ineq) {
        double[] best = ineq == null ? lawson(free, start) : start;
        for (int pass = 0; pass <= REFINE_PASSES; pass++) {
            best = slp(free, best, ineq);
            double gridMax = peaks(best).max;
            ErrorScan scan = pb.scan(best);
            if (!(scan.max > gridMax * (1 + 1e-6)) || pass == REFINE_PASSES) {
                break;
            }
            pb.addPoints(scan.peaks);
        }
        return best;
    }

    /**
     * Lawson's iteratively reweighted least squares, LM warm-started every round; returns the acceptable
     * iterate with the smallest maximum grid error (the start if none is better).
     */
    double[] lawson(boolean[] free, double[] start) {
        double[] ts = pb.ts;
        double[] ys = pb.ys;
        int nPts = ts.length;
        double[] w = new double[nPts];
        Arrays.fill(w, 1.0 / nPts);
        double[] p = start;
        double[] best = start;
        double bestErr = pb.gridError(start);
        double[] r = new double[nPts];
        for (int round = 0; round < LAWSON_ROUNDS && bestErr > pb.negligible; round++) {
            // the weights of round 0 are uniform, so round 0 is the least-squares solution itself
            if (round > 0) {
                p = ls.lm(free, p, w, LAWSON_INNER_ITERATIONS);
            }
            double e = 0;
            for (int j = 0; j < nPts; j++) {
                r[j] = pb.residual(p, ts[j], ys[j]);
                e = Math.max(e, Math.abs(r[j]));
            }
            if (!(e < Double.POSITIVE_INFINITY)) {
                break;
            }
            if (e < bestErr && pb.acceptable(p)) {
                best = p;
                bestErr = e;
            }
            double sum = 0;
            for (int j = 0; j < nPts; j++) {
                w[j] *= Math.abs(r[j]);
                sum += w[j];
            }
            if (!(sum > 0)) {
                break;
            }
            double floor = 1e-14;
            double sum2 = 0;
            for (int j = 0; j < nPts; j++) {
                w[j] = Math.max(w[j] / sum, floor);
                sum2 += w[j];
            }
            for (int j = 0; j < nPts; j++) {
                w[j] /= sum2;
            }
        }
        return best;
    }

    /** Constraint points of the minimax LP: refined local maxima of |r|, their targets, and max |r|. */
    static final class Peaks {
        double[] t = new double[0];
        double[] y = new double[0];
        int count;
        double max;
    }

    /** Error peaks of p over the fit grid, each refined inside its grid cell by golden section. */
    Peaks peaks(double[] p) {
        double[] ts = pb.ts;
        double[] ys = pb.ys;
        Peaks pk = new Peaks();
        int nPts = ts.length;
        double[] a = new double[nPts];
        double max = 0;
        for (int j = 0; j < nPts; j++) {
            a[j] = Math.abs(pb.residual(p, ts[j], ys[j]));
            if (!(a[j] <= Double.MAX_VALUE)) {
                pk.max = Double.POSITIVE_INFINITY;
                return pk;
            }
            max = Math.max(max, a[j]);
        }
        int[] cand = ErrorScan.localMaxima(a, PEAK_FRACTION * max, 2 * pb.np + 8);
        double[] pt = new double[cand.length];
        double[] py = new double[cand.length];
        int c = 0;
        double[] arg = new double[1];
        double s = pb.s;
        for (int j : cand) {
            double t0 = ts[Math.max(0, j - 1)];
            double t1 = ts[Math.min(nPts - 1, j + 1)];
            double val = ErrorScan.goldenMax(t -> pb.residual(p, t, pb.g.applyAsDouble(t * s)), t0, t1, a[j], ts[j],
                    arg, 40);
            if (!(val <= Double.MAX_VALUE)) {
                pk.max = Double.POSITIVE_INFINITY;
                return pk;
            }
            max = Math.max(max, val);
            pt[c] = arg[0];
            py[c] = arg[0] == ts[j] ? ys[j] : pb.g.applyAsDouble(arg[0] * s);
            c++;
        }
        pk.t = pt;
        pk.y = py;
        pk.count = c;
        pk.max = max;
        return pk;
    }

    /**
     * Trust-region sequential linear programming for min_c max |r(c)| over the error peaks: each step
     * linearises the residuals at the current peaks and solves min z s.t. |r_j + J_j·d| ≤ z, |D_i·d_i| ≤ Δ,
     * lower_i ≤ c_i + d_i ≤ upper_i (the problem's box, which holds version A's kink margin) with Hipparchus'
     * simplex solver (D_i: the largest |J_ji|, so Δ is in units of the function). A step is kept if the true
     * peak error decreases. Stops after {@value #SLP_ITERATIONS} steps, when the predicted decrease or the trust
     * region becomes negligible, or when the simplex solver reaches its iteration limit (see
     * {@link #solveLp}); the result is never worse on the peaks than the start.
     */
    double[] slp(boolean[] free, double[] start, Inequalities ineq) {
        int[] idx = pb.freeIndices(free);
        int nf = idx.length;
        double[] p = start;
        Peaks pk = peaks(p);
        if (!(pk.max < Double.POSITIVE_INFINITY)) {
            return p;
        }
        double delta = pk.max;
        double[] grad = new double[pb.np];
        double[] dB = new double[pb.n];
        for (int it = 0; it < SLP_ITERATIONS && pk.max > pb.negligible; it++) {
            int k = pk.count;
            double[][] jac = new double[k][nf];
            double[] r = new double[k];
            double[] dscale = new double[nf];
            for (int j = 0; j < k; j++) {
                r[j] = pb.gradientRow(p, pk.t[j], pk.y[j], grad, dB);
                for (int i = 0; i < nf; i++) {
                    jac[j][i] = grad[idx[i]];
                    dscale[i] = Math.max(dscale[i], Math.abs(jac[j][i]));
                }
            }
            double[] lower = new double[nf];
            double[] upper = new double[nf];
            for (int i = 0; i < nf; i++) {
                if (!(dscale[i] > 0) || !(dscale[i] < Double.POSITIVE_INFINITY)) {
                    dscale[i] = 1.0;
                }
                double c = p[idx[i]];
                lower[i] = Math.max(-delta, Math.min(0, (pb.lower(idx[i]) - c) * dscale[i]));
                upper[i] = Math.min(delta, Math.max(0, (pb.upper(idx[i]) - c) * dscale[i]));
            }
            double[] u = solveLp(jac, r, dscale, lower, upper, restricted(ineq, idx, dscale, lower, p),
                    lpIterationsPerRow, lpIterationsBase);
            if (u == null) {
                break;
            }
            double pred = pk.max - u[nf];
            if (!(pred > 1e-10 * pk.max)) {
                break;
            }
            double[] trial = p.clone();
            double stepMax = 0;
            for (int i = 0; i < nf; i++) {
                trial[idx[i]] += u[i] / dscale[i];
                stepMax = Math.max(stepMax, Math.abs(u[i]));
            }
            Peaks tp = pb.acceptable(trial) && (ineq == null || ineq.hold(trial)) ? peaks(trial) : null;
            double rho = tp == null ? -1 : (pk.max - tp.max) / pred;
            if (rho > 0.05) {
                p = trial;
                pk = tp;
                if (rho > 0.75 && stepMax > 0.5 * delta) {
                    delta *= 2;
                }
            } else {
                delta = 0.25 * Math.min(delta, stepMax);
                if (delta < 1e-12 * pk.max) {
                    break;
                }
            }
        }
        return p;
    }

    /**
     * The inequalities in the LP's variables v = u − lower (u_i = D_i·d_i): Σ_i (A_ri / D_i) v_i ≥ g_r − A_r·c −
     * Σ_i (A_ri / D_i)·lower_i, as rows {coefficients..., right-hand side}; null without inequalities.
     */
    private static double[][] restricted(Inequalities ineq, int[] idx, double[] dscale, double[] lower, double[] c) {
        if (ineq == null) {
            return null;
        }
        int nf = idx.length;
        double[][] rows = new double[ineq.g.length][nf + 1];
        for (int r = 0; r < ineq.g.length; r++) {
            double rhs = ineq.g[r];
            for (int i = 0; i < c.length; i++) {
                rhs -= ineq.a[r][i] * c[i];
            }
            for (int i = 0; i < nf; i++) {
                double a = ineq.a[r][idx[i]] / dscale[i];
                rows[r][i] = a;
                rhs -= a * lower[i];
            }
            // the current point satisfies the inequality: keep v = -lower feasible despite rounding, with the row
            // scaled to a largest entry of 1 and a little slack for the simplex solver's tolerances
            double at0 = -lowerDot(rows[r], lower, nf);
            double scale = 0;
            for (int i = 0; i < nf; i++) {
                scale = Math.max(scale, Math.abs(rows[r][i]));
            }
            if (!(scale > 0)) {
                rows[r] = null;
                continue;
            }
            for (int i = 0; i < nf; i++) {
                rows[r][i] /= scale;
            }
            rows[r][nf] = Math.min(rhs, at0) / scale - 1e-9 * (1 + Math.abs(at0 / scale));
        }
        return rows;
    }

    private static double lowerDot(double[] row, double[] lower, int nf) {
        double s = 0;
        for (int i = 0; i < nf; i++) {
            s += row[i] * lower[i];
        }
        return s;
    }

    /**
     * The LP in v = u − lower ≥ 0: min z s.t. |r_j + Σ_i (J_ji / D_i) u_i| ≤ z, lower ≤ u ≤ upper, and the extra
     * rows (Σ_i e_i v_i ≥ e_nf, see {@link #restricted}); solved in v / σ and z / σ, σ = max|r_j|, so that the
     * tableau is O(1) however small the error. Returns (u, z), or null, ending the SLP polish with its current
     * iterate (logged at debug level), when the simplex solver stops at its iteration limit
     * ({@code iterationsPerRow}·rows + {@code iterationsBase} pivots) or
     * fails with both Dantzig's and Bland's pivot rule. The LP is feasible (u = 0, z = max|r_j|, since
     * lower ≤ 0 ≤ upper and the extra rows hold at u = 0) and bounded (z ≥ 0) by construction; Hipparchus' simplex
     * can still report it infeasible or unbounded when it is highly degenerate, which happens near convergence
     * (many error peaks of equal height), so such a report ends the polish rather than the fit.
     */
    static double[] solveLp(double[][] jac, double[] r, double[] dscale, double[] lower, double[] upper,
                            double[][] extra, int iterationsPerRow, int iterationsBase) {
        int k = r.length;
        int nf = dscale.length;
        // the LP in w = v / σ and z / σ, σ = max|r_j|: every number of the tableau is O(1) even for tiny errors
        double sigma = 0;
        for (double rj : r) {
            sigma = Math.max(sigma, Math.abs(rj));
        }
        sigma = Math.max(sigma, Double.MIN_NORMAL);
        List<LinearConstraint> cons = new ArrayList<>(2 * k + nf);
        for (int j = 0; j < k; j++) {
            double[] cp = new double[nf + 1];
            double[] cm = new double[nf + 1];
            double shift = 0;
            for (int i = 0; i < nf; i++) {
                double a = jac[j][i] / dscale[i];
                cp[i] = a;
                cm[i] = -a;
                shift += a * lower[i];
            }
            cp[nf] = -1;
            cm[nf] = -1;
            cons.add(new LinearConstraint(cp, Relationship.LEQ, -(r[j] + shift) / sigma));
            cons.add(new LinearConstraint(cm, Relationship.LEQ, (r[j] + shift) / sigma));
        }
        for (int i = 0; i < nf; i++) {
            double[] cb = new double[nf + 1];
            cb[i] = 1;
            cons.add(new LinearConstraint(cb, Relationship.LEQ, (upper[i] - lower[i]) / sigma));
        }
        if (extra != null) {
            for (double[] row : extra) {
                if (row == null) {
                    continue;
                }
                double[] ce = Arrays.copyOf(row, nf + 1);
                ce[nf] = 0;
                cons.add(new LinearConstraint(ce, Relationship.GEQ, row[nf] / sigma));
            }
        }
        double[] obj = new double[nf + 1];
        obj[nf] = 1;
        LinearConstraintSet set = new LinearConstraintSet(cons);
        LinearObjectiveFunction objective = new LinearObjectiveFunction(obj, 0);
        MaxIter limit = new MaxIter(iterationsPerRow * cons.size() + iterationsBase);
        PointValuePair sol;
        try {
            sol = new SimplexSolver().optimize(limit, objective, set, GoalType.MINIMIZE,
                    new NonNegativeConstraint(true));
        } catch (MathRuntimeException first) {
            if (first.getSpecifier() == LocalizedCoreFormats.MAX_COUNT_EXCEEDED) {
                LOG.debug("minimax polish: simplex solver stopped at its iteration limit ({}); the SLP polish keeps "
                        + "its current iterate", first.getMessage());
                return null;
            }
            // Dantzig's rule can fail on degenerate LPs (many error peaks of equal height near convergence)
            try {
                sol = new SimplexSolver().optimize(limit, objective, set, GoalType.MINIMIZE,
                        new NonNegativeConstraint(true), PivotSelectionRule.BLAND);
            } catch (MathRuntimeException second) {
                LOG.debug("minimax polish: the simplex solver failed on a feasible, bounded LP ({} peaks, {} "
                        + "coefficients): {} / {} with Bland's rule; the SLP polish keeps its current iterate", k, nf,
                        first.getMessage(), second.getMessage());
                return null;
            }
        }
        double[] x = sol.getPoint();
        double[] out = new double[nf + 1];
        for (int i = 0; i < nf; i++) {
            out[i] = sigma * x[i] + lower[i];
        }
        out[nf] = sigma * x[nf];
        return out;
    }
}
