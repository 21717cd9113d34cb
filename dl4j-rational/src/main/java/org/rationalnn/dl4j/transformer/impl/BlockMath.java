package org.rationalnn.dl4j.transformer.impl;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.shape.OneHot;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Swish;
import org.nd4j.linalg.api.ops.impl.transforms.strict.SwishDerivative;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.rationalnn.dl4j.kernel.RationalKernels;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock;

/**
 * The dense pieces of the native block, forward and backward: affine maps on [N, in] row blocks, LayerNorm over the
 * features, GELU (tanh form), SiLU and the GLU products, softmax and the steps of rational attention over the keys,
 * and the reshuffles between rows [mb·T, d] and heads [mb·h, T, d_h]. The formulas are those of
 * {@link RationalTransformerBlock}'s Javadoc.
 *
 * <p>Two implementations of every element-wise and row-wise function: ND4J op compositions (any backend, any data
 * type) and, for float32 arrays on the CPU backend when the JVM has {@code jdk.incubator.vector}, the fused loops of
 * {@link VectorBlockOps} (one pass each). The system property {@value #FUSED_PROPERTY} = {@code false} forces the
 * ND4J compositions (tests compare the two). Functions write into the arrays they are given; temporaries (and
 * results documented as new) come from the current workspace.
 */
final class BlockMath {

    /** System property: {@code false} disables the fused float32 loops. */
    static final String FUSED_PROPERTY = "org.rationalnn.block.fused";
    /** sqrt(2/π), the GELU (tanh form) constant. */
    static final double GELU_C = Math.sqrt(2 / Math.PI);
    /** The cubic coefficient of the GELU (tanh form). */
    static final double GELU_K = 0.044715;

    private static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    /** GLU kinds of {@link #gluForward}: the activation of the gate. */
    static final int SILU = 0;
    static final int GELU = 1;

    private BlockMath() {
    }

    /** Whether the fused loops apply to these arrays (nulls are ignored). */
    static boolean fused(INDArray... arrays) {
        if (!VECTOR_API || "false".equalsIgnoreCase(System.getProperty(FUSED_PROPERTY))
                || !RationalKernels.isCpuBackend()) {
            return false;
        }
        for (INDArray a : arrays) {
            if (a != null && (a.dataType() != DataType.FLOAT || a.ordering() != 'c' || a.elementWiseStride() != 1
                    || a.length() > Integer.MAX_VALUE)) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- affine maps

    /** out = x W + b ([N, in] · [in, out] + [1, out]). */
    static INDArray linear(INDArray x, INDArray w, INDArray b, INDArray out) {
        Nd4j.gemm(x, w, out, false, false, 1.0, 0.0);
        return out.addiRowVector(b);
    }

    /**
     * Gradients of out = x W + b for dL/dout {@code dOut}: dW = xᵀ dOut and db = Σ_rows dOut into their views
     * (overwritten), and, if {@code dx} is given, dx = dOut Wᵀ written ({@code accumulate} false) or added.
     */
    static void linearBackward(INDArray x, INDArray w, INDArray dOut, INDArray dW, INDArray db, INDArray dx,
                               boolean accumulate) {
        Nd4j.gemm(x, dOut, dW, true, false, 1.0, 0.0);
        columnSums(dOut, db);
        if (dx != null) {
            Nd4j.gemm(dOut, w, dx, false, true, 1.0, accumulate ? 1.0 : 0.0);
        }
    }

    /** out [1, c] (any view) = Σ_rows x [N, c]. */
    static INDArray columnSums(INDArray x, INDArray out) {
        if (fused(x)) {
            double[] sums = VectorBlockOps.columnSums(x);
            float[] f = new float[sums.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) sums[i];
            }
            return out.assign(Nd4j.createFromArray(f).reshape(out.shape()));
        }
        return out.assign(x.sum(true, 0).reshape(out.shape()));
    }

    // ---------------------------------------------------------------- LayerNorm

    /** What LayerNorm keeps for its backward pass: x̂ [N, d] and 1/sqrt(var + ε) [N, 1]. */
    static final class Norm {
        INDArray xhat;
        INDArray rstd;
    }

    /** out = LN(x) = (x - mean) / sqrt(var + ε) ⊙ g + b over the features; x̂ and rstd are kept by {@code m}. */
    static Norm layerNorm(INDArray x, INDArray gain, INDArray bias, INDArray out, Memory m) {
        Norm n = new Norm();
        n.xhat = m.keep(x.shape());
        n.rstd = m.keep(x.size(0), 1);
        if (fused(x, out)) {
            VectorBlockOps.layerNorm(x, gain, bias, n.xhat, n.rstd, out);
            return n;
        }
        x.sub(x.mean(true, 1), n.xhat);
        INDArray var = n.xhat.mul(n.xhat).mean(true, 1);
        n.rstd.assign(Transforms.pow(var.addi(RationalTransformerBlock.LN_EPSILON), -0.5, false));
        n.xhat.muliColumnVector(n.rstd);
        n.xhat.mul(gain, out);
        out.addiRowVector(bias);
        return n;
    }

    /**
     * Backward pass of LayerNorm: dg, db into their views (overwritten); returns dx = rstd ⊙ (d x̂ − mean(d x̂) −
     * x̂ ⊙ mean(d x̂ ⊙ x̂)) with d x̂ = dy ⊙ g, a new array.
     */
    static INDArray layerNormBackward(Norm n, INDArray gain, INDArray dy, INDArray dGain, INDArray dBias) {
        if (fused(dy, n.xhat)) {
            INDArray dx = Nd4j.createUninitialized(dy.dataType(), dy.shape(), 'c');
            VectorBlockOps.layerNormBackward(n.xhat, n.rstd, gain, dy, dGain, dBias, dx);
            return dx;
        }
        dGain.assign(dy.mul(n.xhat).sum(true, 0));
        dBias.assign(dy.sum(true, 0));
        INDArray dxhat = dy.mulRowVector(gain);
        INDArray m1 = dxhat.mean(true, 1);
        INDArray m2 = dxhat.mul(n.xhat).mean(true, 1);
        dxhat.subiColumnVector(m1);
        dxhat.subi(n.xhat.mulColumnVector(m2));
        return dxhat.muliColumnVector(n.rstd);
    }

    // ---------------------------------------------------------------- element-wise activations

    /** out = gelu(a) = 0.5 a (1 + tanh(sqrt(2/π)(a + 0.044715 a³))). */
    static INDArray gelu(INDArray a, INDArray out) {
        if (fused(a, out)) {
            VectorBlockOps.gelu(a, out);
            return out;
        }
        geluTanh(a, out);
        return out.addi(1.0).muli(a).muli(0.5);
    }

    /** out = tanh(sqrt(2/π)(a + 0.044715 a³)). */
    private static void geluTanh(INDArray a, INDArray out) {
        out.assign(a).muli(a).muli(GELU_C * GELU_K).addi(GELU_C).muli(a);
        Transforms.tanh(out, false);
    }

    /**
     * d gelu / da, multiplied into {@code grad} in place: 0.5 (1 + t) + 0.5 a (1 − t²) sqrt(2/π) (1 + 3·0.044715 a²)
     * with t the tanh above.
     */
    static INDArray geluBackwardInPlace(INDArray a, INDArray grad) {
        if (fused(a, grad)) {
            VectorBlockOps.geluBackwardInPlace(a, grad);
            return grad;
        }
        return grad.muli(geluDerivative(a));
    }

    private static INDArray geluDerivative(INDArray a) {
        INDArray t = a.ulike();
        geluTanh(a, t);
        INDArray d = a.mul(a).muli(3 * GELU_K * GELU_C).addi(GELU_C);
        d.muli(a).muli(0.5).muli(t.mul(t).rsubi(1.0));
        return d.addi(t.addi(1.0).muli(0.5));
    }

    /**
     * GLU forward: h = φ(g) ⊙ up for {@code kind} {@link #SILU} or {@link #GELU} (the rational gate goes through
     * {@link RationalKernels#gatedForward}); φ(g) is not kept.
     */
    static void gluForward(int kind, INDArray g, INDArray up, INDArray h) {
        if (fused(g, up, h)) {
            VectorBlockOps.gluForward(kind, g, up, h);
            return;
        }
        activation(kind, g, h);
        h.muli(up);
    }

    /** act = φ(g). */
    private static void activation(int kind, INDArray g, INDArray act) {
        if (kind == SILU) {
            Nd4j.exec(new Swish(g, act));
        } else if (kind == GELU) {
            gelu(g, act);
        } else {
            throw new IllegalArgumentException("GLU kind must be SILU (0) or GELU (1), got " + kind);
        }
    }

    /**
     * GLU backward for dL/dh {@code dh}: dUp = dh ⊙ φ(g), dPre = dh ⊙ up ⊙ φ'(g) ({@link #SILU}, {@link #GELU}),
     * φ(g) recomputed from g.
     */
    static void gluBackward(int kind, INDArray g, INDArray up, INDArray dh, INDArray dUp, INDArray dPre) {
        if (fused(g, up, dh, dUp, dPre)) {
            VectorBlockOps.gluBackward(kind, g, up, dh, dUp, dPre);
            return;
        }
        activation(kind, g, dUp);
        dUp.muli(dh);
        dh.mul(up, dPre);
        if (kind == SILU) {
            INDArray d = g.ulike();
            Nd4j.exec(new SwishDerivative(g, d));
            dPre.muli(d);
        } else {
            dPre.muli(geluDerivative(g));
        }
    }

    // ---------------------------------------------------------------- attention over the keys

    /**
     * a = softmax over the keys of s · scale + penalty (s [mb·h, T, T] raw scores, may be overwritten; penalty
     * [mb or 1, 1, T, T] or null).
     */
    static void softmax(INDArray s, double scale, INDArray penalty, long mb, int heads, INDArray a) {
        if (fused(s, penalty, a)) {
            VectorBlockOps.softmax(s, scale, penalty, heads, a);
            return;
        }
        scaleAndPenalise(s, scale, penalty, mb, heads);
        if (s.dataType() == DataType.DOUBLE) {
            // ND4J 1.0.0-M2.1's float64 softmax returns NaN for rows whose scores are all below about -745 (a
            // query whose every visible key is padding); softmax is shift-invariant, so shift by the row max
            s.subi(s.max(true, 2));
        }
        Nd4j.exec(new SoftMax(s, a, 2));
    }

    private static void scaleAndPenalise(INDArray s, double scale, INDArray penalty, long mb, int heads) {
        s.muli(scale);
        if (penalty != null) {
            s.reshape('c', mb, heads, s.size(1), s.size(2)).addi(penalty);
        }
    }

    /** Softmax backward, in place: dA := scale · a ⊙ (dA − Σ_keys dA ⊙ a) (the gradient of the raw scores). */
    static INDArray softmaxBackwardInPlace(INDArray a, INDArray dA, double scale) {
        if (fused(a, dA)) {
            VectorBlockOps.softmaxBackwardInPlace(a, dA, scale);
            return dA;
        }
        INDArray dot = dA.mul(a).sum(true, 2);
        return dA.subi(dot).muli(a).muli(scale);
    }

    /**
     * Rational attention, step 1: z = (s' − max_keys s') ⊙ M with s' = s · scale + penalty (s may be overwritten);
     * the index of each row's first maximum into {@code argmax} [mb·h, T, 1].
     */
    static void rationalShift(INDArray s, double scale, INDArray penalty, INDArray mask, long mb, int heads,
                              INDArray z, INDArray argmax) {
        if (fused(s, penalty, mask, z, argmax)) {
            VectorBlockOps.rationalShift(s, scale, penalty, mask, heads, z, argmax);
            return;
        }
        scaleAndPenalise(s, scale, penalty, mb, heads);
        argmax.assign(Nd4j.argMax(s, 2).reshape(argmax.shape()));
        s.sub(s.max(true, 2), z);
        masked(z, mask, mb, heads);
    }

    /** x ⊙ M in place (M [mb or 1, 1, T, T] broadcast over the heads; null: no mask). */
    private static INDArray masked(INDArray x, INDArray mask, long mb, int heads) {
        if (mask != null) {
            x.reshape('c', mb, heads, x.size(1), x.size(2)).muli(mask);
        }
        return x;
    }

    /** Rational attention, step 2: φ = r² ⊙ M, normaliser = Σ_keys φ + ε [mb·h, T, 1], a = φ / normaliser. */
    static void rationalNormalize(INDArray r, INDArray mask, KeyExtents extents, long mb, int heads,
                                  INDArray normaliser, INDArray a) {
        if (fused(r, mask, normaliser, a)) {
            VectorBlockOps.rationalNormalize(r, mask, extents, heads, normaliser, a);
            return;
        }
        INDArray phi = masked(r.mul(r), mask, mb, heads);
        normaliser.assign(phi.sum(true, 2).addi(RationalTransformerBlock.RATIONAL_ATTENTION_EPSILON));
        phi.div(normaliser, a);
    }

    /** Rational attention backward of step 2, in place: dA := 2 r ⊙ M ⊙ (dA − Σ_keys dA ⊙ a) / normaliser. */
    static INDArray rationalNormalizeBackwardInPlace(INDArray dA, INDArray a, INDArray normaliser, INDArray r,
                                                     INDArray mask, KeyExtents extents, long mb, int heads) {
        if (fused(dA, a, normaliser, r, mask)) {
            VectorBlockOps.rationalNormalizeBackwardInPlace(dA, a, normaliser, r, mask, extents, heads);
            return dA;
        }
        INDArray dot = dA.mul(a).sum(true, 2);
        dA.subi(dot).divi(normaliser);
        return masked(dA, mask, mb, heads).muli(r).muli(2.0);
    }

    /** Rational attention backward of step 1, in place: dz := scale · (dz ⊙ M − e_argmax Σ_keys dz ⊙ M). */
    static INDArray rationalShiftBackwardInPlace(INDArray dz, INDArray mask, KeyExtents extents, INDArray argmax,
                                                 long mb, int heads, double scale) {
        if (fused(dz, mask, argmax)) {
            VectorBlockOps.rationalShiftBackwardInPlace(dz, mask, extents, argmax, heads, scale);
            return dz;
        }
        masked(dz, mask, mb, heads);
        INDArray total = dz.sum(true, 2);
        long bh = dz.size(0);
        long t = dz.size(2);
        INDArray oneHot = dz.ulike();
        Nd4j.exec(new OneHot(argmax.reshape(bh, dz.size(1)).castTo(DataType.INT), oneHot, (int) t, -1, 1.0, 0.0));
        return dz.subi(oneHot.muli(total)).muli(scale);
    }

    // ---------------------------------------------------------------- layouts

    /** NCW [mb, d, T] → rows [mb·T, d] (into {@code out}). */
    static INDArray stepsToRows(INDArray ncw, INDArray out) {
        long mb = ncw.size(0);
        long d = ncw.size(1);
        long t = ncw.size(2);
        if (fused(ncw, out)) {
            VectorBlockOps.transposeExamples(ncw, mb, (int) d, (int) t, out);
        } else {
            out.reshape('c', mb, t, d).assign(ncw.permute(0, 2, 1));
        }
        return out;
    }

    /** rows [mb·T, d] → NCW [mb, d, T] (into {@code out}). */
    static INDArray rowsToSteps(INDArray rows, INDArray out) {
        long mb = out.size(0);
        long d = out.size(1);
        long t = out.size(2);
        if (fused(rows, out)) {
            VectorBlockOps.transposeExamples(rows, mb, (int) t, (int) d, out);
        } else {
            out.assign(rows.reshape('c', mb, t, d).permute(0, 2, 1));
        }
        return out;
    }

    // ---------------------------------------------------------------- heads

    /** rows [mb·T, h·d_h] → heads [mb·h, T, d_h] (copied into {@code out}). */
    static INDArray toHeads(INDArray rows, long mb, long t, int heads, INDArray out) {
        long dh = rows.size(1) / heads;
        out.reshape('c', mb, heads, t, dh).assign(rows.reshape('c', mb, t, heads, dh).permute(0, 2, 1, 3));
        return out;
    }

    /** heads [mb·h, T, d_h] → rows [mb·T, h·d_h] (copied into {@code out}). */
    static INDArray toRows(INDArray heads, long mb, long t, int h, INDArray out) {
        long dh = heads.size(2);
        out.reshape('c', mb, t, h, dh).assign(heads.reshape('c', mb, h, t, dh).permute(0, 2, 1, 3));
        return out;
    }
}
