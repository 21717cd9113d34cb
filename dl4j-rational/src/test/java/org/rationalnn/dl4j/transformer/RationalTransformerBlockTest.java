package org.rationalnn.dl4j.transformer;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock.Attention;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock.FeedForward;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock.Normalization;

import java.io.File;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reference equivalence (a plain ND4J/Java implementation of the block on the same weights), NCW = NWC, JSON and
 * ModelSerializer round trips, variable T, minibatch 1, dropout, RATIONAL attention and builder validation.
 */
class RationalTransformerBlockTest {

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    static MultiLayerNetwork net(RationalTransformerBlock block, RNNFormat format) {
        MultiLayerConfiguration conf = BlockNets.base(new Adam(1e-2)).list().layer(block).layer(BlockNets.output())
                .setInputType(InputType.recurrent(BlockNets.D, format)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        BlockNets.perturb(net.paramTable());
        return net;
    }

    /** The block's output via the runtime layer directly (inference), with an optional padding mask. */
    static INDArray blockOutput(MultiLayerNetwork net, INDArray x, INDArray mask) {
        Layer l = net.getLayer(0);
        l.feedForwardMaskArray(mask, mask == null ? null : MaskState.Active, (int) x.size(0));
        INDArray out = l.activate(x, false, LayerWorkspaceMgr.noWorkspaces()).dup();
        l.clear();
        return out;
    }

    static void assertClose(INDArray expected, INDArray actual, double tol, String what) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()),
                what + ": shape");
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= tol, what + ": max abs difference " + diff + " > " + tol);
    }

    // ------------------------------------------------------------------ reference implementation

    /** The block in plain ND4J + Java on one example: x [T, d] → [T, d]. */
    static INDArray reference(RationalTransformerBlock c, Map<String, INDArray> p, INDArray x, double[] pad) {
        INDArray u;
        INDArray y;
        switch (c.getNormalization()) {
            case PRE:
                u = x.add(attention(c, p, ln(x, p.get("ln1Gain"), p.get("ln1Bias")), pad));
                y = u.add(ffn(c, p, ln(u, p.get("ln2Gain"), p.get("ln2Bias"))));
                break;
            case POST:
                u = ln(x.add(attention(c, p, x, pad)), p.get("ln1Gain"), p.get("ln1Bias"));
                y = ln(u.add(ffn(c, p, u)), p.get("ln2Gain"), p.get("ln2Bias"));
                break;
            default:
                u = x.add(attention(c, p, x, pad));
                y = u.add(ffn(c, p, u));
        }
        for (int t = 0; t < pad.length; t++) {
            y.getRow(t).muli(pad[t]);
        }
        return y;
    }

    static INDArray ln(INDArray z, INDArray g, INDArray b) {
        INDArray mu = z.mean(true, 1);
        INDArray c = z.subColumnVector(mu);
        INDArray var = c.mul(c).mean(true, 1);
        INDArray sd = org.nd4j.linalg.ops.transforms.Transforms.sqrt(var.add(RationalTransformerBlock.LN_EPSILON));
        return c.divColumnVector(sd).mulRowVector(g).addRowVector(b);
    }

    static INDArray linear(INDArray z, INDArray w, INDArray b) {
        return z.mmul(w).addRowVector(b);
    }

    static INDArray attention(RationalTransformerBlock c, Map<String, INDArray> p, INDArray z, double[] pad) {
        int t = (int) z.rows();
        int d = (int) c.getDModel();
        int dh = (int) c.headSize();
        INDArray q = linear(z, p.get("Wq"), p.get("bq"));
        INDArray k = linear(z, p.get("Wk"), p.get("bk"));
        INDArray v = linear(z, p.get("Wv"), p.get("bv"));
        INDArray ctx = Nd4j.zeros(DataType.DOUBLE, t, d);
        for (int h = 0; h < c.getHeads(); h++) {
            INDArray qh = q.get(NDArrayIndex.all(), NDArrayIndex.interval(h * dh, (h + 1) * dh));
            INDArray kh = k.get(NDArrayIndex.all(), NDArrayIndex.interval(h * dh, (h + 1) * dh));
            INDArray vh = v.get(NDArrayIndex.all(), NDArrayIndex.interval(h * dh, (h + 1) * dh));
            double[][] s = qh.mmul(kh.transpose()).muli(1.0 / Math.sqrt(dh)).toDoubleMatrix();
            double[][] a = new double[t][t];
            for (int i = 0; i < t; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < t; j++) {
                    if (allowed(c, pad, i, j)) {
                        max = Math.max(max, s[i][j]);
                    }
                }
                double sum = 0;
                for (int j = 0; j < t; j++) {
                    a[i][j] = allowed(c, pad, i, j) ? Math.exp(s[i][j] - max) : 0.0;
                    sum += a[i][j];
                }
                for (int j = 0; j < t; j++) {
                    a[i][j] /= sum;
                }
            }
            ctx.get(NDArrayIndex.all(), NDArrayIndex.interval(h * dh, (h + 1) * dh))
                    .assign(Nd4j.createFromArray(a).mmul(vh));
        }
        return linear(ctx, p.get("Wo"), p.get("bo"));
    }

    static boolean allowed(RationalTransformerBlock c, double[] pad, int query, int key) {
        return pad[key] > 0 && (!c.isCausal() || key <= query);
    }

    static INDArray ffn(RationalTransformerBlock c, Map<String, INDArray> p, INDArray z) {
        INDArray h;
        if (c.getFeedForward() == FeedForward.GELU) {
            h = gelu(linear(z, p.get("W1"), p.get("b1")));
        } else if (c.getFeedForward() == FeedForward.SWIGLU) {
            INDArray g = linear(z, p.get("Wg"), p.get("bg"));
            INDArray sig = g.neg().dup();
            for (long i = 0; i < sig.length(); i++) {
                sig.putScalar(i, 1.0 / (1.0 + Math.exp(sig.getDouble(i))));
            }
            h = g.mul(sig).mul(linear(z, p.get("Wu"), p.get("bu")));
        } else {
            throw new IllegalArgumentException("reference covers GELU and SWIGLU only");
        }
        return linear(h, p.get("W2"), p.get("b2"));
    }

    static INDArray gelu(INDArray x) {
        INDArray y = x.dup();
        for (long i = 0; i < y.length(); i++) {
            double v = y.getDouble(i);
            y.putScalar(i, 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
        }
        return y;
    }

    /** The reference on a whole NCW batch [mb, d, T] with padding mask [mb, T] (or null). */
    static INDArray referenceBatch(MultiLayerNetwork net, INDArray x, INDArray mask) {
        RationalTransformerBlock c = (RationalTransformerBlock) net.getLayerWiseConfigurations().getConf(0).getLayer();
        Map<String, INDArray> p = net.getLayer(0).paramTable();
        INDArray out = Nd4j.zeros(DataType.DOUBLE, x.shape());
        for (int b = 0; b < x.size(0); b++) {
            INDArray xb = x.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all()).transpose().dup();
            double[] pad = mask == null ? ones((int) x.size(2)) : mask.getRow(b).toDoubleVector();
            out.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all())
                    .assign(reference(c, p, xb, pad).transpose());
        }
        return out;
    }

    static double[] ones(int n) {
        double[] o = new double[n];
        java.util.Arrays.fill(o, 1.0);
        return o;
    }

    static RationalTransformerBlock.Builder builder() {
        return new RationalTransformerBlock.Builder().heads(2).hidden(6);
    }

    @Test
    void swigluPreNormCausalMaskedEqualsReference() {
        MultiLayerNetwork net = net(builder().feedForward(FeedForward.SWIGLU).causal(true).build(), RNNFormat.NCW);
        INDArray x = BlockNets.input(RNNFormat.NCW, 3, 5, 1);
        INDArray mask = BlockNets.mask(3, 5, true);
        mask.putScalar(2, 4, 0.0);
        mask.putScalar(2, 3, 0.0);
        assertClose(referenceBatch(net, x, mask), blockOutput(net, x, mask), 1e-10, "SWIGLU PRE causal masked");
    }

    @Test
    void geluPostNormAndNoNormEqualReference() {
        for (Normalization n : new Normalization[]{Normalization.POST, Normalization.NONE}) {
            MultiLayerNetwork net = net(builder().feedForward(FeedForward.GELU).normalization(n).build(),
                    RNNFormat.NCW);
            INDArray x = BlockNets.input(RNNFormat.NCW, 2, 4, 2);
            assertClose(referenceBatch(net, x, null), blockOutput(net, x, null), 1e-10, "GELU " + n);
        }
    }

    @Test
    void nwcEqualsNcw() {
        RationalTransformerBlock.Builder b = builder().causal(true);
        MultiLayerNetwork ncw = net(b.build(), RNNFormat.NCW);
        MultiLayerNetwork nwc = net(b.build(), RNNFormat.NWC);
        nwc.setParams(ncw.params());
        INDArray x = BlockNets.input(RNNFormat.NCW, 2, 4, 3);
        INDArray mask = BlockNets.mask(2, 4, true);
        assertClose(blockOutput(ncw, x, mask).permute(0, 2, 1), blockOutput(nwc, x.permute(0, 2, 1).dup(), mask),
                1e-12, "NWC vs NCW");
    }

    @Test
    void variableLengthMinibatchOneAndCausalPrefix() {
        MultiLayerNetwork net = net(builder().causal(true).build(), RNNFormat.NCW);
        INDArray x5 = BlockNets.input(RNNFormat.NCW, 3, 5, 4);
        INDArray out5 = blockOutput(net, x5, null);
        // causal: the first 3 outputs depend on the first 3 inputs only
        INDArray x3 = x5.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 3)).dup();
        assertClose(out5.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 3)),
                blockOutput(net, x3, null), 1e-12, "causal prefix T=3 of T=5");
        // minibatch 1 gives the rows of the batch
        for (int b = 0; b < 3; b++) {
            INDArray xb = x5.get(NDArrayIndex.interval(b, b + 1), NDArrayIndex.all(), NDArrayIndex.all()).dup();
            assertClose(out5.get(NDArrayIndex.interval(b, b + 1), NDArrayIndex.all(), NDArrayIndex.all()),
                    blockOutput(net, xb, null), 1e-12, "minibatch 1, example " + b);
        }
        // training with varying T
        double before = net.score(new DataSet(x5, BlockNets.labels(RNNFormat.NCW, 3, 5, 5)));
        for (int i = 0; i < 5; i++) {
            net.fit(new DataSet(x3, BlockNets.labels(RNNFormat.NCW, 3, 3, 6)));
            net.fit(new DataSet(x5, BlockNets.labels(RNNFormat.NCW, 3, 5, 5)));
        }
        double after = net.score(new DataSet(x5, BlockNets.labels(RNNFormat.NCW, 3, 5, 5)));
        assertTrue(after < before, "score should drop when training on T=3 and T=5: " + before + " -> " + after);
    }

    @Test
    void jsonAndModelSerializerRoundTrips(@TempDir File dir) throws Exception {
        RationalTransformerBlock block = builder().feedForward(FeedForward.RATIONAL).normalization(Normalization.POST)
                .attention(Attention.RATIONAL).attentionDegrees(2, 3).causal(true).attentionDropout(0.1)
                .residualDropout(0.2).spec(RationalSpec.builder().degrees(4, 3).version(RationalVersion.C).build())
                .build();
        MultiLayerNetwork net = net(block, RNNFormat.NCW);
        String json = net.getLayerWiseConfigurations().toJson();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(net.getLayerWiseConfigurations(), back);
        RationalTransformerBlock b2 = (RationalTransformerBlock) back.getConf(0).getLayer();
        assertEquals(block.getSpec(), b2.getSpec());
        assertEquals(FeedForward.RATIONAL, b2.getFeedForward());
        assertEquals(Attention.RATIONAL, b2.getAttention());
        assertEquals(0.2, b2.getResidualDropout());

        File f = new File(dir, "block.zip");
        ModelSerializer.writeModel(net, f, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(f, true);
        INDArray x = BlockNets.input(RNNFormat.NCW, 2, 4, 7);
        assertEquals(net.params(), restored.params());
        assertClose(net.output(x), restored.output(x), 0.0, "restored output");
        restored.fit(new DataSet(x, BlockNets.labels(RNNFormat.NCW, 2, 4, 8)));
        assertTrue(Double.isFinite(restored.score()));
    }

    @Test
    void dropoutOnlyInTraining() {
        MultiLayerNetwork net = net(builder().attentionDropout(0.3).residualDropout(0.3).build(), RNNFormat.NCW);
        INDArray x = BlockNets.input(RNNFormat.NCW, 2, 4, 9);
        INDArray a = net.output(x, false);
        assertClose(a, net.output(x, false), 0.0, "inference is deterministic");
        Layer l = net.getLayer(0);
        INDArray t1 = l.activate(x, true, LayerWorkspaceMgr.noWorkspaces()).dup();
        INDArray i1 = l.activate(x, false, LayerWorkspaceMgr.noWorkspaces()).dup();
        assertFalse(t1.equalsWithEps(i1, 1e-6), "training output should differ with dropout");
        for (int i = 0; i < 3; i++) {
            net.fit(new DataSet(x, BlockNets.labels(RNNFormat.NCW, 2, 4, 10)));
        }
        assertTrue(Double.isFinite(net.score()));
    }

    @Test
    void rationalAttentionApproximatesSoftmax() {
        // no normalization and small inputs keep the scores inside the fit interval [-8, 0] after max subtraction
        RationalTransformerBlock rational = builder().attention(Attention.RATIONAL).attentionDegrees(4, 4)
                .normalization(Normalization.NONE).causal(true).build();
        RationalFunction r = rational.attentionInit();
        double worst = 0;
        for (double z = -8; z <= 0; z += 0.01) {
            double phi = r.value(z) * r.value(z);
            worst = Math.max(worst, Math.abs(phi - Math.exp(z)));
        }
        assertTrue(worst < 0.02, "R_a(z)^2 should approximate exp(z) on [-8, 0], worst error " + worst);

        MultiLayerNetwork soft = net(builder().normalization(Normalization.NONE).causal(true).build(), RNNFormat.NCW);
        MultiLayerNetwork rat = net(rational, RNNFormat.NCW);
        // same block weights; the attention rational gets its fitted initial coefficients back (net() perturbs them)
        for (Map.Entry<String, INDArray> e : soft.getLayer(0).paramTable().entrySet()) {
            rat.getLayer(0).setParam(e.getKey(), e.getValue());
        }
        rat.getLayer(0).setParam(RationalTransformerBlock.ATTN_NUMERATOR,
                Nd4j.createFromArray(r.numerator()).reshape(1, r.numerator().length));
        rat.getLayer(0).setParam(RationalTransformerBlock.ATTN_DENOMINATOR,
                Nd4j.createFromArray(r.denominator()).reshape(1, r.denominator().length));
        INDArray x = BlockNets.input(RNNFormat.NCW, 2, 4, 11).muli(0.5);
        INDArray mask = BlockNets.mask(2, 4, true);
        double diff = blockOutput(soft, x, mask).sub(blockOutput(rat, x, mask)).amaxNumber().doubleValue();
        assertTrue(diff < 0.02, "RATIONAL attention at init should be close to SOFTMAX, difference " + diff);
    }

    @Test
    void builderValidation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RationalTransformerBlock.Builder().dModel(6).heads(4).build());
        assertTrue(e.getMessage().contains("dModel must be divisible by heads") && e.getMessage().contains("6"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RationalTransformerBlock.Builder().heads(0).build());
        assertTrue(e.getMessage().contains("heads must be in [1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new RationalTransformerBlock.Builder().hidden(-1).build());
        assertTrue(e.getMessage().contains("hidden width must be in [1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new RationalTransformerBlock.Builder().residualDropout(1.0).build());
        assertTrue(e.getMessage().contains("residual dropout") && e.getMessage().contains("[0, 1)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new RationalTransformerBlock.Builder().attentionDegrees(2, 0).build());
        e = assertThrows(IllegalArgumentException.class, () -> new RationalTransformerBlock.Builder()
                .spec(RationalSpec.builder().version(RationalVersion.D).noise(0.1).build()).build());
        assertTrue(e.getMessage().contains("noise"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RationalTransformerBlock.Builder().dModel(4)
                .build().getOutputType(0, InputType.recurrent(5)));
        assertTrue(e.getMessage().contains("dModel = 4"), e.getMessage());
    }
}
