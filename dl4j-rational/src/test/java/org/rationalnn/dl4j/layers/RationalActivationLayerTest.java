package org.rationalnn.dl4j.layers;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.rational.TargetFunction;
import org.rationalnn.dl4j.util.ModelFiles;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Configuration, serialization, training recipe and validation of {@link RationalActivationLayer}. */
class RationalActivationLayerTest {

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    static RationalActivationLayer layer(RationalSpec spec) {
        return new RationalActivationLayer.Builder().spec(spec).build();
    }

    static RationalSpec groupSpec() {
        return RationalSpec.builder().degrees(4, 3).version(RationalVersion.D).noise(0.05).groups(2)
                .init(TargetFunction.GELU).fitInterval(-2, 2).build();
    }

    @ParameterizedTest
    @EnumSource(InputKind.class)
    void jsonAndYamlRoundTrip(InputKind kind) {
        RationalActivationLayer l = new RationalActivationLayer.Builder().spec(groupSpec()).coefficientL2(1e-3)
                .updater(new Adam(5e-4)).name("rat").build();
        MultiLayerConfiguration conf = kind.mln(l).getLayerWiseConfigurations();
        MultiLayerConfiguration fromJson = MultiLayerConfiguration.fromJson(conf.toJson());
        MultiLayerConfiguration fromYaml = MultiLayerConfiguration.fromYaml(conf.toYaml());
        assertEquals(conf, fromJson);
        assertEquals(conf, fromYaml);
        RationalActivationLayer restored = (RationalActivationLayer) fromJson.getConf(1).getLayer();
        assertEquals(groupSpec(), restored.getSpec());
        assertEquals(InputKind.HIDDEN, restored.getNIn());
        assertEquals(1, restored.getCoefficientRegularization().size());

        ComputationGraphConfiguration g = kind.graph(layer(groupSpec())).getConfiguration();
        assertEquals(g, ComputationGraphConfiguration.fromJson(g.toJson()));
        assertEquals(g, ComputationGraphConfiguration.fromYaml(g.toYaml()));
    }

    @Test
    void explicitCoefficientSpecRoundTrip() {
        RationalSpec spec = RationalSpec.builder().version(RationalVersion.N)
                .coefficients(new double[]{0.0218, 0.5, 1.5957, 1.1915}, new double[]{0.0, 2.383})
                .sharing(Sharing.CHANNEL).build();
        MultiLayerConfiguration conf = InputKind.FF.mln(layer(spec)).getLayerWiseConfigurations();
        assertEquals(conf, MultiLayerConfiguration.fromJson(conf.toJson()));
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        assertArrayEquals(new double[]{0.0218, 0.5, 1.5957, 1.1915},
                net.getParam("1_numerator").getRow(2).toDoubleVector(), 0.0);
        assertArrayEquals(new double[]{0.0, 2.383}, net.getParam("1_denominator").getRow(3).toDoubleVector(), 0.0);
    }

    @ParameterizedTest
    @EnumSource(InputKind.class)
    void modelSerializerRoundTripAndTrainingContinues(InputKind kind, @TempDir Path dir) throws IOException {
        RationalSpec spec = RationalSpec.builder().sharing(Sharing.CHANNEL).build();
        MultiLayerNetwork net = kind.mln(layer(spec), new Adam(1e-2));
        INDArray x = kind.input(3, 5);
        INDArray y = kind.labels(3, 5);
        net.fit(new DataSet(x, y));
        File file = dir.resolve("model.zip").toFile();
        ModelFiles.save(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertEquals(net.getLayerWiseConfigurations(), restored.getLayerWiseConfigurations());
        assertEquals(net.params(), restored.params());
        assertEquals(net.output(x), restored.output(x));

        for (int i = 0; i < 3; i++) {
            net.fit(new DataSet(x, y));
            restored.fit(new DataSet(x, y));
        }
        assertEquals(net.params(), restored.params(), "training continues identically after restore");

        ComputationGraph g = kind.graph(layer(spec), new Adam(1e-2));
        File gFile = dir.resolve("graph.zip").toFile();
        ModelFiles.save(g, gFile, true);
        ComputationGraph gRestored = ModelSerializer.restoreComputationGraph(gFile, true);
        assertEquals(g.params(), gRestored.params());
        assertEquals(g.outputSingle(x), gRestored.outputSingle(x));
        double before = gRestored.score(new DataSet(x, y));
        for (int i = 0; i < 5; i++) {
            gRestored.fit(new DataSet(x, y));
        }
        assertTrue(gRestored.score(new DataSet(x, y)) < before, "restored graph keeps training");
    }

    @Test
    void failedSaveKeepsExistingFile(@TempDir Path dir) throws IOException {
        MultiLayerNetwork net = InputKind.FF.mln(layer(RationalSpec.defaults()));
        File file = dir.resolve("model.zip").toFile();
        ModelFiles.save(net, file, false);
        byte[] original = Files.readAllBytes(file.toPath());

        IOException e = assertThrows(IOException.class, () -> ModelFiles.writeAtomically(file.toPath(), out -> {
            out.write(new byte[]{1, 2, 3});
            throw new IOException("disk full (simulated)");
        }));
        assertEquals("disk full (simulated)", e.getMessage());
        assertArrayEquals(original, Files.readAllBytes(file.toPath()));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "temporary file removed");
        }

        File unwritable = new File(file, "nested.zip"); // parent is a regular file
        IOException e2 = assertThrows(IOException.class, () -> ModelFiles.save(net, unwritable, false));
        assertTrue(e2.getMessage().contains(unwritable.getAbsolutePath()), e2.getMessage());
        assertArrayEquals(original, Files.readAllBytes(file.toPath()));
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, false);
        assertEquals(net.params(), restored.params());
    }

    @Test
    void globalRegularizationSkipsCoefficientsLayerRegularizationApplies() {
        MultiLayerNetwork net = InputKind.FF.mln(layer(RationalSpec.defaults()));
        RationalActivationLayer conf = (RationalActivationLayer) net.getLayer(1).conf().getLayer();
        assertTrue(conf.getRegularizationByParam(RationalParamInitializer.NUMERATOR_KEY).isEmpty());
        assertTrue(conf.getRegularizationByParam(RationalParamInitializer.DENOMINATOR_KEY).isEmpty());
        assertEquals(0.0, net.getLayer(1).calcRegularizationScore(true), 0.0);
        assertTrue(net.getLayer(0).calcRegularizationScore(true) > 0, "global l1/l2 still apply to weights");

        RationalActivationLayer own = new RationalActivationLayer.Builder().coefficientL2(0.5)
                .coefficientRegularization(new L2Regularization(0.25)).updater(new Sgd(0.05)).build();
        MultiLayerNetwork net2 = InputKind.FF.mln(own, new Adam(0.1));
        RationalActivationLayer conf2 = (RationalActivationLayer) net2.getLayer(1).conf().getLayer();
        assertEquals(2, conf2.getRegularizationByParam(RationalParamInitializer.NUMERATOR_KEY).size());
        assertTrue(net2.getLayer(1).calcRegularizationScore(true) > 0);
        assertEquals(new Sgd(0.05), conf2.getUpdaterByParam(RationalParamInitializer.NUMERATOR_KEY));
        assertEquals(new Adam(0.1),
                ((org.deeplearning4j.nn.conf.layers.BaseLayer) net2.getLayer(0).conf().getLayer())
                        .getUpdaterByParam("W"));
    }

    @Test
    void versionDAddsNoiseOnlyInTraining() {
        RationalSpec d = RationalSpec.builder().version(RationalVersion.D).noise(0.1).build();
        RationalSpec b = d.toBuilder().version(RationalVersion.B).build();
        MultiLayerNetwork netD = InputKind.FF.mln(layer(d));
        MultiLayerNetwork netB = InputKind.FF.mln(layer(b));
        netB.setParams(netD.params());
        INDArray x = InputKind.FF.input(4, 9);
        INDArray inferD = netD.output(x, false);
        assertEquals(inferD, netD.output(x, false), "deterministic at inference");
        assertEquals(netB.output(x, false), inferD, "D equals B at inference");
        INDArray train1 = netD.output(x, true);
        INDArray train2 = netD.output(x, true);
        assertNotEquals(train1, inferD, "noise in training");
        assertNotEquals(train1, train2, "fresh noise per pass");
        // noise stays within the documented band: the rational layer output deviates by at most 10% of |P|/Q
        INDArray rIn = netD.feedForwardToLayer(0, x, false).get(1);
        INDArray clean = netD.getLayer(1).activate(rIn, false, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
        INDArray noisy = netD.getLayer(1).activate(rIn, true, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
        assertFalse(clean.equalsWithEps(noisy, 1e-12));
    }

    @Test
    void versionDTrainsWithWorkspacesAndNoise() {
        RationalSpec d = RationalSpec.builder().version(RationalVersion.D).noise(0.1).sharing(Sharing.CHANNEL).build();
        for (InputKind kind : new InputKind[]{InputKind.FF, InputKind.CNN_NHWC}) {
            MultiLayerNetwork net = kind.mln(layer(d), new Adam(1e-2));
            ComputationGraph g = kind.graph(layer(d), new Adam(1e-2));
            DataSet ds = new DataSet(kind.input(8, 3), kind.labels(8, 3));
            double before = net.score(ds);
            double gBefore = g.score(ds);
            INDArray num0 = net.getParam("1_numerator").dup();
            for (int i = 0; i < 30; i++) {
                net.fit(ds);
                g.fit(ds);
            }
            assertTrue(net.score(ds) < before, kind + " MLN score falls with D noise");
            assertTrue(g.score(ds) < gBefore, kind + " graph score falls with D noise");
            assertNotEquals(num0, net.getParam("1_numerator"), "coefficients are trained");
        }
    }

    @Test
    void workspaceModesGiveIdenticalTraining() {
        for (InputKind kind : new InputKind[]{InputKind.FF, InputKind.RNN_NWC, InputKind.CNN_NCHW}) {
            INDArray[] params = new INDArray[2];
            int i = 0;
            for (org.deeplearning4j.nn.conf.WorkspaceMode mode : new org.deeplearning4j.nn.conf.WorkspaceMode[]{
                    org.deeplearning4j.nn.conf.WorkspaceMode.ENABLED, org.deeplearning4j.nn.conf.WorkspaceMode.NONE}) {
                MultiLayerConfiguration conf = kind.mln(layer(RationalSpec.builder().sharing(Sharing.CHANNEL).build()),
                        new Adam(1e-2)).getLayerWiseConfigurations();
                conf.setTrainingWorkspaceMode(mode);
                conf.setInferenceWorkspaceMode(mode);
                MultiLayerNetwork net = new MultiLayerNetwork(conf);
                Nd4j.getRandom().setSeed(42);
                net.init();
                for (int step = 0; step < 3; step++) {
                    // minibatch size changes between steps and between fit and output
                    net.fit(new DataSet(kind.input(2 + step, 100 + step), kind.labels(2 + step, 100 + step)));
                }
                net.output(kind.input(5, 9));
                params[i++] = net.params();
            }
            assertEquals(params[0], params[1], kind + ": ENABLED and NONE workspaces train identically");
        }
    }

    @Test
    void masksPassThrough() {
        InputKind kind = InputKind.RNN_NCW;
        MultiLayerNetwork net = kind.mln(layer(RationalSpec.defaults()));
        INDArray mask = kind.mask(3);
        org.nd4j.common.primitives.Pair<INDArray, org.deeplearning4j.nn.api.MaskState> p = net.getLayer(1)
                .feedForwardMaskArray(mask, org.deeplearning4j.nn.api.MaskState.Active, 3);
        assertEquals(mask, p.getFirst());
        assertEquals(org.deeplearning4j.nn.api.MaskState.Active, p.getSecond());
    }

    @Test
    void outputTypeEqualsInputType() {
        RationalActivationLayer l = layer(RationalSpec.defaults());
        for (InputKind k : InputKind.values()) {
            assertEquals(k.inputType(), l.getOutputType(0, k.inputType()));
        }
        assertThrows(IllegalArgumentException.class,
                () -> l.getOutputType(0, InputType.convolutional3D(2, 2, 2, 3)));
    }

    @Test
    void badInputsGiveClearMessages() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RationalSpec.builder().degrees(17, 4).build());
        assertEquals("numerator degree must be in [0, 16], got 17", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RationalSpec.builder().degrees(3, 0).build());
        assertEquals("denominator degree must be in [1, 16], got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RationalSpec.builder().coefficients(new double[]{1, Double.NaN}, new double[]{0.5}).build());
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RationalSpec.builder().fitInterval(Double.NaN, 1).build());
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RationalSpec.builder().noise(1.5).build());
        assertEquals("noise must be in [0, 1), got 1.5", e.getMessage());

        // group count not dividing the channels (HIDDEN = 4)
        RationalActivationLayer bad = layer(RationalSpec.builder().groups(3).build());
        e = assertThrows(IllegalArgumentException.class, () -> InputKind.FF.mln(bad));
        assertTrue(e.getMessage().contains("group count 3") && e.getMessage().contains("got 4 channels"),
                e.getMessage());

        // wrong rank and nIn mismatch at run time
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .list().layer(new RationalActivationLayer.Builder().nIn(5).spec(
                        RationalSpec.builder().sharing(Sharing.CHANNEL).build()).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(5).nOut(1)
                        .activation(Activation.IDENTITY).build()).build());
        net.init();
        e = assertThrows(IllegalArgumentException.class, () -> net.getLayer(0).activate(
                Nd4j.zeros(DataType.DOUBLE, 2, 4), false,
                org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces()));
        assertTrue(e.getMessage().contains("input has 4 channels") && e.getMessage().contains("nIn = 5"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> net.getLayer(0).activate(
                Nd4j.zeros(DataType.DOUBLE, 2, 5, 1, 1, 1), false,
                org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces()));
        assertTrue(e.getMessage().contains("got rank 5"), e.getMessage());

        // CHANNEL sharing without a channel count
        RationalActivationLayer noChannels = layer(RationalSpec.builder().sharing(Sharing.CHANNEL).build());
        IllegalStateException s = assertThrows(IllegalStateException.class, noChannels::numSets);
        assertTrue(s.getMessage().contains(".nIn(channels)"), s.getMessage());
    }

    @Test
    void learnsNonlinearTarget() {
        // y = |x| - 0.5 + 0.3 sin(4x) on [-1, 1]; 1 -> 8 -> rational -> 8 -> rational -> 1
        int n = 256;
        INDArray x = Nd4j.linspace(-1, 1, n, DataType.DOUBLE).reshape(n, 1);
        INDArray y = Nd4j.create(DataType.DOUBLE, n, 1);
        for (int i = 0; i < n; i++) {
            double v = x.getDouble(i, 0);
            y.putScalar(i, 0, Math.abs(v) - 0.5 + 0.3 * Math.sin(4 * v));
        }
        RationalSpec spec = RationalSpec.builder().degrees(3, 2).init(TargetFunction.RELU).build();
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7)
                .dataType(DataType.DOUBLE).updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().nIn(1).nOut(8).activation(Activation.IDENTITY).build())
                .layer(new RationalActivationLayer.Builder().spec(spec).build())
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.IDENTITY).build())
                .layer(new RationalActivationLayer.Builder().spec(spec).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(1)).build());
        net.init();
        DataSet ds = new DataSet(x, y);
        double initial = net.score(ds);
        for (int i = 0; i < 600; i++) {
            net.fit(ds);
        }
        double mse = net.score(ds);
        assertTrue(mse < 2e-3, "MSE after 600 Adam steps: " + mse + " (initial " + initial + ")");
    }

    @Test
    void parametersStartFromTheFit() {
        RationalSpec spec = RationalSpec.builder().degrees(3, 2).version(RationalVersion.A).sharing(Sharing.CHANNEL)
                .build();
        MultiLayerNetwork net = InputKind.FF.mln(layer(spec));
        RationalFunction f = spec.initialFunction();
        INDArray num = net.getParam("1_numerator");
        INDArray den = net.getParam("1_denominator");
        assertArrayEquals(new long[]{InputKind.HIDDEN, 4}, num.shape());
        assertArrayEquals(new long[]{InputKind.HIDDEN, 2}, den.shape());
        for (int s = 0; s < InputKind.HIDDEN; s++) {
            assertArrayEquals(f.numerator(), num.getRow(s).toDoubleVector(), 0.0);
            assertArrayEquals(f.denominator(), den.getRow(s).toDoubleVector(), 0.0);
        }
    }
}
