package org.rationalnn.dl4j.kernel;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.testutil.GradientMatrix;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kernel against the scalar reference formula ({@link RationalFunction}), element by element, on random
 * shapes, layouts (channels first and last, non-contiguous views), sharing modes, versions and degrees, in
 * float64 (relative 1e-12) and float32 (relative 1e-5).
 */
class KernelReferenceTest {

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        Random r = new Random(3);
        int i = 0;
        for (RationalVersion v : RationalVersion.values()) {
            for (Sharing s : Sharing.values()) {
                for (DataType dt : new DataType[]{DataType.DOUBLE, DataType.FLOAT}) {
                    int m = 1 + r.nextInt(6);
                    int n = 1 + r.nextInt(5);
                    for (String kernel : KERNELS) {
                        out.add(Arguments.of(kernel, v, s, dt, m, n, i % 5, i % 3 == 0));
                    }
                    i++;
                }
            }
        }
        for (String kernel : KERNELS) {
            // single element, extreme degrees, and an array large enough to run multi-threaded
            out.add(Arguments.of(kernel, RationalVersion.A, Sharing.CHANNEL, DataType.FLOAT, 5, 4, 5, false));
            out.add(Arguments.of(kernel, RationalVersion.C, Sharing.LAYER, DataType.DOUBLE, 0, 1, 5, false));
            out.add(Arguments.of(kernel, RationalVersion.N, Sharing.GROUP, DataType.DOUBLE, 16, 16, 2, true));
            out.add(Arguments.of(kernel, RationalVersion.B, Sharing.CHANNEL, DataType.FLOAT, 5, 4, 6, false));
            out.add(Arguments.of(kernel, RationalVersion.A, Sharing.LAYER, DataType.DOUBLE, 5, 4, 6, true));
        }
        // drawn afresh on every run (seed printed; replay with -Drational.test.seed=...): degrees around the
        // SIMD kernel's unrolled limits (numerator length 6, denominator degree 4) and every layout
        Random drawn = GradientMatrix.random("kernel reference");
        RationalVersion[] versions = RationalVersion.values();
        Sharing[] sharings = Sharing.values();
        for (int d = 0; d < 8; d++) {
            RationalVersion v = versions[drawn.nextInt(versions.length)];
            Sharing s = sharings[drawn.nextInt(sharings.length)];
            int m = drawn.nextInt(8);
            int n = 1 + drawn.nextInt(6);
            int kind = drawn.nextInt(7);
            boolean view = drawn.nextBoolean();
            out.add(Arguments.of(KERNELS[d % KERNELS.length], v, s, DataType.FLOAT, m, n, kind, view));
            out.add(Arguments.of("vector", v, s, DataType.FLOAT, m, n, kind, !view));
        }
        return out.stream();
    }

    static final String[] KERNELS = {"vector", "scalar", "nd4j"};

    /** Shapes by index: 0 FF, 1 NCW, 2 NWC, 3 NCHW, 4 NHWC, 5 single element [1,1], 6 large NCHW. */
    static long[] shape(int kind, Random r) {
        int c = 6;
        switch (kind) {
            case 0: return new long[]{7, c};
            case 1: return new long[]{3, c, 5};
            case 2: return new long[]{3, 5, c};
            case 3: return new long[]{2, c, 3, 5};
            case 4: return new long[]{2, 3, 5, c};
            case 6: return new long[]{3, c, 67, 71};
            default: return new long[]{1, 1};
        }
    }

    @ParameterizedTest(name = "{0} {1} {2} {3} ({4},{5}) layout={6} view={7}")
    @MethodSource("cases")
    void matchesReference(String kernel, RationalVersion v, Sharing sharing, DataType dt, int m, int n, int kind, boolean view) {
        Random r = new Random(31L * m + n + kind);
        long[] shape = shape(kind, r);
        boolean channelsLast = kind == 2 || kind == 4;
        int axis = channelsLast ? shape.length - 1 : 1;
        long channels = shape[axis];
        int groups = channels % 3 == 0 ? 3 : 1;
        int sets = sharing == Sharing.LAYER ? 1 : sharing == Sharing.CHANNEL ? (int) channels : groups;

        double[][] a = new double[sets][m + 1];
        double[][] b = new double[sets][n];
        for (int s = 0; s < sets; s++) {
            for (int j = 0; j <= m; j++) {
                a[s][j] = r.nextGaussian() / (j + 1);
            }
            for (int j = 0; j < n; j++) {
                b[s][j] = r.nextGaussian() * 0.3 / (j + 1);
            }
            if (v == RationalVersion.N) {
                // keep Q away from zero on the sampled range for a well-conditioned comparison
                for (int j = 0; j < n; j++) {
                    b[s][j] = (j % 2 == 1 ? 0.4 : 0.02) / (j + 1);
                }
            }
        }
        Nd4j.getRandom().setSeed(97L * m + 13L * n + kind);
        INDArray x = Nd4j.rand(DataType.DOUBLE, shape).subi(0.5).muli(4).castTo(dt);
        INDArray eps = Nd4j.randn(DataType.DOUBLE, shape).castTo(dt);
        if (view) {
            // non-contiguous views (stride 2 along axis 0) with the same logical contents
            x = stridedCopy(x);
            eps = stridedCopy(eps);
            assertTrue(x.isView(), "expected a view");
        }
        INDArray num = Nd4j.createFromArray(a).castTo(dt);
        INDArray den = Nd4j.createFromArray(b).castTo(dt);

        INDArray out = Nd4j.create(dt, shape, 'c');
        INDArray dx = Nd4j.create(dt, shape, 'c');
        INDArray dNum = Nd4j.create(dt, sets, m + 1);
        INDArray dDen = Nd4j.create(dt, sets, n);
        String before = System.getProperty(RationalKernels.KERNEL_PROPERTY);
        System.setProperty(RationalKernels.KERNEL_PROPERTY, kernel);
        try {
            String name = RationalKernels.forDataType(dt).name();
            if (kernel.equals("nd4j")) {
                assertEquals("nd4j-ops", name);
            } else if (kernel.equals("scalar") || dt == DataType.DOUBLE) {
                assertEquals("jvm-fused", name);
            } else {
                // surefire runs with --add-modules jdk.incubator.vector, so float32 takes the SIMD kernel
                assertTrue(name.startsWith("jvm-vector"), name);
            }
            RationalKernels.forward(v, x, channelsLast, sharing, num, den, out);
            RationalKernels.backward(v, x, channelsLast, sharing, num, den, eps, dx, dNum, dDen);
        } finally {
            if (before == null) {
                System.clearProperty(RationalKernels.KERNEL_PROPERTY);
            } else {
                System.setProperty(RationalKernels.KERNEL_PROPERTY, before);
            }
        }

        // reference
        CoefficientSums sums = new CoefficientSums(sets, m + 1, n);
        double[] ga = new double[m + 1];
        double[] gb = new double[n];
        double tol = dt == DataType.DOUBLE ? 1e-12 : 1e-5;
        long total = x.length();
        long[] idx = new long[shape.length];
        for (long e = 0; e < total; e++) {
            long rem = e;
            for (int d = shape.length - 1; d >= 0; d--) {
                idx[d] = rem % shape[d];
                rem /= shape[d];
            }
            long c = idx[axis];
            int s = sharing.setOf(c, channels, sets);
            // reference inputs are the values actually stored (float32 inputs rounded)
            double xv = x.getDouble(idx);
            double ev = eps.getDouble(idx);
            RationalFunction f = new RationalFunction(v, a[s], b[s]);
            double dRdx = f.gradients(xv, ga, gb);
            assertClose(f.value(xv), out.getDouble(idx), tol, "forward at " + e);
            // dx = eps (P' - R Q') / Q: compared relative to the size of its two terms (its condition)
            double q = v.denominator(xv, b[s]);
            double dxScale = Math.abs(ev) * (Math.abs(RationalFunction.numeratorDx(a[s], 0, m + 1, xv))
                    + Math.abs(f.value(xv) * v.denominatorDx(xv, b[s], 0, n))) / q;
            assertEquals(ev * dRdx, dx.getDouble(idx), tol * Math.max(1.0, dxScale), "dx at " + e);
            sums.add(s, ev, ga, gb);
        }
        sums.assertMatches(dNum, dDen, tol);
    }

    private static INDArray stridedCopy(INDArray a) {
        long[] bigShape = a.shape().clone();
        bigShape[0] *= 2;
        INDArray big = Nd4j.create(a.dataType(), bigShape, 'c');
        org.nd4j.linalg.indexing.INDArrayIndex[] idx = new org.nd4j.linalg.indexing.INDArrayIndex[a.rank()];
        idx[0] = org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2, bigShape[0]);
        for (int i = 1; i < idx.length; i++) {
            idx[i] = org.nd4j.linalg.indexing.NDArrayIndex.all();
        }
        INDArray view = big.get(idx);
        view.assign(a);
        return view;
    }

    private static void assertClose(double expected, double actual, double rel, String what) {
        double scale = Math.max(1.0, Math.abs(expected));
        assertEquals(expected, actual, rel * scale, what);
    }
}
