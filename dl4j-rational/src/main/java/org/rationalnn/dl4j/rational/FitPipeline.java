package org.rationalnn.dl4j.rational;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The sequence of one fit: least-squares candidates from several starts, the minimax polish of the best distinct
 * ones (and of the padded lower-degree fit), the polynomial candidate for m ≤ n, and the choice of the best by
 * the dense-grid error.
 */
final class FitPipeline {
    /** LM iterations for the least-squares phase. */
    private static final int LS_ITERATIONS = 25;
    /** Distinct least-squares candidates that are polished. */
    private static final int POLISH_STARTS = 3;

    private final FitProblem pb;
    private final LeastSquares ls;
    private final MinimaxPolish polish;

    FitPipeline(FitProblem problem) {
        this.pb = problem;
        this.ls = new LeastSquares(problem);
        this.polish = new MinimaxPolish(problem, ls);
    }

    /** The whole pipeline; returns scaled coefficients that are acceptable for the version. */
    double[] fit(double[] lowerStart) {
        int np = pb.np;
        int m = pb.m;
        boolean[] free = new boolean[np];
        Arrays.fill(free, true);
        List<double[]> starts = new ArrayList<>();
        double[] lin = ls.linearStart(false);
        if (lin != null) {
            starts.add(lin);
        }
        starts.add(ls.polynomialStart());
        if (pb.v != RationalVersion.C && pb.n >= 2) {
            double[] even = ls.linearStart(true);
            if (even != null) {
                starts.add(even);
            }
        }
        List<double[]> cands = new ArrayList<>();
        List<Double> errs = new ArrayList<>();
        for (double[] st : starts) {
            double[] p = ls.lm(free, st, null, LS_ITERATIONS);
            if (!pb.acceptable(p)) {
                p = st;
            }
            if (pb.acceptable(p)) {
                double e = pb.gridError(p);
                int at = 0;
                while (at < errs.size() && errs.get(at) <= e) {
                    at++;
                }
                cands.add(at, p);
                errs.add(at, e);
            }
        }
        if (!errs.isEmpty() && errs.get(0) <= pb.negligible) {
            return cands.get(0);
        }
        if (cands.isEmpty()) {
            cands.add(ls.polynomialFallback(free));
        }
        // polish the best distinct least-squares candidates, and the lower-degree fit
        List<double[]> toPolish = new ArrayList<>();
        for (double[] c : cands) {
            if (toPolish.size() < POLISH_STARTS && !pb.nearDuplicate(c, toPolish)) {
                toPolish.add(c);
            }
        }
        if (lowerStart != null && pb.acceptable(lowerStart)) {
            toPolish.add(lowerStart);
        }
        double[] best = null;
        double bestErr = Double.POSITIVE_INFINITY;
        for (int c = 0; c < toPolish.size() && bestErr > pb.negligible; c++) {
            double[] p = polish.polish(free, toPolish.get(c));
            double e = pb.scan(p).max;
            if (e < bestErr || best == null) {
                best = p;
                bestErr = e;
            }
        }
        if (m <= pb.n && bestErr > pb.negligible) {
            // a weak numerator: make sure the result is no worse than the minimax polynomial (Q = 1)
            boolean[] numeratorOnly = new boolean[np];
            Arrays.fill(numeratorOnly, 0, m + 1, true);
            double[] poly = ls.constantDenominatorStart();
            double[] p = polish.polish(numeratorOnly, poly);
            double e = pb.scan(p).max;
            if (e < bestErr) {
                best = p;
            }
        }
        return best;
    }

    /** The polish of {@link MinimaxPolish} (for the version-N guard of the caller). */
    double[] polish(boolean[] free, double[] start) {
        return polish.polish(free, start);
    }

    /** The last-resort start of {@link LeastSquares#polynomialFallback}. */
    double[] polynomialFallback(boolean[] free) {
        return ls.polynomialFallback(free);
    }
}
