package org.rationalnn.samples.approx;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LawsonMinimaxTest {

    private static double[] grid(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = -1 + 2.0 * i / (n - 1);
        }
        return x;
    }

    @Test
    void bestQuadraticForAbsIsXSquaredPlusOneEighth() {
        // classical: the minimax quadratic for |x| on [-1, 1] is x^2 + 1/8, error 1/8
        LawsonMinimax.Fit fit = LawsonMinimax.fit((x, out) -> {
            out[0] = 1;
            out[1] = x;
            out[2] = x * x;
        }, 3, Math::abs, grid(2001), 500, 1e-4);
        double[] c = fit.coefficients();
        assertEquals(0.125, c[0], 1e-3);
        assertEquals(0.0, c[1], 1e-6);
        assertEquals(1.0, c[2], 1e-3);
        assertEquals(0.125, fit.upper(), 1e-3);
        assertTrue(fit.lower() <= 0.125 + 1e-9 && fit.lower() > 0.12, "lower bound " + fit.lower());
    }

    @Test
    void representableTargetsAreFittedExactly() {
        LawsonMinimax.Fit fit = LawsonMinimax.fit((x, out) -> {
            out[0] = 1;
            out[1] = x * x * x;
        }, 2, x -> 2 - 3 * x * x * x, grid(101), 50, 1e-6);
        assertEquals(2, fit.coefficients()[0], 1e-10);
        assertEquals(-3, fit.coefficients()[1], 1e-10);
        assertTrue(fit.upper() < 1e-10);
    }

    @Test
    void absApproximationsHaveTheKnownRates() {
        // best polynomial of degree 20: close to Bernstein's 0.2802/20
        assertEquals(0.2802 / 20, AbsApproximations.polynomial(20), 0.0005);
        // type (24, 24): root-exponential, within a small factor of 8 e^(-pi sqrt 24) = 1.7e-6
        double r = AbsApproximations.lightningRational(24);
        assertTrue(r < 1e-5, "rational " + r);
        assertTrue(AbsApproximations.newman(24) <= 3 * Math.exp(-Math.sqrt(24)));
    }
}
