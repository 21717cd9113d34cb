package org.rationalnn.dl4j.transformer.impl;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Swish;
import org.nd4j.linalg.api.ops.impl.transforms.strict.SwishDerivative;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock;

/**
 * The dense pieces of the native block over ND4J ops, forward and backward: affine maps on [N, in] row blocks,
 * LayerNorm over the features, GELU (tanh form) and SiLU, and the reshuffles between rows [mb·T, d] and heads
 * [mb·h, T, d_h]. Each function writes into arrays it is given (or documents what it allocates, in the current
 * workspace). The formulas are those of {@link RationalTransformerBlock}'s Javadoc.
 */
final class BlockMath {

    /** sqrt(2/π), the GELU (tanh form) constant. */
    static final double GELU_C = Math.sqrt(2 / Math.PI);
    /** The cubic coefficient of the GELU (tanh form). */
    static final double GELU_K = 0.044715;

    private BlockMath() {
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
        db.assign(dOut.sum(true, 0));
        if (dx != null) {
            Nd4j.gemm(dOut, w, dx, false, true, 1.0, accumulate ? 1.0 : 0.0);
        }
    }

    // ---------------------------------------------------------------- LayerNorm

    /** What LayerNorm keeps for its backward pass: x̂ [N, d] and 1/sqrt(var + ε) [N, 1]. */
    static final class Norm {
        INDArray xhat;
        INDArray rstd;
    }

    /** out = LN(x) = (x - mean) / sqrt(var + ε) ⊙ g + b over the features; x̂ and rstd are allocated by {@code m}. */
    static Norm layerNorm(INDArray x, INDArray gain, INDArray bias, INDArray out, Memory m) {
        Norm n = new Norm();
        long rows = x.size(0);
        n.xhat = m.keep(x.shape());
        x.sub(x.mean(true, 1), n.xhat);
        INDArray var = n.xhat.mul(n.xhat).mean(true, 1);
        n.rstd = m.keep(rows, 1);
        n.rstd.assign(Transforms.pow(var.addi(RationalTransformerBlock.LN_EPSILON), -0.5, false));
        n.xhat.muliColumnVector(n.rstd);
        n.xhat.mul(gain, out);
        out.addiRowVector(bias);
        return n;
    }

    /**
     * Backward pass of LayerNorm: dg, db into their views (overwritten); returns dx = rstd ⊙ (d x̂ − mean(d x̂) −
     * x̂ ⊙ mean(d x̂ ⊙ x̂)) with d x̂ = dy ⊙ g, in a new array of the current workspace.
     */
    static INDArray layerNormBackward(Norm n, INDArray gain, INDArray dy, INDArray dGain, INDArray dBias) {
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
     * with t the tanh above. Allocates two temporaries in the current workspace.
     */
    static INDArray geluBackwardInPlace(INDArray a, INDArray grad) {
        INDArray t = a.ulike();
        geluTanh(a, t);
        // inner' = sqrt(2/π)(1 + 3k a²)
        INDArray d = a.mul(a).muli(3 * GELU_K * GELU_C).addi(GELU_C);
        // 0.5 a (1 - t²) inner'
        d.muli(a).muli(0.5).muli(t.mul(t).rsubi(1.0));
        d.addi(t.addi(1.0).muli(0.5));
        return grad.muli(d);
    }

    /** out = silu(a) = a σ(a). */
    static INDArray silu(INDArray a, INDArray out) {
        Nd4j.exec(new Swish(a, out));
        return out;
    }

    /** d silu / da = σ(a)(1 + a(1 − σ(a))), multiplied into {@code grad} in place. */
    static INDArray siluBackwardInPlace(INDArray a, INDArray grad) {
        INDArray d = a.ulike();
        Nd4j.exec(new SwishDerivative(a, d));
        return grad.muli(d);
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
