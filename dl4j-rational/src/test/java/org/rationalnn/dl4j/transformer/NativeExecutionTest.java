package org.rationalnn.dl4j.transformer;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.rational.TargetFunction;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock.Attention;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock.Execution;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock.FeedForward;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock.Normalization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The NATIVE execution of {@link RationalTransformerBlock} against the SAMEDIFF execution (the reference): outputs,
 * scores, every parameter gradient of the network and the input gradient agree on random configurations covering
 * every feed-forward kind × normalization × attention, with causal masking, padding masks, NCW/NWC, CHANNEL sharing,
 * dropout, MultiLayerNetwork and ComputationGraph drawn at random (the seed is printed and fixed). Also: the
 * backward pass without a current forward pass (recomputed), workspaces on and off, and the execution setting in
 * JSON.
 */
class NativeExecutionTest {
    private static final Logger log = LoggerFactory.getLogger(NativeExecutionTest.class);
    static final long SEED = 20261207L;
    static final double TOL = 1e-9;

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /** One random configuration per (feed-forward kind, normalization, attention). */
    static Stream<Arguments> cases() {
        Random r = new Random(SEED);
        log.info("NativeExecutionTest: random configurations from seed {}", SEED);
        List<Arguments> out = new ArrayList<>();
        for (FeedForward f : FeedForward.values()) {
            for (Normalization n : Normalization.values()) {
                for (Attention a : Attention.values()) {
                    out.add(Arguments.of(f, n, a, r.nextBoolean(), r.nextBoolean(),
                            r.nextBoolean() ? RNNFormat.NCW : RNNFormat.NWC, r.nextBoolean(), r.nextInt(4) == 0,
                            r.nextInt(3) == 0));
                }
            }
        }
        // every random switch takes both values somewhere
        for (int i = 3; i < 9; i++) {
            final int k = i;
            assertEquals(2, out.stream().map(a -> a.get()[k]).distinct().count(), "argument " + k + " varies");
        }
        return out.stream();
    }

    static RationalTransformerBlock.Builder block(FeedForward f, Normalization n, Attention a, boolean causal,
                                                  boolean channel, boolean dropout) {
        RationalSpec spec = RationalSpec.builder().degrees(3, 2).init(TargetFunction.SILU)
                .sharing(channel ? Sharing.CHANNEL : Sharing.LAYER).build();
        RationalTransformerBlock.Builder b = new RationalTransformerBlock.Builder().heads(2).hidden(6).feedForward(f)
                .normalization(n).attention(a).causal(causal).spec(spec).attentionDegrees(2, 2);
        if (dropout) {
            b.attentionDropout(0.2).residualDropout(0.3);
        }
        return b;
    }

    @ParameterizedTest(name = "{0} {1} {2} causal={3} mask={4} {5} graph={6} dropout={7} channel={8}")
    @MethodSource("cases")
    void nativeEqualsSameDiff(FeedForward f, Normalization n, Attention a, boolean causal, boolean masked,
                              RNNFormat format, boolean graph, boolean dropout, boolean channel) {
        String what = f + " " + n + " " + a + " causal=" + causal + " mask=" + masked + " " + format + " graph="
                + graph + " dropout=" + dropout + " channel=" + channel + " (seed " + SEED + ")";
        RationalTransformerBlock.Builder b = block(f, n, a, causal, channel, dropout);
        Net reference = new Net(graph, format, b.execution(Execution.SAMEDIFF).build(),
                b.execution(Execution.SAMEDIFF).build());
        Net fast = new Net(graph, format, b.execution(Execution.NATIVE).build(), b.execution(Execution.NATIVE).build());
        BlockNets.perturb(reference.paramTable());
        fast.params().assign(reference.params());
        int mb = 3;
        int t = 5;
        INDArray x = BlockNets.input(format, mb, t, 21);
        INDArray y = BlockNets.labels(format, mb, t, 22);
        INDArray mask = masked ? BlockNets.mask(mb, t, true) : null;
        if (masked) {
            mask.putScalar(0, 0, 0.0);   // a padded first step too
        }
        INDArray refOut = reference.output(x, mask);
        INDArray fastOut = fast.output(x, mask);
        assertTrue(finite(refOut) && finite(fastOut), what + ": non-finite output, SAMEDIFF " + refOut
                + ", NATIVE " + fastOut);
        RationalTransformerBlockTest.assertClose(refOut, fastOut, TOL, what + ": output");
        Nd4j.getRandom().setSeed(99);
        double refScore = reference.gradient(x, y, mask);
        Map<String, INDArray> refGrad = reference.gradientTable();
        Nd4j.getRandom().setSeed(99);
        double fastScore = fast.gradient(x, y, mask);
        Map<String, INDArray> fastGrad = fast.gradientTable();
        assertEquals(refScore, fastScore, TOL * Math.max(1, Math.abs(refScore)), what + ": score");
        assertGradientsClose(refGrad, fastGrad, what);
    }

    static boolean finite(INDArray a) {
        return Double.isFinite(a.sumNumber().doubleValue());
    }

    /** Every parameter gradient, by name, within TOL relative to the largest gradient of that parameter. */
    static void assertGradientsClose(Map<String, INDArray> expected, Map<String, INDArray> got, String what) {
        for (Map.Entry<String, INDArray> e : expected.entrySet()) {
            INDArray ex = e.getValue();
            INDArray ac = got.get(e.getKey());
            double scale = Math.max(1e-3, ex.amaxNumber().doubleValue());
            double diff = ex.sub(ac).amaxNumber().doubleValue();
            assertTrue(diff <= TOL * scale, what + ": gradient of " + e.getKey() + " differs by " + diff
                    + " (largest " + scale + ")");
        }
    }

    /** A network (MLN or CG) of BlockNets' shape around two blocks, gradients by parameter name. */
    static final class Net {
        final MultiLayerNetwork mln;
        final ComputationGraph cg;

        Net(boolean graph, RNNFormat format, RationalTransformerBlock first, RationalTransformerBlock second) {
            mln = graph ? null : BlockNets.mln(format, first, second);
            cg = graph ? BlockNets.graph(format, first, second) : null;
        }

        INDArray params() {
            return mln != null ? mln.params() : cg.params();
        }

        Map<String, INDArray> paramTable() {
            return mln != null ? mln.paramTable() : cg.paramTable();
        }

        INDArray output(INDArray x, INDArray mask) {
            if (mln != null) {
                return mln.output(x, false, mask, mask);
            }
            return cg.output(false, new INDArray[]{x}, mask == null ? null : new INDArray[]{mask},
                    mask == null ? null : new INDArray[]{mask})[0];
        }

        double gradient(INDArray x, INDArray y, INDArray mask) {
            if (mln != null) {
                mln.setInput(x);
                mln.setLabels(y);
                mln.setLayerMaskArrays(mask, mask);
                mln.computeGradientAndScore();
                return mln.score();
            }
            cg.setInputs(x);
            cg.setLabels(y);
            cg.setLayerMaskArrays(mask == null ? null : new INDArray[]{mask},
                    mask == null ? null : new INDArray[]{mask});
            cg.computeGradientAndScore();
            return cg.score();
        }

        /** The gradient of every parameter by DL4J's "layer_param" name, copied. */
        Map<String, INDArray> gradientTable() {
            Gradient g = mln != null ? mln.gradient() : cg.gradient();
            Map<String, INDArray> out = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, INDArray> e : g.gradientForVariable().entrySet()) {
                out.put(e.getKey(), e.getValue().dup());
            }
            assertEquals(paramTable().keySet(), out.keySet(), "a gradient for every parameter");
            return out;
        }
    }

    /**
     * Float32: the NATIVE execution (with its fused float32 loops on the CPU) against SAMEDIFF in float32, every
     * feed-forward kind, both attentions, causal and padded, MLN; tolerance for float32 rounding.
     */
    @Test
    void float32NativeMatchesSameDiff() {
        for (FeedForward f : FeedForward.values()) {
            for (Attention a : Attention.values()) {
                String what = "float32 " + f + " " + a;
                RationalTransformerBlock.Builder b = block(f, Normalization.PRE, a, true, f == FeedForward.RATIONAL,
                        false);
                MultiLayerNetwork ref = floatNet(b.execution(Execution.SAMEDIFF).build());
                MultiLayerNetwork fast = floatNet(b.execution(Execution.NATIVE).build());
                BlockNets.perturb(ref.paramTable());
                fast.setParams(ref.params());
                INDArray x = BlockNets.input(RNNFormat.NCW, 3, 6, 41).castTo(DataType.FLOAT);
                INDArray y = BlockNets.labels(RNNFormat.NCW, 3, 6, 42).castTo(DataType.FLOAT);
                INDArray mask = BlockNets.mask(3, 6, true).castTo(DataType.FLOAT);
                Map<String, INDArray>[] grads = new Map[2];
                double[] scores = new double[2];
                MultiLayerNetwork[] nets = {ref, fast};
                for (int i = 0; i < 2; i++) {
                    nets[i].setInput(x);
                    nets[i].setLabels(y);
                    nets[i].setLayerMaskArrays(mask, mask);
                    nets[i].computeGradientAndScore();
                    scores[i] = nets[i].score();
                    grads[i] = new java.util.LinkedHashMap<>();
                    for (Map.Entry<String, INDArray> e : nets[i].gradient().gradientForVariable().entrySet()) {
                        grads[i].put(e.getKey(), e.getValue().castTo(DataType.DOUBLE));
                    }
                }
                RationalTransformerBlockTest.assertClose(ref.output(x, false, mask, mask).castTo(DataType.DOUBLE),
                        fast.output(x, false, mask, mask).castTo(DataType.DOUBLE), 1e-5, what + ": output");
                assertEquals(scores[0], scores[1], 1e-5 * Math.max(1, Math.abs(scores[0])), what + ": score");
                for (Map.Entry<String, INDArray> e : grads[0].entrySet()) {
                    double scale = Math.max(1e-2, e.getValue().amaxNumber().doubleValue());
                    double diff = e.getValue().sub(grads[1].get(e.getKey())).amaxNumber().doubleValue();
                    assertTrue(diff <= 1e-4 * scale, what + ": gradient of " + e.getKey() + " differs by " + diff
                            + " (largest " + scale + ")");
                }
            }
        }
    }

    static MultiLayerNetwork floatNet(RationalTransformerBlock block) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(12345).dataType(DataType.FLOAT)
                .updater(new NoOp()).list().layer(BlockNets.before()).layer(block).layer(BlockNets.output())
                .setInputType(InputType.recurrent(BlockNets.D, RNNFormat.NCW)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** The backward pass without a current training forward pass recomputes it, with the same result. */
    @Test
    void backwardWithoutCurrentForwardRecomputes() {
        for (Attention a : Attention.values()) {
            MultiLayerNetwork net = BlockNets.mln(RNNFormat.NCW, block(FeedForward.RATIONAL_GLU, Normalization.PRE, a,
                    true, false, false).build());
            BlockNets.perturb(net.paramTable());
            Layer l = net.getLayer(1);
            INDArray x = Nd4j.randn(DataType.DOUBLE, 2, BlockNets.D, 4);
            INDArray eps = Nd4j.randn(DataType.DOUBLE, 2, BlockNets.D, 4);
            LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
            l.activate(x, true, ws);
            Pair<Gradient, INDArray> cached = l.backpropGradient(eps, ws);
            INDArray g1 = l.getGradientsViewArray().dup();
            INDArray dx1 = cached.getSecond().dup();
            l.activate(x, false, ws);                       // inference: nothing kept
            Pair<Gradient, INDArray> recomputed = l.backpropGradient(eps, ws);
            RationalTransformerBlockTest.assertClose(g1, l.getGradientsViewArray(), 0.0, a + ": parameter gradients");
            RationalTransformerBlockTest.assertClose(dx1, recomputed.getSecond(), 0.0, a + ": input gradient");
        }
    }

    /** Training with DL4J's workspaces on and off gives the same parameters (the cache lives in ACTIVATIONS). */
    @Test
    void workspacesOnAndOffTrainAlike() {
        INDArray[] params = new INDArray[2];
        WorkspaceMode[] modes = {WorkspaceMode.ENABLED, WorkspaceMode.NONE};
        for (int i = 0; i < 2; i++) {
            MultiLayerConfiguration conf = BlockNets.base(new Adam(1e-2)).list()
                    .layer(block(FeedForward.RATIONAL, Normalization.POST, Attention.RATIONAL, true, true, false)
                            .build())
                    .layer(block(FeedForward.SWIGLU, Normalization.PRE, Attention.SOFTMAX, false, false, false)
                            .build())
                    .layer(BlockNets.output()).setInputType(InputType.recurrent(BlockNets.D, RNNFormat.NWC)).build();
            conf.setTrainingWorkspaceMode(modes[i]);
            conf.setInferenceWorkspaceMode(modes[i]);
            MultiLayerNetwork net = new MultiLayerNetwork(conf);
            net.init();
            INDArray x = BlockNets.input(RNNFormat.NWC, 3, 5, 31);
            INDArray y = BlockNets.labels(RNNFormat.NWC, 3, 5, 32);
            INDArray mask = BlockNets.mask(3, 5, true);
            for (int s = 0; s < 4; s++) {
                net.fit(new DataSet(x, y, mask, mask));
            }
            params[i] = net.params().dup();
        }
        RationalTransformerBlockTest.assertClose(params[0], params[1], 1e-12, "workspaces on vs off");
    }

    /** The execution survives JSON; a configuration written without it (release 0.1.0) reads as NATIVE. */
    @Test
    void executionInJson() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().updater(new NoOp()).graphBuilder()
                .addInputs("in").setInputTypes(InputType.recurrent(BlockNets.D))
                .addLayer("b", new RationalTransformerBlock.Builder().execution(Execution.SAMEDIFF).build(), "in")
                .setOutputs("b").build();
        String json = conf.toJson();
        assertTrue(json.contains("\"execution\" : \"SAMEDIFF\""), json);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(conf, back);
        RationalTransformerBlock b = (RationalTransformerBlock) ((org.deeplearning4j.nn.conf.graph.LayerVertex)
                back.getVertices().get("b")).getLayerConf().getLayer();
        assertEquals(Execution.SAMEDIFF, b.getExecution());
        String old = json.replace("\"execution\" : \"SAMEDIFF\",", "");
        assertTrue(!old.contains("execution"), "the field is gone from the old-style JSON");
        RationalTransformerBlock o = (RationalTransformerBlock) ((org.deeplearning4j.nn.conf.graph.LayerVertex)
                ComputationGraphConfiguration.fromJson(old).getVertices().get("b")).getLayerConf().getLayer();
        assertEquals(Execution.NATIVE, o.getExecution());
        assertEquals(Execution.NATIVE, new RationalTransformerBlock.Builder().build().getExecution(), "default");
    }
}
