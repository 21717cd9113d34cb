package org.rationalnn.dl4j.rational;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * One fitting problem: the target on the fit grid, the version and degrees, and the evaluation of candidate
 * coefficients. Works on scaled coefficients c = (α_0..α_m, β_0..β_{n-1}) of the variable t = x / s,
 * s = max(|lo|, |hi|) (n here is the number of stored denominator coefficients); {@link #toFunction} converts
 * them to coefficients in x. The fit grid grows when the polish adds error peaks it missed.
 */
final class FitProblem {
    /** Bound on |scaled denominator coefficient|, and on |scaled numerator coefficient| / max|f|. */
    static final double COEFFICIENT_LIMIT = 1e3;
    /** Errors below this fraction of max |f| are rounding noise. */
    private static final double NEGLIGIBLE_ERROR = 1e-14;

    final DoubleUnaryOperator g;
    final RationalVersion v;
    final int m;
    /** Number of stored denominator coefficients. */
    final int n;
    /** Number of coefficients, m + 1 + n. */
    final int np;
    final double lo;
    final double hi;
    final double s;
    /** max |f| on the dense grid (at least the smallest normal double). */
    final double yScale;
    /** Errors below this are rounding noise: no further polishing. */
    final double negligible;
    double[] xs;
    double[] ts;
    double[] ys;
    /** The coefficient box [lower_i, upper_i] every accepted iterate lies in (see {@link #defaultBox()}). */
    private double[] lower;
    private double[] upper;

    FitProblem(DoubleUnaryOperator g, RationalVersion v, int m, int n, double lo, double hi, double[] denseY) {
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
        double[] x = FitGrids.fitGrid(lo, hi, s);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = g.applyAsDouble(x[i]);
        }
        setGrid(x, y);
        double[][] box = defaultBox();
        setBox(box[0], box[1]);
    }

    private void setGrid(double[] x, double[] y) {
        this.xs = x;
        this.ys = y;
        this.ts = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            ts[i] = x[i] / s;
        }
    }

    /** Adds points (in x) to the fit grid. */
    void addPoints(double[] extra) {
        List<Double> pts = new ArrayList<>(xs.length + extra.length);
        for (double x : xs) {
            pts.add(x);
        }
        for (double x : extra) {
            pts.add(x);
        }
        double[] nx = FitGrids.sortedUnique(pts, lo, hi);
        double[] ny = new double[nx.length];
        for (int i = 0, j = 0; i < nx.length; i++) {
            while (j < xs.length && xs[j] < nx[i]) {
                j++;
            }
            ny[i] = j < xs.length && xs[j] == nx[i] ? ys[j] : g.applyAsDouble(nx[i]);
        }
        setGrid(nx, ny);
    }

    // ------------------------------------------------------------------------------------------ evaluation

    /** R(t) − y. */
    double residual(double[] p, double t, double y) {
        return RationalFunction.value(v, p, 0, m + 1, p, m + 1, n, t) - y;
    }

    /**
     * r(t) = R(t) − y; writes dr/dc for every coefficient into {@code grad} ({@code dB}: scratch of length n).
     * The derivatives are those of {@link RationalFunction#gradients}, with its subgradient convention
     * {@link RationalVersion#sign(double)} for |b_k| (version A) and for the outer |T| (B, C, D).
     */
    double gradientRow(double[] p, double t, double y, double[] grad, double[] dB) {
        RationalFunction.gradients(v, p, 0, m + 1, p, m + 1, n, t, grad, 0, dB, 0);
        double r = RationalFunction.numeratorValue(p, 0, m + 1, t) * grad[0];
        System.arraycopy(dB, 0, grad, m + 1, n);
        return r - y;
    }

    /** max |R − f| over the fit grid (+∞ if not finite). */
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

    /** The error scan of p on the dense grid and the fit grid (in x). */
    ErrorScan scan(double[] p) {
        for (double c : p) {
            if (!Double.isFinite(c)) {
                return ErrorScan.infinite();
            }
        }
        RationalFunction rf = toFunction(p, v);
        return ErrorScan.of(x -> rf.value(x) - g.applyAsDouble(x), lo, hi, xs);
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

    // ------------------------------------------------------------------------------------------ admissibility

    /** Indices of the free coefficients. */
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

    /**
     * Bound on |scaled coefficient i|: COEFFICIENT_LIMIT for the (scale-free) denominator, times the target's
     * magnitude for the numerator, so that fitting c·f gives c times the fit of f.
     */
    double limit(int i) {
        return i <= m ? COEFFICIENT_LIMIT * yScale : COEFFICIENT_LIMIT;
    }

    /**
     * The box of a fit: |c_i| ≤ {@link #limit(int)}, and for version A the kink margin b_k ∈ [δ_k, limit]
     * ({@link KinkMargin#versionA}, in scaled units δ_k·s^k, raised by a relative 1e-9 so that the coefficients
     * in x keep the margin after the conversion).
     *
     * @return {lower, upper}
     */
    double[][] defaultBox() {
        double[] lo = new double[np];
        double[] up = new double[np];
        for (int i = 0; i < np; i++) {
            up[i] = limit(i);
            lo[i] = -up[i];
        }
        if (v == RationalVersion.A) {
            for (int k = 0; k < n; k++) {
                lo[m + 1 + k] = KinkMargin.versionA(k + 1, s) * Math.pow(s, k + 1) * (1 + 1e-9);
            }
        }
        return new double[][] {lo, up};
    }

    /** Replaces the box (copies). */
    private void setBox(double[] lo, double[] up) {
        this.lower = lo.clone();
        this.upper = up.clone();
    }

    /** Lower end of coefficient i's box. */
    double lower(int i) {
        return lower[i];
    }

    /** Upper end of coefficient i's box. */
    double upper(int i) {
        return upper[i];
    }

    /** The nearest point of the box (version A: |b_k| first, since only |b_k| enters Q). */
    double[] project(double[] p) {
        double[] q = p.clone();
        for (int i = 0; i < np; i++) {
            double c = v == RationalVersion.A && i > m ? Math.abs(q[i]) : q[i];
            q[i] = Math.min(upper[i], Math.max(lower[i], c));
        }
        return q;
    }

    /** Finite coefficients inside the box, and for version N a pole-free denominator. */
    boolean acceptable(double[] p) {
        for (int i = 0; i < np; i++) {
            if (!(p[i] >= lower[i] && p[i] <= upper[i])) {
                return false;
            }
        }
        return v != RationalVersion.N || poleFree(p);
    }

    /** Version N: see {@link PoleCheck}. */
    boolean poleFree(double[] p) {
        return PoleCheck.poleFree(p, m + 1, n, lo / s, hi / s);
    }

    // ------------------------------------------------------------------------------------------ conversions

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
}
