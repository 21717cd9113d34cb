package org.rationalnn.dl4j.transformer.impl;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.rationalnn.dl4j.kernel.CpuParallel;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Fused float32 CPU kernels of the native block's attention on the JDK's Vector API, one (example, head) pair at a
 * time with the pair's T×d_h blocks in L1: scores with softmax (or with the shift of rational attention), context,
 * and their backward passes. They read the projections straight from the rows layout qkv [mb·T, 3d] (columns: q,
 * k, v; head h at h·d_h within each) and write the context and the projections' gradients back in that layout, so
 * no array is ever permuted into heads. Weights and score gradients are [mb·h, T, T] as in {@link BlockMath}. Pairs
 * are split across the rational kernels' threads; every output element is written by one thread (deterministic).
 * Loaded only when {@code jdk.incubator.vector} is present; arrays must pass {@link BlockMath#fused}.
 */
final class VectorAttention {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final long MIN_PARALLEL = 1 << 14;

    private VectorAttention() {
    }

    /** Geometry of one call and the (example, head) pair loop. */
    private static final class Pairs {
        final int t;
        final int heads;
        final int d;
        final int dh;
        final long pairs;
        /** Where the mask leaves work (null: every key of every row). */
        final KeyExtents extents;

        Pairs(INDArray qkv, long mb, long t, int heads, KeyExtents extents) {
            this.t = (int) t;
            this.heads = heads;
            this.d = (int) (qkv.size(1) / 3);
            this.dh = d / heads;
            this.pairs = mb * heads;
            if (extents != null && extents.length() != this.t) {
                throw new IllegalArgumentException("mask extents are for T = " + extents.length() + ", not " + t);
            }
            this.extents = extents;
        }

        /** Pair p's row ends (see {@link KeyExtents}) into end [T]. */
        void ends(long p, int[] end) {
            if (extents == null) {
                Arrays.fill(end, t);
            } else {
                extents.ends(p / heads, end);
            }
        }

        /** Pair p's column starts (see {@link KeyExtents}) into first [T]. */
        void firsts(long p, int[] first) {
            if (extents == null) {
                Arrays.fill(first, 0);
            } else {
                extents.firsts(p / heads, first);
            }
        }

        /** Keys of a row to compute: its end rounded up to whole vectors, at most T. */
        int computed(int end) {
            return Math.min(t, (end + L - 1) / L * L);
        }

        /** Row offset (in floats) of step i of pair p's example in a rows array with {@code width} columns. */
        long row(long p, int i, int width) {
            return ((p / heads) * t + i) * (long) width;
        }

        /** Column of pair p's head in block {@code block} (0 q, 1 k, 2 v) of qkv. */
        int column(long p, int block) {
            return block * d + (int) (p % heads) * dh;
        }
    }

    private interface PairBody {
        void run(long from, long to);
    }

    private static void forPairs(Pairs g, PairBody body) {
        CpuParallel.forRange(g.pairs, g.pairs * g.t * g.t * (long) g.dh, MIN_PARALLEL, (from, to, acc) ->
                body.run(from, to), 0, null);
    }

    /** Reads pair p's block (T rows of d_h) of qkv into {@code dst} [T·d_h]. */
    private static void readBlock(FloatBuffer qkv, int qkvOff, Pairs g, long p, int block, float[] dst) {
        int col = g.column(p, block);
        for (int i = 0; i < g.t; i++) {
            qkv.get(qkvOff + (int) g.row(p, i, 3 * g.d) + col, dst, i * g.dh, g.dh);
        }
    }

    /** Reads pair p's block transposed into {@code dst} [d_h·T]. */
    private static void readBlockTransposed(FloatBuffer qkv, int qkvOff, Pairs g, long p, int block, float[] row,
                                            float[] dst) {
        int col = g.column(p, block);
        for (int i = 0; i < g.t; i++) {
            qkv.get(qkvOff + (int) g.row(p, i, 3 * g.d) + col, row, 0, g.dh);
            for (int c = 0; c < g.dh; c++) {
                dst[c * g.t + i] = row[c];
            }
        }
    }

    /**
     * out[0..n) = Σ_c x[c] · mt[c·T .. c·T + n) (a row times the first n columns of a transposed block [d_h, T]),
     * four vectors of outputs at a time so that every broadcast of x[c] feeds four independent multiply-add chains.
     */
    private static void rowTimesTransposed(float[] x, int xOff, float[] mt, int dh, int t, float[] out, int n) {
        int j = 0;
        for (; j <= n - 4 * L; j += 4 * L) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S);
            for (int c = 0; c < dh; c++) {
                FloatVector b = FloatVector.broadcast(S, x[xOff + c]);
                int base = c * t + j;
                a0 = FloatVector.fromArray(S, mt, base).fma(b, a0);
                a1 = FloatVector.fromArray(S, mt, base + L).fma(b, a1);
                a2 = FloatVector.fromArray(S, mt, base + 2 * L).fma(b, a2);
                a3 = FloatVector.fromArray(S, mt, base + 3 * L).fma(b, a3);
            }
            a0.intoArray(out, j);
            a1.intoArray(out, j + L);
            a2.intoArray(out, j + 2 * L);
            a3.intoArray(out, j + 3 * L);
        }
        for (; j <= n - L; j += L) {
            FloatVector acc = FloatVector.zero(S);
            for (int c = 0; c < dh; c++) {
                acc = FloatVector.fromArray(S, mt, c * t + j).fma(FloatVector.broadcast(S, x[xOff + c]), acc);
            }
            acc.intoArray(out, j);
        }
        for (; j < n; j++) {
            float s = 0;
            for (int c = 0; c < dh; c++) {
                s += x[xOff + c] * mt[c * t + j];
            }
            out[j] = s;
        }
    }

    /**
     * out[i·dh ..] = Σ_{j &lt; end[i]} w[i·T + j] · m[j·dh ..] for every row i &lt; T: weights [T, T] times a block
     * [T, dh], the weights of row i being zero from end[i] on.
     */
    private static void weightsTimesBlock(float[] w, float[] m, int dh, int t, float[] out, int[] end) {
        product(w, t, 1, m, dh, t, out, null, end);
    }

    /**
     * out[j·dh ..] = Σ_{i ≥ first[j]} w[i·T + j] · m[i·dh ..] for every column j &lt; T: the transposed weights
     * times a block, without transposing, column j of the weights being zero above row first[j].
     */
    private static void transposedWeightsTimesBlock(float[] w, float[] m, int dh, int t, float[] out, int[] first) {
        product(w, 1, t, m, dh, t, out, first, null);
    }

    /**
     * out[o·dh ..] = Σ_{k ∈ [from[o], to[o])} w[o·os + k·ks] · m[k·dh ..] for o &lt; T (from null: 0, to null: T;
     * the weights outside the range must be zero, as they are summed when a group of four outputs spans several
     * ranges), four outputs at a time so that every load of a block row feeds four independent multiply-add
     * chains. (No branch on zero weights: a vector merged across a branch is not kept in registers by C2.)
     */
    private static void product(float[] w, int os, int ks, float[] m, int dh, int t, float[] out, int[] from,
                                int[] to) {
        int o = 0;
        for (; o <= t - 4; o += 4) {
            int lo = from == null ? 0 : Math.min(Math.min(from[o], from[o + 1]), Math.min(from[o + 2], from[o + 3]));
            int hi = to == null ? t : Math.max(Math.max(to[o], to[o + 1]), Math.max(to[o + 2], to[o + 3]));
            int w0 = o * os;
            int c = 0;
            for (; c <= dh - L; c += L) {
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = FloatVector.zero(S);
                FloatVector a2 = FloatVector.zero(S);
                FloatVector a3 = FloatVector.zero(S);
                for (int k = lo; k < hi; k++) {
                    FloatVector v = FloatVector.fromArray(S, m, k * dh + c);
                    int wk = w0 + k * ks;
                    a0 = v.fma(FloatVector.broadcast(S, w[wk]), a0);
                    a1 = v.fma(FloatVector.broadcast(S, w[wk + os]), a1);
                    a2 = v.fma(FloatVector.broadcast(S, w[wk + 2 * os]), a2);
                    a3 = v.fma(FloatVector.broadcast(S, w[wk + 3 * os]), a3);
                }
                a0.intoArray(out, o * dh + c);
                a1.intoArray(out, (o + 1) * dh + c);
                a2.intoArray(out, (o + 2) * dh + c);
                a3.intoArray(out, (o + 3) * dh + c);
            }
            for (; c < dh; c++) {
                for (int r = 0; r < 4; r++) {
                    float s = 0;
                    for (int k = lo; k < hi; k++) {
                        s += w[w0 + r * os + k * ks] * m[k * dh + c];
                    }
                    out[(o + r) * dh + c] = s;
                }
            }
        }
        for (; o < t; o++) {
            int lo = from == null ? 0 : from[o];
            int hi = to == null ? t : to[o];
            int c = 0;
            for (; c <= dh - L; c += L) {
                FloatVector acc = FloatVector.zero(S);
                for (int k = lo; k < hi; k++) {
                    acc = FloatVector.fromArray(S, m, k * dh + c).fma(FloatVector.broadcast(S, w[o * os + k * ks]),
                            acc);
                }
                acc.intoArray(out, o * dh + c);
            }
            for (; c < dh; c++) {
                float s = 0;
                for (int k = lo; k < hi; k++) {
                    s += w[o * os + k * ks] * m[k * dh + c];
                }
                out[o * dh + c] = s;
            }
        }
    }

    /**
     * Softmax attention weights a [mb·h, T, T] = softmax over the keys of q kᵀ · scale + penalty (penalty
     * [mb or 1, 1, T, T] or null, extents those of its mask or null); keys past a row's end get weight 0 without
     * their scores being computed.
     */
    static void softmaxWeights(INDArray qkv, long mb, long t, int heads, double scale, INDArray penalty,
                               KeyExtents extents, INDArray a) {
        Pairs g = new Pairs(qkv, mb, t, heads, extents);
        FloatBuffer qb = qkv.data().asNioFloat();
        int qOff = (int) qkv.offset();
        FloatBuffer ab = a.data().asNioFloat();
        int aOff = (int) a.offset();
        FloatBuffer pb = penalty == null ? null : penalty.data().asNioFloat();
        int pOff = penalty == null ? 0 : (int) penalty.offset();
        long maskExamples = penalty == null ? 1 : penalty.size(0);
        float sc = (float) scale;
        int tt = g.t;
        forPairs(g, (from, to) -> {
            float[] q = new float[tt * g.dh];
            float[] kt = new float[g.dh * tt];
            float[] row = new float[g.dh];
            float[] s = new float[tt];
            float[] pen = new float[tt];
            int[] end = new int[tt];
            for (long p = from; p < to; p++) {
                g.ends(p, end);
                readBlock(qb, qOff, g, p, 0, q);
                readBlockTransposed(qb, qOff, g, p, 1, row, kt);
                for (int i = 0; i < tt; i++) {
                    int n = g.computed(end[i]);
                    rowTimesTransposed(q, i * g.dh, kt, g.dh, tt, s, n);
                    boolean masked = pb != null;
                    if (masked) {
                        pb.get(pOff + (int) (maskRow(p, i, g, maskExamples) * tt), pen, 0, n);
                    }
                    float max = scaleAndMax(s, sc, masked ? pen : null, n);
                    int j = 0;
                    FloatVector sum = FloatVector.zero(S);
                    for (; j <= n - L; j += L) {
                        FloatVector e = FloatVector.fromArray(S, s, j).sub(max).lanewise(VectorOperators.EXP);
                        e.intoArray(s, j);
                        sum = sum.add(e);
                    }
                    float total = sum.reduceLanes(VectorOperators.ADD);
                    for (; j < n; j++) {
                        s[j] = (float) Math.exp(s[j] - max);
                        total += s[j];
                    }
                    float inv = 1f / total;
                    for (j = 0; j <= n - L; j += L) {
                        FloatVector.fromArray(S, s, j).mul(inv).intoArray(s, j);
                    }
                    for (; j < n; j++) {
                        s[j] *= inv;
                    }
                    Arrays.fill(s, n, tt, 0f);
                    ab.put(aOff + (int) ((p * tt + i) * tt), s, 0, tt);
                }
            }
        });
    }

    /** s[0..n) := s · scale + pen (pen may be null); returns the maximum of s[0..n). */
    private static float scaleAndMax(float[] s, float scale, float[] pen, int n) {
        int j = 0;
        FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (; j <= n - L; j += L) {
            FloatVector v = FloatVector.fromArray(S, s, j).mul(scale);
            if (pen != null) {
                v = v.add(FloatVector.fromArray(S, pen, j));
            }
            v.intoArray(s, j);
            mx = mx.max(v);
        }
        float max = mx.reduceLanes(VectorOperators.MAX);
        for (; j < n; j++) {
            s[j] = pen == null ? s[j] * scale : s[j] * scale + pen[j];
            max = Math.max(max, s[j]);
        }
        return max;
    }

    /** Row of the [mb or 1, 1, T, T] mask for query i of pair p. */
    private static long maskRow(long p, int i, Pairs g, long maskExamples) {
        return maskExamples == 1 ? i : (p / g.heads) * g.t + i;
    }

    /**
     * Rational attention, step 1 from the projections: z = (s' − max_keys s') ⊙ M, s' = q kᵀ · scale + penalty,
     * the index of each row's first maximum into {@code argmax} [mb·h, T, 1]; z is 0 past a row's end.
     */
    static void rationalShift(INDArray qkv, long mb, long t, int heads, double scale, INDArray penalty,
                              INDArray mask, KeyExtents extents, INDArray z, INDArray argmax) {
        Pairs g = new Pairs(qkv, mb, t, heads, extents);
        FloatBuffer qb = qkv.data().asNioFloat();
        int qOff = (int) qkv.offset();
        FloatBuffer zb = z.data().asNioFloat();
        int zOff = (int) z.offset();
        FloatBuffer ib = argmax.data().asNioFloat();
        int iOff = (int) argmax.offset();
        FloatBuffer pb = penalty == null ? null : penalty.data().asNioFloat();
        int pOff = penalty == null ? 0 : (int) penalty.offset();
        FloatBuffer mb2 = mask == null ? null : mask.data().asNioFloat();
        int mOff = mask == null ? 0 : (int) mask.offset();
        long maskExamples = penalty == null ? 1 : penalty.size(0);
        float sc = (float) scale;
        int tt = g.t;
        forPairs(g, (from, to) -> {
            float[] q = new float[tt * g.dh];
            float[] kt = new float[g.dh * tt];
            float[] row = new float[g.dh];
            float[] s = new float[tt];
            float[] pen = new float[tt];
            float[] m = new float[tt];
            float[] idx = new float[tt];
            int[] end = new int[tt];
            for (long p = from; p < to; p++) {
                g.ends(p, end);
                readBlock(qb, qOff, g, p, 0, q);
                readBlockTransposed(qb, qOff, g, p, 1, row, kt);
                for (int i = 0; i < tt; i++) {
                    int n = g.computed(end[i]);
                    rowTimesTransposed(q, i * g.dh, kt, g.dh, tt, s, n);
                    boolean masked = pb != null;
                    if (masked) {
                        int mr = pOff + (int) (maskRow(p, i, g, maskExamples) * tt);
                        pb.get(mr, pen, 0, n);
                        mb2.get(mOff + (mr - pOff), m, 0, n);
                    }
                    int best = 0;
                    for (int j = 0; j < n; j++) {
                        s[j] = masked ? s[j] * sc + pen[j] : s[j] * sc;
                        if (s[j] > s[best]) {
                            best = j;
                        }
                    }
                    float max = s[best];
                    for (int j = 0; j < n; j++) {
                        s[j] = masked ? (s[j] - max) * m[j] : s[j] - max;
                    }
                    Arrays.fill(s, n, tt, 0f);
                    zb.put(zOff + (int) ((p * tt + i) * tt), s, 0, tt);
                    idx[i] = best;
                }
                ib.put(iOff + (int) (p * tt), idx, 0, tt);
            }
        });
    }

    /** ctx [mb·T, d] (rows; head h at columns h·d_h) = weights · v per pair (weights zero past the extents). */
    static void context(INDArray weights, INDArray qkv, long mb, long t, int heads, KeyExtents extents,
                        INDArray ctx) {
        Pairs g = new Pairs(qkv, mb, t, heads, extents);
        FloatBuffer qb = qkv.data().asNioFloat();
        int qOff = (int) qkv.offset();
        FloatBuffer wb = weights.data().asNioFloat();
        int wOff = (int) weights.offset();
        FloatBuffer cb = ctx.data().asNioFloat();
        int cOff = (int) ctx.offset();
        int tt = g.t;
        forPairs(g, (from, to) -> {
            float[] v = new float[tt * g.dh];
            float[] w = new float[tt * tt];
            float[] out = new float[tt * g.dh];
            int[] end = new int[tt];
            for (long p = from; p < to; p++) {
                g.ends(p, end);
                readBlock(qb, qOff, g, p, 2, v);
                wb.get(wOff + (int) (p * tt * tt), w, 0, tt * tt);
                weightsTimesBlock(w, v, g.dh, tt, out, end);
                int col = (int) (p % g.heads) * g.dh;
                for (int i = 0; i < tt; i++) {
                    cb.put(cOff + (int) g.row(p, i, g.d) + col, out, i * g.dh, g.dh);
                }
            }
        });
    }

    /**
     * Backward of {@link #context}: dA [mb·h, T, T] = dctx vᵀ per pair (0 past a row's end, where the weights are
     * 0 and no gradient flows), and the v block of dQkv [mb·T, 3d] = weightsᵀ dctx.
     */
    static void contextBackward(INDArray dCtx, INDArray weights, INDArray qkv, long mb, long t, int heads,
                                KeyExtents extents, INDArray dA, INDArray dQkv) {
        Pairs g = new Pairs(qkv, mb, t, heads, extents);
        FloatBuffer qb = qkv.data().asNioFloat();
        int qOff = (int) qkv.offset();
        FloatBuffer wb = weights.data().asNioFloat();
        int wOff = (int) weights.offset();
        FloatBuffer cb = dCtx.data().asNioFloat();
        int cOff = (int) dCtx.offset();
        FloatBuffer ab = dA.data().asNioFloat();
        int aOff = (int) dA.offset();
        FloatBuffer db = dQkv.data().asNioFloat();
        int dOff = (int) dQkv.offset();
        int tt = g.t;
        forPairs(g, (from, to) -> {
            float[] vt = new float[g.dh * tt];
            float[] row = new float[g.dh];
            float[] dc = new float[tt * g.dh];
            float[] w = new float[tt * tt];
            float[] da = new float[tt];
            float[] dv = new float[tt * g.dh];
            int[] end = new int[tt];
            int[] first = new int[tt];
            for (long p = from; p < to; p++) {
                g.ends(p, end);
                g.firsts(p, first);
                readBlockTransposed(qb, qOff, g, p, 2, row, vt);
                int col = (int) (p % g.heads) * g.dh;
                for (int i = 0; i < tt; i++) {
                    cb.get(cOff + (int) g.row(p, i, g.d) + col, dc, i * g.dh, g.dh);
                }
                wb.get(wOff + (int) (p * tt * tt), w, 0, tt * tt);
                for (int i = 0; i < tt; i++) {
                    int n = g.computed(end[i]);
                    rowTimesTransposed(dc, i * g.dh, vt, g.dh, tt, da, n);
                    Arrays.fill(da, n, tt, 0f);
                    ab.put(aOff + (int) ((p * tt + i) * tt), da, 0, tt);
                }
                // dv_j = Σ_i w_ij dc_i
                transposedWeightsTimesBlock(w, dc, g.dh, tt, dv, first);
                int vcol = g.column(p, 2);
                for (int j = 0; j < tt; j++) {
                    db.put(dOff + (int) g.row(p, j, 3 * g.d) + vcol, dv, j * g.dh, g.dh);
                }
            }
        });
    }

    /**
     * Backward of the scores s = q kᵀ (dS already includes the scale, and is 0 past the extents): the q and k
     * blocks of dQkv.
     */
    static void scoresBackward(INDArray dS, INDArray qkv, long mb, long t, int heads, KeyExtents extents,
                               INDArray dQkv) {
        Pairs g = new Pairs(qkv, mb, t, heads, extents);
        FloatBuffer qb = qkv.data().asNioFloat();
        int qOff = (int) qkv.offset();
        FloatBuffer sb = dS.data().asNioFloat();
        int sOff = (int) dS.offset();
        FloatBuffer db = dQkv.data().asNioFloat();
        int dOff = (int) dQkv.offset();
        int tt = g.t;
        forPairs(g, (from, to) -> {
            float[] q = new float[tt * g.dh];
            float[] k = new float[tt * g.dh];
            float[] ds = new float[tt * tt];
            float[] dq = new float[tt * g.dh];
            float[] dk = new float[tt * g.dh];
            int[] end = new int[tt];
            int[] first = new int[tt];
            for (long p = from; p < to; p++) {
                g.ends(p, end);
                g.firsts(p, first);
                readBlock(qb, qOff, g, p, 0, q);
                readBlock(qb, qOff, g, p, 1, k);
                sb.get(sOff + (int) (p * tt * tt), ds, 0, tt * tt);
                // dq_i = Σ_j ds_ij k_j ; dk_j = Σ_i ds_ij q_i
                weightsTimesBlock(ds, k, g.dh, tt, dq, end);
                transposedWeightsTimesBlock(ds, q, g.dh, tt, dk, first);
                int qcol = g.column(p, 0);
                int kcol = g.column(p, 1);
                for (int i = 0; i < tt; i++) {
                    db.put(dOff + (int) g.row(p, i, 3 * g.d) + qcol, dq, i * g.dh, g.dh);
                    db.put(dOff + (int) g.row(p, i, 3 * g.d) + kcol, dk, i * g.dh, g.dh);
                }
            }
        });
    }
}
