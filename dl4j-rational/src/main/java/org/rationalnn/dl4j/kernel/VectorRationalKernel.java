package org.rationalnn.dl4j.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.rationalnn.dl4j.rational.RationalVersion;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Fused float32 CPU kernel on the JDK's Vector API ({@code jdk.incubator.vector}): the same one-pass forward and
 * backward as {@link JvmRationalKernel}, with SIMD lanes. It is only loaded when the JVM runs with
 * {@code --add-modules jdk.incubator.vector}; otherwise {@link RationalKernels} uses {@link JvmRationalKernel}
 * (correct, slower). Float64 arrays always use {@link JvmRationalKernel}.
 *
 * <p>Two layouts are vectorised: long runs of one coefficient set ({@code inner ≥ lanes}: coefficients broadcast
 * to all lanes) and channel-wise data with {@code inner == 1} (feed-forward or channels-last with CHANNEL or
 * GROUP sharing: each lane has its own channel's coefficients, read from a transposed coefficient table).
 * Coefficient gradients are summed per lane within a chunk, then in double precision per thread, then across
 * threads in a fixed order: no atomics, deterministic for a given thread count.
 */
public final class VectorRationalKernel implements RationalKernel {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int CHUNK = 2048;
    /** Most elements of one forward run per call (a multiple of every vector length). */
    private static final int RUN_BLOCK = 16384;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    /** The single instance; touching it needs {@code --add-modules jdk.incubator.vector}. */
    public static final VectorRationalKernel INSTANCE = new VectorRationalKernel();

    private VectorRationalKernel() {
    }

    /**
     * Whether the Vector API module is present in this JVM.
     *
     * @return true when the JVM was started with {@code --add-modules jdk.incubator.vector}
     */
    public static boolean available() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    @Override
    public String name() {
        return "jvm-vector(" + L + " lanes)";
    }

    @Override
    public void forward(RationalVersion v, INDArray x, INDArray numerator, INDArray denominator, INDArray out) {
        forward(v, x, numerator, denominator, null, out);
    }

    /** One pass: R(x) ⊙ up, with the product done on the values in registers before they are stored. */
    @Override
    public void gatedForward(RationalVersion v, INDArray x, INDArray numerator, INDArray denominator, INDArray up,
                             INDArray out) {
        requireFloat(up);
        forward(v, x, numerator, denominator, up, out);
    }

    /** out = R(x), or R(x) ⊙ up when {@code up} is not null. */
    private void forward(RationalVersion v, INDArray x, INDArray numerator, INDArray denominator, INDArray up,
                         INDArray out) {
        requireFloat(x);
        Coef c = new Coef(v, numerator, denominator);
        FloatBuffer in = x.data().asNioFloat();
        FloatBuffer o = out.data().asNioFloat();
        FloatBuffer ub = up == null ? null : up.data().asNioFloat();
        long xOff = x.offset();
        long oOff = out.offset();
        long uOff = up == null ? 0 : up.offset();
        long inner = x.size(2);
        int sets = (int) x.size(1);
        ByteBuffer inBytes = x.data().asNio();
        ByteBuffer outBytes = out.data().asNio();
        ByteBuffer upBytes = up == null ? null : up.data().asNio();
        JvmRationalKernel.INSTANCE.parallel(x.length(), (from, to, acc) -> {
            if (inner == 1) {
                float[] xs = new float[CHUNK];
                float[] ys = new float[CHUNK];
                float[] us = ub == null ? null : new float[CHUNK];
                for (long start = from; start < to; start += CHUNK) {
                    int len = (int) Math.min(CHUNK, to - start);
                    in.get((int) (xOff + start), xs, 0, len);
                    c.forwardLanes(xs, ys, len, (int) (start % sets), sets);
                    if (us != null) {
                        ub.get((int) (uOff + start), us, 0, len);
                        multiplyInto(ys, us, len);
                    }
                    o.put((int) (oOff + start), ys, 0, len);
                }
            } else {
                // runs of one coefficient set, read and written in place in the native buffers, at most RUN_BLOCK
                // elements per call: a loop of millions of iterations in few calls would stay in the JIT's
                // on-stack-replacement code, which measured about 30 % slower for one long LAYER run
                long e = from;
                while (e < to) {
                    int s = (int) ((e / inner) % sets);
                    int run = (int) Math.min(Math.min(to - e, inner - e % inner), RUN_BLOCK);
                    c.forwardRun(s, inBytes, xOff + e, upBytes, uOff + e, outBytes, oOff + e, run);
                    e += run;
                }
            }
        }, 0, null);
    }

    /** y[k] *= u[k] for k < len. */
    private static void multiplyInto(float[] y, float[] u, int len) {
        int k = 0;
        for (int upper = S.loopBound(len); k < upper; k += L) {
            FloatVector.fromArray(S, y, k).mul(FloatVector.fromArray(S, u, k)).intoArray(y, k);
        }
        for (; k < len; k++) {
            y[k] *= u[k];
        }
    }

    @Override
    public void backward(RationalVersion v, INDArray x, INDArray numerator, INDArray denominator, INDArray eps,
                         INDArray dx, INDArray dNumerator, INDArray dDenominator) {
        backward(v, x, numerator, denominator, null, eps, dx, null, dNumerator, dDenominator);
    }

    /**
     * One pass: per element, R and its derivatives are computed once; dUp = eps ⊙ R, and eps ⊙ up drives dx and
     * the coefficient gradients exactly as {@link #backward} does with that product as its eps.
     */
    @Override
    public void gatedBackward(RationalVersion v, INDArray x, INDArray numerator, INDArray denominator, INDArray up,
                              INDArray eps, INDArray dx, INDArray dUp, INDArray dNumerator, INDArray dDenominator) {
        requireFloat(up);
        backward(v, x, numerator, denominator, up, eps, dx, dUp, dNumerator, dDenominator);
    }

    /** {@link #backward} ({@code up == null}) or {@link #gatedBackward}. */
    private void backward(RationalVersion v, INDArray x, INDArray numerator, INDArray denominator, INDArray up,
                          INDArray eps, INDArray dx, INDArray dUp, INDArray dNumerator, INDArray dDenominator) {
        requireFloat(x);
        Coef c = new Coef(v, numerator, denominator);
        FloatBuffer in = x.data().asNioFloat();
        FloatBuffer ep = eps.data().asNioFloat();
        FloatBuffer d = dx.data().asNioFloat();
        FloatBuffer ub = up == null ? null : up.data().asNioFloat();
        FloatBuffer dub = up == null ? null : dUp.data().asNioFloat();
        long xOff = x.offset();
        long eOff = eps.offset();
        long dOff = dx.offset();
        long uOff = up == null ? 0 : up.offset();
        long duOff = up == null ? 0 : dUp.offset();
        long inner = x.size(2);
        int sets = (int) x.size(1);
        int accLen = sets * (c.m1 + c.n);
        double[] total = new double[accLen];
        JvmRationalKernel.INSTANCE.parallel(x.length(), (from, to, acc) -> {
            float[] xs = new float[CHUNK];
            float[] es = new float[CHUNK];
            float[] ds = new float[CHUNK];
            Scratch sc = new Scratch(inner == 1 ? (c.m1 + c.n) * sets : 0, c.m1 + c.n, ub != null);
            for (long start = from; start < to; start += CHUNK) {
                int len = (int) Math.min(CHUNK, to - start);
                in.get((int) (xOff + start), xs, 0, len);
                ep.get((int) (eOff + start), es, 0, len);
                if (ub != null) {
                    ub.get((int) (uOff + start), sc.us, 0, len);
                }
                if (inner == 1) {
                    c.backwardLanes(xs, es, ds, len, (int) (start % sets), sets, sc, acc);
                } else {
                    int k = 0;
                    while (k < len) {
                        long e = start + k;
                        int s = (int) ((e / inner) % sets);
                        int run = (int) Math.min(len - k, inner - e % inner);
                        c.backwardRun(s, xs, es, ds, k, run, sc, acc, s * c.m1, sets * c.m1 + s * c.n);
                        k += run;
                    }
                }
                d.put((int) (dOff + start), ds, 0, len);
                if (dub != null) {
                    dub.put((int) (duOff + start), sc.dus, 0, len);
                }
            }
        }, accLen, total);
        for (int s = 0; s < sets; s++) {
            for (int j = 0; j < c.n; j++) {
                total[sets * c.m1 + s * c.n + j] *= c.bSign[s * c.n + j];
            }
        }
        JvmRationalKernel.writeMatrix(dNumerator, total, 0, sets, c.m1);
        JvmRationalKernel.writeMatrix(dDenominator, total, sets * c.m1, sets, c.n);
    }

    private static void requireFloat(INDArray x) {
        if (x.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("the vector rational kernel supports FLOAT only, got " + x.dataType());
        }
    }

    /**
     * Coefficients with the version's switches applied. The denominator is held as a polynomial D in y with
     * coefficients d_0..d_n (d_0 = 0 unless firstPower = 0), so every version is Q = offset + g(D(y)).
     */
    private static final class Coef {
        final int m1;
        final int n;
        final int dLen;        // n + 1 coefficients d_0..d_n
        final float[] a;       // [sets][m1]
        final float[] dc;      // [sets][dLen]
        final float[] aT;      // [m1][sets] for per-lane loads
        final float[] dT;      // [dLen][sets]
        final double[] bSign;  // [sets][n]
        final int firstPower;
        final float offset;
        final boolean absInput;
        final boolean absOfSum;
        final int sets;
        /** Double-precision twin for the elements that do not fill a vector. */
        final JvmRationalKernel.Coefficients scalar;

        Coef(RationalVersion v, INDArray numerator, INDArray denominator) {
            scalar = new JvmRationalKernel.Coefficients(v, numerator, denominator);
            sets = (int) numerator.size(0);
            m1 = (int) numerator.size(1);
            n = (int) denominator.size(1);
            dLen = n + 1;
            double[] na = JvmRationalKernel.flatten(numerator);
            double[] nb = JvmRationalKernel.flatten(denominator);
            firstPower = v.firstPower();
            offset = (float) v.offset();
            absInput = v.absInput();
            absOfSum = v.absOfSum();
            a = new float[sets * m1];
            aT = new float[sets * m1];
            dc = new float[sets * dLen];
            dT = new float[sets * dLen];
            bSign = new double[sets * n];
            for (int s = 0; s < sets; s++) {
                for (int i = 0; i < m1; i++) {
                    a[s * m1 + i] = (float) na[s * m1 + i];
                    aT[i * sets + s] = (float) na[s * m1 + i];
                }
                for (int j = 0; j < n; j++) {
                    double b = nb[s * n + j];
                    bSign[s * n + j] = v.absCoefficients() ? RationalVersion.sign(b) : 1.0;
                    float cj = (float) (v.absCoefficients() ? Math.abs(b) : b);
                    int k = j + firstPower;       // power of y this coefficient multiplies
                    dc[s * dLen + k] = cj;
                    dT[k * sets + s] = cj;
                }
            }
        }

        // ---- long runs of one coefficient set: broadcast coefficients ----

        /** Largest numerator length and denominator table length of the unrolled forward and one-pass backward. */
        static final int UNROLLED_M1 = 6;
        static final int UNROLLED_DLEN = 5;

        /**
         * R over {@code len} elements of one coefficient set, from {@code in} at element {@code inOff} to {@code out}
         * at {@code outOff} (the buffers of the arrays; they may be the same memory: every element is read before it
         * is written).
         */
        void forwardRun(int s, ByteBuffer in, long inOff, ByteBuffer up, long upOff, ByteBuffer out, long outOff,
                        int len) {
            int upper = S.loopBound(len);
            if (m1 <= UNROLLED_M1 && dLen <= UNROLLED_DLEN) {
                forwardRunUnrolled(s, in, inOff, up, upOff, out, outOff, upper);
            } else {
                for (int k = 0; k < upper; k += L) {
                    FloatVector x = FloatVector.fromByteBuffer(S, in, (int) ((inOff + k) * 4), ORDER);
                    FloatVector p = FloatVector.broadcast(S, a[s * m1 + m1 - 1]);
                    for (int i = m1 - 2; i >= 0; i--) {
                        p = p.fma(x, FloatVector.broadcast(S, a[s * m1 + i]));
                    }
                    FloatVector y = absInput ? x.abs() : x;
                    FloatVector t = FloatVector.broadcast(S, dc[s * dLen + dLen - 1]);
                    for (int j = dLen - 2; j >= 0; j--) {
                        t = t.fma(y, FloatVector.broadcast(S, dc[s * dLen + j]));
                    }
                    FloatVector q = (absOfSum ? t.abs() : t).add(offset);
                    FloatVector r = p.div(q);
                    if (up != null) {
                        r = r.mul(FloatVector.fromByteBuffer(S, up, (int) ((upOff + k) * 4), ORDER));
                    }
                    r.intoByteBuffer(out, (int) ((outOff + k) * 4), ORDER);
                }
            }
            for (int k = upper; k < len; k++) {
                float r = (float) scalar.forwardOne(s, in.getFloat((int) ((inOff + k) * 4)));
                if (up != null) {
                    r *= up.getFloat((int) ((upOff + k) * 4));
                }
                out.putFloat((int) ((outOff + k) * 4), r);
            }
        }

        /**
         * The vector part of {@link #forwardRun} for small degrees, with every coefficient held in a register: the
         * numerator is padded to {@value #UNROLLED_M1} and the denominator table to {@value #UNROLLED_DLEN}
         * coefficients with leading zeros (Horner's rule gives the same value). Only for infinite inputs do the
         * padded zeros differ (0·∞ is NaN): a vector holding one is recomputed lane by lane with the scalar formula
         * before it is stored (so in-place calls are safe too). With {@code up} (not null) the value stored is
         * R ⊙ up.
         */
        private void forwardRunUnrolled(int s, ByteBuffer in, long inOff, ByteBuffer up, long upOff, ByteBuffer out,
                                        long outOff, int upper) {
            int ao = s * m1;
            int dO = s * dLen;
            FloatVector a0 = coefficient(a, ao, 0, m1);
            FloatVector a1 = coefficient(a, ao, 1, m1);
            FloatVector a2 = coefficient(a, ao, 2, m1);
            FloatVector a3 = coefficient(a, ao, 3, m1);
            FloatVector a4 = coefficient(a, ao, 4, m1);
            FloatVector a5 = coefficient(a, ao, 5, m1);
            FloatVector d0 = coefficient(dc, dO, 0, dLen);
            FloatVector d1 = coefficient(dc, dO, 1, dLen);
            FloatVector d2 = coefficient(dc, dO, 2, dLen);
            FloatVector d3 = coefficient(dc, dO, 3, dLen);
            FloatVector d4 = coefficient(dc, dO, 4, dLen);
            FloatVector off = FloatVector.broadcast(S, offset);
            for (int k = 0; k < upper; k += L) {
                FloatVector x = FloatVector.fromByteBuffer(S, in, (int) ((inOff + k) * 4), ORDER);
                FloatVector p = a5.fma(x, a4).fma(x, a3).fma(x, a2).fma(x, a1).fma(x, a0);
                FloatVector ax = x.abs();
                FloatVector y = absInput ? ax : x;
                FloatVector t = d4.fma(y, d3).fma(y, d2).fma(y, d1).fma(y, d0);
                FloatVector q = (absOfSum ? t.abs() : t).add(off);
                FloatVector r = p.div(q);
                if (ax.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY).anyTrue()) {
                    float[] xl = x.toArray();
                    float[] rl = r.toArray();
                    for (int i = 0; i < L; i++) {
                        if (Float.isInfinite(xl[i])) {
                            rl[i] = (float) scalar.forwardOne(s, xl[i]);
                        }
                    }
                    r = FloatVector.fromArray(S, rl, 0);
                }
                if (up != null) {
                    r = r.mul(FloatVector.fromByteBuffer(S, up, (int) ((upOff + k) * 4), ORDER));
                }
                r.intoByteBuffer(out, (int) ((outOff + k) * 4), ORDER);
            }
        }

        /** Coefficient {@code i} of the set at {@code base} broadcast to all lanes, 0 beyond {@code length}. */
        private static FloatVector coefficient(float[] table, int base, int i, int length) {
            return FloatVector.broadcast(S, i < length ? table[base + i] : 0f);
        }

        void backwardRun(int s, float[] xs, float[] es, float[] ds, int off, int len, Scratch sc, double[] acc,
                         int accA, int accB) {
            int ao = s * m1;
            int dO = s * dLen;
            int vecLen = S.loopBound(len);
            int from = off;
            int to = off + vecLen;
            double[] before = sc.savedSums;
            System.arraycopy(acc, accA, before, 0, m1);
            System.arraycopy(acc, accB, before, m1, n);
            if (m1 <= UNROLLED_M1 && dLen <= UNROLLED_DLEN) {
                backwardOnePass(xs, es, ds, sc, from, to, ao, dO, acc, accA, accB);
            } else {
                for (int k = from; k < to; k += L) {
                    step(xs, es, ds, sc, k, ao, dO, false, 0);
                }
                // coefficient gradients: sums of g·x^i and gb·y^(j+p) over the vectorised part, a pass per power
                sumPowers(sc.g, xs, sc.pw, from, to, m1, acc, accA, false);
                sumPowers(sc.gb, sc.y, sc.pw, from, to, n, acc, accB, firstPower == 1);
            }
            if (!allFinite(acc, accA, m1) || !allFinite(acc, accB, n)) {
                // a non-finite input (0·∞ in the power sums) or an overflow: redo this run element by element with
                // the scalar formula, the reference for such inputs (rare, so its cost does not matter)
                System.arraycopy(before, 0, acc, accA, m1);
                System.arraycopy(before, m1, acc, accB, n);
                for (int k = from; k < to; k++) {
                    ds[k] = backwardOneGated(s, xs, es, sc, k, acc, accA, accB);
                }
            }
            for (int k = off + vecLen; k < off + len; k++) {
                ds[k] = backwardOneGated(s, xs, es, sc, k, acc, accA, accB);
            }
        }

        /** acc[accA + i] += sums[i] (i < m1), acc[accB + j] += sums[{@value #UNROLLED_M1} + j] (j < n). */
        private void addSums(float[] sums, double[] acc, int accA, int accB) {
            for (int i = 0; i < m1; i++) {
                acc[accA + i] += sums[i];
            }
            for (int j = 0; j < n; j++) {
                acc[accB + j] += sums[UNROLLED_M1 + j];
            }
        }

        private static boolean allFinite(double[] values, int from, int count) {
            for (int i = from; i < from + count; i++) {
                if (!Double.isFinite(values[i])) {
                    return false;
                }
            }
            return true;
        }

        /** The scalar backward of element k (gated: eps ⊙ up drives it, and dUp = eps ⊙ R). */
        private float backwardOneGated(int s, float[] xs, float[] es, Scratch sc, int k, double[] acc, int accA,
                                       int accB) {
            if (!sc.gated) {
                return (float) scalar.backwardOne(s, xs[k], es[k], acc, accA, accB);
            }
            sc.dus[k] = (float) (es[k] * scalar.forwardOne(s, xs[k]));
            return (float) scalar.backwardOne(s, xs[k], es[k] * sc.us[k], acc, accA, accB);
        }

        /**
         * The vector part of {@link #backwardRun} for the small degrees of {@link #forwardRunUnrolled} (numerator
         * length ≤ {@value #UNROLLED_M1}, denominator table length ≤ {@value #UNROLLED_DLEN}), in one pass: {@link #step}'s arithmetic, with the coefficient-gradient
         * partial sums Σ g·x^i and Σ gb·y^(j + firstPower) held in registers instead of going through the scratch
         * arrays (powers beyond m1 and n are computed and dropped). Each lane adds the same products in the same
         * order as {@link #sumPowers} does; R and g are p·(1/q) and eps·(1/q) (one division instead of two, within
         * an ulp of the quotients). Gated and plain calls run the same loop; only the load of up and the store of dUp
         * sit behind the loop-invariant {@code gated} test (an ungated call skipping them is 5-9 % faster, and the
         * branch measured no slower than a separate ungated copy of the loop). Every vector stays in this method: an array of vectors, or a call that
         * takes vectors and is not inlined (C2 stops inlining in a method this large), makes the JIT box them in
         * the loop, which measured 2.6x (array) and 4.5x (the lane sums in a helper, once the gated branch had made
         * the method large enough) slower.
         */
        private void backwardOnePass(float[] xs, float[] es, float[] ds, Scratch sc, int from, int to, int ao,
                                     int dO, double[] acc, int accA, int accB) {
            if (to <= from) {
                return;
            }
            FloatVector zero = FloatVector.zero(S);
            FloatVector one = FloatVector.broadcast(S, 1f);
            boolean shift = firstPower == 1;
            boolean gated = sc.gated;
            FloatVector a0 = zero;
            FloatVector a1 = zero;
            FloatVector a2 = zero;
            FloatVector a3 = zero;
            FloatVector a4 = zero;
            FloatVector a5 = zero;
            FloatVector b0 = zero;
            FloatVector b1 = zero;
            FloatVector b2 = zero;
            FloatVector b3 = zero;
            for (int k = from; k < to; k += L) {
                FloatVector x = FloatVector.fromArray(S, xs, k);
                FloatVector e = FloatVector.fromArray(S, es, k);
                FloatVector p = FloatVector.broadcast(S, a[ao + m1 - 1]);
                FloatVector dp = zero;
                for (int i = m1 - 2; i >= 0; i--) {
                    dp = dp.fma(x, p);
                    p = p.fma(x, FloatVector.broadcast(S, a[ao + i]));
                }
                FloatVector y = absInput ? x.abs() : x;
                FloatVector t = FloatVector.broadcast(S, dc[dO + dLen - 1]);
                FloatVector dt = zero;
                for (int j = dLen - 2; j >= 0; j--) {
                    dt = dt.fma(y, t);
                    t = t.fma(y, FloatVector.broadcast(S, dc[dO + j]));
                }
                FloatVector outer;
                FloatVector q;
                if (absOfSum) {
                    outer = one.blend(-1f, t.compare(VectorOperators.LT, zero));
                    q = t.abs().add(offset);
                } else {
                    outer = one;
                    q = t.add(offset);
                }
                FloatVector inv = one.div(q); // one division for R and g (a division costs many multiplications)
                FloatVector r = p.mul(inv);
                if (gated) {
                    // dUp = eps ⊙ R; R's own gradients are weighted by eps ⊙ up
                    e.mul(r).intoArray(sc.dus, k);
                    e = e.mul(FloatVector.fromArray(S, sc.us, k));
                }
                FloatVector g = e.mul(inv);
                FloatVector dQdx = outer.mul(dt);
                if (absInput) {
                    dQdx = dQdx.mul(one.blend(-1f, x.compare(VectorOperators.LT, zero)));
                }
                g.mul(dp.sub(r.mul(dQdx))).intoArray(ds, k);
                FloatVector gb = g.mul(r).mul(outer).neg();
                FloatVector pw = g;
                a0 = a0.add(pw);
                pw = pw.mul(x);
                a1 = a1.add(pw);
                pw = pw.mul(x);
                a2 = a2.add(pw);
                pw = pw.mul(x);
                a3 = a3.add(pw);
                pw = pw.mul(x);
                a4 = a4.add(pw);
                pw = pw.mul(x);
                a5 = a5.add(pw);
                FloatVector qw = gb;
                if (shift) {
                    qw = qw.mul(y);
                }
                b0 = b0.add(qw);
                qw = qw.mul(y);
                b1 = b1.add(qw);
                qw = qw.mul(y);
                b2 = b2.add(qw);
                qw = qw.mul(y);
                b3 = b3.add(qw);
            }
            float[] sums = sc.sums;
            sums[0] = a0.reduceLanes(VectorOperators.ADD);
            sums[1] = a1.reduceLanes(VectorOperators.ADD);
            sums[2] = a2.reduceLanes(VectorOperators.ADD);
            sums[3] = a3.reduceLanes(VectorOperators.ADD);
            sums[4] = a4.reduceLanes(VectorOperators.ADD);
            sums[5] = a5.reduceLanes(VectorOperators.ADD);
            sums[6] = b0.reduceLanes(VectorOperators.ADD);
            sums[7] = b1.reduceLanes(VectorOperators.ADD);
            sums[8] = b2.reduceLanes(VectorOperators.ADD);
            sums[9] = b3.reduceLanes(VectorOperators.ADD);
            addSums(sums, acc, accA, accB);
        }

        /** acc[accOff + i] += Σ_k w[k]·base[k]^(i + shift), i < count, shift = 1 if {@code startAtFirst}. */
        private static void sumPowers(float[] w, float[] base, float[] pw, int from, int to, int count,
                                      double[] acc, int accOff, boolean startAtFirst) {
            if (to <= from) {
                return;
            }
            for (int k = from; k < to; k += L) {
                FloatVector v = FloatVector.fromArray(S, w, k);
                if (startAtFirst) {
                    v = v.mul(FloatVector.fromArray(S, base, k));
                }
                v.intoArray(pw, k);
            }
            for (int i = 0; i < count; i++) {
                FloatVector sum = FloatVector.zero(S);
                for (int k = from; k < to; k += L) {
                    FloatVector p = FloatVector.fromArray(S, pw, k);
                    sum = sum.add(p);
                    if (i + 1 < count) {
                        p.mul(FloatVector.fromArray(S, base, k)).intoArray(pw, k);
                    }
                }
                acc[accOff + i] += sum.reduceLanes(VectorOperators.ADD);
            }
        }

        /**
         * One vector of elements at index k: writes dx into ds, and g = eps/Q, gb = -g·R·outer and y into the
         * scratch arrays (gated, when the scratch holds up: eps ⊙ R into its dUp and eps replaced by eps ⊙ up). In per-lane mode the coefficients come from the transposed tables at column
         * {@code col} (lane l uses channel col + l).
         */
        void step(float[] xs, float[] es, float[] ds, Scratch sc, int k, int ao, int dO, boolean perLane, int col) {
            FloatVector x = FloatVector.fromArray(S, xs, k);
            FloatVector e = FloatVector.fromArray(S, es, k);
            FloatVector p;
            FloatVector dp = FloatVector.zero(S);
            if (!perLane) {
                p = FloatVector.broadcast(S, a[ao + m1 - 1]);
                for (int i = m1 - 2; i >= 0; i--) {
                    dp = dp.fma(x, p);
                    p = p.fma(x, FloatVector.broadcast(S, a[ao + i]));
                }
            } else {
                p = FloatVector.fromArray(S, aT, (m1 - 1) * sets + col);
                for (int i = m1 - 2; i >= 0; i--) {
                    dp = dp.fma(x, p);
                    p = p.fma(x, FloatVector.fromArray(S, aT, i * sets + col));
                }
            }
            FloatVector y = absInput ? x.abs() : x;
            FloatVector t;
            FloatVector dt = FloatVector.zero(S);
            if (!perLane) {
                t = FloatVector.broadcast(S, dc[dO + dLen - 1]);
                for (int j = dLen - 2; j >= 0; j--) {
                    dt = dt.fma(y, t);
                    t = t.fma(y, FloatVector.broadcast(S, dc[dO + j]));
                }
            } else {
                t = FloatVector.fromArray(S, dT, (dLen - 1) * sets + col);
                for (int j = dLen - 2; j >= 0; j--) {
                    dt = dt.fma(y, t);
                    t = t.fma(y, FloatVector.fromArray(S, dT, j * sets + col));
                }
            }
            FloatVector zero = FloatVector.zero(S);
            FloatVector one = FloatVector.broadcast(S, 1f);
            FloatVector outer;
            FloatVector q;
            if (absOfSum) {
                // d|t|/dt = RationalVersion.sign(t): +1 for t >= 0, -1 for t < 0
                outer = one.blend(-1f, t.compare(VectorOperators.LT, zero));
                q = t.abs().add(offset);
            } else {
                outer = one;
                q = t.add(offset);
            }
            FloatVector r = p.div(q);
            // dUp = eps ⊙ R, and eps ⊙ up is what R's own gradients are weighted by (up = 1 when not gated)
            e.mul(r).intoArray(sc.dus, k);
            e = e.mul(FloatVector.fromArray(S, sc.us, k));
            FloatVector g = e.div(q);
            FloatVector dQdx = outer.mul(dt);
            if (absInput) {
                dQdx = dQdx.mul(one.blend(-1f, x.compare(VectorOperators.LT, zero)));
            }
            g.mul(dp.sub(r.mul(dQdx))).intoArray(ds, k);
            g.intoArray(sc.g, k);
            g.mul(r).mul(outer).neg().intoArray(sc.gb, k);
            y.intoArray(sc.y, k);
        }

        // ---- inner == 1: element k of a chunk starting at channel c0 is channel (c0 + k) % sets ----

        void forwardLanes(float[] xs, float[] ys, int len, int c0, int sets) {
            int k = 0;
            while (k < len) {
                int c = (c0 + k) % sets;
                int run = Math.min(len - k, sets - c);
                int kk = k;
                int upper = k + S.loopBound(run);
                for (; kk < upper; kk += L) {
                    int col = c + (kk - k);
                    FloatVector x = FloatVector.fromArray(S, xs, kk);
                    FloatVector p = FloatVector.fromArray(S, aT, (m1 - 1) * sets + col);
                    for (int i = m1 - 2; i >= 0; i--) {
                        p = p.fma(x, FloatVector.fromArray(S, aT, i * sets + col));
                    }
                    FloatVector y = absInput ? x.abs() : x;
                    FloatVector t = FloatVector.fromArray(S, dT, (dLen - 1) * sets + col);
                    for (int j = dLen - 2; j >= 0; j--) {
                        t = t.fma(y, FloatVector.fromArray(S, dT, j * sets + col));
                    }
                    p.div((absOfSum ? t.abs() : t).add(offset)).intoArray(ys, kk);
                }
                for (; kk < k + run; kk++) {
                    ys[kk] = (float) scalar.forwardOne(c + (kk - k), xs[kk]);
                }
                k += run;
            }
        }

        void backwardLanes(float[] xs, float[] es, float[] ds, int len, int c0, int sets, Scratch sc,
                           double[] acc) {
            float[] laneAcc = sc.laneAcc;
            java.util.Arrays.fill(laneAcc, 0f);
            int k = 0;
            while (k < len) {
                int c = (c0 + k) % sets;
                int run = Math.min(len - k, sets - c);
                int vecEnd = k + S.loopBound(run);
                for (int kk = k; kk < vecEnd; kk += L) {
                    int col = c + (kk - k);
                    step(xs, es, ds, sc, kk, 0, 0, true, col);
                    FloatVector x = FloatVector.fromArray(S, xs, kk);
                    FloatVector y = FloatVector.fromArray(S, sc.y, kk);
                    FloatVector pw = FloatVector.fromArray(S, sc.g, kk);
                    for (int i = 0; i < m1; i++) {
                        int at = i * sets + col;
                        FloatVector.fromArray(S, laneAcc, at).add(pw).intoArray(laneAcc, at);
                        pw = pw.mul(x);
                    }
                    pw = FloatVector.fromArray(S, sc.gb, kk);
                    if (firstPower == 1) {
                        pw = pw.mul(y);
                    }
                    for (int j = 0; j < n; j++) {
                        int at = (m1 + j) * sets + col;
                        FloatVector.fromArray(S, laneAcc, at).add(pw).intoArray(laneAcc, at);
                        pw = pw.mul(y);
                    }
                }
                for (int kk = vecEnd; kk < k + run; kk++) {
                    int col = c + (kk - k);
                    ds[kk] = backwardOneGated(col, xs, es, sc, kk, acc, col * m1, sets * m1 + col * n);
                }
                k += run;
            }
            for (int col = 0; col < sets; col++) {
                for (int i = 0; i < m1; i++) {
                    acc[col * m1 + i] += laneAcc[i * sets + col];
                }
                for (int j = 0; j < n; j++) {
                    acc[sets * m1 + col * n + j] += laneAcc[(m1 + j) * sets + col];
                }
            }
        }
    }

    /** Per-thread scratch arrays of the backward pass. */
    private static final class Scratch {
        final float[] g = new float[CHUNK];
        final float[] gb = new float[CHUNK];
        final float[] y = new float[CHUNK];
        final float[] pw = new float[CHUNK];
        final float[] laneAcc;
        /**
         * The chunk of up and of dUp. When not gated, up is all ones and dUp is never read: {@link Coef#step} runs the
         * same code either way, {@link Coef#backwardOnePass} skips both when not gated.
         */
        final float[] us;
        final float[] dus;
        /** Whether the backward is gated. */
        final boolean gated;
        /** One set's coefficient-gradient sums before a run, restored if the run is redone element by element. */
        final double[] savedSums;
        /** The lane-reduced sums of {@link Coef#backwardOnePass}. */
        final float[] sums = new float[Coef.UNROLLED_M1 + Coef.UNROLLED_DLEN - 1];

        Scratch(int laneAccLen, int coefficients, boolean gated) {
            laneAcc = new float[laneAccLen];
            savedSums = new double[coefficients];
            us = new float[CHUNK];
            dus = new float[CHUNK];
            this.gated = gated;
            if (!gated) {
                java.util.Arrays.fill(us, 1f);
            }
        }
    }
}
