package org.rationalnn.dl4j.kernel;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Infinite and NaN inputs give on the SIMD kernel's register-unrolled path (whose zero-padded coefficients would
 * otherwise produce 0·∞ = NaN) exactly what the scalar kernel's per-element formula gives (e.g. R(±∞) = 0 for a
 * constant numerator), in place and out of place, for lengths with and without a scalar tail; finite inputs match
 * the reference formula.
 */
class NonFiniteInputTest {

    @ParameterizedTest(name = "{0} ({1},{2}) inner={3} inPlace={4}")
    @CsvSource({"B,0,1,64,false", "B,0,1,64,true", "A,2,2,37,false", "N,1,2,40,true", "C,5,4,19,false",
            "B,3,2,8,true"})
    void nonFiniteInputsMatchTheReference(RationalVersion v, int m, int n, int inner, boolean inPlace) {
        double[] a = ramp(m + 1, 0.3, 0.1);
        double[] b = ramp(n, 0.2, 0.05);
        RationalFunction f = new RationalFunction(v, a, b);
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, inner).subi(0.5f).muli(4f);
        x.putScalar(0, 0, 3, Float.POSITIVE_INFINITY);
        x.putScalar(0, 1, inner - 1, Float.NEGATIVE_INFINITY);
        x.putScalar(1, 2, 0, Float.NaN);
        INDArray original = x.dup();
        INDArray num = Nd4j.createFromArray(new double[][]{a}).castTo(DataType.FLOAT);
        INDArray den = Nd4j.createFromArray(new double[][]{b}).castTo(DataType.FLOAT);
        INDArray out = inPlace ? x : Nd4j.create(DataType.FLOAT, x.shape());
        INDArray scalar = Nd4j.create(DataType.FLOAT, x.shape());
        String before = System.getProperty(RationalKernels.KERNEL_PROPERTY);
        try {
            System.setProperty(RationalKernels.KERNEL_PROPERTY, "scalar");
            RationalKernels.forward(v, original, false, Sharing.LAYER, num, den, scalar);
            System.setProperty(RationalKernels.KERNEL_PROPERTY, "auto");
            assertTrue(RationalKernels.forDataType(DataType.FLOAT).name().startsWith("jvm-vector"));
            RationalKernels.forward(v, x, false, Sharing.LAYER, num, den, out);
        } finally {
            if (before == null) {
                System.clearProperty(RationalKernels.KERNEL_PROPERTY);
            } else {
                System.setProperty(RationalKernels.KERNEL_PROPERTY, before);
            }
        }
        int nonFinite = 0;
        for (long i = 0; i < original.length(); i++) {
            double xi = original.getDouble(i);
            double actual = out.getDouble(i);
            if (Double.isFinite(xi)) {
                double expected = f.value(xi);
                assertEquals(expected, actual, 1e-5 * Math.max(1, Math.abs(expected)), "x=" + xi);
            } else {
                nonFinite++;
                assertEquals(scalar.getDouble(i), actual, 0.0, "x=" + xi);
            }
        }
        assertEquals(3, nonFinite);
    }
    /**
     * The backward pass on the same inputs: the SIMD kernel's register-unrolled backward (whose padded zeros would
     * give 0·∞) matches the scalar kernel element by element (NaN where it gives NaN) and in the coefficient
     * gradients.
     */
    @ParameterizedTest(name = "{0} ({1},{2}) inner={3}")
    @CsvSource({"B,5,4,64", "A,2,2,37", "N,1,2,40", "C,5,4,19"})
    void nonFiniteInputsInTheBackwardPassMatchTheScalarKernel(RationalVersion v, int m, int n, int inner) {
        double[] a = ramp(m + 1, 0.3, 0.1);
        double[] b = ramp(n, 0.2, 0.05);
        Nd4j.getRandom().setSeed(12);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, inner).subi(0.5f).muli(4f);
        x.putScalar(0, 0, 3, Float.POSITIVE_INFINITY);
        x.putScalar(0, 1, inner - 1, Float.NEGATIVE_INFINITY);
        INDArray eps = Nd4j.rand(DataType.FLOAT, 2, 3, inner);
        INDArray num = Nd4j.createFromArray(new double[][]{a}).castTo(DataType.FLOAT);
        INDArray den = Nd4j.createFromArray(new double[][]{b}).castTo(DataType.FLOAT);
        INDArray[] vector = backward("auto", v, x, eps, num, den);
        INDArray[] scalar = backward("scalar", v, x, eps, num, den);
        for (int k = 0; k < 3; k++) {
            for (long i = 0; i < scalar[k].length(); i++) {
                double expected = scalar[k].getDouble(i);
                double actual = vector[k].getDouble(i);
                if (Double.isNaN(expected)) {
                    assertTrue(Double.isNaN(actual), "output " + k + " element " + i + ": expected NaN, got " + actual);
                } else {
                    assertEquals(expected, actual, 1e-5 * Math.max(1, Math.abs(expected)),
                            "output " + k + " element " + i);
                }
            }
        }
    }

    /** dx, dNumerator, dDenominator of the given kernel. */
    private static INDArray[] backward(String kernel, RationalVersion v, INDArray x, INDArray eps, INDArray num,
                                       INDArray den) {
        INDArray dx = x.ulike();
        INDArray dNum = num.ulike();
        INDArray dDen = den.ulike();
        String before = System.getProperty(RationalKernels.KERNEL_PROPERTY);
        try {
            System.setProperty(RationalKernels.KERNEL_PROPERTY, kernel);
            if (kernel.equals("auto")) {
                assertTrue(RationalKernels.forDataType(DataType.FLOAT).name().startsWith("jvm-vector"));
            }
            RationalKernels.backward(v, x, false, Sharing.LAYER, num, den, eps, dx, dNum, dDen);
        } finally {
            if (before == null) {
                System.clearProperty(RationalKernels.KERNEL_PROPERTY);
            } else {
                System.setProperty(RationalKernels.KERNEL_PROPERTY, before);
            }
        }
        return new INDArray[]{dx, dNum, dDen};
    }

    /** {start, start + step, ...}, {@code length} values. */
    private static double[] ramp(int length, double start, double step) {
        double[] v = new double[length];
        for (int i = 0; i < length; i++) {
            v[i] = start + step * i;
        }
        return v;
    }
}
