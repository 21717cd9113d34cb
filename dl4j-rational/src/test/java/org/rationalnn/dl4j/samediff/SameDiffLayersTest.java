package org.rationalnn.dl4j.samediff;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.rationalnn.dl4j.layers.InputKind;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.rational.TargetFunction;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Configuration, serialization, workspaces, changing shapes, training recipe and validation of {@link RationalDense}
 * and {@link RationalVertex}.
 */
@ExtendWith(SingleThreadedNd4j.class)
class SameDiffLayersTest {


    static RationalSpec groupSpec() {
        return RationalSpec.builder().degrees(4, 3).version(RationalVersion.D).noise(0.05).groups(2)
                .init(TargetFunction.GELU).fitInterval(-2, 2).build();
    }

    static RationalDense dense(RationalSpec spec) {
        return new RationalDense.Builder().nOut(InputKind.HIDDEN).spec(spec).build();
    }

    static RationalVertex vertex(RationalSpec spec) {
        return new RationalVertex.Builder().spec(spec).build();
    }

    // ------------------------------------------------------------------ serialization

    @Test
    void jsonAndYamlRoundTrips() {
        RationalDense d = new RationalDense.Builder().nOut(4).spec(groupSpec()).name("rd").l2(1e-3)
                .coefficientRegularization(new L2Regularization(1e-4)).coefficientUpdater(new Adam(5e-4))
                .hasBias(false).biasInit(0.5).weightInit(WeightInit.RELU)
                .execution(RationalDense.Execution.SAMEDIFF).build();
        for (InputKind kind : new InputKind[]{InputKind.FF, InputKind.RNN_NWC}) {
            MultiLayerConfiguration conf = SdNets.mln(kind, new Adam(1e-3), d.clone()).getLayerWiseConfigurations();
            MultiLayerConfiguration fromJson = MultiLayerConfiguration.fromJson(conf.toJson());
            assertEquals(conf, fromJson);
            assertEquals(conf, MultiLayerConfiguration.fromYaml(conf.toYaml()));
            RationalDense restored = (RationalDense) fromJson.getConf(1).getLayer();
            assertEquals(groupSpec(), restored.getSpec());
            assertEquals(new Adam(5e-4), restored.getCoefficientUpdater());
            assertEquals(kind == InputKind.FF ? RNNFormat.NCW : RNNFormat.NWC, restored.getRnnDataFormat());
            assertEquals(InputKind.HIDDEN, restored.getNIn());
            assertFalse(restored.isHasBias());
            assertEquals(RationalDense.Execution.SAMEDIFF, restored.getExecution());
        }
        // configurations written before the execution setting existed load with the default
        String json = SdNets.mln(InputKind.FF, new Adam(1e-3), dense(groupSpec())).getLayerWiseConfigurations()
                .toJson().replaceAll(",\\s*\"execution\"\\s*:\\s*\"FUSED\"", "");
        assertFalse(json.contains("execution"), json);
        assertEquals(RationalDense.Execution.FUSED,
                ((RationalDense) MultiLayerConfiguration.fromJson(json).getConf(1).getLayer()).getExecution());

        RationalVertex v = new RationalVertex.Builder().spec(groupSpec()).coefficientL2(1e-3).updater(new Sgd(0.1)).build();
        ComputationGraphConfiguration conf = SdNets.graphOfVertices(InputKind.CNN_NHWC, new Adam(1e-3), v)
                .getConfiguration();
        ComputationGraphConfiguration fromJson = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf, fromJson);
        assertEquals(conf, ComputationGraphConfiguration.fromYaml(conf.toYaml()));
        RationalVertex rv = (RationalVertex) fromJson.getVertices().get("v0");
        assertEquals(v, rv);
        assertEquals(InputKind.HIDDEN, rv.getNIn());
        assertEquals(org.deeplearning4j.nn.conf.CNN2DFormat.NHWC, rv.getCnn2dDataFormat());
        assertEquals(v, v.clone());
        assertEquals(v.hashCode(), v.clone().hashCode());
    }

    @Test
    void modelSerializerRoundTripsAndTrainingContinues(@TempDir Path dir) throws IOException {
        RationalSpec spec = SdNets.spec(RationalVersion.B, 3, 2, Sharing.CHANNEL);
        InputKind kind = InputKind.RNN_NCW;
        MultiLayerNetwork net = SdNets.mln(kind, new Adam(1e-2), dense(spec), dense(spec));
        DataSet ds = new DataSet(kind.input(4, 3), kind.labels(4, 3));
        for (int i = 0; i < 3; i++) {
            net.fit(ds);
        }
        File file = dir.resolve("mln.zip").toFile();
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertEquals(net.getLayerWiseConfigurations(), restored.getLayerWiseConfigurations());
        assertEquals(net.params(), restored.params());
        assertEquals(net.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
        assertEquals(net.output(ds.getFeatures()), restored.output(ds.getFeatures()));
        double before = restored.score(ds);
        net.fit(ds);
        restored.fit(ds);
        assertEquals(net.params(), restored.params(), "restored model trains exactly like the original");
        assertTrue(restored.score(ds) < before, "restored network keeps training");

        InputKind cnn = InputKind.CNN_NHWC;
        ComputationGraph g = SdNets.graphOfVertices(cnn, new Adam(1e-2), vertex(spec), vertex(spec));
        DataSet cds = new DataSet(cnn.input(4, 5), cnn.labels(4, 5));
        g.fit(cds);
        File gFile = dir.resolve("cg.zip").toFile();
        ModelSerializer.writeModel(g, gFile, true);
        ComputationGraph gRestored = ModelSerializer.restoreComputationGraph(gFile, true);
        assertEquals(g.getConfiguration(), gRestored.getConfiguration());
        assertEquals(g.params(), gRestored.params());
        assertEquals(g.outputSingle(cds.getFeatures()), gRestored.outputSingle(cds.getFeatures()));
        double gBefore = gRestored.score(cds);
        for (int i = 0; i < 3; i++) {
            gRestored.fit(cds);
        }
        assertTrue(gRestored.score(cds) < gBefore, "restored graph keeps training");
    }

    @Test
    void workspaceModesGiveIdenticalTraining() {
        RationalSpec spec = SdNets.spec(RationalVersion.A, 3, 2, Sharing.GROUP);
        InputKind kind = InputKind.RNN_NWC;
        DataSet ds = new DataSet(kind.input(3, 9), kind.labels(3, 9), kind.mask(3), kind.mask(3));
        INDArray[] mlnParams = new INDArray[2];
        INDArray[] cgParams = new INDArray[2];
        int i = 0;
        for (WorkspaceMode mode : new WorkspaceMode[]{WorkspaceMode.ENABLED, WorkspaceMode.NONE}) {
            MultiLayerNetwork net = new MultiLayerNetwork(SdNets.base(new Adam(1e-2)).trainingWorkspaceMode(mode)
                    .inferenceWorkspaceMode(mode).list().layer(dense(spec)).layer(dense(spec)).layer(kind.output())
                    .setInputType(kind.inputType()).build());
            net.init();
            ComputationGraph g = new ComputationGraph(SdNets.base(new Adam(1e-2)).trainingWorkspaceMode(mode)
                    .inferenceWorkspaceMode(mode).graphBuilder().addInputs("in").setInputTypes(kind.inputType())
                    .addLayer("d", dense(spec), "in").addVertex("v", vertex(spec), "d")
                    .addLayer("out", kind.output(), "v").setOutputs("out").build());
            g.init();
            for (int k = 0; k < 3; k++) {
                net.fit(ds);
                g.fit(ds);
            }
            assertEquals(net.output(ds.getFeatures()), net.output(ds.getFeatures()));
            mlnParams[i] = net.params().dup();
            cgParams[i] = g.params().dup();
            i++;
        }
        Reference.assertClose(mlnParams[0], mlnParams[1], 1e-12, "MLN ENABLED vs NONE");
        Reference.assertClose(cgParams[0], cgParams[1], 1e-12, "CG ENABLED vs NONE");
    }

    @Test
    void minibatchAndSequenceLengthMayChange() {
        RationalSpec spec = SdNets.spec(RationalVersion.B, 3, 2, Sharing.CHANNEL);
        for (InputKind kind : new InputKind[]{InputKind.FF, InputKind.RNN_NCW, InputKind.RNN_NWC}) {
            MultiLayerNetwork net = SdNets.mln(kind, new Adam(1e-2), dense(spec));
            ComputationGraph g = SdNets.graphOfVertices(kind, new Adam(1e-2), vertex(spec));
            net.fit(new DataSet(kind.input(8, 1), kind.labels(8, 1)));
            g.fit(new DataSet(kind.input(8, 1), kind.labels(8, 1)));
            for (int mb : new int[]{1, 3}) {
                INDArray x = kind.input(mb, 2);
                if (kind.isRnn()) {
                    x = withLength(x, kind, 7);
                }
                INDArray out = net.output(x);
                assertEquals(mb, out.size(0));
                INDArray gOut = g.outputSingle(x);
                assertEquals(mb, gOut.size(0));
                if (kind.isRnn()) {
                    assertEquals(7, out.size(kind == InputKind.RNN_NCW ? 2 : 1));
                    assertEquals(7, gOut.size(kind == InputKind.RNN_NCW ? 2 : 1));
                }
                // each example is computed independently of the others
                INDArray single = net.output(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)));
                Reference.assertClose(single, out.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)), 1e-12,
                        kind + " example 0");
            }
            // and training continues with a new sequence length
            if (kind.isRnn()) {
                INDArray x = withLength(kind.input(2, 4), kind, 5);
                INDArray y = Nd4j.randn(DataType.DOUBLE, kind == InputKind.RNN_NCW ? new long[]{2, InputKind.N_OUT, 5}
                        : new long[]{2, 5, InputKind.N_OUT});
                net.fit(new DataSet(x, y));
                g.fit(new DataSet(x, y));
            }
        }
    }

    private static INDArray withLength(INDArray x, InputKind kind, int t) {
        long[] s = x.shape().clone();
        s[kind == InputKind.RNN_NCW ? 2 : 1] = t;
        return Nd4j.randn(DataType.DOUBLE, s);
    }

    // ------------------------------------------------------------------ recipe and behaviour

    @Test
    void parametersStartFromTheFitAndTheWeightInit() {
        RationalSpec spec = RationalSpec.builder().degrees(3, 2).version(RationalVersion.A).sharing(Sharing.CHANNEL)
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1)
                .dataType(DataType.DOUBLE).biasInit(0.25).list()
                .layer(new RationalDense.Builder().nIn(3).nOut(5).spec(spec).build())
                .layer(new RationalDense.Builder().nIn(5).nOut(4).spec(spec).biasInit(-1).weightInit(WeightInit.ZERO)
                        .build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(1)
                        .activation(Activation.IDENTITY).build()).build());
        net.init();
        RationalFunction f = spec.initialFunction();
        INDArray num = net.getParam("0_numerator");
        assertArrayEquals(new long[]{5, 4}, num.shape());
        assertArrayEquals(new long[]{5, 2}, net.getParam("0_denominator").shape());
        for (int s = 0; s < 5; s++) {
            assertArrayEquals(f.numerator(), num.getRow(s).toDoubleVector(), 0.0);
            assertArrayEquals(f.denominator(), net.getParam("0_denominator").getRow(s).toDoubleVector(), 0.0);
        }
        assertArrayEquals(new long[]{3, 5}, net.getParam("0_W").shape());
        assertTrue(net.getParam("0_W").norm2Number().doubleValue() > 0, "Xavier (network default)");
        assertEquals(Nd4j.valueArrayOf(new long[]{1, 5}, 0.25), net.getParam("0_b"), "network bias init");
        assertEquals(0.0, net.getParam("1_W").norm2Number().doubleValue(), "layer weight init");
        assertEquals(Nd4j.valueArrayOf(new long[]{1, 4}, -1.0), net.getParam("1_b"), "layer bias init");
        assertEquals(java.util.List.of("W", "b", "numerator", "denominator"),
                new java.util.ArrayList<>(net.getLayer(0).paramTable().keySet()));

        // setParam assigns (DL4J's own SameDiff runtime silently ignores it)
        INDArray w = Nd4j.rand(DataType.DOUBLE, 3, 5);
        net.setParam("0_W", w);
        assertEquals(w, net.getParam("0_W"));
    }

    @Test
    void globalRegularizationSkipsCoefficients() {
        MultiLayerNetwork net = SdNets.mln(InputKind.FF, new Adam(0.1), new RationalDense.Builder()
                .nOut(InputKind.HIDDEN).coefficientRegularization(new L2Regularization(0.25))
                .coefficientUpdater(new Sgd(0.05)).build());
        RationalDense conf = (RationalDense) net.getLayer(1).conf().getLayer();
        assertEquals(2, conf.getRegularizationByParam("W").size(), "global l1 and l2 on W");
        assertTrue(conf.getRegularizationByParam("b").isEmpty());
        assertEquals(java.util.List.of(new L2Regularization(0.25)), conf.getRegularizationByParam("numerator"));
        assertEquals(new Sgd(0.05), conf.getUpdaterByParam("denominator"));
        assertEquals(new Adam(0.1), conf.getUpdaterByParam("W"));
        assertTrue(net.getLayer(1).calcRegularizationScore(true) > 0);

        ComputationGraph g = SdNets.graphOfVertices(InputKind.FF, new Adam(0.1), vertex(RationalSpec.defaults()));
        RationalVertex v = (RationalVertex) g.getConfiguration().getVertices().get("v0");
        assertTrue(v.getRegularizationByParam("numerator").isEmpty(), "global l1/l2 do not apply to coefficients");
        assertEquals(new Adam(0.1), v.getUpdaterByParam("numerator"));
        RationalVertex own = new RationalVertex.Builder().coefficientL2(0.5).coefficientWeightDecay(0.1).updater(new Sgd(0.2)).build();
        assertEquals(2, own.getRegularizationByParam("numerator").size());
        assertEquals(new Sgd(0.2), own.getUpdaterByParam("denominator"));
    }

    @Test
    void versionDAddsNoiseOnlyInTraining() {
        RationalSpec d = RationalSpec.builder().version(RationalVersion.D).noise(0.1).sharing(Sharing.CHANNEL).build();
        RationalSpec b = d.toBuilder().version(RationalVersion.B).build();
        MultiLayerNetwork netD = SdNets.mln(InputKind.FF, new Adam(1e-2), dense(d));
        MultiLayerNetwork netB = SdNets.mln(InputKind.FF, new Adam(1e-2), dense(b));
        netB.setParams(netD.params());
        INDArray x = InputKind.FF.input(4, 9);
        INDArray inferD = netD.output(x, false);
        assertEquals(netB.output(x, false), inferD, "D equals B at inference");
        INDArray train1 = netD.output(x, true);
        INDArray train2 = netD.output(x, true);
        assertNotEquals(inferD, train1, "noise in training");
        assertNotEquals(train1, train2, "fresh noise per pass");
        assertEquals(inferD, netD.output(x, false), "deterministic at inference");

        ComputationGraph gD = SdNets.graphOfVertices(InputKind.CNN_NCHW, new Adam(1e-2), vertex(d));
        INDArray xc = InputKind.CNN_NCHW.input(2, 3);
        assertNotEquals(gD.output(true, xc)[0], gD.output(true, xc)[0], "vertex: fresh noise per pass");
        assertEquals(gD.output(false, xc)[0], gD.output(false, xc)[0], "vertex: deterministic at inference");

        DataSet ds = new DataSet(x, InputKind.FF.labels(4, 9));
        double before = netD.score(ds);
        INDArray num0 = netD.getParam("1_numerator").dup();
        for (int i = 0; i < 20; i++) {
            netD.fit(ds);
        }
        assertTrue(netD.score(ds) < before, "trains with D noise");
        assertNotEquals(num0, netD.getParam("1_numerator"), "coefficients are trained");
    }

    /**
     * The two executions with version D's noise: drawing the same noise (same seed), forward pass, score and every
     * gradient agree, and the fused runtime's kept pre-activation follows a change of input.
     */
    @Test
    void fusedAndSameDiffExecutionsAgreeWithNoise() {
        RationalSpec d = RationalSpec.builder().degrees(4, 3).version(RationalVersion.D).noise(0.1)
                .sharing(Sharing.CHANNEL).build();
        MultiLayerNetwork fused = SdNets.mln(InputKind.RNN_NCW, new Adam(1e-2),
                new RationalDense.Builder().nOut(InputKind.HIDDEN).spec(d).execution(RationalDense.Execution.FUSED)
                        .build());
        MultiLayerNetwork graph = SdNets.mln(InputKind.RNN_NCW, new Adam(1e-2),
                new RationalDense.Builder().nOut(InputKind.HIDDEN).spec(d).execution(RationalDense.Execution.SAMEDIFF)
                        .build());
        graph.setParams(fused.params());
        for (int mb : new int[]{3, 2}) {
            INDArray x = InputKind.RNN_NCW.input(mb, 21 + mb);
            INDArray y = InputKind.RNN_NCW.labels(mb, 31 + mb);
            for (MultiLayerNetwork net : new MultiLayerNetwork[]{fused, graph}) {
                net.setInput(x);
                net.setLabels(y);
                Nd4j.getRandom().setSeed(777);
                net.computeGradientAndScore();
            }
            assertEquals(graph.score(), fused.score(), 1e-10 * Math.abs(graph.score()));
            INDArray gf = fused.gradient().gradient();
            INDArray gg = graph.gradient().gradient();
            assertTrue(gf.sub(gg).norm2Number().doubleValue() <= 1e-9 * gg.norm2Number().doubleValue(),
                    "mb " + mb + ": " + gf + " vs " + gg);
            assertEquals(graph.output(x, false), fused.output(x, false));
        }
    }

    @Test
    void masksPassThrough() {
        InputKind kind = InputKind.RNN_NCW;
        MultiLayerNetwork net = SdNets.mln(kind, new Adam(1e-2), dense(RationalSpec.defaults()));
        INDArray mask = kind.mask(3);
        Pair<INDArray, MaskState> p = net.getLayer(1).feedForwardMaskArray(mask, MaskState.Active, 3);
        assertEquals(mask, p.getFirst());
        assertEquals(MaskState.Active, p.getSecond());
        Pair<INDArray, MaskState> pv = vertex(RationalSpec.defaults()).feedForwardMaskArrays(new INDArray[]{mask},
                MaskState.Active, 3);
        assertEquals(mask, pv.getFirst());
    }

    @Test
    void outputTypes() {
        RationalDense d = new RationalDense.Builder().nOut(7).build();
        assertEquals(InputType.feedForward(7), d.getOutputType(0, InputType.feedForward(3)));
        assertEquals(InputType.recurrent(7, 5, RNNFormat.NWC),
                d.getOutputType(0, InputType.recurrent(3, 5, RNNFormat.NWC)));
        assertEquals(org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor.class,
                d.getPreProcessorForInputType(InputType.convolutional(2, 2, 3)).getClass());
        RationalVertex v = vertex(RationalSpec.defaults());
        for (InputKind k : InputKind.values()) {
            assertEquals(k.inputType(), v.getOutputType(0, k.inputType()));
        }
        assertThrows(org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException.class,
                () -> v.getOutputType(0, InputType.convolutional3D(2, 2, 2, 3)));
    }

    @Test
    void learnsNonlinearTarget() {
        // y = |x| - 0.5 + 0.3 sin(4x) on [-1, 1]; 1 -> RationalDense(8) -> RationalDense(8) -> 1 (the first layer has
        // nIn = 1, the broadcast-product path)
        int n = 64;
        INDArray x = Nd4j.linspace(-1, 1, n, DataType.DOUBLE).reshape(n, 1);
        INDArray y = Nd4j.create(DataType.DOUBLE, n, 1);
        for (int i = 0; i < n; i++) {
            double v = x.getDouble(i, 0);
            y.putScalar(i, 0, Math.abs(v) - 0.5 + 0.3 * Math.sin(4 * v));
        }
        RationalSpec spec = RationalSpec.builder().degrees(3, 2).init(TargetFunction.RELU).build();
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7)
                .dataType(DataType.DOUBLE).updater(new Adam(1e-2)).list()
                .layer(new RationalDense.Builder().nOut(8).spec(spec).build())
                .layer(new RationalDense.Builder().nOut(8).spec(spec).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(1)).build());
        net.init();
        DataSet ds = new DataSet(x, y);
        double initial = net.score(ds);
        for (int i = 0; i < 100; i++) {
            net.fit(ds);
        }
        double mse = net.score(ds);
        assertTrue(mse < 0.1 * initial, "MSE after 100 Adam steps: " + mse + " (initial " + initial + ")");
    }

    @Test
    void floatPrecisionMatchesNativeLayers() {
        RationalSpec spec = SdNets.spec(RationalVersion.B, 5, 4, Sharing.LAYER);
        MultiLayerNetwork sd = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.FLOAT).updater(new Adam(1e-3)).list()
                .layer(new RationalDense.Builder().nOut(16).spec(spec).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(8)).build());
        sd.init();
        MultiLayerNetwork ref = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.FLOAT).updater(new Adam(1e-3)).list()
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nOut(16)
                        .activation(Activation.IDENTITY).build())
                .layer(new org.rationalnn.dl4j.layers.RationalActivationLayer.Builder().spec(spec).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(8)).build());
        ref.init();
        ref.setParams(sd.params());
        INDArray x = Nd4j.randn(DataType.FLOAT, 5, 8);
        INDArray y = Nd4j.eye(3).castTo(DataType.FLOAT).getRows(0, 1, 2, 0, 1);
        Reference.assertClose(ref.output(x), sd.output(x), 1e-5, "float output");
        DataSet ds = new DataSet(x, y);
        for (int i = 0; i < 3; i++) {
            sd.fit(ds);
            ref.fit(ds);
        }
        Reference.assertClose(ref.params(), sd.params(), 1e-4, "float parameters after 3 Adam steps");
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void badConfigurationsGiveClearMessages() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RationalDense.Builder().build());
        assertTrue(e.getMessage().contains("nOut must be in [1, ") && e.getMessage().contains("got 0"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new RationalDense.Builder().nOut(5).spec(RationalSpec.builder().groups(2).build()).build());
        assertTrue(e.getMessage().contains("multiple of the group count 2") && e.getMessage().contains("nOut = 5"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RationalDense.Builder().nOut(4).nIn(-1).build());
        assertTrue(e.getMessage().contains("nIn must be in [0, ") && e.getMessage().contains("got -1"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RationalSpec.builder().degrees(3, 17).build());
        assertEquals("denominator degree must be in [1, 16], got 17", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new RationalVertex.Builder().nIn(5).spec(RationalSpec.builder().groups(2).build()).build());
        assertTrue(e.getMessage().contains("group count 2") && e.getMessage().contains("got 5 channels"),
                e.getMessage());
        // group count not dividing the channels known from the input types (HIDDEN = 4)
        e = assertThrows(IllegalArgumentException.class, () -> SdNets.graphOfVertices(InputKind.FF, new Adam(1e-3),
                vertex(RationalSpec.builder().groups(3).build())));
        assertTrue(e.getMessage().contains("group count 3") && e.getMessage().contains("got 4 channels"),
                e.getMessage());
        // CHANNEL sharing without any channel count
        RationalVertex noChannels = vertex(RationalSpec.builder().sharing(Sharing.CHANNEL).build());
        IllegalStateException s = assertThrows(IllegalStateException.class, noChannels::numSets);
        assertTrue(s.getMessage().contains(".nIn(channels)"), s.getMessage());
        // a RationalDense without nIn and without an input type
        RationalDense noIn = new RationalDense.Builder().nOut(3).build();
        s = assertThrows(IllegalStateException.class, noIn::getLayerParams);
        assertTrue(s.getMessage().contains("nIn is unknown"), s.getMessage());
    }

    @Test
    void badInputsGiveClearMessages() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .list().layer(new RationalDense.Builder().nIn(5).nOut(4).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(1)
                        .activation(Activation.IDENTITY).build()).build());
        net.init();
        LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net.getLayer(0).activate(Nd4j.zeros(DataType.DOUBLE, 2, 4), false, ws));
        assertTrue(e.getMessage().contains("input has 4 features") && e.getMessage().contains("nIn = 5"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> net.getLayer(0).activate(Nd4j.zeros(DataType.DOUBLE, 2, 5, 1, 1), false, ws));
        assertTrue(e.getMessage().contains("got rank 4"), e.getMessage());
        net.getLayer(0).activate(Nd4j.zeros(DataType.DOUBLE, 2, 5), true, ws);
        e = assertThrows(IllegalArgumentException.class,
                () -> net.getLayer(0).backpropGradient(Nd4j.zeros(DataType.DOUBLE, 2, 3), ws));
        assertTrue(e.getMessage().contains("epsilon shape [2, 3]"), e.getMessage());

        ComputationGraph g = SdNets.graphOfVertices(InputKind.FF, new Adam(1e-3), vertex(
                RationalSpec.builder().sharing(Sharing.CHANNEL).build()));
        org.deeplearning4j.nn.graph.vertex.GraphVertex v = g.getVertex("v0");
        v.setInputs(Nd4j.zeros(DataType.DOUBLE, 2, 3));
        e = assertThrows(IllegalArgumentException.class, () -> v.doForward(false, ws));
        assertTrue(e.getMessage().contains("input has 3 channels") && e.getMessage().contains("nIn = 4"),
                e.getMessage());
        v.setInputs(Nd4j.zeros(DataType.DOUBLE, 2, 4, 1, 1, 1));
        e = assertThrows(IllegalArgumentException.class, () -> v.doForward(false, ws));
        assertTrue(e.getMessage().contains("got rank 5"), e.getMessage());
    }
}
