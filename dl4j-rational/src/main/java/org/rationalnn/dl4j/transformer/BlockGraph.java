package org.rationalnn.dl4j.transformer;

import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.common.SequenceRows;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.samediff.RationalSameDiff;

import java.util.Map;

import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.ATTN_DENOMINATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.ATTN_NUMERATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.B1;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.B2;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.BG;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.BK;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.BO;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.BQ;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.BU;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.BV;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.DENOMINATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.LN1_BIAS;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.LN1_GAIN;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.LN2_BIAS;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.LN2_GAIN;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.LN_EPSILON;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.MASK_PENALTY;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.NUMERATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.R1_DENOMINATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.R1_NUMERATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.R2_DENOMINATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.R2_NUMERATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.RATIONAL_ATTENTION_EPSILON;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.W1;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.W2;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.WG;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.WK;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.WO;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.WQ;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.WU;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.WV;

/**
 * The SameDiff graph of a {@link RationalTransformerBlock} configuration (its SAMEDIFF execution): normalization,
 * multi-head self-attention (SOFTMAX or RATIONAL), the feed-forward kinds and the residuals, on the rows [mb·T, d] of
 * the input, exactly as the block's class Javadoc writes the formula. Masks and dropout multipliers come in as
 * optional graph inputs ({@link RationalTransformerBlock.Inputs}). Reads the configuration when it is called.
 */
final class BlockGraph {

    private final RationalTransformerBlock block;

    /**
     * The graph of this block.
     *
     * @param block the configuration whose sizes, options and specs the graph uses
     */
    BlockGraph(RationalTransformerBlock block) {
        this.block = block;
    }

    /**
     * The block's output.
     *
     * @param sd     the graph to add the block to
     * @param input  [mb, d, T] (NCW) or [mb, T, d] (NWC), dynamic mb and T
     * @param params variables for every key of {@link RationalTransformerBlock#parameterShapes()}
     * @param in     optional mask and dropout inputs (null fields are left out)
     * @return the output, the input's shape and layout
     */
    SDVariable define(SameDiff sd, SDVariable input, Map<String, SDVariable> params,
                      RationalTransformerBlock.Inputs in) {
        SDVariable x3 = SequenceRows.stepsLast(sd, input, block.getRnnDataFormat());          // [mb, T, d]
        SDVariable shape3 = sd.shape(x3);
        SDVariable x = SequenceRows.rows(sd, x3, block.getDModel());                           // [mb*T, d]
        SDVariable y;
        switch (block.getNormalization()) {
            case PRE: {
                SDVariable u = x.add(drop(attention(sd, layerNorm(sd, x, params, LN1_GAIN, LN1_BIAS), shape3,
                        params, in), in.residualDropout1));
                y = u.add(drop(feedForward(sd, layerNorm(sd, u, params, LN2_GAIN, LN2_BIAS), params),
                        in.residualDropout2));
                break;
            }
            case POST: {
                SDVariable u = layerNorm(sd, x.add(drop(attention(sd, x, shape3, params, in), in.residualDropout1)),
                        params, LN1_GAIN, LN1_BIAS);
                y = layerNorm(sd, u.add(drop(feedForward(sd, u, params), in.residualDropout2)), params, LN2_GAIN,
                        LN2_BIAS);
                break;
            }
            default: {
                SDVariable u = x.add(drop(attention(sd, x, shape3, params, in), in.residualDropout1));
                y = u.add(drop(feedForward(sd, u, params), in.residualDropout2));
            }
        }
        SDVariable y3 = sd.reshape(y, shape3);                                                   // [mb, T, d]
        if (in.outputMask != null) {
            y3 = y3.mul(in.outputMask);
        }
        return SequenceRows.inFormat(sd, y3, block.getRnnDataFormat());
    }

    /** x times the inverted-dropout multipliers, or x itself without them. */
    private static SDVariable drop(SDVariable x, SDVariable multipliers) {
        return multipliers == null ? x : x.mul(multipliers);
    }

    /** x W + b for the weight key {@code w} and the bias key {@code b}. */
    private static SDVariable linear(SDVariable x, Map<String, SDVariable> p, String w, String b) {
        return x.mmul(p.get(w)).add(p.get(b));
    }

    /** LayerNorm over the features of x [N, d] (biased variance, epsilon {@value RationalTransformerBlock#LN_EPSILON}). */
    private static SDVariable layerNorm(SameDiff sd, SDVariable x, Map<String, SDVariable> p, String gain,
                                        String bias) {
        SDVariable c = x.sub(x.mean(true, 1));
        SDVariable var = c.mul(c).mean(true, 1);
        return c.div(sd.math.sqrt(var.add(LN_EPSILON))).mul(p.get(gain)).add(p.get(bias));
    }

    /** Multi-head self-attention on x [mb*T, d]; shape3 = [mb, T, d]. */
    private SDVariable attention(SameDiff sd, SDVariable x, SDVariable shape3, Map<String, SDVariable> p,
                                 RationalTransformerBlock.Inputs in) {
        long dh = block.headSize();
        int heads = block.getHeads();
        SDVariable mbT = shape3.get(SDIndex.interval(0, 2));
        SDVariable mb = shape3.get(SDIndex.interval(0, 1));
        SDVariable t = shape3.get(SDIndex.interval(1, 2));
        SDVariable split = sd.concat(0, mbT, sd.constant(Nd4j.createFromArray((long) heads, dh)));  // [mb, T, h, dh]
        SDVariable headsShape = sd.concat(0, sd.constant(Nd4j.createFromArray(-1L)), t,
                sd.constant(Nd4j.createFromArray(dh)));                                               // [mb*h, T, dh]
        SDVariable q = toHeads(sd, linear(x, p, WQ, BQ), split, headsShape);
        SDVariable k = toHeads(sd, linear(x, p, WK, BK), split, headsShape);
        SDVariable v = toHeads(sd, linear(x, p, WV, BV), split, headsShape);
        SDVariable s = sd.mmul(q, k, false, true, false).mul(1.0 / Math.sqrt(dh));            // [mb*h, T, T]
        SDVariable m = in.attentionMask;
        if (m != null) {
            s = s.add(m.sub(1.0).mul(MASK_PENALTY));
        }
        SDVariable a;
        if (block.getAttention() == RationalTransformerBlock.Attention.SOFTMAX) {
            // shifted by the row max: ND4J 1.0.0-M2.1's float64 softmax returns NaN for rows whose scores are all
            // below about -745 (a query whose every visible key is padding); the shift changes neither a nor its
            // gradient
            a = sd.nn.softmax(s.sub(s.max(true, 2)), 2);
        } else {
            SDVariable z = s.sub(s.max(true, 2));
            if (m != null) {
                z = z.mul(m);
            }
            SDVariable r = RationalSameDiff.apply(sd, z, p.get(ATTN_NUMERATOR), p.get(ATTN_DENOMINATOR),
                    RationalVersion.B, block.getAttentionNumeratorDegree(), block.getAttentionDenominatorDegree(), 1,
                    1, 3, true);
            SDVariable phi = r.mul(r);
            if (m != null) {
                phi = phi.mul(m);
            }
            a = phi.div(phi.sum(true, 2).add(RATIONAL_ATTENTION_EPSILON));
        }
        a = drop(a, in.attentionDropout);
        SDVariable ctx = sd.mmul(a, v);                                                          // [mb*h, T, dh]
        SDVariable back = sd.concat(0, mb, sd.constant(Nd4j.createFromArray((long) heads)), t,
                sd.constant(Nd4j.createFromArray(dh)));                                          // [mb, h, T, dh]
        SDVariable merged = sd.reshape(sd.permute(sd.reshape(ctx, back), 0, 2, 1, 3), -1, block.getDModel());
        return linear(merged, p, WO, BO);
    }

    /** Rows [mb*T, d] to heads [mb*h, T, dh] through [mb, T, h, dh] and [mb, h, T, dh]. */
    private static SDVariable toHeads(SameDiff sd, SDVariable x, SDVariable split, SDVariable headsShape) {
        return sd.reshape(sd.permute(sd.reshape(x, split), 0, 2, 1, 3), headsShape);
    }

    /** The feed-forward part on z [N, d] → [N, d]. */
    private SDVariable feedForward(SameDiff sd, SDVariable z, Map<String, SDVariable> p) {
        long hid = block.hiddenWidth();
        SDVariable h;
        switch (block.getFeedForward()) {
            case GELU:
                h = gelu(sd, linear(z, p, W1, B1));
                break;
            case SWIGLU: {
                SDVariable g = linear(z, p, WG, BG);
                h = g.mul(sd.nn.sigmoid(g)).mul(linear(z, p, WU, BU));
                break;
            }
            case GEGLU:
                h = gelu(sd, linear(z, p, WG, BG)).mul(linear(z, p, WU, BU));
                break;
            case RATIONAL_GLU:
                h = RationalSameDiff.apply(sd, linear(z, p, WG, BG), p.get(NUMERATOR), p.get(DENOMINATOR),
                        block.getSpec(), hid, 2, true).mul(linear(z, p, WU, BU));
                break;
            case RATIONAL: {
                SDVariable r1 = RationalSameDiff.apply(sd, z, p.get(R1_NUMERATOR), p.get(R1_DENOMINATOR),
                        block.getSpec(), block.getDModel(), 2, true);
                h = RationalSameDiff.apply(sd, linear(r1, p, W1, B1), p.get(R2_NUMERATOR), p.get(R2_DENOMINATOR),
                        block.getSpec(), hid, 2, true);
                break;
            }
            default:
                throw new IllegalStateException(block.where() + "unknown feed-forward kind " + block.getFeedForward());
        }
        return linear(h, p, W2, B2);
    }

    /** gelu(x) = 0.5 x (1 + tanh(sqrt(2/π)(x + 0.044715 x³))). */
    private static SDVariable gelu(SameDiff sd, SDVariable x) {
        SDVariable inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
        return x.mul(sd.math.tanh(inner).add(1.0)).mul(0.5);
    }
}
