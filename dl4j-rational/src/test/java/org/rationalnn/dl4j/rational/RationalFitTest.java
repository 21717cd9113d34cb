package org.rationalnn.dl4j.rational;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Quality, determinism, caching and validation of {@link RationalFit}. */
class RationalFitTest {
    private static final Logger LOG = LoggerFactory.getLogger(RationalFitTest.class);

    @BeforeAll
    static void logDefaultFitTime() {
        // the default fit of RationalSpec: LeakyReLU (5,4) version B on [-3,3]; timing is logged, never asserted
        long t0 = System.nanoTime();
        FitResult cached = RationalFit.fit(TargetFunction.LEAKY_RELU, RationalVersion.B, 5, 4, -3, 3);
        long t1 = System.nanoTime();
        FitResult uncached = RationalFit.fit(x -> TargetFunction.LEAKY_RELU.apply(x), RationalVersion.B, 5, 4, -3, 3);
        long t2 = System.nanoTime();
        LOG.info("default fit (LEAKY_RELU (5,4) B on [-3,3]): {} ms (cold unless already cached in this JVM), "
                        + "same fit again without the cache: {} ms; uniform error {}", (t1 - t0) / 1_000_000,
                (t2 - t1) / 1_000_000, cached.uniformError());
        assertEquals(cached.function(), uncached.function());
    }

    /** Q(x) = 1 + Σ b_k x^k is positive on [lo, hi] (checked finely). */
    static void assertPoleFree(RationalFunction r, double lo, double hi) {
        double[] b = r.denominator();
        int k = 20001;
        for (int i = 0; i < k; i++) {
            double x = lo + (hi - lo) * i / (k - 1.0);
            double q = RationalVersion.N.denominator(x, b, 0, b.length);
            assertTrue(q > 1e-3, "version N denominator " + q + " at x = " + x + " for " + r);
        }
    }

    @Test
    void reluTypeThreeTwoVersionNIsNearMinimax() {
        FitResult r = RationalFit.fit(TargetFunction.RELU, RationalVersion.N, 3, 2, -1, 1);
        LOG.info("ReLU (3,2) N on [-1,1]: {}", r);
        // best possible 0.0219 (Boullé et al.), least squares alone 0.041
        assertTrue(r.uniformError() <= 0.0225, r.toString());
        assertTrue(r.uniformError() >= 0.0218, "cannot beat the minimax error: " + r);
        assertEquals(RationalVersion.N, r.function().version());
        assertPoleFree(r.function(), -1, 1);
        assertEquals(-1.0, r.lower());
        assertEquals(1.0, r.upper());
        assertTrue(r.rmsError() > 0 && r.rmsError() < r.uniformError());
    }

    @Test
    void geluTypeFiveFourVersionB() {
        FitResult r = RationalFit.fit(TargetFunction.GELU, RationalVersion.B, 5, 4, -3, 3);
        LOG.info("GELU (5,4) B on [-3,3]: {}", r);
        assertTrue(r.uniformError() <= 0.0015, r.toString());
    }

    @Test
    void reluTypeFiveFourVersionABeatsLeastSquares() {
        // a least-squares fit of this type reaches a uniform error of about 0.03; the near-minimax fit must do better
        FitResult r = RationalFit.fit(TargetFunction.RELU, RationalVersion.A, 5, 4, -3, 3);
        LOG.info("ReLU (5,4) A on [-3,3]: {}", r);
        assertTrue(r.uniformError() <= 0.02, r.toString());
    }

    static Stream<Arguments> everyTargetTypeAndVersion() {
        List<Arguments> list = new ArrayList<>();
        for (TargetFunction f : TargetFunction.values()) {
            for (int[] d : new int[][] {{3, 2}, {5, 4}}) {
                for (RationalVersion v : new RationalVersion[] {RationalVersion.A, RationalVersion.B,
                        RationalVersion.N}) {
                    list.add(Arguments.of(f, d[0], d[1], v));
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} ({1},{2}) {3}")
    @MethodSource("everyTargetTypeAndVersion")
    void everyTargetGivesASensibleFit(TargetFunction f, int m, int n, RationalVersion v) {
        FitResult r = RationalFit.fit(f, v, m, n, -3, 3);
        RationalFunction rf = r.function();
        assertEquals(v, rf.version());
        assertEquals(m, rf.numeratorDegree());
        assertEquals(n, rf.denominatorDegree());
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i <= 600; i++) {
            double x = -3 + 6 * i / 600.0;
            double y = f.apply(x);
            lo = Math.min(lo, y);
            hi = Math.max(hi, y);
            assertTrue(Double.isFinite(rf.value(x)));
        }
        assertTrue(Double.isFinite(r.uniformError()) && Double.isFinite(r.rmsError()));
        // sensible: within 5% of the function's range on [-3,3] (the worst case, ABS (3,2) B/N, is 4.4%)
        assertTrue(r.uniformError() <= 0.05 * (hi - lo), r.toString());
        for (double c : rf.numerator()) {
            assertTrue(Math.abs(c) <= 1e3 * Math.max(1, Math.max(Math.abs(lo), Math.abs(hi))), r.toString());
        }
        for (double c : rf.denominator()) {
            assertTrue(Math.abs(c) <= 1e3, r.toString());
        }
        if (v == RationalVersion.N) {
            assertPoleFree(rf, -3, 3);
        }
    }

    @Test
    void higherDegreeIsNeverWorse() {
        // the padded (m-2, n-2) fit is one of the starts of an (m, n) fit
        for (TargetFunction f : new TargetFunction[] {TargetFunction.ELU, TargetFunction.ABS, TargetFunction.GELU,
                TargetFunction.SELU}) {
            for (RationalVersion v : new RationalVersion[] {RationalVersion.A, RationalVersion.B, RationalVersion.N}) {
                double low = RationalFit.fit(f, v, 3, 2, -3, 3).uniformError();
                double high = RationalFit.fit(f, v, 5, 4, -3, 3).uniformError();
                assertTrue(high <= low * (1 + 1e-9), f + " " + v + ": (5,4) " + high + " > (3,2) " + low);
            }
        }
    }

    @Test
    void fitsAreDeterministicAndIndependentOfTheCache() throws Exception {
        FitResult cached = RationalFit.fit(TargetFunction.MISH, RationalVersion.B, 5, 4, -3, 3);
        DoubleUnaryOperator mish = TargetFunction.MISH::apply;
        FitResult a = RationalFit.fit(mish, RationalVersion.B, 5, 4, -3, 3);
        assertEquals(cached.function(), a.function());
        assertEquals(cached.uniformError(), a.uniformError(), 0.0);
        // concurrent uncached fits agree bit for bit
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<FitResult>> futures = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                futures.add(pool.submit(() -> RationalFit.fit(mish, RationalVersion.B, 5, 4, -3, 3)));
            }
            for (Future<FitResult> fu : futures) {
                FitResult r = fu.get();
                assertArrayEquals(a.function().numerator(), r.function().numerator(), 0.0);
                assertArrayEquals(a.function().denominator(), r.function().denominator(), 0.0);
                assertEquals(a.uniformError(), r.uniformError(), 0.0);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void resultsAreCachedWithTheResolvedParameter() {
        FitResult a = RationalFit.fit(TargetFunction.LEAKY_RELU, RationalVersion.B, 5, 4, -3, 3);
        assertSame(a, RationalFit.fit(TargetFunction.LEAKY_RELU, RationalVersion.B, 5, 4, -3, 3));
        assertSame(a, RationalFit.fit(TargetFunction.LEAKY_RELU, Double.NaN, RationalVersion.B, 5, 4, -3, 3));
        assertSame(a, RationalFit.fit(TargetFunction.LEAKY_RELU, 0.01, RationalVersion.B, 5, 4, -3, 3));
        // a parameterless function ignores the parameter
        assertSame(RationalFit.fit(TargetFunction.TANH, RationalVersion.N, 3, 2, -3, 3),
                RationalFit.fit(TargetFunction.TANH, 0.7, RationalVersion.N, 3, 2, -3, 3));
        // RationalSpec's initial function is the cached fit
        assertEquals(a.function(), RationalSpec.defaults().initialFunction());
        // a different parameter is a different fit
        FitResult b = RationalFit.fit(TargetFunction.LEAKY_RELU, 0.2, RationalVersion.B, 5, 4, -3, 3);
        assertTrue(b != a && !b.function().equals(a.function()));
        assertEquals(0.2 * -2.0, b.function().value(-2.0), 0.05);
    }

    @Test
    void versionDIsFittedAsB() {
        for (TargetFunction f : new TargetFunction[] {TargetFunction.LEAKY_RELU, TargetFunction.GELU}) {
            FitResult b = RationalFit.fit(f, RationalVersion.B, 5, 4, -3, 3);
            FitResult d = RationalFit.fit(f, RationalVersion.D, 5, 4, -3, 3);
            assertEquals(RationalVersion.D, d.function().version());
            assertArrayEquals(b.function().numerator(), d.function().numerator(), 0.0);
            assertArrayEquals(b.function().denominator(), d.function().denominator(), 0.0);
            assertEquals(b.uniformError(), d.uniformError(), 0.0);
            assertEquals(b.rmsError(), d.rmsError(), 0.0);
        }
        FitResult od = RationalFit.fit(Math::abs, RationalVersion.D, 3, 2, -1, 1);
        FitResult ob = RationalFit.fit(Math::abs, RationalVersion.B, 3, 2, -1, 1);
        assertEquals(RationalVersion.D, od.function().version());
        assertArrayEquals(ob.function().numerator(), od.function().numerator(), 0.0);
        assertArrayEquals(ob.function().denominator(), od.function().denominator(), 0.0);
    }

    @Test
    void invalidArgumentsAreRejected() {
        TargetFunction f = TargetFunction.RELU;
        RationalVersion v = RationalVersion.B;
        assertThrows(IllegalArgumentException.class, () -> RationalFit.fit(f, v, -1, 2, -3, 3));
        assertThrows(IllegalArgumentException.class, () -> RationalFit.fit(f, v, 17, 2, -3, 3));
        assertThrows(IllegalArgumentException.class, () -> RationalFit.fit(f, v, 3, 0, -3, 3));
        assertThrows(IllegalArgumentException.class, () -> RationalFit.fit(f, v, 3, 17, -3, 3));
        assertThrows(IllegalArgumentException.class, () -> RationalFit.fit(f, v, 3, 2, 3, 3));
        assertThrows(IllegalArgumentException.class, () -> RationalFit.fit(f, v, 3, 2, 3, -3));
        assertThrows(IllegalArgumentException.class, () -> RationalFit.fit(f, v, 3, 2, Double.NaN, 3));
        assertThrows(IllegalArgumentException.class,
                () -> RationalFit.fit(f, v, 3, 2, -3, Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> RationalFit.fit(f, v, 3, 2, -2e4, 3));
        assertThrows(IllegalArgumentException.class,
                () -> RationalFit.fit(TargetFunction.LEAKY_RELU, Double.POSITIVE_INFINITY, v, 3, 2, -3, 3));
        assertThrows(IllegalArgumentException.class,
                () -> RationalFit.fit(TargetFunction.ELU, Double.NEGATIVE_INFINITY, v, 3, 2, -3, 3));
        assertThrows(IllegalArgumentException.class, () -> RationalFit.fit(TargetFunction.ELU, 0.0, v, 3, 2, -3, 3));
        assertThrows(IllegalArgumentException.class, () -> RationalFit.fit(x -> x, v, 3, 17, -3, 3));
        assertThrows(IllegalArgumentException.class, () -> RationalFit.fit(x -> x, v, 3, 2, 1, -1));
        assertThrows(NullPointerException.class, () -> RationalFit.fit((TargetFunction) null, v, 3, 2, -3, 3));
        assertThrows(NullPointerException.class, () -> RationalFit.fit(f, null, 3, 2, -3, 3));
        assertThrows(NullPointerException.class, () -> RationalFit.fit((DoubleUnaryOperator) null, v, 3, 2, -3, 3));
    }

    @Test
    void nonFiniteTargetIsRejectedNamingThePoint() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RationalFit.fit(x -> 1.0 / x, RationalVersion.N, 3, 2, -1, 1));
        assertTrue(e.getMessage().contains("f(0.0) = Infinity"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RationalFit.fit(x -> x > 0.5 ? Double.NaN : x, RationalVersion.B, 3, 2, -1, 1));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RationalFit.fit(Math::log, RationalVersion.A, 3, 2, 0, 1));
        assertTrue(e.getMessage().contains("f(0.0) = -Infinity"), e.getMessage());
    }

    @Test
    void absoluteValueTypeFourFour() {
        FitResult n = RationalFit.fit(Math::abs, RationalVersion.N, 4, 4, -1, 1);
        LOG.info("|x| (4,4) N on [-1,1]: {}", n);
        // polynomials of degree 4 reach only about 0.28/4 = 0.07; rationals are root-exponentially better
        assertTrue(n.uniformError() <= 0.0125, n.toString());
        assertPoleFree(n.function(), -1, 1);
        assertEquals(n.uniformError(), RationalFit.uniformError(n.function(), Math::abs, -1, 1), 1e-12);
        // version A has |x| built into Q
        FitResult a = RationalFit.fit(Math::abs, RationalVersion.A, 4, 4, -1, 1);
        assertTrue(a.uniformError() <= 0.0025, a.toString());
    }

    @Test
    void fitsScaleWithTheTarget() {
        FitResult one = RationalFit.fit(Math::tanh, RationalVersion.B, 3, 2, -1, 1);
        FitResult big = RationalFit.fit(x -> 1e6 * Math.tanh(x), RationalVersion.B, 3, 2, -1, 1);
        assertEquals(one.uniformError() * 1e6, big.uniformError(), 1e-6 * big.uniformError());
    }

    @Test
    void otherIntervals() {
        FitResult pos = RationalFit.fit(TargetFunction.GELU, RationalVersion.B, 5, 4, 0.5, 4);
        assertTrue(pos.uniformError() < 1e-4, pos.toString());
        FitResult neg = RationalFit.fit(TargetFunction.SOFTPLUS, RationalVersion.N, 3, 2, -5, -1);
        assertTrue(neg.uniformError() < 1e-3, neg.toString());
        assertPoleFree(neg.function(), -5, -1);
        FitResult wide = RationalFit.fit(TargetFunction.RELU, RationalVersion.A, 5, 4, -1e4, 1e4);
        // ReLU is scale invariant: the error scales with the interval
        double small = RationalFit.fit(TargetFunction.RELU, RationalVersion.A, 5, 4, -3, 3).uniformError();
        assertEquals(small / 3 * 1e4, wide.uniformError(), 0.05 * wide.uniformError());
    }

    @Test
    @Timeout(120)
    void highDegreeFitTerminatesWithAFiniteResult() {
        long t0 = System.nanoTime();
        FitResult r = RationalFit.fit(TargetFunction.RELU, RationalVersion.B, 16, 16, -3, 3);
        LOG.info("ReLU (16,16) B on [-3,3] in {} ms: {}", (System.nanoTime() - t0) / 1_000_000, r);
        assertNotNull(r);
        assertTrue(Double.isFinite(r.uniformError()));
        assertTrue(r.uniformError() <= RationalFit.fit(TargetFunction.RELU, RationalVersion.B, 5, 4, -3, 3)
                .uniformError());
        FitResult n = RationalFit.fit(Math::abs, RationalVersion.N, 16, 16, -1, 1);
        assertTrue(Double.isFinite(n.uniformError()));
        assertPoleFree(n.function(), -1, 1);
    }

    @Test
    void uniformErrorHelperFindsMaximaBetweenGridPoints() {
        RationalFunction zero = new RationalFunction(RationalVersion.N, new double[] {0.0}, new double[] {0.0});
        // the maximum of |cos(x - c)| is 1, at x = c, which is no grid point
        double c = 0.123456789;
        assertEquals(1.0, RationalFit.uniformError(zero, x -> Math.cos(x - c), -3, 3), 1e-14);
        // a kink between grid points
        assertEquals(1.0, RationalFit.uniformError(zero, x -> 1 - Math.abs(x - c), -1, 1), 1e-13);
        RationalFunction id = new RationalFunction(RationalVersion.N, new double[] {0.0, 1.0}, new double[] {0.0});
        assertEquals(2.0, RationalFit.uniformError(id, x -> x * x, -1, 1), 1e-15);
        assertEquals(0.0, RationalFit.uniformError(id, x -> x, -1, 1), 0.0);
    }
}
