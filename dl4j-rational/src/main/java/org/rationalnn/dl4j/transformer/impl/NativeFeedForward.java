package org.rationalnn.dl4j.transformer.impl;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.rationalnn.dl4j.kernel.RationalKernels;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock.FeedForward;

import java.util.Map;

import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.B1;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.B2;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.BG;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.BU;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.DENOMINATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.NUMERATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.R1_DENOMINATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.R1_NUMERATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.R2_DENOMINATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.R2_NUMERATOR;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.W1;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.W2;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.WG;
import static org.rationalnn.dl4j.transformer.RationalTransformerBlock.WU;

/**
 * The feed-forward part of the native block on rows z [N, d] → [N, d], every kind of
 * {@link FeedForward}; the rationals (RATIONAL_GLU's gate over H channels, KAT's R1 over d and R2 over H) run
 * through the fused kernels of {@link RationalKernels}, which also give their coefficient gradients.
 */
final class NativeFeedForward {

    /** What the forward pass keeps: the input and the pre-activations the backward pass differentiates at. */
    static final class Cache {
        INDArray z;
        /** GELU, KAT: z W1 + b1 (KAT: R1(z) W1 + b1); GLU kinds: the gate z Wg + bg. */
        INDArray pre;
        /** GLU kinds: the linear branch z Wu + bu. */
        INDArray up;
        /** The hidden activation fed to W2 (GLU kinds: h = φ(g) ⊙ up; φ(g) is recomputed in the backward pass). */
        INDArray h;
        /** KAT: R1(z). */
        INDArray r1;
    }

    private final FeedForward kind;
    private final RationalSpec spec;
    private final long hidden;

    NativeFeedForward(RationalTransformerBlock c) {
        this.kind = c.getFeedForward();
        this.spec = c.getSpec();
        this.hidden = c.hiddenWidth();
    }

    /** Writes FFN(z) into {@code out} [N, d]; the cache's arrays come from {@code m.keep}. */
    Cache forward(INDArray z, Map<String, INDArray> p, INDArray out, Memory m) {
        long n = z.size(0);
        Cache c = new Cache();
        c.z = z;
        switch (kind) {
            case GELU:
                c.pre = BlockMath.linear(z, p.get(W1), p.get(B1), m.keep(n, hidden));
                c.h = BlockMath.gelu(c.pre, m.keep(n, hidden));
                break;
            case RATIONAL:
                c.r1 = m.keep(z.shape());
                RationalKernels.forward(spec, z, false, p.get(R1_NUMERATOR), null, p.get(R1_DENOMINATOR), c.r1);
                c.pre = BlockMath.linear(c.r1, p.get(W1), p.get(B1), m.keep(n, hidden));
                c.h = m.keep(n, hidden);
                RationalKernels.forward(spec, c.pre, false, p.get(R2_NUMERATOR), null, p.get(R2_DENOMINATOR), c.h);
                break;
            default:
                c.pre = BlockMath.linear(z, p.get(WG), p.get(BG), m.keep(n, hidden));
                c.up = BlockMath.linear(z, p.get(WU), p.get(BU), m.keep(n, hidden));
                c.h = m.keep(n, hidden);
                if (kind == FeedForward.RATIONAL_GLU) {
                    // h = R(g) ⊙ up in one pass of the rational kernel
                    RationalKernels.gatedForward(spec, c.pre, p.get(NUMERATOR), p.get(DENOMINATOR), c.up, c.h);
                } else {
                    BlockMath.gluForward(gluKind(), c.pre, c.up, c.h);
                }
        }
        BlockMath.linear(c.h, p.get(W2), p.get(B2), out);
        return c;
    }

    /** The gate's fixed activation for {@link BlockMath#gluForward} (SWIGLU, GEGLU). */
    private int gluKind() {
        switch (kind) {
            case SWIGLU:
                return BlockMath.SILU;
            case GEGLU:
                return BlockMath.GELU;
            default:
                throw new IllegalStateException("not a GLU kind with a fixed gate: " + kind);
        }
    }

    /**
     * Backward pass for dL/dFFN {@code dOut} [N, d]: every parameter gradient of the FFN into its view, returns
     * dL/dz [N, d] (a new array of {@code m}'s work memory).
     */
    INDArray backward(Cache c, INDArray dOut, Map<String, INDArray> p, Map<String, INDArray> g, Memory m) {
        long n = dOut.size(0);
        INDArray dh = m.work(n, hidden);
        BlockMath.linearBackward(c.h, p.get(W2), dOut, g.get(W2), g.get(B2), dh, false);
        INDArray dz = m.work(c.z.shape());
        switch (kind) {
            case GELU: {
                INDArray dPre = BlockMath.geluBackwardInPlace(c.pre, dh);
                BlockMath.linearBackward(c.z, p.get(W1), dPre, g.get(W1), g.get(B1), dz, false);
                break;
            }
            case RATIONAL: {
                INDArray dPre = m.work(n, hidden);
                RationalKernels.backward(spec, c.pre, false, p.get(R2_NUMERATOR), null, p.get(R2_DENOMINATOR), dh,
                        dPre, g.get(R2_NUMERATOR), g.get(R2_DENOMINATOR));
                INDArray dr1 = m.work(c.z.shape());
                BlockMath.linearBackward(c.r1, p.get(W1), dPre, g.get(W1), g.get(B1), dr1, false);
                RationalKernels.backward(spec, c.z, false, p.get(R1_NUMERATOR), null, p.get(R1_DENOMINATOR), dr1, dz,
                        g.get(R1_NUMERATOR), g.get(R1_DENOMINATOR));
                break;
            }
            default: {
                // h = φ(pre) ⊙ up: d up = dh ⊙ φ(pre), d pre = dh ⊙ up ⊙ φ'(pre), one pass (φ recomputed)
                INDArray dUp = m.work(n, hidden);
                INDArray dPre = m.work(n, hidden);
                if (kind == FeedForward.RATIONAL_GLU) {
                    // with the rational's coefficient gradients in the same pass
                    RationalKernels.gatedBackward(spec, c.pre, p.get(NUMERATOR), p.get(DENOMINATOR), c.up, dh, dPre,
                            dUp, g.get(NUMERATOR), g.get(DENOMINATOR));
                } else {
                    BlockMath.gluBackward(gluKind(), c.pre, c.up, dh, dUp, dPre);
                }
                BlockMath.linearBackward(c.z, p.get(WG), dPre, g.get(WG), g.get(BG), dz, false);
                BlockMath.linearBackward(c.z, p.get(WU), dUp, g.get(WU), g.get(BU), dz, true);
            }
        }
        return dz;
    }

}
