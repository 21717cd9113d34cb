package org.rationalnn.samples.expressivity;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FreeKnotLinearTest {
    static double[] grid(double lo, double hi, int n) {
        return IntStream.range(0, n).mapToDouble(i -> lo + (hi - lo) * i / (n - 1)).toArray();
    }

    @Test
    void linesAndKinksNeedTheObviousNumberOfPieces() {
        double[] x = grid(-1, 1, 2001);
        double[] line = java.util.Arrays.stream(x).map(v -> 3 * v - 1).toArray();
        assertEquals(1, FreeKnotLinear.minPieces(x, line, 1e-9));
        assertEquals(1, FreeKnotLinear.continuous(x, line, 1e-9).pieces());
        double[] abs = java.util.Arrays.stream(x).map(Math::abs).toArray();
        assertEquals(2, FreeKnotLinear.minPieces(x, abs, 1e-9));
        FreeKnotLinear.Function f = FreeKnotLinear.continuous(x, abs, 1e-9);
        assertEquals(2, f.pieces());
        assertEquals(0.5, f.applyAsDouble(-0.5), 1e-8);
    }

    @Test
    void squareMatchesTheKnownOptimum() {
        // x² on [0, 1]: the best piecewise-linear approximation with N free pieces has uniform error 1/(8N²)
        double[] x = grid(0, 1, 20001);
        double[] y = java.util.Arrays.stream(x).map(v -> v * v).toArray();
        int n = 10;
        double best = 1.0 / (8 * n * n);
        assertEquals(n, FreeKnotLinear.minPieces(x, y, 1.01 * best));
        assertEquals(n + 1, FreeKnotLinear.minPieces(x, y, 0.99 * best));
        FreeKnotLinear.Function f = FreeKnotLinear.continuous(x, y, 1.01 * best);
        // continuity costs nothing for a convex function (up to the knots being samples)
        assertTrue(f.pieces() <= n + 1, "pieces " + f.pieces());
        assertTrue(FreeKnotLinear.uniformError(v -> v * v, f, x, 4) <= 1.01 * best * 1.001);
    }

    @Test
    void theReluNetworkIsThePiecewiseLinearFunction() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        double[] x = grid(-1, 1, 4001);
        double[] y = java.util.Arrays.stream(x).map(v -> Math.sin(5 * v)).toArray();
        FreeKnotLinear.Function f = FreeKnotLinear.continuous(x, y, 1e-3);
        var net = ConstructiveNetworks.reluNetwork(f);
        assertEquals(ConstructiveNetworks.reluParameters(f.pieces()), net.numParams());
        double[] out = ConstructiveNetworks.output(net, x);
        for (int i = 0; i < x.length; i++) {
            assertEquals(f.applyAsDouble(x[i]), out[i], 1e-12);
            assertTrue(Math.abs(out[i] - y[i]) <= 1e-3 + 1e-12);
        }
    }

    @Test
    void badInputIsRejectedWithTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FreeKnotLinear.minPieces(new double[]{0, 2, 1}, new double[]{0, 0, 0}, 0.1));
        assertTrue(e.getMessage().contains("x[1] = 2.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FreeKnotLinear.continuous(new double[]{0, 1}, new double[]{0, 0}, 0));
        assertTrue(e.getMessage().contains("got 0.0"), e.getMessage());
    }
}
