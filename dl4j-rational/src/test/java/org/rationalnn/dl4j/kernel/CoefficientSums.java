package org.rationalnn.dl4j.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Reference coefficient gradients of the kernel tests: per set, Σ w·dR/da_j and Σ w·dR/db_j over the elements,
 * with the sums of the terms' magnitudes, against which a kernel's sums are compared (a sum's condition).
 */
final class CoefficientSums {
    private final double[][] num;
    private final double[][] den;
    private final double[][] absNum;
    private final double[][] absDen;

    CoefficientSums(int sets, int m1, int n) {
        num = new double[sets][m1];
        den = new double[sets][n];
        absNum = new double[sets][m1];
        absDen = new double[sets][n];
    }

    /** Adds one element of set s with weight w (dL/dR) and R's coefficient gradients ga, gb there. */
    void add(int s, double w, double[] ga, double[] gb) {
        for (int j = 0; j < ga.length; j++) {
            num[s][j] += w * ga[j];
            absNum[s][j] += Math.abs(w * ga[j]);
        }
        for (int j = 0; j < gb.length; j++) {
            den[s][j] += w * gb[j];
            absDen[s][j] += Math.abs(w * gb[j]);
        }
    }

    /** Asserts dNumerator [S, m+1] and dDenominator [S, n] to {@code rel} times max(1, the terms' magnitude). */
    void assertMatches(INDArray dNumerator, INDArray dDenominator, double rel) {
        for (int s = 0; s < num.length; s++) {
            for (int j = 0; j < num[s].length; j++) {
                assertEquals(num[s][j], dNumerator.getDouble(s, j), rel * Math.max(1.0, absNum[s][j]),
                        "dNumerator[" + s + "][" + j + "]");
            }
            for (int j = 0; j < den[s].length; j++) {
                assertEquals(den[s][j], dDenominator.getDouble(s, j), rel * Math.max(1.0, absDen[s][j]),
                        "dDenominator[" + s + "][" + j + "]");
            }
        }
    }
}
