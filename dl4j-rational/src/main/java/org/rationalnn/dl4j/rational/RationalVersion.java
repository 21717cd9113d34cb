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
 * <tr><td>C</td><td>0.1 + |Σ_{k=0..n-1} b_k x^k|</td><td>b_0..b_{n-1}</td></tr>
 * <tr><td>D</td><td>as B; in training the numerator coefficients are multiplied by uniform noise in
 * [1-s, 1+s] (s = 0.1 by default)</td><td>b_1..b_n</td></tr>
 * <tr><td>N</td><td>1 + Σ_{k=1..n} b_k x^k, no pole protection (Boullé et al., arXiv:2004.01902)</td>
 * <td>b_1..b_n</td></tr>
 * </table>
 *
 * <p>This enum is the single definition of Q, dQ/dx and dQ/db that every execution path (scalar
 * reference, fused kernel, ND4J ops, SameDiff) is tested against. The subgradient of |.| is sign(.)
 * with sign(0) = 0. A denominator coefficient array always has n entries; entry j multiplies
 * x^(j + {@link #firstPower()}).
 */
public enum RationalVersion {
    /** Q = 1 + Σ |b_k| |x|^k: safe (Q ≥ 1), even in x. */
    A(1, 1.0, false) {
        @Override
        public double denominator(double x, double[] b, int off, int n) {
            double ax = Math.abs(x);
            double s = 0;
            for (int j = n - 1; j >= 0; j--) {
                s = s * ax + Math.abs(b[off + j]);
            }
            return 1.0 + s * ax;
        }

        @Override
        public double denominatorDx(double x, double[] b, int off, int n) {
            double ax = Math.abs(x);
            double s = 0;
            for (int j = n - 1; j >= 0; j--) {
                s = s * ax + (j + 1) * Math.abs(b[off + j]);
            }
            return s * Math.signum(x);
        }

        @Override
        public void denominatorDb(double x, double[] b, int off, int n, double[] out, int outOff) {
            double ax = Math.abs(x);
            double p = ax;
            for (int j = 0; j < n; j++) {
                out[outOff + j] = Math.signum(b[off + j]) * p;
                p *= ax;
            }
        }
    },
    /** Q = 1 + |Σ_{k≥1} b_k x^k|: safe (Q ≥ 1); the form used by arXiv:2602.12390. */
    B(1, 1.0, true),
    /** Q = 0.1 + |Σ_{k≥0} b_k x^k|: safe (Q ≥ 0.1). */
    C(0, 0.1, true),
    /** As {@link #B}, with multiplicative noise on the numerator coefficients during training. */
    D(1, 1.0, true),
    /** Q = 1 + Σ_{k≥1} b_k x^k: unprotected, may have poles. */
    N(1, 1.0, false) {
        @Override
        public double denominator(double x, double[] b, int off, int n) {
            return offset() + polynomial(x, b, off, n);
        }

        @Override
        public double denominatorDx(double x, double[] b, int off, int n) {
            return polynomialDx(x, b, off, n);
        }

        @Override
        public void denominatorDb(double x, double[] b, int off, int n, double[] out, int outOff) {
            double p = x;
            for (int j = 0; j < n; j++) {
                out[outOff + j] = p;
                p *= x;
            }
        }
    };

    private final int firstPower;
    private final double offset;
    private final boolean absOfSum;

    RationalVersion(int firstPower, double offset, boolean absOfSum) {
        this.firstPower = firstPower;
        this.offset = offset;
        this.absOfSum = absOfSum;
    }

    /** Power of x multiplied by the first denominator coefficient: 0 for C, 1 otherwise. */
    public int firstPower() {
        return firstPower;
    }

    /** Constant added to the denominator sum: 0.1 for C, 1 otherwise. */
    public double offset() {
        return offset;
    }

    /** Whether Q = offset + |T(x)| with T the inner polynomial (B, C, D). */
    public boolean isAbsOfSum() {
        return absOfSum;
    }

    /** Whether Q(x) ≥ offset() &gt; 0 for every x and every coefficient (all but N). */
    public boolean isPoleFree() {
        return this != N;
    }

    /** Whether the numerator is perturbed by multiplicative noise in training (D only). */
    public boolean hasTrainingNoise() {
        return this == D;
    }

    /**
     * The inner polynomial T(x) = Σ_j b_j x^(j + firstPower) (used as is by B, C, D and N).
     */
    public double polynomial(double x, double[] b, int off, int n) {
        double s = 0;
        for (int j = n - 1; j >= 0; j--) {
            s = s * x + b[off + j];
        }
        return firstPower == 0 ? s : s * x;
    }

    /** dT/dx for the inner polynomial. */
    public double polynomialDx(double x, double[] b, int off, int n) {
        double s = 0;
        for (int j = n - 1; j >= 0; j--) {
            int k = j + firstPower;
            if (k == 0) {
                continue;
            }
            s = s * x + k * b[off + j];
        }
        return s;
    }

    /** Q(x) for denominator coefficients {@code b[off .. off+n-1]}. */
    public double denominator(double x, double[] b, int off, int n) {
        return offset + Math.abs(polynomial(x, b, off, n));
    }

    /** dQ/dx. */
    public double denominatorDx(double x, double[] b, int off, int n) {
        return Math.signum(polynomial(x, b, off, n)) * polynomialDx(x, b, off, n);
    }

    /** Writes dQ/db_j for j = 0..n-1 into {@code out[outOff ..]}. */
    public void denominatorDb(double x, double[] b, int off, int n, double[] out, int outOff) {
        double s = Math.signum(polynomial(x, b, off, n));
        double p = firstPower == 0 ? 1.0 : x;
        for (int j = 0; j < n; j++) {
            out[outOff + j] = s * p;
            p *= x;
        }
    }

    /** Convenience overload over a whole array. */
    public double denominator(double x, double[] b) {
        return denominator(x, b, 0, b.length);
    }
}
