package org.rationalnn.dl4j.samediff;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;

import java.util.Arrays;

/**
 * The rational function R(x) = P(x)/Q(x) as a SameDiff expression: the SameDiff counterpart of
 * {@link org.rationalnn.dl4j.kernel.NdOpsRationalKernel}, built from the same formula switches of
 * {@link RationalVersion} (so every version, every supported degree and every {@link Sharing} mode is covered).
 * {@link RationalDense}, {@link RationalVertex} and any other SameDiff layer (e.g. a transformer block) build their
 * rational with it.
 *
 * <p><b>Formula.</b> P(x) = a_0 + a_1 x + ... + a_m x^m by Horner's rule; with y = |x| (version A) or x,
 * c_j = |b_j| (A) or b_j, the inner sum T = Σ_{j=0..n-1} c_j y^(j+p) (p = {@link RationalVersion#firstPower()}),
 * and Q = offset + |T| (B, C, D) or offset + T (A, N). |u| is written u · s(u) with s(u) = sign(u) + 1 − sign(u)²
 * (SameDiff's sign has gradient 0), so its gradient is {@link RationalVersion#sign(double)}: +1 at u = 0, the
 * convention of the reference {@link org.rationalnn.dl4j.rational.RationalFunction} and of every kernel (SameDiff's
 * own {@code abs} has gradient 0 there).
 *
 * <p><b>Shapes.</b> {@code x} has any rank r ≥ 1 and C channels, on axis 1 (channels first: feed-forward
 * [mb, C], NCW [mb, C, T], NCHW [mb, C, h, w]) or on the last axis (channels last: NWC, NHWC, or a 2-D
 * [N, C] array). Coefficients are {@code numerator} [S, m+1] and {@code denominator} [S, n] ([S, n+1] for C) with
 * S = {@link RationalSpec#numSets(long)}: 1 (LAYER), C (CHANNEL) or g (GROUP; channel c uses set c / (C/g)).
 * The output has the shape of {@code x}.
 *
 * <p><b>Ops used.</b> Only ops whose gradients are correct in DL4J 1.0.0-M2.1 (checked by this project's tests):
 * element-wise and broadcast arithmetic, {@code sign} (for |u|), {@code zerosLike}, {@code transpose},
 * {@code reshape}, {@code unstack}, and
 * (GROUP sharing with 1 &lt; g &lt; C only) a rank-2 {@code mmul} with a constant 0/1 matrix that expands the g
 * sets to the C channels. No slicing of parameters, no rank-3 tensor products. The coefficient columns are
 * broadcast against {@code x}; the input itself is never reshaped, so dynamic batch and sequence sizes work.
 */
public final class RationalSameDiff {

    private RationalSameDiff() {
    }

    /**
     * R(x) with the degrees, version and sharing of {@code spec}.
     *
     * @param sd           the graph to add the expression to
     * @param x            input of rank {@code rank} with {@code channels} channels
     * @param numerator    numerator coefficients [S, m+1], S = {@code spec.numSets(channels)}
     * @param denominator  denominator coefficients [S, {@link RationalSpec#denominatorLength()}]
     * @param spec         degrees, version and sharing (the initialisation is not used); validated here
     * @param channels     channel count C (≥ 1)
     * @param rank         rank of {@code x}, in [1, 8]
     * @param channelsLast whether the channel axis is the last axis (else axis 1; ignored for rank 1)
     * @return R(x), a new variable with the shape of {@code x}
     * @throws IllegalArgumentException for an invalid spec, rank or channel count, or coefficients of the wrong
     *                                  (known) shape
     */
    public static SDVariable apply(SameDiff sd, SDVariable x, SDVariable numerator, SDVariable denominator,
                                   RationalSpec spec, long channels, int rank, boolean channelsLast) {
        spec.validate();
        if (channels < 1) {
            throw new IllegalArgumentException("channel count must be in [1, " + Long.MAX_VALUE + "], got " + channels);
        }
        return apply(sd, x, numerator, denominator, spec.getVersion(), spec.getNumeratorDegree(),
                spec.getDenominatorDegree(), spec.numSets(channels), channels, rank, channelsLast);
    }

    /**
     * R(x) for an explicit type (m, n) and S coefficient sets (channel c uses set c / (C/S)); the denominator has
     * {@link RationalVersion#denominatorLength(int)} columns (n, or n + 1 for C).
     *
     * @param sd           the graph to add the expression to
     * @param x            input of rank {@code rank} with {@code channels} channels
     * @param numerator    numerator coefficients a_0..a_m, [S, m+1]
     * @param denominator  denominator coefficients, [S, n] ([S, n+1] for version C)
     * @param version      the denominator form
     * @param m            numerator degree, in [0, 16]
     * @param n            denominator degree, in [1, 16] ([0, 16] for version C)
     * @param numSets      number of coefficient sets S, a positive divisor of C
     * @param channels     channel count C (≥ 1)
     * @param rank         rank of {@code x}, in [1, 8]
     * @param channelsLast whether the channel axis is the last axis (else axis 1; no difference for rank ≤ 2 or a
     *                     single set)
     * @return R(x), a new variable with the shape of {@code x}
     * @throws IllegalArgumentException if the degrees are unsupported, S does not divide C, the rank is not
     *                                  in [1, 8], or a coefficient variable's known shape is wrong
     */
    public static SDVariable apply(SameDiff sd, SDVariable x, SDVariable numerator, SDVariable denominator,
                                   RationalVersion version, int m, int n, int numSets, long channels, int rank,
                                   boolean channelsLast) {
        RationalSpec.checkDegrees(version, m, n);
        int nb = version.denominatorLength(n);
        if (rank < 1 || rank > 8) {
            throw new IllegalArgumentException("input rank must be in [1, 8], got " + rank);
        }
        if (channels < 1 || numSets < 1 || channels % numSets != 0) {
            throw new IllegalArgumentException("coefficient set count must be a positive divisor of the channel count "
                    + channels + ", got " + numSets);
        }
        checkShape("numerator", numerator, numSets, m + 1);
        checkShape("denominator", denominator, numSets, nb);

        long[] columnShape = columnShape(numSets, channels, rank, channelsLast);
        SDVariable expand = numSets == 1 || numSets == channels ? null
                : sd.constant(expansionMatrix(numerator.dataType(), channels, numSets));

        // P(x) = a_0 + a_1 x + ... + a_m x^m
        SDVariable[] a = columns(sd, numerator, m + 1, expand, columnShape);
        SDVariable p = horner(sd, x, a);

        // T = Σ_j c_j y^(j + p), Q = offset + (|T| or T)
        SDVariable y = version.absInput() ? abs(sd, x) : x;
        SDVariable den = version.absCoefficients() ? abs(sd, denominator) : denominator;
        SDVariable[] c = columns(sd, den, nb, expand, columnShape);
        SDVariable t = horner(sd, y, c);
        if (version.firstPower() == 1) {
            t = t.mul(y);
        }
        SDVariable q = (version.absOfSum() ? abs(sd, t) : t).add(version.offset());
        return p.div(q);
    }

    /** |u| = u · s(u), s(u) = sign(u) + 1 − sign(u)² (+1 at 0): gradient {@link RationalVersion#sign(double)}. */
    static SDVariable abs(SameDiff sd, SDVariable u) {
        SDVariable s = sd.math.sign(u);
        return u.mul(s.add(1.0).sub(s.mul(s)));
    }

    /**
     * The numerator multiplied element-wise by version D's noise (both [S, m+1]); use the result as the
     * {@code numerator} argument of {@link #apply}. Feed ones at inference.
     *
     * @param numerator the numerator coefficients, [S, m+1]
     * @param noise     the noise, [S, m+1] (U[1-s, 1+s] in training, ones at inference)
     * @return numerator ⊙ noise, [S, m+1]
     */
    public static SDVariable noisyNumerator(SDVariable numerator, SDVariable noise) {
        return numerator.mul(noise);
    }

    /**
     * Shape of one broadcast coefficient column: [1] for a single set; [C] when the channel axis is the last axis
     * (channels last, or rank ≤ 2); else [C, 1, ..., 1] with rank - 2 trailing ones (channels first).
     */
    static long[] columnShape(int numSets, long channels, int rank, boolean channelsLast) {
        if (numSets == 1) {
            return new long[]{1};
        }
        if (channelsLast || rank <= 2) {
            return new long[]{channels};
        }
        long[] s = new long[rank - 1];
        Arrays.fill(s, 1);
        s[0] = channels;
        return s;
    }

    /** E [C, S] with E[c, c / (C/S)] = 1: expands S contiguous groups to the C channels. */
    static INDArray expansionMatrix(DataType dataType, long channels, int numSets) {
        INDArray e = Nd4j.zeros(dataType, channels, numSets);
        long perSet = channels / numSets;
        for (long ch = 0; ch < channels; ch++) {
            e.putScalar(ch, ch / perSet, 1.0);
        }
        return e;
    }

    /**
     * The K columns of {@code coef} [S, K], each shaped {@code columnShape} for broadcasting against the input
     * (after expanding S groups to C channels when {@code expand} is given).
     */
    private static SDVariable[] columns(SameDiff sd, SDVariable coef, int k, SDVariable expand, long[] columnShape) {
        SDVariable perChannel = expand == null ? coef : expand.mmul(coef);        // [S', K]
        if (columnShape.length == 1) {
            // [S'] columns broadcast as they are (single set, or channels on the last axis): one op
            return k == 1 ? new SDVariable[]{sd.reshape(perChannel, columnShape)} : sd.unstack(perChannel, 1, k);
        }
        if (k == 1) {
            return new SDVariable[]{sd.reshape(perChannel, columnShape)};
        }
        long[] stacked = new long[columnShape.length + 1];
        stacked[0] = k;
        System.arraycopy(columnShape, 0, stacked, 1, columnShape.length);
        SDVariable t = sd.reshape(sd.transpose(perChannel), stacked);             // [K, C, 1, ..., 1]
        return sd.unstack(t, 0, k);
    }

    /** Σ_j c[j] z^j by Horner's rule, always with the full shape of z. */
    private static SDVariable horner(SameDiff sd, SDVariable z, SDVariable[] c) {
        int k = c.length;
        if (k == 1) {
            // a constant polynomial still has the shape of the input
            return sd.zerosLike(z).add(c[0]);
        }
        SDVariable acc = z.mul(c[k - 1]).add(c[k - 2]);
        for (int j = k - 3; j >= 0; j--) {
            acc = acc.mul(z).add(c[j]);
        }
        return acc;
    }

    /** Checks a coefficient variable's shape when SameDiff knows it. */
    private static void checkShape(String what, SDVariable v, int rows, int cols) {
        long[] shape = v.getShape();
        if (shape != null && (shape.length != 2 || shape[0] != rows || shape[1] != cols)) {
            throw new IllegalArgumentException(what + " coefficients must have shape [" + rows + ", " + cols + "], got "
                    + Arrays.toString(shape));
        }
    }
}
