package org.rationalnn.samples.expressivity;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ZolotarevSignTest {
    @Test
    void aStepMapsTheIntervalIntoItselfAndEquioscillatesBelowOne() {
        for (double ell : new double[]{0.5, 0.1, 1e-3, 1e-8}) {
            ZolotarevSign.Step s = ZolotarevSign.step(ell);
            assertEquals(1.0, s.apply(1.0), 1e-12, "f(1) for ℓ = " + ell);
            double lo = s.apply(ell);
            assertTrue(lo > ell, "the interval shrinks towards 1: ℓ' = " + lo + " for ℓ = " + ell);
            double max = 0;
            double min = 2;
            for (int i = 0; i <= 100_000; i++) {
                double x = ell * Math.pow(1 / ell, i / 100_000.0);
                max = Math.max(max, s.apply(x));
                min = Math.min(min, s.apply(x));
            }
            // the best type-(3,2) approximation of sign, scaled to a maximum of 1, reaches 1 inside too
            assertEquals(1.0, max, 1e-9, "max for ℓ = " + ell);
            assertEquals(lo, min, 1e-12, "min for ℓ = " + ell);
            // odd: f(−x) = −f(x)
            assertEquals(-s.apply(0.3), s.apply(-0.3), 1e-15);
        }
    }

    @Test
    void theEmulationIsOddForSignAndEvenForAbs() {
        ZolotarevSign.Emulation e = ZolotarevSign.best(3);
        for (double x : new double[]{1e-9, 1e-4, 0.01, 0.3, 1}) {
            assertEquals(e.abs(x), e.abs(-x), 1e-15);
            assertEquals(e.relu(x) - e.relu(-x), x, 1e-15); // ReLU(x) − ReLU(−x) = x
        }
        assertEquals(0.0, e.abs(0.0));
        assertThrows(IllegalArgumentException.class, () -> ZolotarevSign.step(1.0));
        assertThrows(IllegalArgumentException.class, () -> ZolotarevSign.best(0));
    }
}
