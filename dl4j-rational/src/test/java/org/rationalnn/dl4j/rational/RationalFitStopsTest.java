package org.rationalnn.dl4j.rational;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleUnaryOperator;

import org.hipparchus.exception.LocalizedCoreFormats;
import org.hipparchus.exception.MathIllegalStateException;
import org.hipparchus.optim.LocalizedOptimFormats;
import org.junit.jupiter.api.Test;

/**
 * The optimizers' stops are documented behaviours, not silent fallbacks (see {@link RationalFit}): an LM run at its
 * limit keeps the best point it evaluated, other LM failures are failures, and a simplex solve that stops ends the
 * SLP polish with its current iterate, never with a worse one.
 */
class RationalFitStopsTest {

    private static FitProblem problem(DoubleUnaryOperator f, RationalVersion v, int m, int n) {
        double[] dense = FitGrids.denseGrid(-3, 3);
        double[] y = new double[dense.length];
        for (int i = 0; i < dense.length; i++) {
            y[i] = f.applyAsDouble(dense[i]);
        }
        return new FitProblem(f, v, m, v.denominatorLength(n), -3, 3, y);
    }

    private static boolean[] allFree(FitProblem pb) {
        boolean[] free = new boolean[pb.np];
        java.util.Arrays.fill(free, true);
        return free;
    }

    @Test
    void leastSquaresLimitsAndExhaustedTolerancesAreExpectedStops() {
        assertTrue(LeastSquares.expectedStop(new MathIllegalStateException(LocalizedCoreFormats.MAX_COUNT_EXCEEDED, 5)));
        assertTrue(LeastSquares.expectedStop(
                new MathIllegalStateException(LocalizedOptimFormats.TOO_SMALL_COST_RELATIVE_TOLERANCE, 1e-10)));
        assertTrue(LeastSquares.expectedStop(
                new MathIllegalStateException(LocalizedOptimFormats.TOO_SMALL_PARAMETERS_RELATIVE_TOLERANCE, 1e-10)));
        assertTrue(LeastSquares.expectedStop(
                new MathIllegalStateException(LocalizedOptimFormats.TOO_SMALL_ORTHOGONALITY_TOLERANCE, 1e-10)));
        assertTrue(LeastSquares.expectedStop(
                new MathIllegalStateException(LocalizedOptimFormats.UNABLE_TO_PERFORM_QR_DECOMPOSITION_ON_JACOBIAN)));
        // anything else is a failure, thrown by LeastSquares.lm as an IllegalStateException
        assertFalse(LeastSquares.expectedStop(new MathIllegalStateException(LocalizedCoreFormats.NAN_NOT_ALLOWED)));
        assertFalse(LeastSquares.expectedStop(new MathIllegalStateException(LocalizedOptimFormats.NO_FEASIBLE_SOLUTION)));
    }

    @Test
    void leastSquaresAtItsEvaluationLimitKeepsTheBestPointEvaluated() {
        FitProblem pb = problem(Math::tanh, RationalVersion.B, 3, 2);
        LeastSquares ls = new LeastSquares(pb);
        double[] start = pb.project(ls.polynomialStart());
        double before = meanSquare(pb, start);
        // two evaluations: Hipparchus' LM throws MAX_COUNT_EXCEEDED inside its first iteration
        double[] stopped = ls.lm(allFree(pb), start, null, 25, 1, 2);
        assertTrue(pb.acceptable(stopped));
        assertTrue(meanSquare(pb, stopped) <= before, meanSquare(pb, stopped) + " > " + before);
        // with room to run it improves on the start
        double[] run = ls.lm(allFree(pb), start, null, 25);
        assertTrue(meanSquare(pb, run) < 0.5 * before, meanSquare(pb, run) + " vs " + before);
        assertTrue(meanSquare(pb, stopped) > meanSquare(pb, run), "the limited run stopped early");
    }

    @Test
    void simplexIterationLimitReturnsNoStepAndTheSlpPolishKeepsItsIterate() {
        FitProblem pb = problem(Math::abs, RationalVersion.B, 3, 2);
        LeastSquares ls = new LeastSquares(pb);
        double[] start = pb.project(ls.lm(allFree(pb), ls.polynomialStart(), null, 25));
        double[][] jac = {{1, 0.5}, {-1, 0.25}, {0.5, -1}};
        double[] r = {0.1, -0.1, 0.05};
        double[] scale = {1, 1};
        double[] lo = {-1, -1};
        double[] up = {1, 1};
        // one pivot is not enough: an expected stop, no step (and no exception)
        assertNull(MinimaxPolish.solveLp(jac, r, scale, lo, up, null, 0, 1));
        double[] step = MinimaxPolish.solveLp(jac, r, scale, lo, up, null,
                MinimaxPolish.LP_ITERATIONS_PER_ROW, MinimaxPolish.LP_ITERATIONS_BASE);
        assertTrue(step != null && step[2] < 0.1, java.util.Arrays.toString(step));
        // an SLP polish whose every LP stops keeps its start
        MinimaxPolish stopped = new MinimaxPolish(pb, ls, 0, 1);
        assertArrayEquals(start, stopped.slp(allFree(pb), start, null), 0.0);
        // the default limits let it improve the start
        double[] polished = new MinimaxPolish(pb, ls).slp(allFree(pb), start, null);
        assertTrue(pb.gridError(polished) < pb.gridError(start), pb.gridError(polished) + " vs " + pb.gridError(start));
    }

    private static double meanSquare(FitProblem pb, double[] p) {
        double s = 0;
        for (int j = 0; j < pb.ts.length; j++) {
            double e = pb.residual(p, pb.ts[j], pb.ys[j]);
            s += e * e;
        }
        return s / pb.ts.length;
    }
}
