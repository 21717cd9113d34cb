package org.rationalnn.dl4j.transformer.impl;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock.Normalization;

import java.util.Map;

import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.LN1_BIAS;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.LN1_GAIN;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.LN2_BIAS;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.LN2_GAIN;

/**
 * The {@link RationalTransformerBlock.Execution#NATIVE} execution of the block on rows x [N = mb·T, d] (ordered by
 * example, then step): the formula of the block's Javadoc, PRE, POST or no normalization, forward with what the
 * backward pass needs kept in a {@link Cache}, and the hand-written backward pass. Masks and dropout multipliers
 * come from the runtime ({@link RationalTransformerBlockImpl}), so the SAMEDIFF execution sees the same ones.
 */
final class NativeBlock {

    /** Inputs of one pass besides x: masks and dropout multipliers (null where absent). */
    static final class Extras {
        NativeAttention.Masks masks;
        /** [N, 1]: the padding mask by row, multiplied into the output. */
        INDArray rowMask;
        /** [mb·h, T, T]. */
        INDArray attentionDropout;
        /** [N, d] each. */
        INDArray residualDropout1;
        INDArray residualDropout2;
    }

    /** What a forward pass keeps for the backward pass. */
    static final class Cache {
        long mb;
        long t;
        /** The block's input rows the pass started from (identity, to tell whether the cache is current). */
        INDArray source;
        /** An array of the keep memory, to tell whether its workspace was reset since. */
        INDArray witness;
        Extras extras;
        BlockMath.Norm ln1;
        BlockMath.Norm ln2;
        NativeAttention.Cache attention;
        NativeFeedForward.Cache ffn;
    }

    private final Normalization normalization;
    private final NativeAttention attention;
    private final NativeFeedForward ffn;

    NativeBlock(RationalTransformerBlock c) {
        this.normalization = c.getNormalization();
        this.attention = new NativeAttention(c);
        this.ffn = new NativeFeedForward(c);
    }

    /**
     * y = block(x) [N, d] into {@code out} (which must not be one of the kept arrays); returns what the backward
     * pass needs, in {@code m}'s keep memory.
     */
    Cache forward(INDArray x, long mb, long t, Extras e, Map<String, INDArray> p, INDArray out, Memory m) {
        Cache c = new Cache();
        c.mb = mb;
        c.t = t;
        c.extras = e;
        long n = x.size(0);
        long d = x.size(1);
        INDArray branch = m.work(n, d);
        switch (normalization) {
            case PRE: {
                INDArray n1 = m.keep(n, d);
                c.ln1 = BlockMath.layerNorm(x, p.get(LN1_GAIN), p.get(LN1_BIAS), n1, m);
                c.attention = attention.forward(n1, mb, t, e.masks, e.attentionDropout, p, branch, m);
                INDArray u = m.work(n, d);
                x.add(drop(branch, e.residualDropout1), u);
                INDArray n2 = m.keep(n, d);
                c.ln2 = BlockMath.layerNorm(u, p.get(LN2_GAIN), p.get(LN2_BIAS), n2, m);
                c.ffn = ffn.forward(n2, p, branch, m);
                u.add(drop(branch, e.residualDropout2), out);
                break;
            }
            case POST: {
                c.attention = attention.forward(x, mb, t, e.masks, e.attentionDropout, p, branch, m);
                INDArray s1 = m.work(n, d);
                x.add(drop(branch, e.residualDropout1), s1);
                INDArray u = m.keep(n, d);
                c.ln1 = BlockMath.layerNorm(s1, p.get(LN1_GAIN), p.get(LN1_BIAS), u, m);
                c.ffn = ffn.forward(u, p, branch, m);
                INDArray s2 = m.work(n, d);
                u.add(drop(branch, e.residualDropout2), s2);
                c.ln2 = BlockMath.layerNorm(s2, p.get(LN2_GAIN), p.get(LN2_BIAS), out, m);
                break;
            }
            default: {
                c.attention = attention.forward(x, mb, t, e.masks, e.attentionDropout, p, branch, m);
                INDArray u = m.keep(n, d);
                x.add(drop(branch, e.residualDropout1), u);
                c.ffn = ffn.forward(u, p, branch, m);
                u.add(drop(branch, e.residualDropout2), out);
            }
        }
        if (e.rowMask != null) {
            out.muliColumnVector(e.rowMask);
        }
        c.source = x;
        c.witness = c.attention.a;
        return c;
    }

    private static INDArray drop(INDArray branch, INDArray multipliers) {
        return multipliers == null ? branch : branch.muli(multipliers);
    }

    /**
     * Backward pass for dL/dy {@code dy} [N, d] (not modified): every parameter gradient into its view, returns
     * dL/dx [N, d] in {@code m}'s work memory.
     */
    INDArray backward(Cache c, INDArray dy, Map<String, INDArray> p, Map<String, INDArray> g, Memory m) {
        Extras e = c.extras;
        long n = dy.size(0);
        long d = dy.size(1);
        INDArray dOut = m.work(n, d);
        dOut.assign(dy);
        if (e.rowMask != null) {
            dOut.muliColumnVector(e.rowMask);
        }
        INDArray dx;
        switch (normalization) {
            case PRE: {
                // y = u + D2(FFN(LN2(u))), u = x + D1(Attn(LN1(x)))
                INDArray dn2 = ffn.backward(c.ffn, dropped(dOut, e.residualDropout2), p, g, m);
                INDArray du = dOut.addi(BlockMath.layerNormBackward(c.ln2, p.get(LN2_GAIN), dn2, g.get(LN2_GAIN),
                        g.get(LN2_BIAS)));
                INDArray dn1 = attention.backward(c.attention, dropped(du, e.residualDropout1), c.mb, c.t, e.masks,
                        e.attentionDropout, p, g, m);
                dx = du.addi(BlockMath.layerNormBackward(c.ln1, p.get(LN1_GAIN), dn1, g.get(LN1_GAIN),
                        g.get(LN1_BIAS)));
                break;
            }
            case POST: {
                // y = LN2(s2), s2 = u + D2(FFN(u)), u = LN1(s1), s1 = x + D1(Attn(x))
                INDArray ds2 = BlockMath.layerNormBackward(c.ln2, p.get(LN2_GAIN), dOut, g.get(LN2_GAIN),
                        g.get(LN2_BIAS));
                INDArray du = ds2.add(ffn.backward(c.ffn, dropped(ds2, e.residualDropout2), p, g, m));
                INDArray ds1 = BlockMath.layerNormBackward(c.ln1, p.get(LN1_GAIN), du, g.get(LN1_GAIN),
                        g.get(LN1_BIAS));
                dx = ds1.add(attention.backward(c.attention, dropped(ds1, e.residualDropout1), c.mb, c.t, e.masks,
                        e.attentionDropout, p, g, m));
                break;
            }
            default: {
                // y = u + D2(FFN(u)), u = x + D1(Attn(x))
                INDArray du = dOut.addi(ffn.backward(c.ffn, dropped(dOut, e.residualDropout2), p, g, m));
                dx = du.addi(attention.backward(c.attention, dropped(du, e.residualDropout1), c.mb, c.t, e.masks,
                        e.attentionDropout, p, g, m));
            }
        }
        return dx;
    }

    /** {@code grad} times the dropout multipliers (a new array), or {@code grad} itself without dropout. */
    private static INDArray dropped(INDArray grad, INDArray multipliers) {
        return multipliers == null ? grad : grad.mul(multipliers);
    }
}
