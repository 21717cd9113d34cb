package org.rationalnn.dl4j.rational;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;

/**
 * The uniform error of an error curve e(x) on an interval: its maximum over the dense grid and extra nodes, with
 * the grid-local maxima refined by golden-section search; also the local-maximum and golden-section helpers
 * the minimax polish uses on the fit grid.
 */
final class ErrorScan {
    /** Largest number of local maxima refined by an error scan. */
    private static final int MAX_SCAN_PEAKS = 64;

    /** max |e| over the interval. */
    final double max;
    /** Abscissae of the refined local maxima. */
    final double[] peaks;

    private ErrorScan(double max, double[] peaks) {
        this.max = max;
        this.peaks = peaks;
    }

    /** The scan of a curve that is not finite somewhere. */
    static ErrorScan infinite() {
        return new ErrorScan(Double.POSITIVE_INFINITY, new double[0]);
    }

    /**
     * max |e(x)| over the dense grid of [lo, hi], the extra nodes, and the golden-section refinement of every
     * grid-local maximum of |e| that is at least half the grid maximum; {@link #peaks} holds the refined
     * abscissae. A non-finite |e| anywhere gives +∞ and no peaks.
     */
    static ErrorScan of(DoubleUnaryOperator e, double lo, double hi, double[] nodes) {
        double[] d = FitGrids.denseGrid(lo, hi);
        double[] a = new double[d.length];
        double max = 0;
        for (int i = 0; i < d.length; i++) {
            a[i] = Math.abs(e.applyAsDouble(d[i]));
            if (!(a[i] <= Double.MAX_VALUE)) {
                return infinite();
            }
            max = Math.max(max, a[i]);
        }
        for (double x : nodes) {
            double v = Math.abs(e.applyAsDouble(x));
            if (!(v <= Double.MAX_VALUE)) {
                return infinite();
            }
            max = Math.max(max, v);
        }
        if (max == 0) {
            return new ErrorScan(0.0, new double[0]);
        }
        int[] cand = localMaxima(a, 0.5 * max, MAX_SCAN_PEAKS);
        double[] peaks = new double[cand.length];
        double[] arg = new double[1];
        for (int c = 0; c < cand.length; c++) {
            int i = cand[c];
            double v = goldenMax(e, d[Math.max(0, i - 1)], d[Math.min(d.length - 1, i + 1)], a[i], d[i], arg, 100);
            if (!(v <= Double.MAX_VALUE)) {
                return infinite();
            }
            max = Math.max(max, v);
            peaks[c] = arg[0];
        }
        return new ErrorScan(max, peaks);
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
}
