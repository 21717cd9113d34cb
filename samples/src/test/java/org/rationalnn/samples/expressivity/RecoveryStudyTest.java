package org.rationalnn.samples.expressivity;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.rationalnn.samples.harness.TextTable;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecoveryStudyTest {
    private static final Target PEAK = Target.of("peak", 0.05, 0.2);

    @Test
    void thePerturbationIsRelativeSeededAndZeroAtSigmaZero() {
        long seed = ThreadLocalRandom.current().nextLong();
        System.out.println("RecoveryStudyTest perturbation seed " + seed);
        TrainedStudy.Protocol p = TrainedStudyTest.protocol(10, 5, 1, 0.01);
        double[] exact = TrainedStudy.exactRepresentation(PEAK, p).net().params().toDoubleVector();

        MultiLayerNetwork zero = TrainedStudy.exactRepresentation(PEAK, p).net();
        RecoveryStudy.perturb(zero, 0, seed);
        assertArrayEquals(exact, zero.params().toDoubleVector(), 0);

        double sigma = 0.1;
        MultiLayerNetwork a = TrainedStudy.exactRepresentation(PEAK, p).net();
        MultiLayerNetwork b = TrainedStudy.exactRepresentation(PEAK, p).net();
        RecoveryStudy.perturb(a, sigma, seed);
        RecoveryStudy.perturb(b, sigma, seed);
        double[] moved = a.params().toDoubleVector();
        assertArrayEquals(moved, b.params().toDoubleVector(), 0, "same seed, same perturbation");
        // every parameter moves, by a standard normal times sigma (|theta| + 1): the normalised steps have mean
        // square near 1 (26 draws: between 0.2 and 3 except with probability far below 1e-6)
        double sum = 0;
        for (int i = 0; i < exact.length; i++) {
            double z = (moved[i] - exact[i]) / (sigma * (Math.abs(exact[i]) + 1));
            assertNotEquals(0.0, z, "parameter " + i + " did not move");
            sum += z * z;
        }
        double meanSquare = sum / exact.length;
        assertTrue(meanSquare > 0.2 && meanSquare < 3, "mean square of the normalised steps " + meanSquare);
        assertTrue(TrainedStudy.uniformError(a, PEAK) > 1e-3, "the perturbed network is no longer exact");
    }

    @Test
    void lbfgsAloneKeepsTheExactNetworkAndEveryRunIsReported() {
        // 300 Adam steps and 100 L-BFGS iterations. L-BFGS alone never increases the loss, so from sigma = 0 it
        // stays exact; the Adam phase is allowed to leave it (it does: its steps are about lr whatever the
        // gradient), which is what the study measures, so that run is only required to have trained.
        TrainedStudy.Protocol p = TrainedStudyTest.protocol(300, 50, 2, 0.01, 100);
        List<RecoveryStudy.Recovery> runs = RecoveryStudy.run(List.of(PEAK, Target.of("abs", 0.05, 0.2)),
                List.of(0.0, 1e-3), p, LoggerFactory.getLogger(RecoveryStudyTest.class));
        assertEquals(8, runs.size(), "abs has no exact network and is skipped; two scales, two optimizers, two "
                + "noise levels, one seed");
        for (RecoveryStudy.Recovery r : runs) {
            System.out.println("recovery " + r.scale() + " " + r.optimizer() + " noise " + r.noise() + ": "
                    + r.startError() + " -> " + r.run().uniformError + " after " + r.run().steps + " steps, "
                    + r.run().lbfgsIterations + " L-BFGS iterations");
            assertEquals("peak", r.target());
            assertEquals(26, r.run().parameters);
            if (r.noise() == 0) {
                assertTrue(r.startError() < 1e-14, r + ": the unperturbed start is exact");
            } else {
                assertTrue(r.startError() > 1e-6, r + ": the perturbed start is not");
            }
            if (r.optimizer() == RecoveryStudy.Optimizer.LBFGS_ONLY) {
                assertEquals(0, r.run().steps, "no Adam step");
                assertTrue(r.run().lbfgsIterations >= 0);
                if (r.noise() == 0) {
                    assertTrue(r.run().uniformError < 1e-8, "L-BFGS left the exact network: " + r);
                }
            } else {
                assertTrue(r.run().steps >= 50, "the Adam phase ran: " + r);
            }
            assertTrue(Double.isFinite(r.run().uniformError), r.toString());
        }
        assertEquals(TrainedStudy.ExactScale.COEFFICIENTS, runs.get(0).scale());
        assertEquals(RecoveryStudy.Optimizer.ADAM_THEN_LBFGS, runs.get(0).optimizer());
        assertEquals(TrainedStudy.ExactScale.WEIGHTS, runs.get(7).scale());
        assertEquals(RecoveryStudy.Optimizer.LBFGS_ONLY, runs.get(7).optimizer());

        TextTable table = RecoveryStudy.table(runs, List.of(1e-2, 1e-3));
        assertEquals(8, table.size());
        assertTrue(table.markdown().contains("L-BFGS only") && table.markdown().contains("1/1"), table.markdown());
        assertEquals(8, RecoveryStudy.runTable(runs).size());
        List<String> findings = RecoveryStudy.findings(runs, 1e-3);
        assertEquals(4, findings.size());
        assertTrue(findings.get(0).startsWith("peak, scale in the coefficients, Adam, then L-BFGS"), findings.get(0));
        assertTrue(findings.get(1).startsWith("peak, scale in the coefficients, L-BFGS only")
                && findings.get(1).contains("σ = 0: 1/1"), findings.get(1));
    }

    @Test
    void withoutAPolishThereAreNoLbfgsOnlyRuns() {
        TrainedStudy.Protocol p = TrainedStudyTest.protocol(20, 10, 1, 0.01, 0);
        List<RecoveryStudy.Recovery> runs = RecoveryStudy.run(List.of(PEAK), List.of(0.1), p,
                LoggerFactory.getLogger(RecoveryStudyTest.class));
        assertEquals(2, runs.size());
        assertTrue(runs.stream().allMatch(r -> r.optimizer() == RecoveryStudy.Optimizer.ADAM_THEN_LBFGS));
    }

    @Test
    void bothPlacementsOfTheScaleAreTheSameExactFunction() {
        TrainedStudy.Protocol p = TrainedStudyTest.protocol(10, 5, 1, 0.01);
        for (Target t : List.of(PEAK, Target.of("ridge", 0.05, 0.2))) {
            for (TrainedStudy.ExactScale scale : TrainedStudy.ExactScale.values()) {
                TrainedStudy.Exact e = TrainedStudy.exactRepresentation(t, p, scale);
                assertTrue(e.uniformError() < 1e-13, t.id() + " " + scale + ": " + e.uniformError());
                assertEquals(t.id().equals("peak") ? 26 : 45, e.parameters());
            }
        }
    }

    @Test
    void negativeOrNonFiniteNoiseIsRejectedWithTheValue() {
        TrainedStudy.Protocol p = TrainedStudyTest.protocol(10, 5, 1, 0.01);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RecoveryStudy.run(List.of(PEAK), List.of(-0.5), p, LoggerFactory.getLogger("test")));
        assertTrue(e.getMessage().contains("-0.5"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> RecoveryStudy.run(List.of(PEAK), List.of(Double.NaN), p, LoggerFactory.getLogger("test")));
    }
}
