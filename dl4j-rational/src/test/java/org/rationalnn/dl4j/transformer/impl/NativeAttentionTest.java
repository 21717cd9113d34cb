package org.rationalnn.dl4j.transformer.impl;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock.Attention;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import org.rationalnn.dl4j.testutil.GradientMatrix;

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
        int mb = 3;
        Map<String, INDArray> params = params(conf, d, kind, 5);
        INDArray mask = BlockMathTest.mask(mb, t);
        INDArray drop = dropout ? Nd4j.rand(DataType.DOUBLE, mb * heads, t, t).gt(0.2).castTo(DataType.DOUBLE)
                .muli(1 / 0.8) : null;
        compare(conf, params, masked ? mask : null, drop, mb, t, kind + " d=" + d + " heads=" + heads + " T=" + t);
    }

    /**
     * Masks the fused kernels skip work for, drawn afresh on every run (seed printed; replay with
     * -Drational.test.seed=...): causal or not, shared [1, 1, T, T] or per example, random holes, rows with no
     * visible key (rational attention only: softmax's weights of such a row depend on the precision, see
     * {@link RationalTransformerBlock#MASK_PENALTY}), rows that see only a far key, T and d_h off the vector width;
     * fused float32 against ND4J float64.
     */
    @Test
    void fusedMatchesNd4jUnderDrawnMasks() {
        Random r = GradientMatrix.random("attention masks");
        for (int c = 0; c < 6; c++) {
            Attention kind = c % 2 == 0 ? Attention.SOFTMAX : Attention.RATIONAL;
            int heads = 1 + r.nextInt(3);
            int dh = new int[]{8, 16, 20, 33}[r.nextInt(4)];
            int t = 3 + r.nextInt(40);
            int mb = 1 + r.nextInt(3);
            boolean causal = r.nextBoolean();
            boolean shared = r.nextBoolean();
            RationalTransformerBlock conf = new RationalTransformerBlock.Builder().dModel(heads * dh).heads(heads)
                    .attention(kind).causal(causal).build();
            INDArray mask = Nd4j.ones(DataType.DOUBLE, shared ? 1 : mb, 1, t, t);
            double hole = 0.5 * r.nextDouble();
            for (int e = 0; e < mask.size(0); e++) {
                for (int q = 0; q < t; q++) {
                    int rowKind = r.nextInt(8);
                    int visible = 0;
                    for (int k = 0; k < t; k++) {
                        boolean hidden = (causal && k > q) || r.nextDouble() < hole || rowKind == 0
                                || (rowKind == 1 && k != Math.min(q + (causal ? 0 : t), t - 1));
                        if (hidden) {
                            mask.putScalar(new long[]{e, 0, q, k}, 0.0);
                        } else {
                            visible++;
                        }
                    }
                    if (visible == 0 && kind == Attention.SOFTMAX) {
                        mask.putScalar(new long[]{e, 0, q, r.nextInt(causal ? q + 1 : t)}, 1.0);
                    }
                }
            }
            String what = kind + " heads=" + heads + " d_h=" + dh + " T=" + t + " mb=" + mb + " causal=" + causal
                    + " shared=" + shared;
            compare(conf, params(conf, heads * dh, kind, r.nextLong()), mask, null, mb, t, what);
        }
    }

    @Test
    void keyExtentsOfAMask() {
        // rows: none visible (end T), keys 0 and 2 (end 3), key 3 only (end 4), all (end 4)
        INDArray m = Nd4j.createFromArray(new double[][]{{0, 0, 0, 0}, {1, 0, 1, 0}, {0, 0, 0, 1}, {1, 1, 1, 1}})
                .reshape(1, 1, 4, 4);
        KeyExtents x = KeyExtents.of(m);
        int[] end = new int[4];
        int[] first = new int[4];
        x.ends(0, end);
        x.firsts(0, first);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[]{4, 3, 4, 4}, end);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[]{0, 0, 0, 0}, first);
        INDArray causal = Nd4j.createFromArray(new double[][]{{1, 0, 0}, {1, 1, 0}, {1, 1, 1}}).reshape(1, 1, 3, 3);
        x = KeyExtents.of(causal);
        end = new int[3];
        first = new int[3];
        x.ends(0, end);
        x.firsts(0, first);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[]{1, 2, 3}, end);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[]{0, 1, 2}, first);
    }

    static Map<String, INDArray> params(RationalTransformerBlock conf, int d, Attention kind, long seed) {
        Nd4j.getRandom().setSeed(seed);
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
        return params;
    }

    static void compare(RationalTransformerBlock conf, Map<String, INDArray> params, INDArray mask, INDArray drop,
                        int mb, int t, String what) {
        int d = (int) conf.getDModel();
        INDArray z = Nd4j.randn(DataType.DOUBLE, mb * t, d);
        INDArray dOut = Nd4j.randn(DataType.DOUBLE, mb * t, d);
        Result exact = run(conf, params, z, dOut, mask, drop, DataType.DOUBLE, mb, t);
        Result fast = run(conf, params, z, dOut, mask, drop, DataType.FLOAT, mb, t);
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
