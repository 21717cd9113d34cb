package org.rationalnn.dl4j.samediff;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Plain-Java reference for the tests: the rational applied element-wise by {@link RationalFunction} (the scalar
 * reference formula), with coefficient gradients summed per set, on a [N, C] matrix with channels on axis 1.
 */
final class Reference {

    private Reference() {
    }

    /** Results of {@link #rational}. */
    static final class Result {
        INDArray y;
        INDArray dx;
        INDArray dNumerator;
        INDArray dDenominator;
    }

    /**
     * y = R(z) and, for upstream gradient eps, dL/dz, dL/dnumerator [S, m+1], dL/ddenominator [S, n]; channel c
     * uses set {@code sharing.setOf(c, C, S)}.
     */
    static Result rational(RationalVersion v, INDArray z, INDArray numerator, INDArray denominator, Sharing sharing,
                           INDArray eps) {
        int n = (int) z.size(0);
        int c = (int) z.size(1);
        int sets = (int) numerator.size(0);
        double[][] a = numerator.toDoubleMatrix();
        double[][] b = denominator.toDoubleMatrix();
        Result r = new Result();
        r.y = Nd4j.create(DataType.DOUBLE, n, c);
        r.dx = Nd4j.create(DataType.DOUBLE, n, c);
        double[][] dA = new double[sets][a[0].length];
        double[][] dB = new double[sets][b[0].length];
        double[] ga = new double[a[0].length];
        double[] gb = new double[b[0].length];
        for (int ch = 0; ch < c; ch++) {
            int s = sharing.setOf(ch, c, sets);
            RationalFunction f = new RationalFunction(v, a[s], b[s]);
            for (int i = 0; i < n; i++) {
                double x = z.getDouble(i, ch);
                double e = eps.getDouble(i, ch);
                r.y.putScalar(i, ch, f.value(x));
                r.dx.putScalar(i, ch, e * f.gradients(x, ga, gb));
                for (int k = 0; k < ga.length; k++) {
                    dA[s][k] += e * ga[k];
                }
                for (int k = 0; k < gb.length; k++) {
                    dB[s][k] += e * gb[k];
                }
            }
        }
        r.dNumerator = Nd4j.createFromArray(dA);
        r.dDenominator = Nd4j.createFromArray(dB);
        return r;
    }

    /** Element-wise |a - b| ≤ tol · max(1, |b|). */
    static void assertClose(INDArray expected, INDArray actual, double tol, String what) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()),
                what + ": shape");
        double[] e = expected.dup('c').data().asDouble();
        double[] a = actual.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        for (int i = 0; i < e.length; i++) {
            double err = Math.abs(e[i] - a[i]);
            assertTrue(err <= tol * Math.max(1.0, Math.abs(e[i])),
                    what + ": element " + i + " expected " + e[i] + " got " + a[i]);
        }
    }
}
