package org.rationalnn.dl4j.kernel;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coefficient gradients are reduced per thread and combined in a fixed order: repeated runs on an array
 * large enough to be split across threads give bit-identical results (no atomics, no ordering races).
 */
class KernelDeterminismTest {

    @ParameterizedTest
    @ValueSource(strings = {"vector", "scalar"})
    void repeatedBackwardIsBitIdentical(String kernel) {
        String before = System.getProperty(RationalKernels.KERNEL_PROPERTY);
        System.setProperty(RationalKernels.KERNEL_PROPERTY, kernel);
        try {
            for (DataType dt : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
                for (Sharing sharing : Sharing.values()) {
                    long[] shape = sharing == Sharing.LAYER ? new long[]{4, 8, 9000} : new long[]{9000, 16};
                    assertTrue(shape[0] * shape[1] * (shape.length > 2 ? shape[2] : 1)
                            >= JvmRationalKernel.PARALLEL_THRESHOLD);
                    Nd4j.getRandom().setSeed(5);
                    INDArray x = Nd4j.randn(dt, shape);
                    INDArray eps = Nd4j.randn(dt, shape);
                    int sets = sharing == Sharing.LAYER ? 1 : sharing == Sharing.CHANNEL ? (int) shape[1] : 4;
                    double[] a = RationalSpec.defaults().initialFunction().numerator();
                    double[] b = RationalSpec.defaults().initialFunction().denominator();
                    INDArray num = Nd4j.create(dt, sets, a.length);
                    INDArray den = Nd4j.create(dt, sets, b.length);
                    for (int s = 0; s < sets; s++) {
                        num.getRow(s).assign(Nd4j.createFromArray(a).castTo(dt));
                        den.getRow(s).assign(Nd4j.createFromArray(b).castTo(dt));
                    }
                    INDArray[] first = run(x, eps, num, den, sharing);
                    for (int rep = 0; rep < 3; rep++) {
                        INDArray[] again = run(x, eps, num, den, sharing);
                        for (int i = 0; i < first.length; i++) {
                            assertEquals(first[i], again[i], kernel + " " + dt + " " + sharing + " output " + i);
                        }
                    }
                }
            }
        } finally {
            if (before == null) {
                System.clearProperty(RationalKernels.KERNEL_PROPERTY);
            } else {
                System.setProperty(RationalKernels.KERNEL_PROPERTY, before);
            }
        }
    }

    private static INDArray[] run(INDArray x, INDArray eps, INDArray num, INDArray den, Sharing sharing) {
        INDArray dx = Nd4j.create(x.dataType(), x.shape(), 'c');
        INDArray dNum = num.ulike();
        INDArray dDen = den.ulike();
        RationalKernels.backward(RationalVersion.B, x, false, sharing, num, den, eps, dx, dNum, dDen);
        return new INDArray[]{dx, dNum, dDen};
    }
}
