package org.rationalnn.dl4j.rational;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The reference formula of {@link RationalFunction} and {@link RationalVersion}: Q as written in the table of the design (RationalVersion's Javadoc)
 * table, and every gradient against central finite differences.
 */
class RationalFunctionTest {

    /** Q(x) written out directly from the design table (RationalVersion's Javadoc) (b holds the stored denominator coefficients). */
    static double designQ(RationalVersion v, double[] b, double x) {
        double s = 0;
        switch (v) {
            case A:
                for (int k = 1; k <= b.length; k++) {
                    s += Math.abs(b[k - 1]) * Math.pow(Math.abs(x), k);
                }
                return 1.0 + s;
            case B:
            case D:
                for (int k = 1; k <= b.length; k++) {
                    s += b[k - 1] * Math.pow(x, k);
                }
                return 1.0 + Math.abs(s);
            case C:
                for (int k = 0; k < b.length; k++) {
                    s += b[k] * Math.pow(x, k);
                }
                return 0.1 + Math.abs(s);
            case N:
                for (int k = 1; k <= b.length; k++) {
                    s += b[k - 1] * Math.pow(x, k);
                }
                return 1.0 + s;
            default:
                throw new AssertionError(v);
        }
    }

    static double designP(double[] a, double x) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * Math.pow(x, i);
        }
        return s;
    }

    /** The inner polynomial whose sign changes make |.| kink (B, C, D), or 0 for A and N. */
    static double inner(RationalVersion v, double[] b, double x) {
        return v.absOfSum() ? v.innerSum(x, b, 0, b.length) : 1.0;
    }

    static double[] randomArray(Random rnd, int len, double scale) {
        double[] a = new double[len];
        for (int i = 0; i < len; i++) {
            a[i] = scale * (2 * rnd.nextDouble() - 1);
        }
        return a;
    }

    @ParameterizedTest
    @EnumSource(RationalVersion.class)
    void denominatorMatchesDesignTable(RationalVersion v) {
        Random rnd = new Random(17 + v.ordinal());
        for (int trial = 0; trial < 200; trial++) {
            int m = rnd.nextInt(7);
            int n = 1 + rnd.nextInt(6);
            double[] a = randomArray(rnd, m + 1, 2.0);
            double[] b = randomArray(rnd, n, 2.0);
            double x = 3 * (2 * rnd.nextDouble() - 1);
            double q = designQ(v, b, x);
            assertEquals(q, v.denominator(x, b), 1e-12 * Math.max(1, Math.abs(q)), v + " Q at " + x);
            RationalFunction r = new RationalFunction(v, a, b);
            if (Math.abs(q) > 1e-3) {
                double expected = designP(a, x) / q;
                assertEquals(expected, r.value(x), 1e-11 * Math.max(1, Math.abs(expected)), v + " R at " + x);
            }
        }
        // x = 0: Q(0) is the offset for A, B, D and N; 0.1 + |b_0| for C
        double[] b = {0.7, -0.3, 0.2};
        assertEquals(v == RationalVersion.C ? 0.8 : 1.0, v.denominator(0.0, b), 1e-15);
    }

    @Test
    void versionProperties() {
        assertEquals(0, RationalVersion.C.firstPower());
        assertEquals(0.1, RationalVersion.C.offset());
        for (RationalVersion v : new RationalVersion[] {RationalVersion.A, RationalVersion.B, RationalVersion.D,
                RationalVersion.N}) {
            assertEquals(1, v.firstPower());
            assertEquals(1.0, v.offset());
        }
        assertFalse(RationalVersion.N.isPoleFree());
        assertTrue(RationalVersion.A.isPoleFree() && RationalVersion.B.isPoleFree()
                && RationalVersion.C.isPoleFree() && RationalVersion.D.isPoleFree());
        assertTrue(RationalVersion.D.hasTrainingNoise());
        assertFalse(RationalVersion.B.hasTrainingNoise());
    }

    @ParameterizedTest
    @EnumSource(RationalVersion.class)
    void gradientsMatchCentralDifferences(RationalVersion v) {
        Random rnd = new Random(4242 + v.ordinal());
        int checked = 0;
        for (int trial = 0; trial < 400 && checked < 150; trial++) {
            int m = rnd.nextInt(7);
            int n = 1 + rnd.nextInt(6);
            double[] a = randomArray(rnd, m + 1, 1.5);
            double[] b = randomArray(rnd, n, 1.5);
            double x = 3 * (2 * rnd.nextDouble() - 1);
            // avoid the kinks of |.| (x = 0, sign changes of the inner polynomial) and poles of N
            if (Math.abs(x) < 0.05 || Math.abs(inner(v, b, x)) < 0.05 || Math.abs(v.denominator(x, b)) < 0.2) {
                continue;
            }
            checked++;
            RationalFunction r = new RationalFunction(v, a, b);
            double[] dA = new double[m + 1];
            double[] dB = new double[n];
            double dx = r.gradients(x, dA, dB);

            double h = 1e-6;
            double fdx = (r.value(x + h) - r.value(x - h)) / (2 * h);
            assertClose(fdx, dx, v + " dR/dx at " + x);
            assertClose(fdx, r.derivative(x), v + " derivative() at " + x);
            double q = v.denominator(x, b);
            double fdq = (v.denominator(x + h, b) - v.denominator(x - h, b)) / (2 * h);
            assertClose(fdq, v.denominatorDx(x, b, 0, n), v + " dQ/dx at " + x);
            for (int i = 0; i <= m; i++) {
                double[] ap = a.clone();
                double[] am = a.clone();
                ap[i] += h;
                am[i] -= h;
                double fd = (new RationalFunction(v, ap, b).value(x) - new RationalFunction(v, am, b).value(x)) / (2 * h);
                assertClose(fd, dA[i], v + " dR/da_" + i + " at " + x);
                assertEquals(Math.pow(x, i) / q, dA[i], 1e-12 * Math.max(1, Math.abs(dA[i])));
            }
            double[] dQdb = new double[n];
            v.denominatorDb(x, b, 0, n, dQdb, 0);
            for (int j = 0; j < n; j++) {
                if (v == RationalVersion.A && Math.abs(b[j]) < 1e-3) {
                    continue; // |b_j| kinks at b_j = 0
                }
                double[] bp = b.clone();
                double[] bm = b.clone();
                bp[j] += h;
                bm[j] -= h;
                double fd = (new RationalFunction(v, a, bp).value(x) - new RationalFunction(v, a, bm).value(x)) / (2 * h);
                assertClose(fd, dB[j], v + " dR/db_" + j + " at " + x);
                double fdQ = (designQ(v, bp, x) - designQ(v, bm, x)) / (2 * h);
                assertClose(fdQ, dQdb[j], v + " dQ/db_" + j + " at " + x);
            }
        }
        assertTrue(checked >= 100, "too few sample points: " + checked);
    }

    @Test
    void subgradientOfAbsAtZeroIsPlusOne() {
        assertEquals(1.0, RationalVersion.sign(0.0), 0.0);
        assertEquals(1.0, RationalVersion.sign(-0.0), 0.0);
        assertEquals(-1.0, RationalVersion.sign(-1e-300), 0.0);
        assertEquals(1.0, RationalVersion.sign(3.0), 0.0);
        assertTrue(Double.isNaN(RationalVersion.sign(Double.NaN)));
        double[] b = {0.5, -0.25};
        double[] out = new double[2];
        // A at x = 0: d|x|/dx = +1, so dQ/dx = |b_1| (the right derivative); dQ/db_k = |x|^k sign(b_k) = 0
        assertEquals(0.5, RationalVersion.A.denominatorDx(0.0, b, 0, 2), 0.0);
        RationalVersion.A.denominatorDb(0.0, b, 0, 2, out, 0);
        assertEquals(0.0, out[0], 0.0);
        assertEquals(0.0, out[1], 0.0);
        // A with a coefficient exactly 0: d|b_k|/db_k = +1, so the coefficient still gets a gradient
        double[] zero = {0.0, 0.0};
        RationalVersion.A.denominatorDb(2.0, zero, 0, 2, out, 0);
        assertEquals(2.0, out[0], 0.0);
        assertEquals(4.0, out[1], 0.0);
        // B, D with an all-zero denominator (T = 0 for every x): d|T|/dT = +1, so dQ/db_k = x^k, never 0
        for (RationalVersion v : new RationalVersion[] {RationalVersion.B, RationalVersion.D}) {
            v.denominatorDb(-2.0, zero, 0, 2, out, 0);
            assertEquals(-2.0, out[0], 0.0, v.name());
            assertEquals(4.0, out[1], 0.0, v.name());
            assertEquals(0.0, v.denominatorDx(-2.0, zero, 0, 2), 0.0, v.name());
        }
        // C: Q = 0.1 + |b_0 + b_1 x|; at T = 0: dQ/db_0 = 1, dQ/db_1 = x
        RationalVersion.C.denominatorDb(3.0, zero, 0, 2, out, 0);
        assertEquals(1.0, out[0], 0.0);
        assertEquals(3.0, out[1], 0.0);
    }

    @Test
    void versionCTypeHasPauMeaning() {
        assertEquals(5, RationalVersion.C.denominatorLength(4));
        assertEquals(4, RationalVersion.B.denominatorLength(4));
        RationalFunction c = new RationalFunction(RationalVersion.C, new double[]{0, 1, 0, 0, 0, 0},
                new double[]{1, 0, 0, 0, 0});
        assertEquals(4, c.denominatorDegree());
        assertEquals(5, c.numeratorDegree());
        // type (m, 0) exists for C only: Q = 0.1 + |b_0|
        RationalFunction c0 = new RationalFunction(RationalVersion.C, new double[]{0, 1}, new double[]{0.9});
        assertEquals(0, c0.denominatorDegree());
        assertEquals(2.0, c0.value(2.0), 1e-15);
        assertThrows(IllegalArgumentException.class,
                () -> new RationalFunction(RationalVersion.B, new double[]{0, 1}, new double[0]));
    }

    @Test
    void arraysAreCopiedAndValidated() {
        double[] a = {1, 2};
        double[] b = {3};
        RationalFunction r = new RationalFunction(RationalVersion.B, a, b);
        a[0] = 99;
        b[0] = 99;
        assertEquals(1.0, r.numerator()[0]);
        assertEquals(3.0, r.denominator()[0]);
        r.numerator()[0] = 42;
        assertEquals(1.0, r.numerator()[0]);
        assertEquals(1, r.numeratorDegree());
        assertEquals(1, r.denominatorDegree());
        assertEquals(new RationalFunction(RationalVersion.B, new double[] {1, 2}, new double[] {3}), r);
        assertThrows(IllegalArgumentException.class,
                () -> new RationalFunction(RationalVersion.B, new double[] {Double.NaN}, new double[] {1}));
        assertThrows(IllegalArgumentException.class,
                () -> new RationalFunction(RationalVersion.B, new double[] {1}, new double[0]));
        assertThrows(IllegalArgumentException.class,
                () -> new RationalFunction(RationalVersion.B, new double[18], new double[] {1}));
    }

    private static void assertClose(double expected, double actual, String what) {
        assertEquals(expected, actual, 1e-6 * Math.max(1, Math.abs(expected)), what);
    }
}
