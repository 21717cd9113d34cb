package org.rationalnn.dl4j.rational;

/**
 * The kink margin: how far fitted coefficients stay from the kinks of |·| in the denominator, so that a fitted
 * function lies in differentiable territory of its coefficients and a central difference with a step of up to
 * {@value #REFERENCE_STEP} (DL4J's gradient checks use 1e-6) does not straddle a kink.
 *
 * <p>Notation: s = max(|lo|, |hi|), t = x / s, p_j = j + {@link RationalVersion#firstPower()} the power
 * multiplied by the stored denominator coefficient j, and the <em>reference step</em> of power p
 * <pre>
 *   h_p = {@value #REFERENCE_STEP}            if {@value #REFERENCE_STEP}·s^p ≤ {@value #STEP_COST_CAP},
 *   h_p = {@value #DELTA}·s^-p               otherwise,
 * </pre>
 * the coefficient step a gradient check of that coefficient is guaranteed to survive: 1e-5 wherever such a
 * change of the coefficient moves Q by at most 1% on the interval (on [-3, 3]: powers up to 6; on [-1, 1]:
 * every power), and the scale-free {@value #DELTA}·s^-p beyond (a coefficient of x^10 on [-3, 3] that had to
 * stay 1e-5 away from 0 would move Q by 0.6 at the ends of the interval).
 *
 * <ul>
 * <li><b>Version A</b> (kink of |b_k| at b_k = 0, for every x): every |b_k| ≥ δ_k = max({@value #DELTA}·s^-k,
 * h_k), so δ_k·|x|^k ≤ max({@value #DELTA}, {@value #STEP_COST_CAP}) on the interval. The sign of b_k is
 * irrelevant in A, so the fitter keeps b_k in the box [δ_k, bound] throughout (starts, least squares, polish);
 * fitted b_k are positive.</li>
 * <li><b>Versions B, C, D</b> (kink of |T| where the inner sum T(x) = Σ b_j x^p_j is 0): a step h in b_j
 * straddles the kink at x iff |T(x)| &lt; h·|x|^p_j. The fitted function must keep the <em>straddle
 * fraction</em> — the fraction of {@value #STRADDLE_POINTS} uniformly spaced points of the interval at which some
 * coefficient's reference step straddles — at most {@value #STRADDLE_FRACTION}. That excludes T ≡ 0 (every x
 * straddles), version C's T(0) = b_0 ≈ 0, roots of T with a small slope and near tangencies of T to 0 (all of
 * which least squares and minimax like to produce for smooth targets), but allows the isolated, steep sign
 * changes of T with which B, C and D make kinks of their own (|x|, ReLU). A candidate that misses it is
 * repaired by making T sign-definite (T·S ≥ 2·{@link #straddleThreshold} with S = ±1, or S = ±sign(x) for B and
 * D, on a grid, kept as linear inequalities by the minimax polish); the last resort is a fixed margin
 * denominator: B, D: T = μ·t² ({@link #evenTerm}, at least {@value #EVEN_TERM}; exact for IDENTITY when m ≥ 3,
 * since x·(1 + μt²)/(1 + μt²) = x) or T = {@link #oddTerm}·t; C: T = {@value #CONSTANT_TERM}, i.e. Q = 1,
 * which for a polynomial-like fit changes nothing but the numerator's scale.</li>
 * <li><b>Version N</b> has no |·|: no margin.</li>
 * </ul>
 *
 * <p>What the margin costs: a version-A margin coefficient adds at most δ_k·|x|^k ≤ {@value #STEP_COST_CAP}
 * (≤ {@value #DELTA} for the powers k with δ·s^-k ≥ h_k, e.g. k ≤ 4 on [-3, 3]) to Q on the interval, so before
 * the other coefficients adapt |ΔR| ≤ |R|·Σ_k δ_k·s^k; the fit keeps those coefficients in the box from the
 * start and measures much less (docs/fitting.md). For B, C and D the repair changes only fits whose T came
 * within the reference steps of 0; its cost is measured the same way.
 */
final class KinkMargin {
    /** Relative margin δ: a margin coefficient moves Q by at most δ·offset on the interval. */
    static final double DELTA = 1e-3;
    /** Largest coefficient step (in x units) a gradient check may take: the absolute floor of the margin. */
    static final double REFERENCE_STEP = 1e-5;
    /** The absolute floor applies while it moves Q by at most this much on the interval. */
    static final double STEP_COST_CAP = 1e-2;
    /** Versions B, D: scaled coefficient of t² given to an inner sum that vanishes identically. */
    static final double EVEN_TERM = 0.1;
    /** Version C: constant term given to an inner sum that vanishes identically (Q = 0.1 + 0.9 = 1). */
    static final double CONSTANT_TERM = 0.9;
    /** Largest accepted fraction of the interval at which a reference step straddles a kink of |T|. */
    static final double STRADDLE_FRACTION = 1e-3;
    /** Points of the straddle check. */
    private static final int STRADDLE_POINTS = 4001;

    private KinkMargin() {
    }

    /** The reference step h_p of a coefficient multiplying x^p, for s = max(|lo|, |hi|). */
    static double referenceStep(int p, double s) {
        double sp = Math.pow(s, p);
        return REFERENCE_STEP * sp <= STEP_COST_CAP ? REFERENCE_STEP : DELTA / sp;
    }

    /**
     * Versions B, D: the scaled coefficient μ of t² given to an inner sum that vanishes identically: at least
     * {@value #EVEN_TERM}, and large enough that the hole |x| &lt; h_1/b_2 around 0, where b_1's reference step
     * straddles the kink of |b_2 x² ± h_1 x|, covers at most half the accepted straddle fraction of [lo, hi].
     */
    static double evenTerm(double lo, double hi) {
        double s = Math.max(Math.abs(lo), Math.abs(hi));
        return Math.max(EVEN_TERM, 4 * referenceStep(1, s) * s * s / (STRADDLE_FRACTION * (hi - lo)));
    }

    /**
     * Versions B, D: the scaled coefficient of t given to an inner sum that vanishes identically when a t² term
     * is not used: at least {@value #DELTA}, and twice the largest change h_p·s^p that a reference step of the n
     * coefficients makes to T on the interval, so that T = β_1·t keeps its sign under every such step wherever
     * x ≠ 0.
     */
    static double oddTerm(int n, double s) {
        double mx = 0;
        for (int p = 1; p <= n; p++) {
            mx = Math.max(mx, referenceStep(p, s) * Math.pow(s, p));
        }
        return Math.max(DELTA, 2 * mx);
    }

    /** Version A: the margin δ_k (in x units) of b_k, the coefficient of |x|^k. */
    static double versionA(int k, double s) {
        return Math.max(DELTA / Math.pow(s, k), referenceStep(k, s));
    }

    /**
     * max_j h_{p_j}·|x|^{p_j} over the n stored denominator coefficients of version v: a step of coefficient j by
     * its reference step moves T(x) by h_{p_j}·|x|^{p_j}, so some reference step straddles the kink of |T| at x
     * iff |T(x)| is below this.
     */
    static double straddleThreshold(RationalVersion v, int n, double x, double s) {
        double ax = Math.abs(x);
        double mx = 0;
        for (int j = 0; j < n; j++) {
            int p = j + v.firstPower();
            mx = Math.max(mx, referenceStep(p, s) * Math.pow(ax, p));
        }
        return mx;
    }

    /**
     * The fraction of {@value #STRADDLE_POINTS} uniformly spaced points of [lo, hi] at which the reference
     * step of some denominator coefficient straddles the kink of the outer |T| (0 for A and N, whose outer
     * sum has no |·|; version A's coefficient kinks are excluded by its box instead).
     */
    static double straddleFraction(RationalFunction f, double lo, double hi) {
        RationalVersion v = f.version();
        if (!v.absOfSum()) {
            return 0.0;
        }
        double[] b = f.denominator();
        double s = Math.max(Math.abs(lo), Math.abs(hi));
        int count = 0;
        for (int i = 0; i < STRADDLE_POINTS; i++) {
            double x = lo + (hi - lo) * ((double) i / (STRADDLE_POINTS - 1));
            if (Math.abs(v.innerSum(x, b, 0, b.length)) < straddleThreshold(v, b.length, x, s)) {
                count++;
            }
        }
        return (double) count / STRADDLE_POINTS;
    }

    /** Whether f keeps the margin on [lo, hi]: A's box (every |b_k| ≥ δ_k) and B/C/D's straddle fraction. */
    static boolean holds(RationalFunction f, double lo, double hi) {
        RationalVersion v = f.version();
        double s = Math.max(Math.abs(lo), Math.abs(hi));
        if (v == RationalVersion.A) {
            double[] b = f.denominator();
            for (int k = 0; k < b.length; k++) {
                // a relative tolerance: the box holds the scaled coefficient, the conversion to x rounds
                if (!(Math.abs(b[k]) >= versionA(k + 1, s) * (1 - 1e-12))) {
                    return false;
                }
            }
            return true;
        }
        return straddleFraction(f, lo, hi) <= STRADDLE_FRACTION;
    }
}
