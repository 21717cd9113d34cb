package org.rationalnn.dl4j.transformer.impl;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.rationalnn.dl4j.kernel.CpuParallel;

import java.nio.FloatBuffer;

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

        Pairs(INDArray qkv, long mb, long t, int heads) {
            this.t = (int) t;
            this.heads = heads;
            this.d = (int) (qkv.size(1) / 3);
            this.dh = d / heads;
            this.pairs = mb * heads;
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
     * out[0..T) = Σ_c x[c] · mt[c·T .. c·T + T) (a row times a transposed block), four vectors of outputs at a time
     * so that every broadcast of x[c] feeds four independent multiply-add chains.
     */
    private static void rowTimesTransposed(float[] x, int xOff, float[] mt, int dh, int t, float[] out) {
        int j = 0;
        for (; j <= t - 4 * L; j += 4 * L) {
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
        for (; j <= t - L; j += L) {
            FloatVector acc = FloatVector.zero(S);
            for (int c = 0; c < dh; c++) {
                acc = FloatVector.fromArray(S, mt, c * t + j).fma(FloatVector.broadcast(S, x[xOff + c]), acc);
            }
            acc.intoArray(out, j);
        }
        for (; j < t; j++) {
            float s = 0;
            for (int c = 0; c < dh; c++) {
                s += x[xOff + c] * mt[c * t + j];
            }
            out[j] = s;
        }
    }

    /**
     * out[i·dh ..] = Σ_j w[i·T + j] · m[j·dh ..] for every row i < T (weights [T, T] times a block [T, dh]), four
     * rows at a time so that every load of a block row feeds four independent multiply-add chains. (No branch on
     * zero weights: a vector merged across a branch is not kept in registers by C2.)
     */
    private static void weightsTimesBlock(float[] w, float[] m, int dh, int t, float[] out) {
        int i = 0;
        for (; i <= t - 4; i += 4) {
            int w0 = i * t;
            int c = 0;
            for (; c <= dh - L; c += L) {
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = FloatVector.zero(S);
                FloatVector a2 = FloatVector.zero(S);
                FloatVector a3 = FloatVector.zero(S);
                for (int j = 0; j < t; j++) {
                    FloatVector v = FloatVector.fromArray(S, m, j * dh + c);
                    a0 = v.fma(FloatVector.broadcast(S, w[w0 + j]), a0);
                    a1 = v.fma(FloatVector.broadcast(S, w[w0 + t + j]), a1);
                    a2 = v.fma(FloatVector.broadcast(S, w[w0 + 2 * t + j]), a2);
                    a3 = v.fma(FloatVector.broadcast(S, w[w0 + 3 * t + j]), a3);
                }
                a0.intoArray(out, i * dh + c);
                a1.intoArray(out, (i + 1) * dh + c);
                a2.intoArray(out, (i + 2) * dh + c);
                a3.intoArray(out, (i + 3) * dh + c);
            }
            for (; c < dh; c++) {
                for (int r = 0; r < 4; r++) {
                    float s = 0;
                    for (int j = 0; j < t; j++) {
                        s += w[w0 + r * t + j] * m[j * dh + c];
                    }
                    out[(i + r) * dh + c] = s;
                }
            }
        }
        for (; i < t; i++) {
            int c = 0;
            for (; c <= dh - L; c += L) {
                FloatVector acc = FloatVector.zero(S);
                for (int j = 0; j < t; j++) {
                    acc = FloatVector.fromArray(S, m, j * dh + c).fma(FloatVector.broadcast(S, w[i * t + j]), acc);
                }
                acc.intoArray(out, i * dh + c);
            }
            for (; c < dh; c++) {
                float s = 0;
                for (int j = 0; j < t; j++) {
                    s += w[i * t + j] * m[j * dh + c];
                }
                out[i * dh + c] = s;
            }
        }
    }

    /** dst = srcᵀ for a [T, T] block. */
    private static void transposeSquare(float[] src, int t, float[] dst) {
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < t; j++) {
                dst[j * t + i] = src[i * t + j];
            }
        }
    }

    /**
     * Softmax attention weights a [mb·h, T, T] = softmax over the keys of q kᵀ · scale + penalty (penalty
     * [mb or 1, 1, T, T] or null).
     */
    static void softmaxWeights(INDArray qkv, long mb, long t, int heads, double scale, INDArray penalty, INDArray a) {
        Pairs g = new Pairs(qkv, mb, t, heads);
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
            for (long p = from; p < to; p++) {
                readBlock(qb, qOff, g, p, 0, q);
                readBlockTransposed(qb, qOff, g, p, 1, row, kt);
                for (int i = 0; i < tt; i++) {
                    rowTimesTransposed(q, i * g.dh, kt, g.dh, tt, s);
                    boolean masked = pb != null;
                    if (masked) {
                        pb.get(pOff + (int) (maskRow(p, i, g, maskExamples) * tt), pen, 0, tt);
                    }
                    float max = scaleAndMax(s, sc, masked ? pen : null, tt);
                    int j = 0;
                    FloatVector sum = FloatVector.zero(S);
                    for (; j <= tt - L; j += L) {
                        FloatVector e = FloatVector.fromArray(S, s, j).sub(max).lanewise(VectorOperators.EXP);
                        e.intoArray(s, j);
                        sum = sum.add(e);
                    }
                    float total = sum.reduceLanes(VectorOperators.ADD);
                    for (; j < tt; j++) {
                        s[j] = (float) Math.exp(s[j] - max);
                        total += s[j];
                    }
                    float inv = 1f / total;
                    for (j = 0; j <= tt - L; j += L) {
                        FloatVector.fromArray(S, s, j).mul(inv).intoArray(s, j);
                    }
                    for (; j < tt; j++) {
                        s[j] *= inv;
                    }
                    ab.put(aOff + (int) ((p * tt + i) * tt), s, 0, tt);
                }
            }
        });
    }

    /** s := s · scale + pen (pen may be null); returns the row maximum. */
    private static float scaleAndMax(float[] s, float scale, float[] pen, int t) {
        int j = 0;
        FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (; j <= t - L; j += L) {
            FloatVector v = FloatVector.fromArray(S, s, j).mul(scale);
            if (pen != null) {
                v = v.add(FloatVector.fromArray(S, pen, j));
            }
            v.intoArray(s, j);
            mx = mx.max(v);
        }
        float max = mx.reduceLanes(VectorOperators.MAX);
        for (; j < t; j++) {
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
     * the index of each row's first maximum into {@code argmax} [mb·h, T, 1].
     */
    static void rationalShift(INDArray qkv, long mb, long t, int heads, double scale, INDArray penalty,
                              INDArray mask, INDArray z, INDArray argmax) {
        Pairs g = new Pairs(qkv, mb, t, heads);
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
            for (long p = from; p < to; p++) {
                readBlock(qb, qOff, g, p, 0, q);
                readBlockTransposed(qb, qOff, g, p, 1, row, kt);
                for (int i = 0; i < tt; i++) {
                    rowTimesTransposed(q, i * g.dh, kt, g.dh, tt, s);
                    boolean masked = pb != null;
                    if (masked) {
                        int mr = pOff + (int) (maskRow(p, i, g, maskExamples) * tt);
                        pb.get(mr, pen, 0, tt);
                        mb2.get(mOff + (mr - pOff), m, 0, tt);
                    }
                    int best = 0;
                    for (int j = 0; j < tt; j++) {
                        s[j] = masked ? s[j] * sc + pen[j] : s[j] * sc;
                        if (s[j] > s[best]) {
                            best = j;
                        }
                    }
                    float max = s[best];
                    for (int j = 0; j < tt; j++) {
                        s[j] = masked ? (s[j] - max) * m[j] : s[j] - max;
                    }
                    zb.put(zOff + (int) ((p * tt + i) * tt), s, 0, tt);
                    idx[i] = best;
                }
                ib.put(iOff + (int) (p * tt), idx, 0, tt);
            }
        });
    }

    /** ctx [mb·T, d] (rows; head h at columns h·d_h) = weights · v per pair. */
    static void context(INDArray weights, INDArray qkv, long mb, long t, int heads, INDArray ctx) {
        Pairs g = new Pairs(qkv, mb, t, heads);
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
            for (long p = from; p < to; p++) {
                readBlock(qb, qOff, g, p, 2, v);
                wb.get(wOff + (int) (p * tt * tt), w, 0, tt * tt);
                weightsTimesBlock(w, v, g.dh, tt, out);
                int col = (int) (p % g.heads) * g.dh;
                for (int i = 0; i < tt; i++) {
                    cb.put(cOff + (int) g.row(p, i, g.d) + col, out, i * g.dh, g.dh);
                }
            }
        });
    }

    /**
     * Backward of {@link #context}: dA [mb·h, T, T] = dctx vᵀ per pair, and the v block of dQkv [mb·T, 3d] =
     * weightsᵀ dctx.
     */
    static void contextBackward(INDArray dCtx, INDArray weights, INDArray qkv, long mb, long t, int heads,
                                INDArray dA, INDArray dQkv) {
        Pairs g = new Pairs(qkv, mb, t, heads);
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
            float[] wt = new float[tt * tt];
            for (long p = from; p < to; p++) {
                readBlockTransposed(qb, qOff, g, p, 2, row, vt);
                int col = (int) (p % g.heads) * g.dh;
                for (int i = 0; i < tt; i++) {
                    cb.get(cOff + (int) g.row(p, i, g.d) + col, dc, i * g.dh, g.dh);
                }
                wb.get(wOff + (int) (p * tt * tt), w, 0, tt * tt);
                for (int i = 0; i < tt; i++) {
                    rowTimesTransposed(dc, i * g.dh, vt, g.dh, tt, da);
                    ab.put(aOff + (int) ((p * tt + i) * tt), da, 0, tt);
                }
                // dv_j = Σ_i w_ij dc_i
                transposeSquare(w, tt, wt);
                weightsTimesBlock(wt, dc, g.dh, tt, dv);
                int vcol = g.column(p, 2);
                for (int j = 0; j < tt; j++) {
                    db.put(dOff + (int) g.row(p, j, 3 * g.d) + vcol, dv, j * g.dh, g.dh);
                }
            }
        });
    }

    /** Backward of the scores s = q kᵀ (dS already includes the scale): the q and k blocks of dQkv. */
    static void scoresBackward(INDArray dS, INDArray qkv, long mb, long t, int heads, INDArray dQkv) {
        Pairs g = new Pairs(qkv, mb, t, heads);
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
            float[] dst = new float[tt * tt];
            for (long p = from; p < to; p++) {
                readBlock(qb, qOff, g, p, 0, q);
                readBlock(qb, qOff, g, p, 1, k);
                sb.get(sOff + (int) (p * tt * tt), ds, 0, tt * tt);
                // dq_i = Σ_j ds_ij k_j ; dk_j = Σ_i ds_ij q_i
                weightsTimesBlock(ds, k, g.dh, tt, dq);
                transposeSquare(ds, tt, dst);
                weightsTimesBlock(dst, q, g.dh, tt, dk);
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
