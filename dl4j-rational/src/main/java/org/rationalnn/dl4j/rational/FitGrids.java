package org.rationalnn.dl4j.rational;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The sample points of a fit: the fit grid the coefficients are optimised on, and the dense uniform grid every
 * reported error is measured on.
 */
final class FitGrids {
    /** Number of uniformly spaced points of the dense grid on which errors are measured. */
    static final int DENSE_POINTS = 4001;
    /** Chebyshev points in the fit grid. */
    private static final int CHEBYSHEV_POINTS = 150;
    /** Uniform points in the fit grid. */
    private static final int UNIFORM_POINTS = 101;

    private FitGrids() {
    }

    /**
     * Chebyshev-clustered plus uniform points on [lo, hi], and points clustered geometrically around 0 (where
     * most activations have their kink) when 0 is inside: s·10^(-j/4), j = 4..28.
     */
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

    /** The points clamped into [lo, hi], sorted, without duplicates. */
    static double[] sortedUnique(List<Double> pts, double lo, double hi) {
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
}
