package org.rationalnn.dl4j.rational;

import java.util.Arrays;
import java.util.Objects;

/**
 * One rational function R(x) = P(x)/Q(x): a {@link RationalVersion} with its numerator coefficients
 * a_0..a_m (ascending powers) and denominator coefficients ({@link RationalVersion#denominatorLength(int)} of them:
 * b_1..b_n, or b_0..b_n for C).
 * Immutable; arrays are copied in and out.
 *
 * <p>This is the scalar reference evaluation of the formula; fused kernels, ND4J ops and SameDiff are
 * tested against it. Gradients: dR/dx = (P'Q − P Q')/Q², dR/da_i = x^i/Q, dR/db = −P/Q² · dQ/db.
 */
public final class RationalFunction {
    private final RationalVersion version;
    private final double[] numerator;
    private final double[] denominator;

    /**
     * Creates a function; the degrees follow from the array lengths.
     *
     * @param version the denominator form
     * @param numerator a_0..a_m, copied; m in [0, 16]
     * @param denominator the stored denominator coefficients, copied: b_1..b_n (n in [1, 16]), or b_0..b_n for
     *                    version C (n in [0, 16])
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a degree is out of range or a coefficient is not finite
     */
    public RationalFunction(RationalVersion version, double[] numerator, double[] denominator) {
        this.version = Objects.requireNonNull(version, "version");
        Objects.requireNonNull(numerator, "numerator");
        Objects.requireNonNull(denominator, "denominator");
        RationalSpec.checkDegrees(version, numerator.length - 1, version.denominatorDegree(denominator.length));
        RationalSpec.checkFinite("numerator", numerator);
        RationalSpec.checkFinite("denominator", denominator);
        this.numerator = numerator.clone();
        this.denominator = denominator.clone();
    }

    /**
     * The denominator form.
     *
     * @return the version
     */
    public RationalVersion version() {
        return version;
    }

    /**
     * Numerator degree m.
     *
     * @return m, the numerator array length − 1
     */
    public int numeratorDegree() {
        return numerator.length - 1;
    }

    /**
     * Denominator degree n of the type (m, n): the number of denominator coefficients for A, B, D, N, one less for
     * C (whose coefficients are b_0..b_n).
     *
     * @return n
     */
    public int denominatorDegree() {
        return version.denominatorDegree(denominator.length);
    }

    /**
     * The numerator coefficients.
     *
     * @return a copy of a_0..a_m (ascending powers)
     */
    public double[] numerator() {
        return numerator.clone();
    }

    /**
     * The stored denominator coefficients.
     *
     * @return a copy of b_1..b_n (b_0..b_n for version C)
     */
    public double[] denominator() {
        return denominator.clone();
    }

    /**
     * Evaluates the function.
     *
     * @param x the input
     * @return R(x) = P(x)/Q(x)
     */
    public double value(double x) {
        return value(version, numerator, 0, numerator.length, denominator, 0, denominator.length, x);
    }

    /**
     * The derivative with respect to the input, (P'Q − P Q')/Q² (subgradient {@link RationalVersion#sign(double)}
     * at the kinks of |.|).
     *
     * @param x the input
     * @return dR/dx at x
     */
    public double derivative(double x) {
        return derivative(version, numerator, 0, numerator.length, denominator, 0, denominator.length, x);
    }

    /**
     * Gradients of R at x with respect to every coefficient: writes dR/da_i into {@code dNum} (length m+1)
     * and dR/db_j into {@code dDen}.
     *
     * @param x the input
     * @param dNum destination for dR/da_0..dR/da_m, length ≥ m + 1
     * @param dDen destination for dR/db of each stored denominator coefficient, length ≥
     *             {@link RationalVersion#denominatorLength(int)}
     * @return dR/dx at x
     * @throws ArrayIndexOutOfBoundsException if a destination is too short
     */
    public double gradients(double x, double[] dNum, double[] dDen) {
        return gradients(version, numerator, 0, numerator.length, denominator, 0, denominator.length, x,
                dNum, 0, dDen, 0);
    }

    /**
     * P(x) by Horner's rule over the coefficients a[off .. off+len-1] (ascending powers).
     *
     * @param a array holding the numerator coefficients
     * @param off index of a_0 in {@code a}
     * @param len number of coefficients, m + 1
     * @param x the input
     * @return P(x)
     */
    public static double numeratorValue(double[] a, int off, int len, double x) {
        double p = 0;
        for (int i = len - 1; i >= 0; i--) {
            p = p * x + a[off + i];
        }
        return p;
    }

    /**
     * P'(x) by Horner's rule.
     *
     * @param a array holding the numerator coefficients
     * @param off index of a_0 in {@code a}
     * @param len number of coefficients, m + 1
     * @param x the input
     * @return dP/dx at x
     */
    public static double numeratorDx(double[] a, int off, int len, double x) {
        double p = 0;
        for (int i = len - 1; i >= 1; i--) {
            p = p * x + i * a[off + i];
        }
        return p;
    }

    /**
     * R(x) for raw coefficient arrays (the reference formula; not validated, for use in loops).
     *
     * @param v the denominator form
     * @param a array holding the numerator coefficients
     * @param aOff index of a_0 in {@code a}
     * @param aLen number of numerator coefficients, m + 1
     * @param b array holding the stored denominator coefficients
     * @param bOff index of the first stored denominator coefficient in {@code b}
     * @param bLen number of stored denominator coefficients
     * @param x the input
     * @return P(x)/Q(x)
     */
    public static double value(RationalVersion v, double[] a, int aOff, int aLen, double[] b, int bOff, int bLen,
                               double x) {
        return numeratorValue(a, aOff, aLen, x) / v.denominator(x, b, bOff, bLen);
    }

    /**
     * dR/dx for raw coefficient arrays (not validated).
     *
     * @param v the denominator form
     * @param a array holding the numerator coefficients
     * @param aOff index of a_0 in {@code a}
     * @param aLen number of numerator coefficients, m + 1
     * @param b array holding the stored denominator coefficients
     * @param bOff index of the first stored denominator coefficient in {@code b}
     * @param bLen number of stored denominator coefficients
     * @param x the input
     * @return (P'Q − P Q')/Q² at x
     */
    public static double derivative(RationalVersion v, double[] a, int aOff, int aLen, double[] b, int bOff,
                                    int bLen, double x) {
        double p = numeratorValue(a, aOff, aLen, x);
        double q = v.denominator(x, b, bOff, bLen);
        return (numeratorDx(a, aOff, aLen, x) * q - p * v.denominatorDx(x, b, bOff, bLen)) / (q * q);
    }

    /**
     * All gradients for raw coefficient arrays: dR/da_i written to {@code dA[dAOff + i]}, dR/db_j to
     * {@code dB[dBOff + j]} (not validated).
     *
     * @param v the denominator form
     * @param a array holding the numerator coefficients
     * @param aOff index of a_0 in {@code a}
     * @param aLen number of numerator coefficients, m + 1
     * @param b array holding the stored denominator coefficients
     * @param bOff index of the first stored denominator coefficient in {@code b}
     * @param bLen number of stored denominator coefficients
     * @param x the input
     * @param dA destination of dR/da_i = x^i/Q, {@code aLen} entries from {@code dAOff}
     * @param dAOff index in {@code dA} of dR/da_0
     * @param dB destination of dR/db_j = −P/Q² · dQ/db_j, {@code bLen} entries from {@code dBOff}
     * @param dBOff index in {@code dB} of the first denominator gradient
     * @return dR/dx at x
     */
    public static double gradients(RationalVersion v, double[] a, int aOff, int aLen, double[] b, int bOff, int bLen,
                                   double x, double[] dA, int dAOff, double[] dB, int dBOff) {
        double p = numeratorValue(a, aOff, aLen, x);
        double q = v.denominator(x, b, bOff, bLen);
        double invQ = 1.0 / q;
        double pw = 1.0;
        for (int i = 0; i < aLen; i++) {
            dA[dAOff + i] = pw * invQ;
            pw *= x;
        }
        v.denominatorDb(x, b, bOff, bLen, dB, dBOff);
        double r = p * invQ;
        for (int j = 0; j < bLen; j++) {
            dB[dBOff + j] *= -r * invQ;
        }
        return (numeratorDx(a, aOff, aLen, x) - r * v.denominatorDx(x, b, bOff, bLen)) * invQ;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RationalFunction)) {
            return false;
        }
        RationalFunction f = (RationalFunction) o;
        return version == f.version && Arrays.equals(numerator, f.numerator)
                && Arrays.equals(denominator, f.denominator);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * version.hashCode() + Arrays.hashCode(numerator)) + Arrays.hashCode(denominator);
    }

    @Override
    public String toString() {
        return "RationalFunction{" + version + ", P=" + Arrays.toString(numerator) + ", Q=" + Arrays.toString(denominator)
                + "}";
    }
}
