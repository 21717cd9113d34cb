package org.rationalnn.dl4j.rational;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sequence of one fit: bounded least squares from several starts, the minimax polish of the best distinct
 * candidates (and of the padded lower-degree fit), the polynomial candidate for m ≤ n, and the choice of the
 * candidate with the smallest dense-grid error among those that keep the {@link KinkMargin}, after repairing
 * the best ones that miss it ({@link #renormalised}, {@link #lift}, {@link #marginFallback}).
 */
final class FitPipeline {
    /** LM iterations for the least-squares phase. */
    private static final int LS_ITERATIONS = 25;
    /** LM iterations that screen the pattern starts. */
    private static final int LS_SCREEN_ITERATIONS = 8;
    /** The screening uses every this-many-th point of the fit grid. */
    private static final int LS_SCREEN_STRIDE = 3;
    /** Screened pattern starts that get the full least-squares phase. */
    private static final int PATTERNS_CONTINUED = 3;
    /** Distinct least-squares candidates that are polished. */
    private static final int POLISH_STARTS = 3;
    /** Uniform points of the sign-definite inner sum of {@link #lift}. */
    private static final int LIFT_POINTS = 61;
    /** Candidates missing the margin that {@link #lift} repairs (the best ones). */
    private static final int LIFTED_CANDIDATES = 2;

    private static final Logger LOG = LoggerFactory.getLogger(FitPipeline.class);

    private final FitProblem pb;
    private final LeastSquares ls;
    private final MinimaxPolish polish;

    FitPipeline(FitProblem problem) {
        this.pb = problem;
        this.ls = new LeastSquares(problem);
        this.polish = new MinimaxPolish(problem, ls);
    }

    /** Scaled coefficients and their dense-grid error. */
    private static final class Candidate {
        final double[] p;
        final double error;

        Candidate(double[] p, double error) {
            this.p = p;
            this.error = error;
        }
    }

    /** The whole pipeline; returns scaled coefficients that are acceptable and keep the kink margin. */
    double[] fit(double[] lowerStart) {
        boolean[] free = allFree();
        List<double[]> lsCands = leastSquaresCandidates(free);
        List<Candidate> cands = new ArrayList<>();
        if (lsCands.isEmpty()) {
            lsCands.add(ls.polynomialFallback(free));
        }
        if (pb.gridError(lsCands.get(0)) <= pb.negligible) {
            cands.add(scanned(lsCands.get(0)));
        } else {
            List<double[]> toPolish = new ArrayList<>();
            for (double[] c : lsCands) {
                if (toPolish.size() < POLISH_STARTS && !pb.nearDuplicate(c, toPolish)) {
                    toPolish.add(c);
                }
            }
            if (lowerStart != null && pb.acceptable(pb.project(lowerStart))) {
                toPolish.add(pb.project(lowerStart));
            }
            double bestErr = Double.POSITIVE_INFINITY;
            for (double[] start : toPolish) {
                // the start itself competes too: the result is never worse than the best least-squares candidate
                cands.add(scanned(start));
                if (bestErr > pb.negligible) {
                    Candidate c = scanned(polish.polish(free, start));
                    cands.add(c);
                    bestErr = Math.min(bestErr, c.error);
                }
            }
            if (pb.m <= pb.n && bestErr > pb.negligible) {
                // a weak numerator: make sure the result is no worse than the minimax polynomial (Q = 1)
                boolean[] numeratorOnly = new boolean[pb.np];
                Arrays.fill(numeratorOnly, 0, pb.m + 1, true);
                cands.add(scanned(polish.polish(numeratorOnly, pb.project(ls.constantDenominatorStart()))));
            }
        }
        return withinMargin(cands);
    }

    /**
     * Least-squares candidates, acceptable, ordered by their maximum error on the grid: {@value #LS_ITERATIONS} LM
     * steps from each of the linearised, polynomial and even-denominator starts; the pattern starts of
     * {@link LeastSquares#patternStarts} are screened by {@value #LS_SCREEN_ITERATIONS} steps each on every
     * {@value #LS_SCREEN_STRIDE}rd grid point, and the best
     * {@value #PATTERNS_CONTINUED} distinct ones get the full {@value #LS_ITERATIONS}.
     */
    private List<double[]> leastSquaresCandidates(boolean[] free) {
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
        for (double[] st : starts) {
            addSorted(cands, leastSquares(free, st, LS_ITERATIONS, 1));
        }
        List<double[]> screened = new ArrayList<>();
        for (double[] st : ls.patternStarts()) {
            addSorted(screened, leastSquares(free, st, LS_SCREEN_ITERATIONS, LS_SCREEN_STRIDE));
        }
        List<double[]> continued = new ArrayList<>();
        for (double[] c : screened) {
            if (continued.size() < PATTERNS_CONTINUED && !pb.nearDuplicate(c, continued)) {
                continued.add(c);
                addSorted(cands, leastSquares(free, c, LS_ITERATIONS, 1));
            }
        }
        return cands;
    }

    /** LM from the projected start; the start itself if LM's result is not acceptable; null if neither is. */
    private double[] leastSquares(boolean[] free, double[] raw, int iterations, int stride) {
        double[] st = pb.project(raw);
        double[] p = ls.lm(free, st, null, iterations, stride, 20 * iterations + 100);
        if (!pb.acceptable(p)) {
            p = st;
        }
        return pb.acceptable(p) ? p : null;
    }

    /** Inserts p (if not null) into the list ordered by maximum grid error. */
    private void addSorted(List<double[]> list, double[] p) {
        if (p == null) {
            return;
        }
        double e = pb.gridError(p);
        int at = 0;
        while (at < list.size() && pb.gridError(list.get(at)) <= e) {
            at++;
        }
        list.add(at, p);
    }

    private Candidate scanned(double[] p) {
        return new Candidate(p, pb.scan(p).max);
    }

    private boolean[] allFree() {
        boolean[] free = new boolean[pb.np];
        Arrays.fill(free, true);
        return free;
    }

    // ------------------------------------------------------------------------------------------ kink margin

    /**
     * The best candidate that keeps the kink margin: candidates are visited by increasing error; one that misses
     * the margin is repaired by a sign-definite inner sum ({@link #lift}, even and odd); if no candidate nor
     * repair keeps the margin, the function with a fixed margin denominator ({@link #marginFallback}).
     */
    private double[] withinMargin(List<Candidate> cands) {
        cands.sort(Comparator.comparingDouble(c -> c.error));
        if (!pb.v.absOfSum()) {
            // A keeps its margin by its box; N has no |.|
            return cands.get(0).p;
        }
        Candidate best = null;
        int lifted = 0;
        for (Candidate c : cands) {
            if (best != null && c.error >= best.error) {
                break;
            }
            if (keepsMargin(c.p)) {
                best = c;
                break;
            }
            if (pb.v == RationalVersion.C) {
                Candidate r = renormalised(c);
                if (r != null && keepsMargin(r.p)) {
                    if (best == null || r.error < best.error) {
                        best = r;
                    }
                    continue;
                }
            }
            if (lifted++ >= LIFTED_CANDIDATES) {
                continue;
            }
            for (boolean odd : new boolean[] {false, true}) {
                if (odd && best != null && best.error <= c.error * (1 + 1e-3)) {
                    break;
                }
                Candidate r = lift(c.p, odd);
                if (r != null && keepsMargin(r.p) && (best == null || r.error < best.error)) {
                    best = r;
                }
            }
        }
        if (best == null) {
            best = marginFallback();
            if (!keepsMargin(best.p)) {
                LOG.warn("rational fit {} (m = {}, {} denominator coefficients) on [{}, {}]: even the fixed margin "
                        + "denominator misses the kink margin (straddle fraction {})", pb.v, pb.m, pb.n, pb.lo,
                        pb.hi, KinkMargin.straddleFraction(pb.toFunction(best.p, pb.v), pb.lo, pb.hi));
            }
        }
        return best.p;
    }

    private boolean keepsMargin(double[] p) {
        return pb.acceptable(p) && KinkMargin.holds(pb.toFunction(p, pb.v), pb.lo, pb.hi);
    }

    /**
     * The margin terms an identically vanishing inner sum can be given, as {index, scaled margin}: for C the
     * constant (Q = 0.1 + 0.9 = 1); for B and D the t² term ({@link KinkMargin#evenTerm}: T ≥ 0, smooth, exact
     * for IDENTITY when m ≥ 3) and the t term (δ·t: costs an |x| kink of R at 0, but is far cheaper when the
     * numerator cannot absorb a t² term, m &lt; 3; {@link KinkMargin#oddTerm}).
     */
    private List<double[]> degenerateTerms() {
        List<double[]> terms = new ArrayList<>();
        int first = pb.m + 1;
        if (pb.v == RationalVersion.C) {
            terms.add(new double[] {first, KinkMargin.CONSTANT_TERM});
        } else {
            if (pb.n >= 2) {
                terms.add(new double[] {first + 1, KinkMargin.evenTerm(pb.lo, pb.hi)});
            }
            terms.add(new double[] {first, KinkMargin.oddTerm(pb.n, pb.s) * (1 + 1e-9)});
        }
        return terms;
    }

    /**
     * Version C's free repair. R = P/(0.1 + |T|) is unchanged when P and Q are both multiplied by λ, which for a
     * sign-definite inner sum (σ·T ≥ 0 on the interval) is T' = λ·T + σ·0.1·(λ − 1); least squares with its ridge
     * and the minimax polish like the representative with T(0) = b_0 ≈ 0, on the kink. With λ = 1 / min Q the
     * same function has min |T'| = 0.9 (Q' ≥ 1), far from the kink. A candidate whose T has the opposite sign
     * only where |T| is below the reference step h_0 is renormalised the same way (the function then changes
     * by less than that step, and is polished again when its error grew); null if T changes sign for real.
     */
    private Candidate renormalised(Candidate c) {
        double[] p = c.p;
        int first = pb.m + 1;
        double sigma = 1;
        double mx = -1;
        for (double t : pb.ts) {
            double tv = pb.v.innerSum(t, p, first, pb.n);
            if (Math.abs(tv) > mx) {
                mx = Math.abs(tv);
                sigma = RationalVersion.sign(tv);
            }
        }
        double minQ = Double.POSITIVE_INFINITY;
        for (double t : pb.ts) {
            double st = sigma * pb.v.innerSum(t, p, first, pb.n);
            if (st < -KinkMargin.referenceStep(0, pb.s)) {
                return null;
            }
            minQ = Math.min(minQ, pb.v.offset() + Math.max(0, st));
        }
        double lambda = 1 / minQ;
        double[] q = p.clone();
        for (int i = 0; i < pb.np; i++) {
            q[i] *= lambda;
        }
        q[first] += sigma * pb.v.offset() * (lambda - 1);
        if (!pb.acceptable(q)) {
            return null;
        }
        Candidate r = scanned(q);
        if (r.error > c.error * (1 + 1e-9)) {
            Candidate polished = scanned(polish.polish(allFree(), q));
            if (polished.error < r.error && keepsMargin(polished.p)) {
                r = polished;
            }
        }
        return r;
    }

    /**
     * Repairs a candidate whose inner sum T comes too close to 0 (T ≈ 0 everywhere, a root with a small slope,
     * a near tangency, version C's T(0) = b_0 ≈ 0) by making T sign-definite: S(x_j)·T(x_j) ≥
     * 2·{@link KinkMargin#straddleThreshold} at {@value #LIFT_POINTS} uniform points x_j, with S = σ (even: T
     * keeps the sign σ; C, and B/D for n ≥ 2) or S = σ·sign(x) (odd: T changes sign at 0 only; B and D), σ the
     * sign of S·T where |T| is largest. For B and D, whose T(0) = 0, the points within a quarter of the accepted
     * straddle fraction of 0 are left out. The start is lifted into these inequalities along one coefficient
     * (even: t², or the constant for C; odd: t), its numerator refitted by least squares when that is better on the
     * grid, and polished by SLP keeping the inequalities, so the result stays in differentiable territory.
     * Null where the structure does not exist (even for B/D with n = 1, odd for C).
     */
    private Candidate lift(double[] p, boolean odd) {
        RationalVersion v = pb.v;
        boolean c = v == RationalVersion.C;
        if (odd ? c : !c && pb.n < 2) {
            return null;
        }
        int e = pb.m + 1 + (c || odd ? 0 : 1);
        double sigma = 1;
        double mx = -1;
        for (double t : pb.ts) {
            double tv = v.innerSum(t, p, pb.m + 1, pb.n) * (odd ? RationalVersion.sign(t) : 1);
            if (Math.abs(tv) > mx) {
                mx = Math.abs(tv);
                sigma = RationalVersion.sign(tv);
            }
        }
        double hole = c ? -1 : KinkMargin.STRADDLE_FRACTION * (pb.hi - pb.lo) / 4;
        List<double[]> rows = new ArrayList<>();
        List<Double> rhs = new ArrayList<>();
        for (double x : liftPoints(hole)) {
            double t = x / pb.s;
            double sx = sigma * (odd ? RationalVersion.sign(t) : 1);
            double[] a = new double[pb.np];
            double pw = v.firstPower() == 0 ? 1 : t;
            for (int k = 0; k < pb.n; k++) {
                a[pb.m + 1 + k] = sx * pw;
                pw *= t;
            }
            rows.add(a);
            rhs.add(2 * KinkMargin.straddleThreshold(v, pb.n, x, pb.s));
        }
        double[][] am = rows.toArray(new double[0][]);
        double[] g = new double[rhs.size()];
        for (int r = 0; r < g.length; r++) {
            g[r] = rhs.get(r);
        }
        MinimaxPolish.Inequalities ineq = new MinimaxPolish.Inequalities(am, g);
        // lift along coefficient e: its row entries σ·S(x)·t^power are all ≥ 0 once multiplied by σ
        double[] q = p.clone();
        double shift = 0;
        for (int r = 0; r < g.length; r++) {
            double sum = 0;
            for (int i = 0; i < pb.np; i++) {
                sum += am[r][i] * q[i];
            }
            double dir = sigma * am[r][e];
            if (dir > 0) {
                shift = Math.max(shift, (g[r] - sum) / dir * 1.001);
            }
        }
        q[e] += sigma * shift;
        q = pb.project(q);
        double[] refit = q.clone();
        double[] a = ls.numeratorFor(refit);
        if (a != null) {
            System.arraycopy(a, 0, refit, 0, pb.m + 1);
            if (pb.acceptable(refit) && pb.gridError(refit) < pb.gridError(q)) {
                q = refit;
            }
        }
        if (!pb.acceptable(q) || !ineq.hold(q)) {
            return null;
        }
        return scanned(polish.polish(allFree(), q, ineq));
    }

    /**
     * The points of {@link #lift}'s inequalities: {@value #LIFT_POINTS} uniform points of [lo, hi] and, when 0 is
     * inside, points clustered geometrically towards 0 (s·10^(-j/4)) down to the hole; none with |x| ≤ hole.
     */
    private double[] liftPoints(double hole) {
        List<Double> pts = new ArrayList<>();
        for (int j = 0; j < LIFT_POINTS; j++) {
            pts.add(pb.lo + (pb.hi - pb.lo) * ((double) j / (LIFT_POINTS - 1)));
        }
        if (pb.lo < 0 && pb.hi > 0) {
            for (int j = 4; pb.s * Math.pow(10.0, -j / 4.0) > Math.max(hole, 1e-7 * pb.s); j++) {
                double d = pb.s * Math.pow(10.0, -j / 4.0);
                pts.add(-d);
                pts.add(d);
            }
        }
        List<Double> kept = new ArrayList<>();
        for (double x : FitGrids.sortedUnique(pts, pb.lo, pb.hi)) {
            if (Math.abs(x) > hole) {
                kept.add(x);
            }
        }
        double[] out = new double[kept.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = kept.get(i);
        }
        return out;
    }

    /**
     * The last resort that keeps the margin: the denominator fixed at one of the {@link #degenerateTerms} (B, D:
     * T = μ·t² or δ·t; C: T = 0.9, Q = 1) and the numerator polished for it; the better of them.
     */
    private Candidate marginFallback() {
        Candidate best = null;
        for (double[] term : degenerateTerms()) {
            double[] p = new double[pb.np];
            p[(int) term[0]] = term[1];
            double[] a = ls.numeratorFor(p);
            if (a != null) {
                System.arraycopy(a, 0, p, 0, pb.m + 1);
            }
            boolean[] numeratorOnly = new boolean[pb.np];
            Arrays.fill(numeratorOnly, 0, pb.m + 1, true);
            Candidate c = scanned(polish.polish(numeratorOnly, pb.project(p)));
            if (best == null || keepsMargin(c.p) && (!keepsMargin(best.p) || c.error < best.error)) {
                best = c;
            }
        }
        return best;
    }

    /** max |T(t)| over the fit grid (scaled: T is the same in t and in x). */
    private double maxAbsInnerSum(double[] p) {
        double mx = 0;
        for (double t : pb.ts) {
            mx = Math.max(mx, Math.abs(pb.v.innerSum(t, p, pb.m + 1, pb.n)));
        }
        return mx;
    }
}
