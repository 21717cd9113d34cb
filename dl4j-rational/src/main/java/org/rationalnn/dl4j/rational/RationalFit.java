package org.rationalnn.dl4j.rational;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.DoubleUnaryOperator;

import org.hipparchus.exception.MathRuntimeException;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.ArrayRealVector;
import org.hipparchus.linear.QRDecomposition;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.RealVector;
import org.hipparchus.optim.ConvergenceChecker;
import org.hipparchus.optim.MaxIter;
import org.hipparchus.optim.PointValuePair;
import org.hipparchus.optim.linear.LinearConstraint;
import org.hipparchus.optim.linear.LinearConstraintSet;
import org.hipparchus.optim.linear.LinearObjectiveFunction;
import org.hipparchus.optim.linear.NonNegativeConstraint;
import org.hipparchus.optim.linear.Relationship;
import org.hipparchus.optim.linear.SimplexSolver;
import org.hipparchus.optim.nonlinear.scalar.GoalType;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LeastSquaresBuilder;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LeastSquaresProblem;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LeastSquaresProblem.Evaluation;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LevenbergMarquardtOptimizer;
import org.hipparchus.optim.nonlinear.vector.leastsquares.MultivariateJacobianFunction;
import org.hipparchus.util.Pair;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Near-minimax fits of a rational function R = P/Q of a given {@link RationalVersion} and type (m, n) to a
 * target function on an interval [lo, hi].
 *
 * <p>Method (deterministic: no randomness, no dependence on timing or threads):
 * <ol>
 * <li>The problem is solved in the scaled variable t = x / s, s = max(|lo|, |hi|), which keeps the monomial
 * basis well conditioned. The scaling is exact for every denominator form (a_i = α_i / s^i, and likewise for
 * the denominator), so the returned coefficients are in x and evaluate the same function.</li>
 * <li>The fit grid has Chebyshev-clustered and uniform points, plus points clustered geometrically around 0
 * (where most activations have their kink) when 0 is inside.</li>
 * <li>Starts: the linearised least-squares solution of P(t) − f(t)·(offset + T(t)) ≈ 0 (a linear problem, solved
 * by Hipparchus' QR with a tiny ridge against rank deficiency), the same with only the even powers of T (so
 * that T ≥ 0), and a polynomial start (least-squares P with a small denominator). Each start is refined by
 * nonlinear least squares with Hipparchus' {@link LevenbergMarquardtOptimizer}, using the analytic Jacobian of
 * {@link RationalFunction#gradients}; the best distinct ones are polished (below). For m ≥ 2, n ≥ 3 and
 * m + n ≤ {@value #LOWER_START_MAX_DEGREE_SUM}, the fit of type (m − 2, n − 2), padded with zeros, is polished
 * too, so raising the degrees never makes a fit worse. For m ≤ n the minimax polynomial (Q = 1) is a candidate
 * as well, so the fit is never worse than it.</li>
 * <li>Polishing, step 1: a few rounds of Lawson's iteratively reweighted least squares (w_j ← w_j·|r_j|,
 * renormalised, LM warm-started every round) move the least-squares solution towards the minimax one.</li>
 * <li>Polishing, step 2: trust-region sequential linear programming on the error peaks (an exchange method in
 * the spirit of Remez). Every step finds the local maxima of |R − f| on the grid, refines each inside its grid
 * cell by golden section, linearises the residuals there and solves min z s.t. |r_j + J_j·d| ≤ z with bounds on
 * the step and on the coefficient magnitudes by Hipparchus' {@link SimplexSolver}. A step is kept only if the
 * true maximum error decreases. Afterwards the error is scanned on a dense grid; peaks the fit grid missed are
 * added to it and the polishing resumes. The candidate with the smallest dense-grid error wins.</li>
 * <li>Coefficient magnitudes stay sane: in the scaled variable, |denominator coefficient| ≤ 1000 and
 * |numerator coefficient| ≤ 1000·max|f| (so fitting c·f gives c times the fit of f).</li>
 * <li>Version N: an iterate is only accepted if Q keeps one sign on [lo, hi] with min|Q| ≥ 10⁻³·max|Q| (checked
 * on a grid with the local minima of |Q| refined). Since the polynomial start (Q = 1) is pole-free, a pole-free
 * result always exists; the fitter falls back to it when nothing better is pole-free. Poles outside [lo, hi]
 * are not excluded (that is version N).</li>
 * </ol>
 * Version D is fitted exactly like B (its inference formula) and the result carries version D.
 *
 * <p>Fits of {@link TargetFunction}s are cached (thread-safe) by all their arguments, with the parameter
 * resolved first, so repeated calls return the same {@link FitResult} instance.
 */
public final class RationalFit {
    private static final Logger LOG = LoggerFactory.getLogger(RationalFit.class);

    /** Number of uniformly spaced points of the dense grid on which errors are measured. */
    static final int DENSE_POINTS = 4001;
    /** Chebyshev points in the fit grid. */
    private static final int CHEBYSHEV_POINTS = 150;
    /** Uniform points in the fit grid. */
    private static final int UNIFORM_POINTS = 101;
    /** LM iterations for the least-squares phase. */
    private static final int LS_ITERATIONS = 25;
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
    /** Ridge factor on the scaled coefficients in least squares (keeps magnitudes sane). */
    private static final double RIDGE = 1e-6;
    /** Bound on |scaled denominator coefficient|, and on |scaled numerator coefficient| / max|f|. */
    private static final double COEFFICIENT_LIMIT = 1e3;
    /** Distinct least-squares candidates that are polished. */
    private static final int POLISH_STARTS = 3;
    /** Largest m + n whose fit starts from the (m − 2, n − 2) fit as well. */
    private static final int LOWER_START_MAX_DEGREE_SUM = 12;
    /** Errors below this fraction of max |f| are rounding noise. */
    private static final double NEGLIGIBLE_ERROR = 1e-14;
    /** Largest number of local maxima refined by an error scan. */
    private static final int MAX_SCAN_PEAKS = 64;
    /** Version N: smallest accepted min|Q| / max|Q| on the interval. */
    private static final double POLE_MARGIN = 1e-3;
    /** Grid size of the version-N pole check. */
    private static final int POLE_GRID = 2001;
    /** Largest number of cached fits before the cache is cleared. */
    private static final int CACHE_LIMIT = 4096;

    private static final LevenbergMarquardtOptimizer OPTIMIZER = new LevenbergMarquardtOptimizer();
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
        return errorScan(x -> r.value(x) - f.applyAsDouble(x), lo, hi, new double[0]).max;
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
        double[] dense = denseGrid(lo, hi);
        double[] denseY = new double[dense.length];
        for (int i = 0; i < dense.length; i++) {
            denseY[i] = g.applyAsDouble(dense[i]);
        }
        // the fitter works on the stored coefficients: n of them, n + 1 (b_0..b_n) for version C
        int nb = v.denominatorLength(n);
        Fitter fitter = new Fitter(g, v, m, nb, lo, hi, denseY);
        double[] scaled = fitter.fit(lower == null ? null : fitter.pad(lower));
        if (v == RationalVersion.N && !fitter.poleFree(scaled)) {
            // cannot happen (only pole-free iterates are accepted); kept as a guard for the contract
            LOG.warn("rational fit of version N produced a denominator with a zero on [{}, {}]; using Q = 1", lo, hi);
            boolean[] free = new boolean[m + 1 + nb];
            Arrays.fill(free, true);
            scaled = fitter.polish(free, fitter.polynomialFallback(free));
        }
        RationalFunction rf = fitter.toFunction(scaled, requested);
        return measure(rf, g, lo, hi, dense, denseY, fitter.xs);
    }

    private static FitResult measure(RationalFunction rf, DoubleUnaryOperator g, double lo, double hi, double[] dense,
                                     double[] denseY, double[] nodes) {
        double sum = 0;
        for (int i = 0; i < dense.length; i++) {
            double e = rf.value(dense[i]) - denseY[i];
            sum += e * e;
        }
        double rms = Math.sqrt(sum / dense.length);
        double uni = errorScan(x -> rf.value(x) - g.applyAsDouble(x), lo, hi, nodes).max;
        if (!Double.isFinite(uni) || !Double.isFinite(rms)) {
            throw new IllegalStateException("rational fit produced a non-finite error: " + rf);
        }
        return new FitResult(rf, uni, rms, lo, hi);
    }

    /** Chebyshev-clustered plus uniform points, and points clustered geometrically around 0 when inside. */
    static double[] fitGrid(double lo, double hi, double s) {
        List<Double> pts = new ArrayList<>();
        double mid = 0.5 * (lo + hi);
        double half = 0.5 * (hi - lo);
        for (int k = 0; k < CHEBYSHEV_POINTS; k++) {
            pts.add(mid - half * Math.cos(Math.PI * (k + 0.5) / CHEBYSHEV_POINTS));
        }
        for (int k = 0; k < UNIFORM_POINTS; k++) {
            pts.add(lo + (hi - lo) * ((double) k / (UNIFORM_POINTS - 1)));
        }
        if (lo < 0 && hi > 0) {
            pts.add(0.0);
            for (int j = 4; j <= 28; j++) {
                double d = s * Math.pow(10.0, -j / 4.0);
                if (-d > lo) {
                    pts.add(-d);
                }
                if (d < hi) {
                    pts.add(d);
                }
            }
        }
        return sortedUnique(pts, lo, hi);
    }

    private static double[] sortedUnique(List<Double> pts, double lo, double hi) {
        double[] a = new double[pts.size()];
        int k = 0;
        for (double p : pts) {
            a[k++] = Math.min(hi, Math.max(lo, p));
        }
        Arrays.sort(a);
        int u = 0;
        for (int i = 0; i < a.length; i++) {
            if (u == 0 || a[i] != a[u - 1]) {
                a[u++] = a[i];
            }
        }
        return Arrays.copyOf(a, u);
    }

    /** {@value #DENSE_POINTS} uniform points on [lo, hi], both ends included (0 is a point when lo = -hi). */
    static double[] denseGrid(double lo, double hi) {
        double[] d = new double[DENSE_POINTS];
        for (int i = 0; i < DENSE_POINTS; i++) {
            d[i] = lo + (hi - lo) * ((double) i / (DENSE_POINTS - 1));
        }
        d[0] = lo;
        d[DENSE_POINTS - 1] = hi;
        return d;
    }

    private static double checkedValue(DoubleUnaryOperator g, double x, double lo, double hi) {
        double y = g.applyAsDouble(x);
        if (!Double.isFinite(y)) {
            throw new IllegalArgumentException("target function must be finite on the fit interval [" + lo + ", "
                    + hi + "], got f(" + x + ") = " + y);
        }
        return y;
    }

    // ------------------------------------------------------------------------------------------------------
    // Error scans

    /** Result of an error scan: max |e| and the abscissae of the refined local maxima. */
    static final class Scan {
        final double max;
        final double[] peaks;

        Scan(double max, double[] peaks) {
            this.max = max;
            this.peaks = peaks;
        }
    }

    /**
     * max |e(x)| over the dense grid, the extra nodes, and the golden-section refinement of every grid-local
     * maximum of |e| that is at least half the grid maximum; {@link Scan#peaks} holds the refined abscissae.
     * A non-finite |e| anywhere gives +∞ and no peaks.
     */
    static Scan errorScan(DoubleUnaryOperator e, double lo, double hi, double[] nodes) {
        double[] d = denseGrid(lo, hi);
        double[] a = new double[d.length];
        double max = 0;
        for (int i = 0; i < d.length; i++) {
            a[i] = Math.abs(e.applyAsDouble(d[i]));
            if (!(a[i] <= Double.MAX_VALUE)) {
                return new Scan(Double.POSITIVE_INFINITY, new double[0]);
            }
            max = Math.max(max, a[i]);
        }
        for (double x : nodes) {
            double v = Math.abs(e.applyAsDouble(x));
            if (!(v <= Double.MAX_VALUE)) {
                return new Scan(Double.POSITIVE_INFINITY, new double[0]);
            }
            max = Math.max(max, v);
        }
        if (max == 0) {
            return new Scan(0.0, new double[0]);
        }
        int[] cand = localMaxima(a, 0.5 * max, MAX_SCAN_PEAKS);
        double[] peaks = new double[cand.length];
        double[] arg = new double[1];
        for (int c = 0; c < cand.length; c++) {
            int i = cand[c];
            double v = goldenMax(e, d[Math.max(0, i - 1)], d[Math.min(d.length - 1, i + 1)], a[i], d[i], arg, 100);
            if (!(v <= Double.MAX_VALUE)) {
                return new Scan(Double.POSITIVE_INFINITY, new double[0]);
            }
            max = Math.max(max, v);
            peaks[c] = arg[0];
        }
        return new Scan(max, peaks);
    }

    /**
     * Indices of the local maxima of a (ends included) with a value of at least {@code threshold}: the
     * {@code limit} largest, in ascending index order.
     */
    static int[] localMaxima(double[] a, double threshold, int limit) {
        int[] idx = new int[16];
        int c = 0;
        for (int i = 0; i < a.length; i++) {
            boolean left = i == 0 || a[i] >= a[i - 1];
            boolean right = i == a.length - 1 || a[i] >= a[i + 1];
            if (left && right && a[i] >= threshold) {
                if (c == idx.length) {
                    idx = Arrays.copyOf(idx, 2 * c);
                }
                idx[c++] = i;
            }
        }
        if (c <= limit) {
            return Arrays.copyOf(idx, c);
        }
        Integer[] boxed = new Integer[c];
        for (int k = 0; k < c; k++) {
            boxed[k] = idx[k];
        }
        // largest first; ties by index, so the choice is deterministic
        Arrays.sort(boxed, (x, y) -> a[x] != a[y] ? Double.compare(a[y], a[x]) : Integer.compare(x, y));
        int[] out = new int[limit];
        for (int k = 0; k < limit; k++) {
            out[k] = boxed[k];
        }
        Arrays.sort(out);
        return out;
    }

    /**
     * Golden-section maximisation of |e| on [a, b], given the value fx at x in [a, b]; returns the largest value
     * seen and writes its abscissa to arg[0]. Exact maximiser for unimodal |e|, never below fx.
     */
    static double goldenMax(DoubleUnaryOperator e, double a, double b, double fx, double x, double[] arg,
                            int maxIter) {
        final double r = 0.5 * (Math.sqrt(5.0) - 1.0);
        double best = fx;
        double bestX = x;
        double c = b - r * (b - a);
        double d = a + r * (b - a);
        double fc = Math.abs(e.applyAsDouble(c));
        double fd = Math.abs(e.applyAsDouble(d));
        for (int it = 0; ; it++) {
            if (!(fc <= best)) {
                best = fc;
                bestX = c;
            }
            if (!(fd <= best)) {
                best = fd;
                bestX = d;
            }
            if (it >= maxIter || !(b - a > 4 * Math.ulp(Math.max(Math.abs(a), Math.abs(b))))) {
                break;
            }
            if (fc >= fd) {
                b = d;
                d = c;
                fd = fc;
                c = b - r * (b - a);
                fc = Math.abs(e.applyAsDouble(c));
            } else {
                a = c;
                c = d;
                fc = fd;
                d = a + r * (b - a);
                fd = Math.abs(e.applyAsDouble(d));
            }
        }
        arg[0] = bestX;
        return best;
    }

    // ------------------------------------------------------------------------------------------------------
    // One fitting problem

    /** State of one fit; works on scaled coefficients c = (α_0..α_m, β_0..β_{n-1}) in t = x / s. */
    private static final class Fitter {
        final DoubleUnaryOperator g;
        final RationalVersion v;
        final int m;
        final int n;
        final int np;
        final double lo;
        final double hi;
        final double s;
        final double yScale;
        /** Errors below this are rounding noise: no further polishing. */
        final double negligible;
        double[] xs;
        double[] ts;
        double[] ys;

        Fitter(DoubleUnaryOperator g, RationalVersion v, int m, int n, double lo, double hi, double[] denseY) {
            this.g = g;
            this.v = v;
            this.m = m;
            this.n = n;
            this.np = m + 1 + n;
            this.lo = lo;
            this.hi = hi;
            this.s = Math.max(Math.abs(lo), Math.abs(hi));
            double ym = 0;
            for (double y : denseY) {
                ym = Math.max(ym, Math.abs(y));
            }
            this.yScale = Math.max(ym, Double.MIN_NORMAL);
            this.negligible = NEGLIGIBLE_ERROR * yScale;
            double[] x = fitGrid(lo, hi, s);
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = g.applyAsDouble(x[i]);
            }
            setGrid(x, y);
        }

        void setGrid(double[] x, double[] y) {
            this.xs = x;
            this.ys = y;
            this.ts = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                ts[i] = x[i] / s;
            }
        }

        /** The whole pipeline; returns scaled coefficients that are acceptable for the version. */
        double[] fit(double[] lowerStart) {
            boolean[] free = new boolean[np];
            Arrays.fill(free, true);
            List<double[]> starts = new ArrayList<>();
            double[] lin = linearStart(false);
            if (lin != null) {
                starts.add(lin);
            }
            starts.add(polynomialStart());
            if (v != RationalVersion.C && n >= 2) {
                double[] even = linearStart(true);
                if (even != null) {
                    starts.add(even);
                }
            }
            List<double[]> cands = new ArrayList<>();
            List<Double> errs = new ArrayList<>();
            for (double[] st : starts) {
                double[] p = lm(free, st, null, LS_ITERATIONS);
                if (!acceptable(p)) {
                    p = st;
                }
                if (acceptable(p)) {
                    double e = gridError(p);
                    int at = 0;
                    while (at < errs.size() && errs.get(at) <= e) {
                        at++;
                    }
                    cands.add(at, p);
                    errs.add(at, e);
                }
            }
            if (!errs.isEmpty() && errs.get(0) <= negligible) {
                return cands.get(0);
            }
            if (cands.isEmpty()) {
                cands.add(polynomialFallback(free));
            }
            // polish the best distinct least-squares candidates, and the lower-degree fit
            List<double[]> polish = new ArrayList<>();
            for (double[] c : cands) {
                if (polish.size() < POLISH_STARTS && !nearDuplicate(c, polish)) {
                    polish.add(c);
                }
            }
            if (lowerStart != null && acceptable(lowerStart)) {
                polish.add(lowerStart);
            }
            double[] best = null;
            double bestErr = Double.POSITIVE_INFINITY;
            for (int c = 0; c < polish.size() && bestErr > negligible; c++) {
                double[] p = polish(free, polish.get(c));
                double e = scan(p).max;
                if (e < bestErr || best == null) {
                    best = p;
                    bestErr = e;
                }
            }
            if (m <= n && bestErr > negligible) {
                // a weak numerator: make sure the result is no worse than the minimax polynomial (Q = 1)
                boolean[] numeratorOnly = new boolean[np];
                Arrays.fill(numeratorOnly, 0, m + 1, true);
                double[] poly = constantDenominatorStart();
                double[] p = polish(numeratorOnly, poly);
                double e = scan(p).max;
                if (e < bestErr) {
                    best = p;
                }
            }
            return best;
        }

        /**
         * The last resort when no start is acceptable: the least-squares polynomial start; for version N with
         * Q = 1 (pole-free by construction) and the denominator coefficients fixed in {@code free}.
         */
        double[] polynomialFallback(boolean[] free) {
            double[] poly = polynomialStart();
            if (v == RationalVersion.N) {
                Arrays.fill(poly, m + 1, np, 0.0);
                Arrays.fill(free, m + 1, np, false);
            }
            return poly;
        }

        /** The least-squares polynomial with Q = 1 (denominator coefficients 0; for C, b_0 = 0.9). */
        double[] constantDenominatorStart() {
            double[] poly = polynomialStart();
            Arrays.fill(poly, m + 1, np, 0.0);
            if (v == RationalVersion.C) {
                poly[m + 1] = 0.9;
            }
            return poly;
        }

        /** Whether c is, on the grid, within 1% of its error level of one of the others. */
        boolean nearDuplicate(double[] c, List<double[]> others) {
            double e = gridError(c);
            for (double[] o : others) {
                double d = 0;
                for (int j = 0; j < ts.length; j++) {
                    d = Math.max(d, Math.abs(residual(c, ts[j], 0) - residual(o, ts[j], 0)));
                }
                if (d <= 0.01 * Math.min(e, gridError(o))) {
                    return true;
                }
            }
            return false;
        }

        /** Scaled coefficients of a lower-degree function of the same version, padded with zeros. */
        double[] pad(RationalFunction f) {
            double[] a = f.numerator();
            double[] b = f.denominator();
            double[] p = new double[np];
            double pw = 1;
            for (int i = 0; i < a.length && i <= m; i++) {
                p[i] = a[i] * pw;
                pw *= s;
            }
            pw = v.firstPower() == 0 ? 1 : s;
            for (int k = 0; k < b.length && k < n; k++) {
                p[m + 1 + k] = b[k] * pw;
                pw *= s;
            }
            return p;
        }

        /** Lawson, then the SLP polish with dense-scan refinement passes. */
        double[] polish(boolean[] free, double[] start) {
            double[] best = lawson(free, start);
            for (int pass = 0; pass <= REFINE_PASSES; pass++) {
                best = slp(free, best);
                double gridMax = peaks(best).max;
                Scan scan = scan(best);
                if (!(scan.max > gridMax * (1 + 1e-6)) || pass == REFINE_PASSES) {
                    break;
                }
                addPoints(scan.peaks);
            }
            return best;
        }

        void addPoints(double[] extra) {
            List<Double> pts = new ArrayList<>(xs.length + extra.length);
            for (double x : xs) {
                pts.add(x);
            }
            for (double x : extra) {
                pts.add(x);
            }
            double[] nx = sortedUnique(pts, lo, hi);
            double[] ny = new double[nx.length];
            for (int i = 0, j = 0; i < nx.length; i++) {
                while (j < xs.length && xs[j] < nx[i]) {
                    j++;
                }
                ny[i] = j < xs.length && xs[j] == nx[i] ? ys[j] : g.applyAsDouble(nx[i]);
            }
            setGrid(nx, ny);
        }

        // ---------------------------------------------------------------------------------- starts

        /** Least-squares polynomial P with a small denominator that still has a non-zero gradient. */
        double[] polynomialStart() {
            double[] p = new double[np];
            double[][] a = new double[ts.length][m + 1];
            for (int j = 0; j < ts.length; j++) {
                double pw = 1;
                for (int i = 0; i <= m; i++) {
                    a[j][i] = pw;
                    pw *= ts[j];
                }
            }
            System.arraycopy(ridgeSolve(a, ys), 0, p, 0, m + 1);
            switch (v) {
                case A:
                    Arrays.fill(p, m + 1, np, 1e-2);
                    break;
                case B:
                case D:
                    // T = 0.01 t^2 (or 0.01 t): |T| has a non-zero gradient, Q stays close to 1
                    p[m + 1 + (n >= 2 ? 1 : 0)] = 1e-2;
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
         * Linearised least squares P(t) − y·T(t) = offset·y (with {@code even}: only the even powers of T, whose
         * coefficients are then made non-negative, so T ≥ 0); version A takes |β|. Null if not finite.
         */
        double[] linearStart(boolean even) {
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

        // ---------------------------------------------------------------------------------- least squares

        /** Levenberg–Marquardt on the free coefficients, weighted by w (null: uniform), at most maxIter steps. */
        double[] lm(boolean[] free, double[] start, double[] w, int maxIter) {
            int[] idx = freeIndices(free);
            double[] sw = new double[ts.length];
            for (int j = 0; j < ts.length; j++) {
                sw[j] = w == null ? 1.0 / Math.sqrt(ts.length) : Math.sqrt(w[j]);
            }
            Model model = new Model(this, sw, idx, start);
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

        /**
         * Lawson's iteratively reweighted least squares, LM warm-started every round; returns the acceptable
         * iterate with the smallest maximum grid error (the start if none is better).
         */
        double[] lawson(boolean[] free, double[] start) {
            int nPts = ts.length;
            double[] w = new double[nPts];
            Arrays.fill(w, 1.0 / nPts);
            double[] p = start;
            double[] best = start;
            double bestErr = gridError(start);
            double[] r = new double[nPts];
            for (int round = 0; round < LAWSON_ROUNDS && bestErr > negligible; round++) {
                // the weights of round 0 are uniform, so round 0 is the least-squares solution itself
                if (round > 0) {
                    p = lm(free, p, w, LAWSON_INNER_ITERATIONS);
                }
                double e = 0;
                for (int j = 0; j < nPts; j++) {
                    r[j] = residual(p, ts[j], ys[j]);
                    e = Math.max(e, Math.abs(r[j]));
                }
                if (!(e < Double.POSITIVE_INFINITY)) {
                    break;
                }
                if (e < bestErr && acceptable(p)) {
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

        // ---------------------------------------------------------------------------------- minimax polish

        /** Constraint points of the minimax LP: refined local maxima of |r|, their targets, and max |r|. */
        final class Peaks {
            double[] t = new double[0];
            double[] y = new double[0];
            int count;
            double max;
        }

        /** Error peaks of p over the fit grid, each refined inside its grid cell by golden section. */
        Peaks peaks(double[] p) {
            Peaks pk = new Peaks();
            int nPts = ts.length;
            double[] a = new double[nPts];
            double max = 0;
            for (int j = 0; j < nPts; j++) {
                a[j] = Math.abs(residual(p, ts[j], ys[j]));
                if (!(a[j] <= Double.MAX_VALUE)) {
                    pk.max = Double.POSITIVE_INFINITY;
                    return pk;
                }
                max = Math.max(max, a[j]);
            }
            int[] cand = localMaxima(a, PEAK_FRACTION * max, 2 * np + 8);
            double[] pt = new double[cand.length];
            double[] py = new double[cand.length];
            int c = 0;
            double[] arg = new double[1];
            for (int j : cand) {
                double t0 = ts[Math.max(0, j - 1)];
                double t1 = ts[Math.min(nPts - 1, j + 1)];
                double val = goldenMax(t -> residual(p, t, g.applyAsDouble(t * s)), t0, t1, a[j], ts[j], arg, 40);
                if (!(val <= Double.MAX_VALUE)) {
                    pk.max = Double.POSITIVE_INFINITY;
                    return pk;
                }
                max = Math.max(max, val);
                pt[c] = arg[0];
                py[c] = arg[0] == ts[j] ? ys[j] : g.applyAsDouble(arg[0] * s);
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
         * |c_i + d_i| ≤ limit(i) with Hipparchus' simplex solver (D_i: the largest |J_ji|, so Δ is in
         * units of the function). A step is kept if the true peak error decreases.
         */
        double[] slp(boolean[] free, double[] start) {
            int[] idx = freeIndices(free);
            int nf = idx.length;
            double[] p = start;
            Peaks pk = peaks(p);
            if (!(pk.max < Double.POSITIVE_INFINITY)) {
                return p;
            }
            double delta = pk.max;
            double[] grad = new double[np];
            double[] dB = new double[n];
            for (int it = 0; it < SLP_ITERATIONS && pk.max > negligible; it++) {
                int k = pk.count;
                double[][] jac = new double[k][nf];
                double[] r = new double[k];
                double[] dscale = new double[nf];
                for (int j = 0; j < k; j++) {
                    r[j] = gradientRow(p, pk.t[j], pk.y[j], grad, dB);
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
                    double cap = limit(idx[i]);
                    lower[i] = Math.max(-delta, Math.min(0, (-cap - c) * dscale[i]));
                    upper[i] = Math.min(delta, Math.max(0, (cap - c) * dscale[i]));
                }
                double[] u = solveLp(jac, r, dscale, lower, upper);
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
                Peaks tp = acceptable(trial) ? peaks(trial) : null;
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
         * The LP in v = u − lower ≥ 0: min z s.t. |r_j + Σ_i (J_ji / D_i) u_i| ≤ z, lower ≤ u ≤ upper.
         * Returns (u, z), or null if the simplex solver fails.
         */
        double[] solveLp(double[][] jac, double[] r, double[] dscale, double[] lower, double[] upper) {
            int k = r.length;
            int nf = dscale.length;
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
                cons.add(new LinearConstraint(cp, Relationship.LEQ, -r[j] - shift));
                cons.add(new LinearConstraint(cm, Relationship.LEQ, r[j] + shift));
            }
            for (int i = 0; i < nf; i++) {
                double[] cb = new double[nf + 1];
                cb[i] = 1;
                cons.add(new LinearConstraint(cb, Relationship.LEQ, upper[i] - lower[i]));
            }
            double[] obj = new double[nf + 1];
            obj[nf] = 1;
            try {
                PointValuePair sol = new SimplexSolver().optimize(new MaxIter(50 * (k + nf) + 100),
                        new LinearObjectiveFunction(obj, 0), new LinearConstraintSet(cons), GoalType.MINIMIZE,
                        new NonNegativeConstraint(true));
                double[] x = sol.getPoint();
                double[] out = new double[nf + 1];
                for (int i = 0; i < nf; i++) {
                    out[i] = x[i] + lower[i];
                }
                out[nf] = x[nf];
                return out;
            } catch (MathRuntimeException ex) {
                return null;
            }
        }

        // ---------------------------------------------------------------------------------- evaluation

        double residual(double[] p, double t, double y) {
            return RationalFunction.value(v, p, 0, m + 1, p, m + 1, n, t) - y;
        }

        /** r(t) = R(t) − y; writes dr/dc for every coefficient (A: one-sided derivative at b = 0). */
        double gradientRow(double[] p, double t, double y, double[] grad, double[] dB) {
            RationalFunction.gradients(v, p, 0, m + 1, p, m + 1, n, t, grad, 0, dB, 0);
            double invQ = grad[0];
            double r = RationalFunction.numeratorValue(p, 0, m + 1, t) * invQ;
            if (v == RationalVersion.A) {
                // d|b|/db at b = 0 is taken as +1 so that a zero coefficient can move
                double ax = Math.abs(t);
                double pw = ax;
                for (int k = 0; k < n; k++) {
                    if (p[m + 1 + k] == 0) {
                        dB[k] = -r * invQ * pw;
                    }
                    pw *= ax;
                }
            }
            System.arraycopy(dB, 0, grad, m + 1, n);
            return r - y;
        }

        double gridError(double[] p) {
            double e = 0;
            for (int j = 0; j < ts.length; j++) {
                double r = Math.abs(residual(p, ts[j], ys[j]));
                if (!(r <= Double.MAX_VALUE)) {
                    return Double.POSITIVE_INFINITY;
                }
                e = Math.max(e, r);
            }
            return e;
        }

        Scan scan(double[] p) {
            for (double c : p) {
                if (!Double.isFinite(c)) {
                    return new Scan(Double.POSITIVE_INFINITY, new double[0]);
                }
            }
            RationalFunction rf = toFunction(p, v);
            return errorScan(x -> rf.value(x) - g.applyAsDouble(x), lo, hi, xs);
        }

        int[] freeIndices(boolean[] free) {
            int nf = 0;
            for (boolean f : free) {
                if (f) {
                    nf++;
                }
            }
            int[] idx = new int[nf];
            for (int i = 0, k = 0; i < np; i++) {
                if (free[i]) {
                    idx[k++] = i;
                }
            }
            return idx;
        }

        /** Finite coefficients, and for version N a pole-free denominator. */
        /**
         * Bound on |scaled coefficient i|: COEFFICIENT_LIMIT for the (scale-free) denominator, times the target's
         * magnitude for the numerator, so that fitting c·f gives c times the fit of f.
         */
        double limit(int i) {
            return i <= m ? COEFFICIENT_LIMIT * yScale : COEFFICIENT_LIMIT;
        }

        boolean acceptable(double[] p) {
            for (int i = 0; i < np; i++) {
                if (!(Math.abs(p[i]) <= limit(i))) {
                    return false;
                }
            }
            return v != RationalVersion.N || poleFree(p);
        }

        /** Version N: Q keeps its sign on the interval, with min|Q| ≥ POLE_MARGIN · max|Q|. */
        boolean poleFree(double[] p) {
            double tlo = lo / s;
            double thi = hi / s;
            double[] q = new double[POLE_GRID];
            double qmin = Double.POSITIVE_INFINITY;
            double qmax = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < POLE_GRID; i++) {
                q[i] = RationalVersion.N.denominator(tlo + (thi - tlo) * ((double) i / (POLE_GRID - 1)), p, m + 1, n);
                qmin = Math.min(qmin, q[i]);
                qmax = Math.max(qmax, q[i]);
            }
            if (!(qmin > 0 || qmax < 0)) {
                return false;
            }
            double sign = Math.signum(qmax);
            double amin = Math.min(Math.abs(qmin), Math.abs(qmax));
            double amax = Math.max(Math.abs(qmin), Math.abs(qmax));
            if (!(amin >= POLE_MARGIN * amax)) {
                return false;
            }
            // refine the local minima of |Q| so that a pair of roots between grid points is caught
            double[] arg = new double[1];
            for (int i = 0; i < POLE_GRID; i++) {
                double qi = Math.abs(q[i]);
                boolean left = i == 0 || qi <= Math.abs(q[i - 1]);
                boolean right = i == POLE_GRID - 1 || qi <= Math.abs(q[i + 1]);
                if (left && right && qi < 4 * amin) {
                    double t0 = tlo + (thi - tlo) * ((double) Math.max(0, i - 1) / (POLE_GRID - 1));
                    double t1 = tlo + (thi - tlo) * ((double) Math.min(POLE_GRID - 1, i + 1) / (POLE_GRID - 1));
                    goldenMax(t -> 1.0 / Math.max(Double.MIN_NORMAL,
                            sign * RationalVersion.N.denominator(t, p, m + 1, n)), t0, t1, 1.0 / qi, 0, arg, 60);
                    double qm = sign * RationalVersion.N.denominator(arg[0], p, m + 1, n);
                    if (!(qm >= POLE_MARGIN * amax)) {
                        return false;
                    }
                }
            }
            return true;
        }

        /** Converts scaled coefficients (in t = x / s) to a function of x of the given version. */
        RationalFunction toFunction(double[] p, RationalVersion ver) {
            double[] a = new double[m + 1];
            double[] b = new double[n];
            double inv = 1.0 / s;
            double pw = 1.0;
            for (int i = 0; i <= m; i++) {
                a[i] = p[i] * pw;
                pw *= inv;
            }
            pw = ver.firstPower() == 0 ? 1.0 : inv;
            for (int k = 0; k < n; k++) {
                b[k] = p[m + 1 + k] * pw;
                pw *= inv;
            }
            return new RationalFunction(ver, a, b);
        }
    }

    /** Weighted residuals sw_j·(R(t_j) − y_j) and their Jacobian in the free coefficients, plus ridge rows. */
    private static final class Model implements MultivariateJacobianFunction {
        final Fitter fitter;
        final double[] sw;
        final int[] idx;
        final double[] base;
        /** Ridge factor per free coefficient: RIDGE for the numerator, RIDGE·max|f| for the denominator. */
        final double[] ridge;
        final int rows;
        double bestCost = Double.POSITIVE_INFINITY;
        double[] bestPoint;

        Model(Fitter fitter, double[] sw, int[] idx, double[] base) {
            this.fitter = fitter;
            this.sw = sw;
            this.idx = idx;
            this.base = base;
            this.ridge = new double[idx.length];
            for (int k = 0; k < idx.length; k++) {
                ridge[k] = idx[k] <= fitter.m ? RIDGE : RIDGE * fitter.yScale;
            }
            this.rows = fitter.ts.length + idx.length;
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
            double[] t = fitter.ts;
            double[] y = fitter.ys;
            double[] res = new double[rows];
            double[][] jac = new double[rows][nf];
            double[] grad = new double[fitter.np];
            double[] dB = new double[fitter.n];
            double cost = 0;
            for (int j = 0; j < t.length; j++) {
                double r = sw[j] * fitter.gradientRow(p, t[j], y[j], grad, dB);
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
