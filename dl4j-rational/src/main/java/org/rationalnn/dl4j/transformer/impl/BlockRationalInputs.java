package org.rationalnn.dl4j.transformer.impl;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Picks the inputs of the block's rationals out of the cache of a NATIVE forward pass
 * ({@link RationalTransformerBlockImpl#rationalInputs(INDArray)}), leaving out what the masks exclude: padded rows
 * for the feed-forward rationals, masked (padded or causally hidden) score entries for rational attention, whose
 * rational is evaluated there too but whose value is multiplied by 0.
 */
final class BlockRationalInputs {

    private BlockRationalInputs() {
    }

    /** Whether dropout multipliers of an earlier pass have the shapes a pass over [mb, T] needs. */
    static boolean dropoutFits(Map<String, INDArray> dropout, long mb, long t, RationalTransformerBlock c) {
        long[] attention = {mb * c.getHeads(), t, t};
        long[] residual = {mb * t, c.getDModel()};
        for (Map.Entry<String, INDArray> e : dropout.entrySet()) {
            long[] want = e.getKey().equals(RationalTransformerBlockImpl.ATTN_DROP) ? attention : residual;
            if (!Arrays.equals(want, e.getValue().shape())) {
                return false;
            }
        }
        return true;
    }

    /** The inputs by slot name (see {@link RationalTransformerBlockImpl#rationalInputs(INDArray)}). */
    static Map<String, INDArray> collect(RationalTransformerBlock c, NativeBlock.Cache cache) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        INDArray rowMask = cache.extras.rowMask;
        switch (c.getFeedForward()) {
            case RATIONAL_GLU:
                out.put("rational", keptRows(cache.ffn.pre, rowMask));
                break;
            case RATIONAL:
                out.put("r1", keptRows(cache.ffn.z, rowMask));
                out.put("r2", keptRows(cache.ffn.pre, rowMask));
                break;
            default:
                break;
        }
        if (c.getAttention() == RationalTransformerBlock.Attention.RATIONAL) {
            out.put("attention", keptScores(cache.attention.shifted, cache.extras.masks.mask, c.getHeads()));
        }
        return out;
    }

    /** The rows of {@code a} [N, k] whose mask entry [N, 1] is non-zero (all rows without a mask), detached. */
    private static INDArray keptRows(INDArray a, INDArray rowMask) {
        if (rowMask == null) {
            return a.dup('c');
        }
        double[] m = rowMask.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        int[] keep = new int[m.length];
        int k = 0;
        for (int i = 0; i < m.length; i++) {
            if (m[i] != 0) {
                keep[k++] = i;
            }
        }
        if (k == 0) {
            return Nd4j.create(a.dataType(), 0, a.size(1));
        }
        return a.getRows(Arrays.copyOf(keep, k)).dup('c');
    }

    /**
     * The entries of the shifted scores {@code z} [mb·h, T, T] where the attention mask [mb or 1, 1, T, T] is
     * non-zero (all entries without a mask), as a vector [K].
     */
    private static INDArray keptScores(INDArray z, INDArray mask, int heads) {
        if (mask == null) {
            return z.dup('c').reshape(z.length());
        }
        double[] v = z.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] m = mask.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        long t = z.size(1);
        long tt = t * t;
        boolean perExample = mask.size(0) > 1;
        double[] kept = new double[v.length];
        int k = 0;
        for (int i = 0; i < v.length; i++) {
            long bh = i / tt;
            long example = bh / heads;
            int mi = (int) ((perExample ? example * tt : 0) + i % tt);
            if (m[mi] != 0) {
                kept[k++] = v[i];
            }
        }
        return Nd4j.createFromArray(Arrays.copyOf(kept, k)).castTo(z.dataType());
    }
}
