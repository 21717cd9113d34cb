package org.rationalnn.dl4j.transformer.impl;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.transformer.impl.NativeAttention.Masks;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused float32 loops of {@link VectorBlockOps} against the ND4J op compositions of {@link BlockMath}, function
 * by function, on random float32 inputs with a padding-and-causal mask: the float32 results of both agree with the
 * float64 ND4J composition to float32 rounding. (Float64 arrays always take the ND4J path, which the block's
 * gradient checks and reference tests cover.)
 */
class BlockMathTest {

    static final double TOL = 2e-5;

    @AfterEach
    void restore() {
        System.clearProperty(BlockMath.FUSED_PROPERTY);
    }

    /** Runs {@code f} three ways (float fused, float ND4J, double ND4J) on copies of the inputs; compares outputs. */
    static void check(String what, List<INDArray> inputs, Function<List<INDArray>, List<INDArray>> f) {
        List<INDArray> fused = run(inputs, DataType.FLOAT, true, f);
        List<INDArray> ops = run(inputs, DataType.FLOAT, false, f);
        List<INDArray> exact = run(inputs, DataType.DOUBLE, false, f);
        assertEquals(exact.size(), fused.size());
        for (int i = 0; i < exact.size(); i++) {
            INDArray e = exact.get(i);
            double scale = Math.max(1.0, e.amaxNumber().doubleValue());
            double dFused = e.sub(fused.get(i).castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
            double dOps = e.sub(ops.get(i).castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
            assertTrue(dFused <= TOL * scale, what + " output " + i + ": fused float32 differs from float64 by "
                    + dFused + " (ND4J float32: " + dOps + ", scale " + scale + ")");
            assertTrue(dOps <= TOL * scale, what + " output " + i + ": ND4J float32 differs by " + dOps);
        }
    }

    static List<INDArray> run(List<INDArray> inputs, DataType dt, boolean fused,
                              Function<List<INDArray>, List<INDArray>> f) {
        System.setProperty(BlockMath.FUSED_PROPERTY, Boolean.toString(fused));
        List<INDArray> copies = new ArrayList<>();
        for (INDArray in : inputs) {
            copies.add(in == null ? null : in.castTo(dt).dup('c'));
        }
        if (fused) {
            assertTrue(BlockMath.fused(copies.stream().filter(a -> a != null).toArray(INDArray[]::new)),
                    "the fused loops should apply to C-ordered float32 arrays");
        }
        List<INDArray> out = new ArrayList<>();
        for (INDArray o : f.apply(copies)) {
            out.add(o.castTo(DataType.DOUBLE));
        }
        return out;
    }

    static INDArray randn(long... shape) {
        return Nd4j.randn(DataType.DOUBLE, shape);
    }

    /**
     * [mb, 1, T, T]: padding (last key of example 1, key 2 of example 0) and causal. (No row is fully masked: there
     * the weights are arbitrary, and float32 and float64 legitimately differ.)
     */
    static INDArray mask(int mb, int t) {
        INDArray m = Nd4j.ones(DataType.DOUBLE, mb, 1, t, t);
        for (int q = 0; q < t; q++) {
            for (int k = 0; k < t; k++) {
                for (int b = 0; b < mb; b++) {
                    boolean padded = (b == 1 && k == t - 1) || (b == 0 && k == 2);
                    if (k > q || padded) {
                        m.putScalar(new long[]{b, 0, q, k}, 0.0);
                    }
                }
            }
        }
        return m;
    }

    @Test
    void elementwise() {
        Nd4j.getRandom().setSeed(1);
        // 5000 elements: several chunks and a tail shorter than a vector
        INDArray a = randn(50, 100).muli(2);
        INDArray g = randn(50, 100).muli(2);
        INDArray up = randn(50, 100);
        INDArray dh = randn(50, 100);
        check("column sums", List.of(a), in -> List.of(BlockMath.columnSums(in.get(0),
                Nd4j.create(in.get(0).dataType(), 1, 100))));
        check("gelu", List.of(a), in -> List.of(BlockMath.gelu(in.get(0), in.get(0).ulike())));
        check("gelu backward", List.of(a, dh), in -> List.of(BlockMath.geluBackwardInPlace(in.get(0), in.get(1))));
        for (int kind : new int[]{BlockMath.SILU, BlockMath.GELU}) {
            check("glu forward " + kind, List.of(g, up), in -> {
                INDArray h = in.get(0).ulike();
                BlockMath.gluForward(kind, in.get(0), in.get(1), h);
                return List.of(h);
            });
            check("glu backward " + kind, List.of(g, up, dh), in -> {
                INDArray dUp = in.get(0).ulike();
                INDArray dPre = in.get(0).ulike();
                BlockMath.gluBackward(kind, in.get(0), in.get(1), in.get(2), dUp, dPre);
                return List.of(dUp, dPre);
            });
        }
    }

    @Test
    void attentionRows() {
        Nd4j.getRandom().setSeed(2);
        int mb = 2;
        int heads = 3;
        int t = 21;   // not a multiple of the vector length
        double scale = 0.7;
        INDArray s = randn(mb * heads, t, t).muli(3);
        INDArray m = mask(mb, t);
        INDArray penalty = new Masks(m).penalty;
        INDArray dA = randn(mb * heads, t, t);
        for (boolean masked : new boolean[]{true, false}) {
            List<INDArray> in0 = new ArrayList<>(List.of(s, dA));
            in0.add(masked ? penalty : null);
            in0.add(masked ? m : null);
            check("softmax masked=" + masked, in0, in -> {
                INDArray a = in.get(0).ulike();
                BlockMath.softmax(in.get(0), scale, in.get(2), mb, heads, a);
                INDArray ds = BlockMath.softmaxBackwardInPlace(a, in.get(1), scale);
                return List.of(a, ds);
            });
            check("rational attention rows masked=" + masked, in0, in -> {
                INDArray z = in.get(0).ulike();
                INDArray argmax = Nd4j.create(in.get(0).dataType(), mb * heads, t, 1);
                BlockMath.rationalShift(in.get(0), scale, in.get(2), in.get(3), mb, heads, z, argmax);
                INDArray r = z.add(1.5);   // stands in for R_a(z): any positive values
                INDArray nrm = argmax.ulike();
                INDArray a = z.ulike();
                KeyExtents extents = in.get(3) == null ? null : KeyExtents.of(in.get(3));
                BlockMath.rationalNormalize(r, in.get(3), extents, mb, heads, nrm, a);
                INDArray dR = BlockMath.rationalNormalizeBackwardInPlace(in.get(1).dup(), a, nrm, r, in.get(3),
                        extents, mb, heads);
                INDArray dS = BlockMath.rationalShiftBackwardInPlace(dR.dup(), in.get(3), extents, argmax, mb, heads,
                        scale);
                return List.of(z, argmax, nrm, a, dR, dS);
            });
        }
    }

    @Test
    void layouts() {
        Nd4j.getRandom().setSeed(4);
        INDArray ncw = randn(3, 7, 5);
        check("NCW to rows and back", List.of(ncw), in -> {
            INDArray rows = BlockMath.stepsToRows(in.get(0), Nd4j.create(in.get(0).dataType(), 15, 7));
            INDArray back = BlockMath.rowsToSteps(rows, in.get(0).ulike());
            return List.of(rows, back);
        });
        assertTrue(BlockMath.stepsToRows(ncw, Nd4j.create(DataType.DOUBLE, 15, 7)).getRow(6)
                .equalsWithEps(ncw.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1),
                        org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(1)),
                        0.0), "row 6 = example 1, step 1");
    }

    @Test
    void layerNorm() {
        Nd4j.getRandom().setSeed(3);
        INDArray x = randn(37, 24).muli(3).addi(1);
        INDArray gain = randn(1, 24);
        INDArray bias = randn(1, 24);
        INDArray dy = randn(37, 24);
        check("layer norm", List.of(x, gain, bias, dy), in -> {
            Memory mem = new Memory(LayerWorkspaceMgr.noWorkspaces(), in.get(0).dataType(), ArrayType.ACTIVATIONS,
                    ArrayType.FF_WORKING_MEM);
            INDArray out = in.get(0).ulike();
            BlockMath.Norm n = BlockMath.layerNorm(in.get(0), in.get(1), in.get(2), out, mem);
            INDArray dGain = in.get(1).ulike();
            INDArray dBias = in.get(2).ulike();
            INDArray dx = BlockMath.layerNormBackward(n, in.get(1), in.get(3), dGain, dBias);
            return List.of(out, n.xhat, n.rstd, dx, dGain, dBias);
        });
    }
}
