package org.rationalnn.dl4j.rational;

/**
 * The denominator forms of a rational activation R(x) = P(x) / Q(x), with
 * P(x) = a_0 + a_1 x + ... + a_m x^m. Names follow the Padé Activation Unit tables
 * (Molina et al., arXiv:1907.06732) so coefficient tables interoperate.
 *
 * <table>
 * <caption>Denominator forms; the stored denominator coefficients are listed in the last column</caption>
 * <tr><th>version</th><th>Q(x)</th><th>coefficients</th></tr>
 * <tr><td>A</td><td>1 + Σ_{k=1..n} |b_k| |x|^k</td><td>b_1..b_n</td></tr>
 * <tr><td>B</td><td>1 + |Σ_{k=1..n} b_k x^k|</td><td>b_1..b_n</td></tr>
 * <tr><td>C</td><td>0.1 + |Σ_{k=0..n} b_k x^k|</td><td>b_0..b_n (n + 1 values, as in PAU's tables)</td></tr>
 * <tr><td>D</td><td>as B; in training the numerator coefficients are multiplied by uniform noise in
 * [1-s, 1+s] (s = 0.1 by default)</td><td>b_1..b_n</td></tr>
 * <tr><td>N</td><td>1 + Σ_{k=1..n} b_k x^k, no pole protection (Boullé et al., arXiv:2004.01902)</td>
 * <td>b_1..b_n</td></tr>
 * </table>
 *
 * <p>All five forms are one formula with four switches, and this enum is its single definition:
 * with y = |x| if {@link #absInput()} else x, c_j = |b_j| if {@link #absCoefficients()} else b_j, and the
 * inner sum T = Σ_{j=0..n-1} c_j y^(j + {@link #firstPower()}),
 * Q = {@link #offset()} + (|T| if {@link #absOfSum()} else T).
 * Every execution path (scalar reference here, fused kernel, ND4J ops, SameDiff) is built from these
 * switches and tested against the scalar methods.
 *
 * <p><b>Type (m, n)</b> means what PAU's tables and modules mean by it, for every version: the numerator has
 * degree m (m + 1 coefficients a_0..a_m) and the denominator polynomial has degree n. The stored denominator
 * coefficients are b_1..b_n ({@link #denominatorLength(int) n values}) for A, B, D and N, and b_0..b_n
 * (n + 1 values) for C; entry j of the array multiplies the power j + {@link #firstPower()}. Release 0.1.0
 * called a version-C function with n stored values "type (m, n)"; such saved specs are read as type (m, n - 1)
 * (see {@link RationalSpec#FORMAT_VERSION}).
 *
 * <p><b>Subgradient of |.|.</b> Everywhere (this reference, the fitter, every kernel and the SameDiff
 * expression) d|u|/du is {@link #sign(double)}: +1 for u &ge; 0 and -1 for u &lt; 0, so a coefficient or an inner
 * sum that sits exactly at 0 still receives a gradient and can move (with sign(0) = 0 it could never leave 0).
 * Fitted initial coefficients are moreover kept away from the kinks by a margin (see {@link RationalFit}), so
 * gradient checks and the first training steps never straddle a kink.
 */
public enum RationalVersion {
    /** Q = 1 + Σ |b_k| |x|^k: safe (Q ≥ 1), even in x. */
    A(1, 1.0, true, false),
    /** Q = 1 + |Σ_{k≥1} b_k x^k|: safe (Q ≥ 1); the form used by arXiv:2602.12390. */
    B(1, 1.0, false, true),
    /** Q = 0.1 + |Σ_{k≥0} b_k x^k|: safe (Q ≥ 0.1). */
    C(0, 0.1, false, true),
    /** As {@link #B}, with multiplicative noise on the numerator coefficients during training. */
    D(1, 1.0, false, true),
    /** Q = 1 + Σ_{k≥1} b_k x^k: unprotected, may have poles. */
    N(1, 1.0, false, false);

    private final int firstPower;
    private final double offset;
    private final boolean absInputAndCoefficients;
    private final boolean absOfSum;

    RationalVersion(int firstPower, double offset, boolean absInputAndCoefficients, boolean absOfSum) {
        this.firstPower = firstPower;
        this.offset = offset;
        this.absInputAndCoefficients = absInputAndCoefficients;
        this.absOfSum = absOfSum;
    }

    /**
     * The subgradient convention of |u| used by every execution path: +1 for u &ge; 0 (also for -0.0), -1 for
     * u &lt; 0, NaN for NaN.
     *
     * @param u the argument of |.|
     * @return d|u|/du
     */
    public static double sign(double u) {
        return u < 0 ? -1.0 : u >= 0 ? 1.0 : u;
    }

    /**
     * Number of stored denominator coefficients for a denominator of degree n: n + 1 (b_0..b_n) for C, n
     * (b_1..b_n) otherwise.
     *
     * @param n the denominator degree of the type (m, n)
     * @return the length of the denominator coefficient array
     */
    public int denominatorLength(int n) {
        return firstPower == 0 ? n + 1 : n;
    }

    /**
     * The denominator degree n of a type whose denominator coefficient array has {@code length} entries (the
     * inverse of {@link #denominatorLength(int)}).
     *
     * @param length number of stored denominator coefficients
     * @return the degree n
     */
    public int denominatorDegree(int length) {
        return firstPower == 0 ? length - 1 : length;
    }

    /**
     * Smallest supported denominator degree.
     *
     * @return 0 for C (Q = 0.1 + |b_0|), 1 otherwise
     */
    public int minDenominatorDegree() {
        return firstPower == 0 ? 0 : 1;
    }

    /**
     * Power of the input multiplied by the first stored denominator coefficient.
     *
     * @return 0 for C (b_0 is stored), 1 otherwise
     */
    public int firstPower() {
        return firstPower;
    }

    /**
     * Constant added to the denominator sum.
     *
     * @return 0.1 for C, 1 otherwise
     */
    public double offset() {
        return offset;
    }

    /**
     * Whether the denominator sum runs over |x| rather than x.
     *
     * @return true for A only
     */
    public boolean absInput() {
        return absInputAndCoefficients;
    }

    /**
     * Whether the denominator sum uses |b_j| rather than b_j.
     *
     * @return true for A only
     */
    public boolean absCoefficients() {
        return absInputAndCoefficients;
    }

    /**
     * Whether Q = offset + |T| rather than offset + T.
     *
     * @return true for B, C and D
     */
    public boolean absOfSum() {
        return absOfSum;
    }

    /**
     * Whether Q(x) ≥ offset() &gt; 0 for every x and every coefficient.
     *
     * @return true for A, B, C and D; false for N, which may have poles
     */
    public boolean isPoleFree() {
        return absOfSum || absInputAndCoefficients;
    }

    /**
     * Whether the numerator is perturbed by multiplicative noise in training.
     *
     * @return true for D only
     */
    public boolean hasTrainingNoise() {
        return this == D;
    }

    /**
     * The inner sum T(x) = Σ_j c_j y^(j + firstPower) (before the optional outer |.|), by Horner's rule.
     *
     * @param x the input
     * @param b array holding the stored denominator coefficients
     * @param off index of the first coefficient in {@code b}
     * @param n number of stored coefficients (the array length {@link #denominatorLength(int)}, not the degree)
     * @return T(x)
     */
    public double innerSum(double x, double[] b, int off, int n) {
        double y = absInputAndCoefficients ? Math.abs(x) : x;
        double s = 0;
        for (int j = n - 1; j >= 0; j--) {
            double c = b[off + j];
            s = s * y + (absInputAndCoefficients ? Math.abs(c) : c);
        }
        return firstPower == 0 ? s : s * y;
    }

    /** dT/dy, the derivative of the inner sum with respect to y (y = |x| for A, x otherwise). */
    private double innerSumDy(double y, double[] b, int off, int n) {
        double s = 0;
        for (int j = n - 1; j >= 0; j--) {
            int k = j + firstPower;
            if (k == 0) {
                continue;
            }
            double c = b[off + j];
            s = s * y + k * (absInputAndCoefficients ? Math.abs(c) : c);
        }
        return s;
    }

    /**
     * Q(x) for the n stored denominator coefficients {@code b[off .. off+n-1]}.
     *
     * @param x the input
     * @param b array holding the stored denominator coefficients
     * @param off index of the first coefficient in {@code b}
     * @param n number of stored coefficients (the array length, not the degree)
     * @return Q(x), ≥ {@link #offset()} for every version but N
     */
    public double denominator(double x, double[] b, int off, int n) {
        double t = innerSum(x, b, off, n);
        return offset + (absOfSum ? Math.abs(t) : t);
    }

    /**
     * Q(x) over a whole coefficient array.
     *
     * @param x the input
     * @param b the stored denominator coefficients (length {@link #denominatorLength(int)})
     * @return Q(x)
     */
    public double denominator(double x, double[] b) {
        return denominator(x, b, 0, b.length);
    }

    /**
     * dQ/dx, with the subgradient convention {@link #sign(double)} at the kinks of |.|.
     *
     * @param x the input
     * @param b array holding the stored denominator coefficients
     * @param off index of the first coefficient in {@code b}
     * @param n number of stored coefficients
     * @return dQ/dx at x
     */
    public double denominatorDx(double x, double[] b, int off, int n) {
        double outer = absOfSum ? sign(innerSum(x, b, off, n)) : 1.0;
        double y = absInputAndCoefficients ? Math.abs(x) : x;
        double dyDx = absInputAndCoefficients ? sign(x) : 1.0;
        return outer * innerSumDy(y, b, off, n) * dyDx;
    }

    /**
     * Writes dQ/db_j for the n stored coefficients into {@code out[outOff .. outOff+n-1]} (subgradient
     * {@link #sign(double)} at the kinks of |.|).
     *
     * @param x the input
     * @param b array holding the stored denominator coefficients
     * @param off index of the first coefficient in {@code b}
     * @param n number of stored coefficients
     * @param out destination array
     * @param outOff index in {@code out} where dQ/db_0 (the first stored coefficient) is written
     */
    public void denominatorDb(double x, double[] b, int off, int n, double[] out, int outOff) {
        double outer = absOfSum ? sign(innerSum(x, b, off, n)) : 1.0;
        double y = absInputAndCoefficients ? Math.abs(x) : x;
        double p = firstPower == 0 ? 1.0 : y;
        for (int j = 0; j < n; j++) {
            double dc = absInputAndCoefficients ? sign(b[off + j]) : 1.0;
            out[outOff + j] = outer * p * dc;
            p *= y;
        }
    }
}
