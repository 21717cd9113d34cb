package org.rationalnn.samples.expressivity;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rationalnn.samples.expressivity.ConstructiveStudy.DepthRow;
import org.rationalnn.samples.expressivity.ConstructiveStudy.LinearRow;
import org.rationalnn.samples.expressivity.ConstructiveStudy.RationalTarget;
import org.slf4j.LoggerFactory;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The constructive separations with tiny limits (5 sign layers; one width per rational target; ε from 1e-2 to
 * 1e-6; a coarse grid for the piecewise-linear bounds): a few seconds. Measured values in brackets.
 */
class ConstructiveStudyTest {
    static ConstructiveStudy.Result result;
    static final List<Double> EPS = List.of(1e-2, 1e-3, 1e-4, 1e-5, 1e-6);

    @BeforeAll
    static void runTiny() {
        result = ConstructiveStudy.run(new ConstructiveStudy.Settings(5, List.of(0.01), List.of(0.01), EPS, 30,
                1_000_000), LoggerFactory.getLogger(ConstructiveStudyTest.class));
    }

    @Test
    void absErrorOfTheRationalNetworkFallsDoublyExponentiallyWithDepth() {
        List<DepthRow> d = result.depths();
        assertEquals(5, d.size());
        for (int k = 0; k < 4; k++) {
            DepthRow a = d.get(k);
            DepthRow b = d.get(k + 1);
            // log(1/ε) grows by a factor, not by a constant: about √3 per layer [1.86, 1.78, 1.75, > 1.7]
            assertTrue(-Math.log(b.networkAbs()) >= -1.5 * Math.log(a.networkAbs()) || b.networkAbs() < 1e-15,
                    "depth " + b.depth() + ": " + b.networkAbs() + " after " + a.networkAbs());
        }
        assertTrue(d.get(0).networkAbs() < 0.05, "k=1: " + d.get(0).networkAbs());  // [3.0e-2]
        assertTrue(d.get(1).networkAbs() < 3e-3, "k=2: " + d.get(1).networkAbs());  // [1.5e-3]
        assertTrue(d.get(2).networkAbs() < 3e-5, "k=3: " + d.get(2).networkAbs());  // [9.2e-6]
        assertTrue(d.get(3).networkAbs() < 1e-8, "k=4: " + d.get(3).networkAbs());  // [1.6e-9]
        assertTrue(d.get(4).networkAbs() < 1e-13, "k=5: " + d.get(4).networkAbs()); // [7.8e-16]
        for (DepthRow r : d) {
            // the DL4J network computes the composition: same error as plain Java
            assertEquals(r.absError(), r.networkAbs(), 1e-15 + 1e-9 * r.absError(), "depth " + r.depth());
            // ReLU = (x + |x|)/2: exactly half the error
            assertEquals(r.networkAbs() / 2, r.networkRelu(), 1e-15 + 1e-9 * r.absError(), "depth " + r.depth());
            assertEquals(6L * r.depth() + 13, r.parameters());
            // near 0 the error is at most |x| < ℓ
            assertTrue(r.errorNearZero() <= r.ell(), "depth " + r.depth());
        }
        // parameters ∝ log log(1/ε): ε = 1e-2 needs 2 layers, 1e-6 needs 4
        assertEquals(6 * 2 + 13, result.rationalAbsParameters(1e-2).orElseThrow());
        assertEquals(6 * 4 + 13, result.rationalAbsParameters(1e-6).orElseThrow());
    }

    @Test
    void reluNetworksNeedAboutOneOverRootEpsilonNeuronsForRationalTargets() {
        for (RationalTarget t : RationalTarget.values()) {
            LinearRow previous = null;
            for (double eps : EPS) {
                LinearRow r = result.row(t, 0.01, eps);
                // the built network reaches ε and is within a few per cent of the lower bound [1.00-1.17]
                assertTrue(r.achievedError() <= eps, t + " " + eps + ": " + r.achievedError());
                assertTrue(r.pieces() >= r.minPieces() && r.pieces() <= 1.2 * r.minPieces() + 2,
                        t + " " + eps + ": " + r.pieces() + " vs " + r.minPieces());
                // the DL4J ReLU network is that piecewise-linear function
                assertTrue(r.networkDeviation() < 1e-9, t + " " + eps + ": " + r.networkDeviation());
                // one rational layer represents the target exactly, at every ε
                assertTrue(r.rationalError() < 1e-13, t + " " + eps + ": " + r.rationalError());
                assertEquals(t == RationalTarget.PEAK ? 7 : 6, r.rationalParameters());
                if (previous != null) {
                    // ε 10x smaller: about √10 ≈ 3.2x more neurons (ε^(-1/2), far more than log(1/ε)) [2.9-3.3]
                    double growth = (double) (r.minPieces() - 1) / (previous.minPieces() - 1);
                    assertTrue(growth > 2.4 && growth < 4.2, t + " " + eps + ": growth " + growth);
                }
                previous = r;
            }
            LinearRow tight = result.row(t, 0.01, 1e-6);
            // at ε = 1e-6 the ReLU network needs hundreds of times the rational one's parameters [514x, 338x]
            assertTrue(tight.reluLowerBound() > 250L * tight.rationalParameters(), t + ": " + tight);
        }
    }
}
