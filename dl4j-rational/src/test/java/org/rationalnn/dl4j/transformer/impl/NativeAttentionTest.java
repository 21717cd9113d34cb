package org.rationalnn.dl4j.transformer.impl;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock.Attention;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attention of the native block at sizes where the fused float32 kernels ({@link VectorAttention}) run full
 * SIMD vectors and tails (d_h 16 and 40, T 21 and 32): fused float32 against the ND4J path in float64 on the same
 * parameters and inputs, output and every gradient, both attention kinds, with padding, causal mask and dropout.
 */
class NativeAttentionTest {

    @AfterEach
    void restore() {
        System.clearProperty(BlockMath.FUSED_PROPERTY);
    }

    @ParameterizedTest(name = "{0} d={1} heads={2} T={3} masked={4} dropout={5}")
    @CsvSource({"SOFTMAX, 64, 4, 32, true, false", "SOFTMAX, 80, 2, 21, false, true", "RATIONAL, 64, 4, 32, true, true",
            "RATIONAL, 80, 2, 21, true, false", "RATIONAL, 64, 4, 21, false, false"})
    void fusedMatchesNd4j(Attention kind, int d, int heads, int t, boolean masked, boolean dropout) {
        RationalTransformerBlock conf = new RationalTransformerBlock.Builder().dModel(d).heads(heads).attention(kind)
                .causal(true).build();
        Nd4j.getRandom().setSeed(5);
        int mb = 3;
        Map<String, INDArray> params = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : conf.parameterShapes().entrySet()) {
            params.put(e.getKey(), Nd4j.randn(DataType.DOUBLE, e.getValue()).muli(e.getKey().startsWith("W")
                    ? 1.0 / Math.sqrt(d) : 0.1));
        }
        if (kind == Attention.RATIONAL) {
            org.rationalnn.dl4j.rational.RationalFunction f = conf.attentionInit();
            params.get(RationalTransformerBlock.ATTN_NUMERATOR).assign(Nd4j.createFromArray(f.numerator())
                    .reshape(1, f.numerator().length));
            params.get(RationalTransformerBlock.ATTN_DENOMINATOR).assign(Nd4j.createFromArray(f.denominator())
                    .reshape(1, f.denominator().length));
        }
        INDArray z = Nd4j.randn(DataType.DOUBLE, mb * t, d);
        INDArray dOut = Nd4j.randn(DataType.DOUBLE, mb * t, d);
        INDArray mask = BlockMathTest.mask(mb, t);
        INDArray drop = dropout ? Nd4j.rand(DataType.DOUBLE, mb * heads, t, t).gt(0.2).castTo(DataType.DOUBLE)
                .muli(1 / 0.8) : null;
        Result exact = run(conf, params, z, dOut, masked ? mask : null, drop, DataType.DOUBLE, mb, t);
        Result fast = run(conf, params, z, dOut, masked ? mask : null, drop, DataType.FLOAT, mb, t);
        String what = kind + " d=" + d + " heads=" + heads + " T=" + t;
        close(exact.out, fast.out, what + ": output");
        close(exact.dz, fast.dz, what + ": dz");
        for (String k : exact.grads.keySet()) {
            close(exact.grads.get(k), fast.grads.get(k), what + ": gradient of " + k);
        }
    }

    /** Within 1e-4 of the largest value (at least 0.1: bk's gradient is exactly 0, softmax ignores row shifts). */
    static void close(INDArray expected, INDArray actual, String what) {
        double scale = Math.max(0.1, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-4 * scale, what + " differs by " + diff + " (largest " + scale + ")");
    }

    static final java.util.Set<String> ATTENTION_KEYS = java.util.Set.of("Wq", "bq", "Wk", "bk", "Wv", "bv", "Wo",
            "bo", RationalTransformerBlock.ATTN_NUMERATOR, RationalTransformerBlock.ATTN_DENOMINATOR);

    static final class Result {
        INDArray out;
        INDArray dz;
        Map<String, INDArray> grads = new LinkedHashMap<>();
    }

    static Result run(RationalTransformerBlock conf, Map<String, INDArray> params, INDArray z, INDArray dOut,
                      INDArray mask, INDArray drop, DataType dt, int mb, int t) {
        boolean fused = dt == DataType.FLOAT;
        System.setProperty(BlockMath.FUSED_PROPERTY, Boolean.toString(fused));
        Map<String, INDArray> p = new LinkedHashMap<>();
        Map<String, INDArray> g = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            p.put(e.getKey(), e.getValue().castTo(dt));
            g.put(e.getKey(), e.getValue().castTo(dt).ulike());
        }
        Memory m = new Memory(LayerWorkspaceMgr.noWorkspaces(), dt, ArrayType.ACTIVATIONS, ArrayType.FF_WORKING_MEM);
        NativeAttention.Masks masks = new NativeAttention.Masks(mask == null ? null : mask.castTo(dt));
        INDArray dropT = drop == null ? null : drop.castTo(dt);
        NativeAttention att = new NativeAttention(conf);
        Result r = new Result();
        r.out = Nd4j.create(dt, z.shape());
        INDArray zt = z.castTo(dt);
        NativeAttention.Cache c = att.forward(zt, mb, t, masks, dropT, p, r.out, m);
        assertTrue(fused == (c.qkv != null), "fused path taken: " + fused);
        r.dz = att.backward(c, dOut.castTo(dt), mb, t, masks, dropT, p, g, m).castTo(DataType.DOUBLE);
        r.out = r.out.castTo(DataType.DOUBLE);
        for (Map.Entry<String, INDArray> e : g.entrySet()) {
            if (ATTENTION_KEYS.contains(e.getKey())) {
                r.grads.put(e.getKey(), e.getValue().castTo(DataType.DOUBLE));
            }
        }
        return r;
    }
}
