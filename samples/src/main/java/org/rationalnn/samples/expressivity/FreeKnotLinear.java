package org.rationalnn.samples.expressivity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * Free-knot piecewise-linear approximation in the uniform norm, computed (not trained): what a 1-hidden-layer ReLU
 * network 1 → H → 1 can reach at best. In one dimension such a network is a continuous piecewise-linear function
 * with at most H breakpoints (each neuron ReLU(w x + b) adds at most one), so it has at most H + 1 linear pieces;
 * conversely every continuous piecewise-linear function with P pieces on [x_0, x_end] is such a network with
 * H = P neurons: v_0 + s_0·ReLU(x − x_0) + Σ_{p≥1} (s_p − s_{p−1})·ReLU(x − t_p).
 *
 * <p>Both bounds work on samples x_0 &lt; ... &lt; x_{N−1} of the target f with the tube [f(x_i) − ε, f(x_i) + ε]:
 * <ul>
 * <li>{@link #minPieces}: the fewest pieces of any piecewise-linear function, even a discontinuous one, that stays
 * in the tube at every sample. Greedy (each piece extended as far as some line stays in the tube, tested exactly
 * by clipping the convex set of feasible (value, slope) pairs with two half-planes per sample) is optimal for this
 * problem. It is a lower bound for the true problem on the whole interval (fewer constraints, and continuity
 * dropped), so a ReLU network needs H ≥ minPieces − 1 neurons for uniform error ε on the interval.</li>
 * <li>{@link #continuous}: a continuous piecewise-linear function in the tube, built by the same clipping with
 * shared knots: each piece starts from the window of values the previous piece can end with at its knot, and a
 * backward pass picks consistent knot values. Its pieces give an achievable ReLU network (an upper bound).</li>
 * </ul>
 */
public final class FreeKnotLinear {
    private FreeKnotLinear() {
    }

    /** A continuous piecewise-linear function: knots t_0 &lt; ... &lt; t_P and the values there. */
    public record Function(double[] knots, double[] values) implements DoubleUnaryOperator {
        public Function {
            if (knots.length < 2 || knots.length != values.length) {
                throw new IllegalArgumentException("need >= 2 knots and one value per knot, got " + knots.length
                        + " knots and " + values.length + " values");
            }
            knots = knots.clone();
            values = values.clone();
        }

        /** Number of linear pieces P. */
        public int pieces() {
            return knots.length - 1;
        }

        /** Slope of piece p. */
        public double slope(int p) {
            return (values[p + 1] - values[p]) / (knots[p + 1] - knots[p]);
        }

        /** The function (linear extrapolation outside [t_0, t_P]). */
        @Override
        public double applyAsDouble(double x) {
            int p = Arrays.binarySearch(knots, x);
            if (p < 0) {
                p = -p - 2;
            }
            p = Math.max(0, Math.min(pieces() - 1, p));
            return values[p] + slope(p) * (x - knots[p]);
        }

        @Override
        public double[] knots() {
            return knots.clone();
        }

        @Override
        public double[] values() {
            return values.clone();
        }
    }

    /**
     * The fewest pieces of a piecewise-linear function (continuity not required) within ε of every sample.
     *
     * @param x   sample points, strictly increasing
     * @param y   f at the samples
     * @param eps the tube half-width ε &gt; 0
     */
    public static int minPieces(double[] x, double[] y, double eps) {
        check(x, y, eps);
        int n = x.length;
        int pieces = 0;
        int a = 0;
        while (a < n) {
            pieces++;
            if (a == n - 1) {
                break;
            }
            Polygon poly = Polygon.start(x, y, eps, a, y[a] - eps, y[a] + eps);
            int j = a + 2;
            while (j < n && poly.clip(x[j] - x[a], y[j] - eps, y[j] + eps)) {
                j++;
            }
            a = j;
        }
        return pieces;
    }

    /**
     * A continuous piecewise-linear function within ε of every sample, with knots at sample points.
     *
     * @param x   sample points, strictly increasing (at least 2)
     * @param y   f at the samples
     * @param eps the tube half-width ε &gt; 0
     */
    public static Function continuous(double[] x, double[] y, double eps) {
        check(x, y, eps);
        int n = x.length;
        List<Integer> knots = new ArrayList<>();
        List<Polygon> polygons = new ArrayList<>();
        knots.add(0);
        double w0 = y[0] - eps;
        double w1 = y[0] + eps;
        int a = 0;
        while (a < n - 1) {
            Polygon poly = Polygon.start(x, y, eps, a, w0, w1);
            int last = a + 1;
            while (last + 1 < n && poly.clip(x[last + 1] - x[a], y[last + 1] - eps, y[last + 1] + eps)) {
                last++;
            }
            double d = x[last] - x[a];
            w0 = poly.min(d);
            w1 = poly.max(d);
            polygons.add(poly.compact());
            knots.add(last);
            a = last;
        }
        int pieces = polygons.size();
        double[] t = new double[pieces + 1];
        double[] v = new double[pieces + 1];
        for (int p = 0; p <= pieces; p++) {
            t[p] = x[knots.get(p)];
        }
        v[pieces] = (w0 + w1) / 2;
        for (int p = pieces - 1; p >= 0; p--) {
            v[p] = polygons.get(p).startValueEndingAt(t[p + 1] - t[p], v[p + 1]);
        }
        return new Function(t, v);
    }

    /** max |f − g| over {@code x} and {@code refine} − 1 points between neighbours (the refined samples). */
    public static double uniformError(DoubleUnaryOperator f, DoubleUnaryOperator g, double[] x, int refine) {
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            int parts = i + 1 < x.length ? refine : 1;
            for (int r = 0; r < parts; r++) {
                double u = r == 0 ? x[i] : x[i] + (x[i + 1] - x[i]) * r / refine;
                double e = Math.abs(f.applyAsDouble(u) - g.applyAsDouble(u));
                if (!(e <= max)) {
                    max = Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
                }
            }
        }
        return max;
    }

    private static void check(double[] x, double[] y, double eps) {
        if (x.length < 2 || x.length != y.length) {
            throw new IllegalArgumentException("need >= 2 samples and one value per sample, got " + x.length
                    + " and " + y.length);
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("ε must be > 0, got " + eps);
        }
        for (int i = 1; i < x.length; i++) {
            if (!(x[i] > x[i - 1])) {
                throw new IllegalArgumentException("samples must increase strictly, x[" + (i - 1) + "] = "
                        + x[i - 1] + ", x[" + i + "] = " + x[i]);
            }
        }
    }

    /**
     * The convex set of lines y = c + s·(x − x_a) that stay in the tube at the samples seen so far, as a polygon in
     * the (c, s) plane. Clipping writes into scratch buffers and commits only a non-empty result, so a failed
     * clip leaves the polygon as it was.
     */
    static final class Polygon {
        private double[] c = new double[16];
        private double[] s = new double[16];
        private int size;
        private double[] c1 = new double[16];
        private double[] s1 = new double[16];
        private double[] c2 = new double[16];
        private double[] s2 = new double[16];

        /** Lines with value in [w0, w1] at x_a and in the tube at x_{a+1}: a parallelogram. */
        static Polygon start(double[] x, double[] y, double eps, int a, double w0, double w1) {
            double d = x[a + 1] - x[a];
            double lo = y[a + 1] - eps;
            double hi = y[a + 1] + eps;
            Polygon p = new Polygon();
            p.c[0] = w0;
            p.s[0] = (lo - w0) / d;
            p.c[1] = w1;
            p.s[1] = (lo - w1) / d;
            p.c[2] = w1;
            p.s[2] = (hi - w1) / d;
            p.c[3] = w0;
            p.s[3] = (hi - w0) / d;
            p.size = 4;
            return p;
        }

        /** Keeps the lines with lo ≤ c + s·d ≤ hi; false (and unchanged) if none would be left. */
        boolean clip(double d, double lo, double hi) {
            boolean inside = true;
            for (int i = 0; i < size && inside; i++) {
                double v = c[i] + s[i] * d;
                inside = v <= hi && v >= lo;
            }
            if (inside) {
                return true;
            }
            ensure(2 * size + 4);
            int n1 = clipHalf(c, s, size, c1, s1, d, hi, 1);
            if (n1 == 0) {
                return false;
            }
            int n2 = clipHalf(c1, s1, n1, c2, s2, d, lo, -1);
            if (n2 == 0) {
                return false;
            }
            double[] tc = c;
            double[] ts = s;
            c = c2;
            s = s2;
            c2 = tc;
            s2 = ts;
            size = n2;
            if (size > 24) {
                hull();
            }
            return true;
        }

        /**
         * Replaces the vertices by their convex hull (Andrew's monotone chain): rounding in nearly degenerate
         * polygons (a tube that pins the line down) can leave duplicate or collinear vertices behind.
         */
        private void hull() {
            Integer[] order = new Integer[size];
            for (int i = 0; i < size; i++) {
                order[i] = i;
            }
            double[] pc = Arrays.copyOf(c, size);
            double[] ps = Arrays.copyOf(s, size);
            Arrays.sort(order, (a, b) -> pc[a] != pc[b] ? Double.compare(pc[a], pc[b]) : Double.compare(ps[a], ps[b]));
            int[] h = new int[2 * size + 1];
            int k = 0;
            for (int pass = 0; pass < 2; pass++) {
                int start = k;
                for (int j = 0; j < size; j++) {
                    int i = order[pass == 0 ? j : size - 1 - j];
                    while (k >= start + 2 && cross(pc, ps, h[k - 2], h[k - 1], i) <= 0) {
                        k--;
                    }
                    h[k++] = i;
                }
                k--; // the last point of each chain starts the other
            }
            int m = Math.max(k, 1);
            for (int j = 0; j < m; j++) {
                c[j] = pc[h[j]];
                s[j] = ps[h[j]];
            }
            size = m;
        }

        private static double cross(double[] c, double[] s, int o, int a, int b) {
            return (c[a] - c[o]) * (s[b] - s[o]) - (s[a] - s[o]) * (c[b] - c[o]);
        }

        private void ensure(int capacity) {
            if (c1.length < capacity) {
                int cap = Math.max(capacity, 2 * c1.length);
                c = Arrays.copyOf(c, cap);
                s = Arrays.copyOf(s, cap);
                c1 = new double[cap];
                s1 = new double[cap];
                c2 = new double[cap];
                s2 = new double[cap];
            }
        }

        /** Writes the part with sign·(c + s·d − bound) ≤ 0 (Sutherland–Hodgman); returns its vertex count. */
        private static int clipHalf(double[] ic, double[] is, int n, double[] oc, double[] os, double d,
                                    double bound, int sign) {
            int m = 0;
            for (int i = 0; i < n; i++) {
                int k = i + 1 == n ? 0 : i + 1;
                double gi = sign * (ic[i] + is[i] * d - bound);
                double gk = sign * (ic[k] + is[k] * d - bound);
                if (gi <= 0) {
                    oc[m] = ic[i];
                    os[m] = is[i];
                    m++;
                }
                if ((gi < 0 && gk > 0) || (gi > 0 && gk < 0)) {
                    double t = gi / (gi - gk);
                    oc[m] = ic[i] + t * (ic[k] - ic[i]);
                    os[m] = is[i] + t * (is[k] - is[i]);
                    m++;
                }
            }
            return m;
        }

        /** A copy holding only the vertices (the kept polygons of a long fit stay small). */
        Polygon compact() {
            Polygon p = new Polygon();
            p.c = Arrays.copyOf(c, Math.max(size, 1));
            p.s = Arrays.copyOf(s, Math.max(size, 1));
            p.size = size;
            p.c1 = p.s1 = p.c2 = p.s2 = new double[0];
            return p;
        }

        /** min over the polygon of c + s·d: the lowest value the lines reach at x_a + d. */
        double min(double d) {
            double m = Double.POSITIVE_INFINITY;
            for (int i = 0; i < size; i++) {
                m = Math.min(m, c[i] + s[i] * d);
            }
            return m;
        }

        double max(double d) {
            double m = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < size; i++) {
                m = Math.max(m, c[i] + s[i] * d);
            }
            return m;
        }

        /**
         * The start value c of a line in the polygon with c + s·d = v (the middle of the chord where that line
         * crosses the polygon; the nearest vertex if rounding left the crossing just outside).
         */
        double startValueEndingAt(double d, double v) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            double nearest = Double.NaN;
            double nearestGap = Double.POSITIVE_INFINITY;
            for (int i = 0; i < size; i++) {
                int k = (i + 1) % size;
                double gi = c[i] + s[i] * d - v;
                double gk = c[k] + s[k] * d - v;
                if (gi == 0) {
                    lo = Math.min(lo, c[i]);
                    hi = Math.max(hi, c[i]);
                }
                if ((gi < 0 && gk > 0) || (gi > 0 && gk < 0)) {
                    double t = gi / (gi - gk);
                    double cc = c[i] + t * (c[k] - c[i]);
                    lo = Math.min(lo, cc);
                    hi = Math.max(hi, cc);
                }
                if (Math.abs(gi) < nearestGap) {
                    nearestGap = Math.abs(gi);
                    nearest = c[i];
                }
            }
            return lo <= hi ? (lo + hi) / 2 : nearest;
        }
    }
}
