package org.rationalnn.dl4j.rational;

/**
 * Version N's acceptance test: the unprotected denominator Q(t) = 1 + Σ β_k t^k keeps one sign on the
 * interval with min|Q| ≥ {@value #POLE_MARGIN}·max|Q|, checked on a grid of {@value #POLE_GRID} points with
 * every local minimum of |Q| refined by golden section (so a pair of close roots between grid points is caught).
 * Poles outside the interval are not excluded (that is version N).
 */
final class PoleCheck {
    /** Smallest accepted min|Q| / max|Q| on the interval. */
    static final double POLE_MARGIN = 1e-3;
    /** Grid size of the check. */
    private static final int POLE_GRID = 2001;

    private PoleCheck() {
    }

    /**
     * Whether the version-N denominator {@code b[off .. off+n-1]} is pole-free on [tlo, thi] in the above sense.
     */
    static boolean poleFree(double[] b, int off, int n, double tlo, double thi) {
        double[] q = new double[POLE_GRID];
        double qmin = Double.POSITIVE_INFINITY;
        double qmax = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < POLE_GRID; i++) {
            q[i] = RationalVersion.N.denominator(tlo + (thi - tlo) * ((double) i / (POLE_GRID - 1)), b, off, n);
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
        double[] arg = new double[1];
        for (int i = 0; i < POLE_GRID; i++) {
            double qi = Math.abs(q[i]);
            boolean left = i == 0 || qi <= Math.abs(q[i - 1]);
            boolean right = i == POLE_GRID - 1 || qi <= Math.abs(q[i + 1]);
            if (left && right && qi < 4 * amin) {
                double t0 = tlo + (thi - tlo) * ((double) Math.max(0, i - 1) / (POLE_GRID - 1));
                double t1 = tlo + (thi - tlo) * ((double) Math.min(POLE_GRID - 1, i + 1) / (POLE_GRID - 1));
                ErrorScan.goldenMax(t -> 1.0 / Math.max(Double.MIN_NORMAL,
                        sign * RationalVersion.N.denominator(t, b, off, n)), t0, t1, 1.0 / qi, 0, arg, 60);
                double qm = sign * RationalVersion.N.denominator(arg[0], b, off, n);
                if (!(qm >= POLE_MARGIN * amax)) {
                    return false;
                }
            }
        }
        return true;
    }
}
