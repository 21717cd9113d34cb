package org.rationalnn.dl4j.transformer.impl;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.rationalnn.dl4j.kernel.RationalKernels;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock.Attention;

import java.util.Map;

import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.ATTN_DENOMINATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.ATTN_NUMERATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.BK;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.BO;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.BQ;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.BV;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.WK;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.WO;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.WQ;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.WV;

/**
 * Multi-head self-attention of the native block on rows z [N = mb·T, d] → [N, d]: 2-D matrix products for the
 * projections, batched products over the mb·h heads for scores and context, softmax (or rational attention
 * a = M φ(z) / (Σ M φ(z) + ε), φ = R_a², z = (s − max s) ⊙ M through the fused kernel) with the additive mask
 * penalty of {@link RationalTransformerBlock#MASK_PENALTY} on masked keys, and inverted dropout of the weights.
 */
final class NativeAttention {

    /** What the forward pass keeps for the backward pass. */
    static final class Cache {
        INDArray z;
        /** Fused float32 path: the projections in rows [mb·T, 3d] (q, k, v), else null. */
        INDArray qkv;
        /** ND4J path: the projections in heads [mb·h, T, d_h]. */
        INDArray q;
        INDArray k;
        INDArray v;
        /** The attention weights a [mb·h, T, T] (before dropout). */
        INDArray a;
        /** The weights the context was computed with (a ⊙ dropout multipliers, or a). */
        INDArray dropped;
        INDArray context;
        /** RATIONAL: z = (s − max s) ⊙ M, R_a(z), the normaliser Σ M φ + ε and the index of max s [mb·h, T, 1]. */
        INDArray shifted;
        INDArray r;
        INDArray normaliser;
        INDArray argmax;
    }

    private final Attention kind;
    private final int heads;
    private final double scale;
    private final int attnM;
    private final int attnN;

    NativeAttention(RationalTransformerBlock c) {
        this.kind = c.getAttention();
        this.heads = c.getHeads();
        this.scale = 1.0 / Math.sqrt(c.headSize());
        this.attnM = c.getAttentionNumeratorDegree();
        this.attnN = c.getAttentionDenominatorDegree();
    }

    /**
     * Writes Attn(z) into {@code out} [N, d].
     *
     * @param masks   the attention mask and penalty ([mb or 1, 1, T, T]; null fields for none)
     * @param dropout inverted-dropout multipliers of the weights [mb·h, T, T], or null
     */
    Cache forward(INDArray z, long mb, long t, Masks masks, INDArray dropout, Map<String, INDArray> p, INDArray out,
                  Memory m) {
        if (BlockMath.fused(z, masks.mask, masks.penalty, dropout, out)) {
            return forwardFused(z, mb, t, masks, dropout, p, out, m);
        }
        long n = z.size(0);
        long d = z.size(1);
        long bh = mb * heads;
        long dh = d / heads;
        Cache c = new Cache();
        c.z = z;
        INDArray rows = m.work(n, d);
        c.q = BlockMath.toHeads(BlockMath.linear(z, p.get(WQ), p.get(BQ), rows), mb, t, heads, m.keep(bh, t, dh));
        c.k = BlockMath.toHeads(BlockMath.linear(z, p.get(WK), p.get(BK), rows), mb, t, heads, m.keep(bh, t, dh));
        c.v = BlockMath.toHeads(BlockMath.linear(z, p.get(WV), p.get(BV), rows), mb, t, heads, m.keep(bh, t, dh));
        INDArray s = m.work(bh, t, t);
        Nd4j.matmul(c.q, c.k, s, false, true, false);
        c.a = m.keep(bh, t, t);
        if (kind == Attention.SOFTMAX) {
            BlockMath.softmax(s, scale, masks.penalty, mb, heads, c.a);
        } else {
            rationalWeights(s, mb, t, masks, p, c, m);
        }
        if (dropout != null) {
            c.dropped = m.keep(bh, t, t);
            c.a.mul(dropout, c.dropped);
        } else {
            c.dropped = c.a;
        }
        INDArray ctx = m.work(bh, t, dh);
        Nd4j.matmul(c.dropped, c.v, ctx, false, false, false);
        c.context = BlockMath.toRows(ctx, mb, t, heads, m.keep(n, d));
        BlockMath.linear(c.context, p.get(WO), p.get(BO), out);
        return c;
    }

    /**
     * {@link #forward} with the fused float32 CPU kernels of {@link VectorAttention}: one matrix product for the
     * three projections (qkv = z [Wq Wk Wv] + [bq bk bv]), no head permutations.
     */
    private Cache forwardFused(INDArray z, long mb, long t, Masks masks, INDArray dropout, Map<String, INDArray> p,
                               INDArray out, Memory m) {
        long n = z.size(0);
        long d = z.size(1);
        long bh = mb * heads;
        Cache c = new Cache();
        c.z = z;
        c.qkv = BlockMath.linear(z, Nd4j.concat(1, p.get(WQ), p.get(WK), p.get(WV)),
                Nd4j.concat(1, p.get(BQ), p.get(BK), p.get(BV)), m.keep(n, 3 * d));
        c.a = m.keep(bh, t, t);
        if (kind == Attention.SOFTMAX) {
            VectorAttention.softmaxWeights(c.qkv, mb, t, heads, scale, masks.penalty, masks.extents(), c.a);
        } else {
            c.argmax = m.keep(bh, t, 1);
            c.shifted = m.keep(bh, t, t);
            VectorAttention.rationalShift(c.qkv, mb, t, heads, scale, masks.penalty, masks.mask, masks.extents(),
                    c.shifted, c.argmax);
            rationalFromShifted(mb, t, masks, p, c, m);
        }
        if (dropout != null) {
            c.dropped = m.keep(bh, t, t);
            c.a.mul(dropout, c.dropped);
        } else {
            c.dropped = c.a;
        }
        c.context = m.keep(n, d);
        VectorAttention.context(c.dropped, c.qkv, mb, t, heads, masks.extents(), c.context);
        BlockMath.linear(c.context, p.get(WO), p.get(BO), out);
        return c;
    }

    /** a = M φ(z) / (Σ_keys M φ(z) + ε), φ = R_a(z)², z = (s' − max_keys s') ⊙ M, s' = s / sqrt(d_h) + penalty. */
    private void rationalWeights(INDArray s, long mb, long t, Masks masks, Map<String, INDArray> p, Cache c,
                                 Memory m) {
        long bh = s.size(0);
        c.argmax = m.keep(bh, t, 1);
        c.shifted = m.keep(bh, t, t);
        BlockMath.rationalShift(s, scale, masks.penalty, masks.mask, mb, heads, c.shifted, c.argmax);
        rationalFromShifted(mb, t, masks, p, c, m);
    }

    /** r = R_a(z) through the fused kernel, then the normalised weights. */
    private void rationalFromShifted(long mb, long t, Masks masks, Map<String, INDArray> p, Cache c, Memory m) {
        long bh = c.shifted.size(0);
        c.r = m.keep(bh, t, t);
        RationalKernels.forward(RationalVersion.B, c.shifted, true, Sharing.LAYER, p.get(ATTN_NUMERATOR),
                p.get(ATTN_DENOMINATOR), c.r);
        c.normaliser = m.keep(bh, t, 1);
        BlockMath.rationalNormalize(c.r, masks.mask, masks.extents(), mb, heads, c.normaliser, c.a);
    }

    /**
     * Backward pass for dL/dAttn {@code dOut} [N, d]: the gradients of Wq..bo (and of the attention rational) into
     * their views; returns dL/dz [N, d] (work memory).
     */
    INDArray backward(Cache c, INDArray dOut, long mb, long t, Masks masks, INDArray dropout,
                      Map<String, INDArray> p, Map<String, INDArray> g, Memory m) {
        if (c.qkv != null) {
            return backwardFused(c, dOut, mb, t, masks, dropout, p, g, m);
        }
        long n = dOut.size(0);
        long d = dOut.size(1);
        long bh = mb * heads;
        long dh = d / heads;
        INDArray rows = m.work(n, d);
        BlockMath.linearBackward(c.context, p.get(WO), dOut, g.get(WO), g.get(BO), rows, false);
        INDArray dCtx = BlockMath.toHeads(rows, mb, t, heads, m.work(bh, t, dh));
        INDArray dA = m.work(bh, t, t);
        Nd4j.matmul(dCtx, c.v, dA, false, true, false);
        INDArray dV = m.work(bh, t, dh);
        Nd4j.matmul(c.dropped, dCtx, dV, true, false, false);
        if (dropout != null) {
            dA.muli(dropout);
        }
        INDArray dS;
        if (kind == Attention.SOFTMAX) {
            dS = BlockMath.softmaxBackwardInPlace(c.a, dA, scale);
        } else {
            dS = rationalBackward(c, dA, mb, t, masks, p, g, m);
        }
        INDArray dQ = m.work(bh, t, dh);
        Nd4j.matmul(dS, c.k, dQ, false, false, false);
        INDArray dK = m.work(bh, t, dh);
        Nd4j.matmul(dS, c.q, dK, true, false, false);
        INDArray dz = m.work(n, d);
        BlockMath.linearBackward(c.z, p.get(WQ), BlockMath.toRows(dQ, mb, t, heads, rows), g.get(WQ), g.get(BQ), dz,
                false);
        BlockMath.linearBackward(c.z, p.get(WK), BlockMath.toRows(dK, mb, t, heads, rows), g.get(WK), g.get(BK), dz,
                true);
        BlockMath.linearBackward(c.z, p.get(WV), BlockMath.toRows(dV, mb, t, heads, rows), g.get(WV), g.get(BV), dz,
                true);
        return dz;
    }

    /** {@link #backward} of {@link #forwardFused}. */
    private INDArray backwardFused(Cache c, INDArray dOut, long mb, long t, Masks masks, INDArray dropout,
                                   Map<String, INDArray> p, Map<String, INDArray> g, Memory m) {
        long n = dOut.size(0);
        long d = dOut.size(1);
        long bh = mb * heads;
        INDArray dCtx = m.work(n, d);
        BlockMath.linearBackward(c.context, p.get(WO), dOut, g.get(WO), g.get(BO), dCtx, false);
        INDArray dA = m.work(bh, t, t);
        INDArray dQkv = m.work(n, 3 * d);
        VectorAttention.contextBackward(dCtx, c.dropped, c.qkv, mb, t, heads, masks.extents(), dA, dQkv);
        if (dropout != null) {
            dA.muli(dropout);
        }
        INDArray dS = kind == Attention.SOFTMAX ? BlockMath.softmaxBackwardInPlace(c.a, dA, scale)
                : rationalBackward(c, dA, mb, t, masks, p, g, m);
        VectorAttention.scoresBackward(dS, c.qkv, mb, t, heads, masks.extents(), dQkv);
        // qkv = z Wqkv + bqkv: one product for the three weight gradients, one for dz
        INDArray wqkv = Nd4j.concat(1, p.get(WQ), p.get(WK), p.get(WV));
        INDArray dW = m.work(d, 3 * d);
        Nd4j.gemm(c.z, dQkv, dW, true, false, 1.0, 0.0);
        INDArray db = BlockMath.columnSums(dQkv, m.work(1, 3 * d));
        String[][] keys = {{WQ, BQ}, {WK, BK}, {WV, BV}};
        for (int i = 0; i < 3; i++) {
            g.get(keys[i][0]).assign(dW.get(NDArrayIndex.all(), NDArrayIndex.interval(i * d, (i + 1) * d)));
            g.get(keys[i][1]).assign(db.get(NDArrayIndex.all(), NDArrayIndex.interval(i * d, (i + 1) * d)));
        }
        INDArray dz = m.work(n, d);
        Nd4j.gemm(dQkv, wqkv, dz, false, true, 1.0, 0.0);
        return dz;
    }

    /** ds from da for RATIONAL attention (the attention rational's coefficient gradients into their views). */
    private INDArray rationalBackward(Cache c, INDArray dA, long mb, long t, Masks masks, Map<String, INDArray> p,
                                      Map<String, INDArray> g, Memory m) {
        long bh = dA.size(0);
        // a = w / Σw: dw = (da − Σ da ⊙ a) / Σw; w = M r²: dr = 2 r M dw
        INDArray dR = BlockMath.rationalNormalizeBackwardInPlace(dA, c.a, c.normaliser, c.r, masks.mask,
                masks.extents(), mb, heads);
        INDArray dShifted = m.work(bh, t, t);
        RationalKernels.backward(RationalVersion.B, c.shifted, true, Sharing.LAYER, p.get(ATTN_NUMERATOR),
                p.get(ATTN_DENOMINATOR), dR, dShifted, g.get(ATTN_NUMERATOR), g.get(ATTN_DENOMINATOR));
        // z = (s' − max s') ⊙ M, s' = s / sqrt(d_h) + penalty: ds = (dz ⊙ M − e_argmax Σ_keys dz ⊙ M) / sqrt(d_h)
        return BlockMath.rationalShiftBackwardInPlace(dShifted, masks.mask, masks.extents(), c.argmax, mb, heads,
                scale);
    }

    /** The attention mask M (1 = key visible) and the additive score penalty (M − 1)·1e9, or nulls for none. */
    static final class Masks {
        /** [mb or 1, 1, T, T]. */
        final INDArray mask;
        /** [mb or 1, 1, T, T]. */
        final INDArray penalty;

        /** Where the mask leaves work for the fused kernels, computed on first use; null before. */
        private KeyExtents extents;

        Masks(INDArray mask) {
            this.mask = mask;
            this.penalty = mask == null ? null
                    : mask.sub(1.0).muli(RationalTransformerBlock.MASK_PENALTY);
        }

        /** The mask's {@link KeyExtents} (computed once per mask), or null without a mask. */
        KeyExtents extents() {
            if (mask != null && extents == null) {
                extents = KeyExtents.of(mask);
            }
            return extents;
        }
    }
}
