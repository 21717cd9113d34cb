package org.rationalnn.dl4j.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gated rational of a GLU ({@link RationalKernels#gatedForward}: R(x) ⊙ up, and its backward pass with dUp,
 * dx and every coefficient gradient) in every kernel against the scalar reference formula
 * ({@link RationalFunction}), element by element: versions, LAYER / CHANNEL / GROUP sharing, float32 and float64,
 * a hidden width that is not a multiple of the vector length and arrays large enough for several chunks and
 * threads. float64 to 1e-12, float32 to 2e-5 (relative to each value's, or each sum's, magnitude).
 */
class GatedKernelTest {

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String kernel : new String[]{"vector", "scalar", "nd4j"}) {
            for (RationalVersion v : new RationalVersion[]{RationalVersion.A, RationalVersion.B, RationalVersion.C,
                    RationalVersion.N}) {
                for (Sharing s : Sharing.values()) {
                    out.add(Arguments.of(kernel, v, s, DataType.FLOAT, 5, 4, 7));
                    out.add(Arguments.of(kernel, v, s, DataType.DOUBLE, 5, 4, 7));
                }
            }
            // larger degrees (the vector kernel's general path), and many rows (several chunks, both threads)
            out.add(Arguments.of(kernel, RationalVersion.B, Sharing.LAYER, DataType.FLOAT, 7, 6, 7));
            out.add(Arguments.of(kernel, RationalVersion.B, Sharing.LAYER, DataType.FLOAT, 5, 4, 600));
            out.add(Arguments.of(kernel, RationalVersion.A, Sharing.CHANNEL, DataType.FLOAT, 5, 4, 600));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2} {3} ({4},{5}) rows={6}")
    @MethodSource("cases")
    void matchesReference(String kernel, RationalVersion v, Sharing sharing, DataType dt, int m, int n, int rows) {
        int h = 51;   // 3 groups of 17; neither a multiple of 8 nor of 16 lanes
        int groups = 3;
        int sets = sharing == Sharing.LAYER ? 1 : sharing == Sharing.CHANNEL ? h : groups;
        Random r = new Random(17L * m + n + rows);
        double[][] a = new double[sets][m + 1];
        double[][] b = new double[sets][n];
        for (int s = 0; s < sets; s++) {
            for (int j = 0; j <= m; j++) {
                a[s][j] = r.nextGaussian() / (j + 1);
            }
            for (int j = 0; j < n; j++) {
                b[s][j] = v == RationalVersion.N ? (j % 2 == 1 ? 0.4 : 0.02) / (j + 1) : r.nextGaussian() * 0.3 / (j + 1);
            }
        }
        Nd4j.getRandom().setSeed(5L * rows + m);
        INDArray x = Nd4j.rand(DataType.DOUBLE, rows, h).subi(0.5).muli(4).castTo(dt);
        INDArray up = Nd4j.randn(DataType.DOUBLE, rows, h).castTo(dt);
        INDArray eps = Nd4j.randn(DataType.DOUBLE, rows, h).castTo(dt);
        INDArray num = Nd4j.createFromArray(a).castTo(dt);
        INDArray den = Nd4j.createFromArray(b).castTo(dt);
        RationalSpec.Builder sb = RationalSpec.builder().version(v).degrees(m, n);
        RationalSpec spec = (sharing == Sharing.GROUP ? sb.groups(groups) : sb.sharing(sharing)).build();
        INDArray out = Nd4j.create(dt, rows, h);
        INDArray dx = Nd4j.create(dt, rows, h);
        INDArray dUp = Nd4j.create(dt, rows, h);
        INDArray dNum = Nd4j.create(dt, sets, m + 1);
        INDArray dDen = Nd4j.create(dt, sets, n);
        String before = System.getProperty(RationalKernels.KERNEL_PROPERTY);
        System.setProperty(RationalKernels.KERNEL_PROPERTY, kernel);
        try {
            String name = RationalKernels.forDataType(dt).name();
            if (kernel.equals("vector") && dt == DataType.FLOAT) {
                assertTrue(name.startsWith("jvm-vector"), name);
            }
            RationalKernels.gatedForward(spec, x, num, den, up, out);
            RationalKernels.gatedBackward(spec, x, num, den, up, eps, dx, dUp, dNum, dDen);
        } finally {
            if (before == null) {
                System.clearProperty(RationalKernels.KERNEL_PROPERTY);
            } else {
                System.setProperty(RationalKernels.KERNEL_PROPERTY, before);
            }
        }

        double tol = dt == DataType.DOUBLE ? 1e-12 : 2e-5;
        CoefficientSums sums = new CoefficientSums(sets, m + 1, n);
        double[] ga = new double[m + 1];
        double[] gb = new double[n];
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < h; c++) {
                int s = sharing.setOf(c, h, sets);
                double xv = x.getDouble(i, c);
                double uv = up.getDouble(i, c);
                double ev = eps.getDouble(i, c);
                RationalFunction f = new RationalFunction(v, a[s], b[s]);
                double value = f.value(xv);
                double dRdx = f.gradients(xv, ga, gb);
                String at = "[" + i + ", " + c + "]";
                assertClose(value * uv, out.getDouble(i, c), tol, "out" + at);
                assertClose(ev * value, dUp.getDouble(i, c), tol, "dUp" + at);
                double q = v.denominator(xv, b[s]);
                double dxScale = Math.abs(ev * uv) * (Math.abs(RationalFunction.numeratorDx(a[s], 0, m + 1, xv))
                        + Math.abs(value * v.denominatorDx(xv, b[s], 0, n))) / q;
                assertEquals(ev * uv * dRdx, dx.getDouble(i, c), tol * Math.max(1.0, dxScale), "dx" + at);
                sums.add(s, ev * uv, ga, gb);
            }
        }
        sums.assertMatches(dNum, dDen, tol);
    }

    @Test
    void rejectsMismatchedShapes() {
        RationalSpec spec = RationalSpec.defaults();
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 8);
        INDArray num = Nd4j.rand(DataType.FLOAT, 1, 6);
        INDArray den = Nd4j.rand(DataType.FLOAT, 1, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RationalKernels.gatedForward(spec, x, num, den, Nd4j.rand(DataType.FLOAT, 4, 9), x.ulike()));
        assertTrue(e.getMessage().contains("up must have the input's shape [4, 8], got [4, 9]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RationalKernels.gatedBackward(spec, x, num, den,
                x.ulike(), x.ulike(), x.ulike(), Nd4j.create(DataType.FLOAT, 8, 4), Nd4j.create(DataType.FLOAT, 1, 6),
                Nd4j.create(DataType.FLOAT, 1, 4)));
        assertTrue(e.getMessage().contains("dUp must have the input's shape [4, 8]"), e.getMessage());
    }

    private static void assertClose(double expected, double actual, double rel, String what) {
        assertEquals(expected, actual, rel * Math.max(1.0, Math.abs(expected)), what);
    }
}
