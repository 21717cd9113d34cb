package org.rationalnn.dl4j.rational;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fitted formula is the executed one: the returned coefficients, evaluated by the reference formula
 * {@link RationalFunction#value(double)} on an independent dense grid (with its own refinement of the error
 * peaks), reproduce the reported uniform error. This is the check that would have caught the KAT GELU
 * initialisation that was fitted with one denominator form and executed with another.
 */
class RoundTripFidelityTest {
    private static final double LO = -3.0;
    private static final double HI = 3.0;

    static Stream<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        for (TargetFunction f : TargetFunction.values()) {
            for (int[] d : new int[][] {{3, 2}, {5, 4}}) {
                for (RationalVersion v : new RationalVersion[] {RationalVersion.A, RationalVersion.B,
                        RationalVersion.D, RationalVersion.N}) {
                    list.add(Arguments.of(f, d[0], d[1], v));
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} ({1},{2}) {3}")
    @MethodSource("cases")
    void reportedErrorIsTheErrorOfTheReturnedCoefficients(TargetFunction f, int m, int n, RationalVersion v) {
        FitResult r = RationalFit.fit(f, v, m, n, LO, HI);
        RationalFunction rf = r.function();
        assertEquals(v, rf.version());
        // rebuild the function from its raw coefficients, as a saved model would
        RationalFunction copy = new RationalFunction(v, rf.numerator(), rf.denominator());
        DoubleUnaryOperator err = x -> copy.value(x) - f.apply(x);

        double sup = independentSup(err, LO, HI);
        assertEquals(sup, r.uniformError(), 1e-9 * sup + 1e-13, r.toString());

        // the rms error is defined on 4001 uniform points: recompute it exactly
        int k = 4001;
        double sum = 0;
        for (int i = 0; i < k; i++) {
            double e = err.applyAsDouble(LO + (HI - LO) * ((double) i / (k - 1)));
            sum += e * e;
        }
        double rms = Math.sqrt(sum / k);
        assertEquals(rms, r.rmsError(), 1e-9 * rms + 1e-13, r.toString());
        assertTrue(r.rmsError() <= r.uniformError() + 1e-15);
    }

    /**
     * sup |e| on [lo, hi]: 12347 uniform points (0 included), every local maximum of at least half the grid
     * maximum refined by a ternary search in its two neighbouring cells.
     */
    static double independentSup(DoubleUnaryOperator e, double lo, double hi) {
        int k = 12347;
        double[] x = new double[k];
        double[] a = new double[k];
        double max = 0;
        for (int i = 0; i < k; i++) {
            x[i] = lo + (hi - lo) * ((double) i / (k - 1));
            a[i] = Math.abs(e.applyAsDouble(x[i]));
            assertTrue(Double.isFinite(a[i]), "non-finite error at " + x[i]);
            max = Math.max(max, a[i]);
        }
        double gridMax = max;
        for (int i = 0; i < k; i++) {
            boolean peak = (i == 0 || a[i] >= a[i - 1]) && (i == k - 1 || a[i] >= a[i + 1]);
            if (peak && a[i] >= 0.5 * gridMax && gridMax > 0) {
                double l = x[Math.max(0, i - 1)];
                double r = x[Math.min(k - 1, i + 1)];
                for (int it = 0; it < 200 && r - l > 1e-15; it++) {
                    double m1 = l + (r - l) / 3;
                    double m2 = r - (r - l) / 3;
                    double f1 = Math.abs(e.applyAsDouble(m1));
                    double f2 = Math.abs(e.applyAsDouble(m2));
                    max = Math.max(max, Math.max(f1, f2));
                    if (f1 < f2) {
                        l = m1;
                    } else {
                        r = m2;
                    }
                }
                max = Math.max(max, Math.abs(e.applyAsDouble(0.5 * (l + r))));
            }
        }
        return max;
    }
}
