package org.rationalnn.dl4j.rational;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.DoubleUnaryOperator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Near-minimax fits of a rational function R = P/Q of a given {@link RationalVersion} and type (m, n) to a
 * target function on an interval [lo, hi], with every fitted coefficient in differentiable territory.
 *
 * <p>Method (deterministic: no randomness, no dependence on timing or threads):
 * <ol>
 * <li>The problem is solved in the scaled variable t = x / s, s = max(|lo|, |hi|), which keeps the monomial
 * basis well conditioned. The scaling is exact for every denominator form (a_i = α_i / s^i, and likewise for
 * the denominator), so the returned coefficients are in x and evaluate the same function.</li>
 * <li>The fit grid has Chebyshev-clustered and uniform points, plus points clustered geometrically around 0
 * (where most activations have their kink) when 0 is inside.</li>
 * <li><b>Coefficient box.</b> In the scaled variable, |denominator coefficient| ≤ 1000 and |numerator
 * coefficient| ≤ 1000·max|f| (so fitting c·f gives c times the fit of f); for version A moreover every
 * b_k ≥ δ_k, the kink margin below. Every least-squares, polish and candidate step stays in this box.</li>
 * <li><b>Bounded least squares from several starts.</b> Starts: the linearised least-squares solution of
 * P(t) − f(t)·(offset + T(t)) ≈ 0 (a linear problem, solved by Hipparchus' QR with a tiny ridge against rank
 * deficiency), the same with only the even powers of T, a polynomial start (least-squares P with a small
 * denominator), and fixed denominator patterns (d·(1, 1, ...), alternating signs, odd powers only, even powers
 * only, d in {0.1, 1, 10}) with their least-squares numerators, which reach basins far from Q = 1 (e.g. the large
 * odd terms with which B and C approximate |x| closely). Each start is refined by nonlinear least squares with
 * Hipparchus' {@code LevenbergMarquardtOptimizer} on c = mid + half·tanh(u) (so the box holds) with the analytic
 * Jacobian of {@link RationalFunction#gradients}; the pattern starts are screened by a short run first. For
 * m ≥ 2, n ≥ 3 and m + n ≤ {@value #LOWER_START_MAX_DEGREE_SUM}, the fit of type (m − 2, n − 2), padded with
 * zeros, is a start too, so raising the degrees never makes a fit worse. For m ≤ n the minimax polynomial (Q = 1)
 * is a candidate as well.</li>
 * <li><b>Minimax polish</b> of the best distinct least-squares candidates, step 1: a few rounds of Lawson's
 * iteratively reweighted least squares (w_j ← w_j·|r_j|, renormalised, LM warm-started every round); step 2:
 * trust-region sequential linear programming on the error peaks (an exchange method in the spirit of Remez).
 * Every SLP step finds the local maxima of |R − f| on the grid, refines each inside its grid cell by golden
 * section, linearises the residuals there and solves min z s.t. |r_j + J_j·d| ≤ z inside the box and a trust
 * region by Hipparchus' {@code SimplexSolver}. A step is kept only if the true maximum error decreases.
 * Afterwards the error is scanned on a dense grid; peaks the fit grid missed are added to it and the polishing
 * resumes. The least-squares candidates themselves compete with their polished versions: the result is the
 * candidate with the smallest dense-grid error ({@link #uniformError}) that keeps the kink margin, so it is never
 * worse than the fitter's own bounded least-squares fits.</li>
 * <li><b>Kink margin</b> (differentiable territory, by design, for every version, degree pair and target,
 * IDENTITY included; the rules and constants are documented in {@code KinkMargin}, the measured cost in
 * docs/fitting.md). The kinks of |·| are where a version-A coefficient b_k is 0 (for every x), and where the
 * inner sum T(x) of B, C, D is 0. Version A: every |b_k| ≥ δ_k = max(10⁻³·s^-k, h_k) with h_k = 10⁻⁵ where
 * 10⁻⁵·s^k ≤ 0.01 (so a gradient check's central difference with a step up to 10⁻⁵ never crosses 0; on
 * [-3, 3] for k ≤ 6), enforced as a box inside the fit, never by post-processing; fitted b_k are positive (their
 * sign is irrelevant in A). Versions B, C, D: the fraction of the interval where a step of 10⁻⁵ (the same h_k) of
 * some coefficient would flip the sign of T must stay ≤ 10⁻³; a candidate that misses it (T ≈ 0 everywhere, as
 * for IDENTITY; version C's T(0) = b_0 ≈ 0; slow roots or near tangencies of T) is repaired: version C exactly,
 * by renormalising P and Q together when T is sign-definite (R = P/(0.1 + |T|) is unchanged, T(0) moves to
 * ±0.9); otherwise by making T sign-definite (linear inequalities that the SLP polish keeps); the last resort is
 * a fixed margin denominator (B, D: T = μ·t², μ ≥ 0.1, which keeps IDENTITY exact for m ≥ 3 since
 * x·(1 + μt²)/(1 + μt²) = x, or T = β·t; C: Q = 1). Version N has no |·|. Coefficients exactly 0 are allowed
 * where they are no kink (numerator, N, B/C/D denominators away from T = 0) and can always move: the shared
 * subgradient {@link RationalVersion#sign} is +1 at 0.</li>
 * <li>Version N: an iterate is only accepted if Q keeps one sign on [lo, hi] with min|Q| ≥ 10⁻³·max|Q| (checked
 * on a grid with the local minima of |Q| refined). Since the polynomial start (Q = 1) is pole-free, a pole-free
 * result always exists. Poles outside [lo, hi] are not excluded (that is version N).</li>
 * </ol>
 * Version D is fitted exactly like B (its inference formula) and the result carries version D.
 *
 * <p><b>Stops and failures.</b> The optimizers' limits are expected stops, never silent fallbacks: an LM run
 * that reaches its iteration or evaluation limit, a tolerance that allows no further progress in double
 * precision, or a trial point where R is not finite ends with the best point it evaluated (logged at debug
 * level); any other LM failure is thrown as an {@link IllegalStateException}. An SLP step whose simplex solve
 * stops at its iteration limit, or fails numerically on its (feasible, bounded by construction) LP with both
 * Dantzig's and Bland's pivot rule, ends that polish with its current iterate, which is never worse than its
 * start (logged at debug level). Every fit is measured on the dense grid; a non-finite error throws.
 *
 * <p>Fits of {@link TargetFunction}s are cached (thread-safe) by all their arguments, with the parameter
 * resolved first, so repeated calls return the same {@link FitResult} instance.
 */
public final class RationalFit {
    private static final Logger LOG = LoggerFactory.getLogger(RationalFit.class);

    /** Number of uniformly spaced points of the dense grid on which errors are measured. */
    static final int DENSE_POINTS = FitGrids.DENSE_POINTS;
    /** Largest m + n whose fit starts from the (m − 2, n − 2) fit as well. */
    private static final int LOWER_START_MAX_DEGREE_SUM = 12;
    /** Largest number of cached fits before the cache is cleared. */
    private static final int CACHE_LIMIT = 4096;

    private static final ConcurrentMap<Key, FitResult> CACHE = new ConcurrentHashMap<>();

    private RationalFit() {
    }

    /**
     * Fits {@code f} with its default parameter; see {@link #fit(TargetFunction, double, RationalVersion, int,
     * int, double, double)}.
     *
     * @param f  target function
     * @param v  denominator form (D is fitted as B and the result carries D)
     * @param m  numerator degree
     * @param n  denominator degree
     * @param lo lower end of the interval
     * @param hi upper end of the interval
     * @return the (cached) fit
     * @throws IllegalArgumentException for unsupported degrees or an invalid interval
     */
    public static FitResult fit(TargetFunction f, RationalVersion v, int m, int n, double lo, double hi) {
        return fit(f, Double.NaN, v, m, n, lo, hi);
    }

    /**
     * Near-minimax fit of a target function with a parameter (NaN: the function's default, see
     * {@link TargetFunction#resolveParameter(double)}). Results are cached by (function, resolved parameter,
     * version, m, n, lo, hi); a repeated call returns the same instance.
     *
     * @param f         target function
     * @param parameter the function's parameter (LeakyReLU slope, ELU/CELU alpha), NaN for the default
     * @param v         denominator form (D is fitted as B and the result carries D)
     * @param m         numerator degree
     * @param n         denominator degree
     * @param lo        lower end of the interval
     * @param hi        upper end of the interval
     * @return the fit
     * @throws IllegalArgumentException for unsupported degrees, an invalid interval or an invalid parameter
     */
    public static FitResult fit(TargetFunction f, double parameter, RationalVersion v, int m, int n, double lo,
                                double hi) {
        Objects.requireNonNull(f, "target function");
        Objects.requireNonNull(v, "version");
        RationalSpec.checkDegrees(v, m, n);
        RationalSpec.checkInterval(lo, hi);
        final double p = f.resolveParameter(parameter);
        Key key = new Key(f, p, v, m, n, lo + 0.0, hi + 0.0);
        FitResult cached = CACHE.get(key);
        if (cached != null) {
            return cached;
        }
        FitResult result;
        if (v == RationalVersion.D) {
            FitResult b = fit(f, p, RationalVersion.B, m, n, lo, hi);
            RationalFunction bf = b.function();
            result = new FitResult(new RationalFunction(RationalVersion.D, bf.numerator(), bf.denominator()),
                    b.uniformError(), b.rmsError(), b.lower(), b.upper());
        } else {
            long t0 = System.nanoTime();
            result = compute(x -> f.apply(x, p), v, m, n, lo, hi,
                    (mm, nn) -> fit(f, p, v, mm, nn, lo, hi).function());
            if (LOG.isDebugEnabled()) {
                LOG.debug("fitted {}({}) type ({},{}) version {} on [{}, {}] in {} ms: uniform error {}", f, p, m, n,
                        v, lo, hi, (System.nanoTime() - t0) / 1_000_000, result.uniformError());
            }
        }
        if (CACHE.size() >= CACHE_LIMIT) {
            CACHE.clear();
        }
        FitResult previous = CACHE.putIfAbsent(key, result);
        return previous != null ? previous : result;
    }

    /**
     * Near-minimax fit of an arbitrary function (not cached). Version D is fitted as B and the result carries D.
     *
     * @param f  target function; must be finite on [lo, hi]
     * @param v  denominator form
     * @param m  numerator degree
     * @param n  denominator degree
     * @param lo lower end of the interval
     * @param hi upper end of the interval
     * @return the fit
     * @throws IllegalArgumentException for unsupported degrees, an invalid interval, or if f yields a non-finite
     *                                  value at a point of the interval it is sampled at (naming the point and the
     *                                  value)
     */
    public static FitResult fit(DoubleUnaryOperator f, RationalVersion v, int m, int n, double lo, double hi) {
        Objects.requireNonNull(f, "target function");
        Objects.requireNonNull(v, "version");
        RationalSpec.checkDegrees(v, m, n);
        RationalSpec.checkInterval(lo, hi);
        return compute(f, v, m, n, lo, hi, null);
    }

    /**
     * The uniform error max |r(x) − f(x)| over [lo, hi]: the maximum over {@value #DENSE_POINTS} uniformly spaced
     * points (both ends included; 0 too when lo = −hi), with every grid-local maximum of at least half the grid
     * maximum refined by a golden-section search inside its grid cell.
     *
     * @param r  the rational function (evaluated with {@link RationalFunction#value(double)})
     * @param f  the target
     * @param lo lower end of the interval
     * @param hi upper end of the interval
     * @return the uniform error; +∞ if r − f is not finite at a sampled point
     * @throws IllegalArgumentException for an invalid interval
     */
    public static double uniformError(RationalFunction r, DoubleUnaryOperator f, double lo, double hi) {
        Objects.requireNonNull(r, "rational function");
        Objects.requireNonNull(f, "target function");
        RationalSpec.checkInterval(lo, hi);
        return ErrorScan.of(x -> r.value(x) - f.applyAsDouble(x), lo, hi, new double[0]).max;
    }

    /**
     * Whether a rational function keeps the fitter's kink margin on [lo, hi], i.e. lies in differentiable territory
     * of its coefficients in the sense every fit result satisfies (docs/fitting.md): version A: every
     * |b_k| ≥ δ_k = max(10⁻³·s^-k, h_k) with s = max(|lo|, |hi|); versions B, C, D: a reference step h_p of some
     * denominator coefficient flips the sign of the inner sum T at no more than 10⁻³ of 4001 uniformly spaced
     * points of the interval; version N (no |·|): always true. Useful to judge coefficients that did not come from
     * this fitter (a table, an older release, a trained layer).
     *
     * @param r  the function (any version, any type)
     * @param lo lower end of the interval
     * @param hi upper end of the interval
     * @return whether the margin holds
     * @throws IllegalArgumentException for an invalid interval
     * @throws NullPointerException     if r is null
     */
    public static boolean keepsKinkMargin(RationalFunction r, double lo, double hi) {
        Objects.requireNonNull(r, "rational function");
        RationalSpec.checkInterval(lo, hi);
        return KinkMargin.holds(r, lo, hi);
    }

    // ------------------------------------------------------------------------------------------------------
    // The fit

    /** The fit of the same target on the same interval at lower degrees (cached for target functions). */
    @FunctionalInterface
    private interface LowerFit {
        RationalFunction fit(int m, int n);
    }

    /**
     * The degrees whose fit, padded with zero coefficients, is an extra start for a fit of type (m, n), or null.
     * The rule depends on (m, n) only, so every fit is a function of its arguments whatever the call history.
     */
    static int[] lowerDegrees(int m, int n) {
        if (m >= 2 && n >= 3 && m + n <= LOWER_START_MAX_DEGREE_SUM) {
            return new int[] {m - 2, n - 2};
        }
        return null;
    }

    private static FitResult compute(DoubleUnaryOperator f, RationalVersion requested, int m, int n, double lo,
                                     double hi, LowerFit lowerFit) {
        DoubleUnaryOperator g = x -> checkedValue(f, x, lo, hi);
        RationalVersion v = requested == RationalVersion.D ? RationalVersion.B : requested;
        RationalFunction lower = null;
        int[] ld = lowerDegrees(m, n);
        if (ld != null) {
            lower = lowerFit != null ? lowerFit.fit(ld[0], ld[1])
                    : compute(f, v, ld[0], ld[1], lo, hi, null).function();
        }
        double[] dense = FitGrids.denseGrid(lo, hi);
        double[] denseY = new double[dense.length];
        for (int i = 0; i < dense.length; i++) {
            denseY[i] = g.applyAsDouble(dense[i]);
        }
        // the fitter works on the stored coefficients: n of them, n + 1 (b_0..b_n) for version C
        int nb = v.denominatorLength(n);
        FitProblem problem = new FitProblem(g, v, m, nb, lo, hi, denseY);
        FitPipeline fitter = new FitPipeline(problem);
        double[] scaled = fitter.fit(lower == null ? null : problem.pad(lower));
        if (v == RationalVersion.N && !problem.poleFree(scaled)) {
            // cannot happen: only pole-free iterates are accepted, and the polynomial fallback (Q = 1) is pole-free
            throw new IllegalStateException("rational fit of version N produced a denominator with a zero on [" + lo
                    + ", " + hi + "]: " + problem.toFunction(scaled, requested));
        }
        RationalFunction rf = problem.toFunction(scaled, requested);
        return measure(rf, g, lo, hi, dense, denseY, problem.xs);
    }

    private static FitResult measure(RationalFunction rf, DoubleUnaryOperator g, double lo, double hi, double[] dense,
                                     double[] denseY, double[] nodes) {
        double sum = 0;
        for (int i = 0; i < dense.length; i++) {
            double e = rf.value(dense[i]) - denseY[i];
            sum += e * e;
        }
        double rms = Math.sqrt(sum / dense.length);
        double uni = ErrorScan.of(x -> rf.value(x) - g.applyAsDouble(x), lo, hi, nodes).max;
        if (!Double.isFinite(uni) || !Double.isFinite(rms)) {
            throw new IllegalStateException("rational fit produced a non-finite error: " + rf);
        }
        return new FitResult(rf, uni, rms, lo, hi);
    }

    private static double checkedValue(DoubleUnaryOperator g, double x, double lo, double hi) {
        double y = g.applyAsDouble(x);
        if (!Double.isFinite(y)) {
            throw new IllegalArgumentException("target function must be finite on the fit interval [" + lo + ", "
                    + hi + "], got f(" + x + ") = " + y);
        }
        return y;
    }

    /** Cache key: every argument of a TargetFunction fit, with the parameter resolved. */
    private static final class Key {
        private final TargetFunction f;
        private final double parameter;
        private final RationalVersion v;
        private final int m;
        private final int n;
        private final double lo;
        private final double hi;

        Key(TargetFunction f, double parameter, RationalVersion v, int m, int n, double lo, double hi) {
            this.f = f;
            this.parameter = parameter;
            this.v = v;
            this.m = m;
            this.n = n;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Key)) {
                return false;
            }
            Key k = (Key) o;
            return f == k.f && v == k.v && m == k.m && n == k.n
                    && Double.doubleToLongBits(parameter) == Double.doubleToLongBits(k.parameter)
                    && Double.doubleToLongBits(lo) == Double.doubleToLongBits(k.lo)
                    && Double.doubleToLongBits(hi) == Double.doubleToLongBits(k.hi);
        }

        @Override
        public int hashCode() {
            int h = f.hashCode();
            h = 31 * h + v.hashCode();
            h = 31 * h + m;
            h = 31 * h + n;
            h = 31 * h + Double.hashCode(parameter);
            h = 31 * h + Double.hashCode(lo);
            return 31 * h + Double.hashCode(hi);
        }
    }
}
