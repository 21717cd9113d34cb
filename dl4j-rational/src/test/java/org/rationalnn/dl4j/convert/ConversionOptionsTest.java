package org.rationalnn.dl4j.convert;

import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;
import org.rationalnn.dl4j.layers.RationalActivationLayer;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Selection, fit intervals, sharing, freezing, the coefficients' updater, updater state and saving. */
class ConversionOptionsTest {

    @BeforeAll
    static void floatPrecision() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    private static final List<DataSet> DATA = ConvertNets.vectors(4, 32, 12, DataType.FLOAT);

    private static MultiLayerNetwork trainedMlp(IUpdater updater) {
        MultiLayerNetwork net = ConvertNets.mlp(DataType.FLOAT, updater);
        ConvertNets.train(net, DATA, 3);
        return net;
    }

    private static RationalConverter.Builder calibrated() {
        return RationalConverter.builder().calibration(ConvertNets.iterator(DATA));
    }

    @Test
    void selectionByNameTypePredicateAndActivation() {
        MultiLayerNetwork net = trainedMlp(ConvertNets.adam());
        assertEquals(List.of("layer1"), ConversionFidelityTest.names(calibrated().layers("layer1").build()
                .convert(net).report()));
        assertEquals(List.of("layer3"), ConversionFidelityTest.names(calibrated().layerTypes(ActivationLayer.class)
                .build().convert(net).report()));
        assertEquals(List.of("layer0"), ConversionFidelityTest.names(calibrated()
                .where(c -> c.activation() instanceof ActivationTanH).build().convert(net).report()));
        assertEquals(List.of("layer1"), ConversionFidelityTest.names(calibrated().activations(ActivationELU.class)
                .build().convert(net).report()));

        // named layers that cannot be converted are reported, with the reason
        ConversionReport r = calibrated().layers("layer2", "layer4").build().convert(net).report();
        assertTrue(r.replaced().isEmpty());
        assertEquals(2, r.notConvertible().size());
        assertTrue(r.notConvertible().get(0).reason().contains("not among the selected"), r.toString());
        assertTrue(r.notConvertible().get(1).reason().contains("output layer"), r.toString());
        // nothing replaced: the outputs are identical
        assertEquals(0.0, r.measuredMaxDifference());
    }

    @Test
    void namedLayersWithoutAnAppliedActivationAreReportedAndUnknownNamesRejected() {
        MultiLayerNetwork net = ConvertNets.cnn(DataType.FLOAT, ConvertNets.adam(), 2, 2, 4);
        // the batch normalization carries a sigmoid that DL4J never applies; pooling has no activation at all
        ((org.deeplearning4j.nn.conf.layers.BatchNormalization) net.getLayer("bn").conf().getLayer())
                .setActivationFn(new org.nd4j.linalg.activations.impl.ActivationSigmoid());
        ConversionReport r = RationalConverter.builder().fitInterval(-3, 3).layers("bn", "pool1", "conv1").build()
                .convert(net).report();
        assertEquals(List.of("conv1"), ConversionFidelityTest.names(r));
        assertEquals(List.of("bn", "pool1"), r.notConvertible().stream().map(NotConvertible::layerName).toList());
        assertEquals("BatchNormalization", r.notConvertible().get(0).layerType());
        assertTrue(r.notConvertible().get(0).reason().contains("applies no activation"), r.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RationalConverter.builder().fitInterval(-3, 3).layers("conv9").build().convert(net));
        assertTrue(e.getMessage().contains("'conv9'") && e.getMessage().contains("conv1"), e.getMessage());
    }

    @Test
    void observedRangesAreWidenedAndRoundedOutward() {
        assertEquals(List.of(-3.4, 3.7), java.util.Arrays.stream(RationalConverter.widen(-2.785, 3.041, 0.1))
                .boxed().toList());
        assertEquals(List.of(-14.0, 23.0), java.util.Arrays.stream(RationalConverter.widen(-10.56, 19.65, 0.1))
                .boxed().toList());
        assertEquals(List.of(-400.0, 2300.0), java.util.Arrays.stream(RationalConverter.widen(-100, 2000, 0.1))
                .boxed().toList());
        double[] dead = RationalConverter.widen(0.5, 0.5, 0.1);
        assertTrue(dead[0] < 0.5 && dead[1] > 0.5, java.util.Arrays.toString(dead));
    }

    @Test
    void needsCalibrationDataOrAnInterval() {
        MultiLayerNetwork net = trainedMlp(ConvertNets.adam());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> RationalConverter.builder().build().convert(net));
        assertTrue(e.getMessage().contains("calibration"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RationalConverter.builder().fitInterval(1, -1));
    }

    @Test
    void givenIntervalReportsWhatFallsOutsideAndKeepsTheBoundHonest() {
        MultiLayerNetwork net = trainedMlp(ConvertNets.adam());
        ConversionReport r = calibrated().fitInterval(-1, 1).version(RationalVersion.A).build().convert(net).report();
        ReplacedActivation relu = r.replaced("layer3");
        assertEquals(-1.0, relu.fitLower());
        assertTrue(relu.outsideFraction() > 0 && relu.outsideFraction() < 1, relu.toString());
        // the error bound covers the observed range beyond the interval, so it exceeds the fit error
        assertTrue(relu.activationErrorBound() > relu.fitError());
        assertTrue(r.measuredMaxDifference() <= r.outputBound(), r.toString());
        assertEquals(RationalVersion.A, relu.function().version());
        // without calibration data the interval alone is used and nothing is measured
        ConversionReport blind = RationalConverter.builder().fitInterval(-3, 3).build().convert(net).report();
        assertTrue(Double.isNaN(blind.measuredMaxDifference()));
        assertTrue(Double.isNaN(blind.replaced("layer0").observedMin()));
        assertTrue(Double.isFinite(blind.outputBound()));
    }

    @Test
    void channelSharingAndDegrees() {
        MultiLayerNetwork net = trainedMlp(ConvertNets.adam());
        Conversion<MultiLayerNetwork> c = calibrated().sharing(Sharing.CHANNEL).degrees(4, 4).build().convert(net);
        RationalActivationLayer l = (RationalActivationLayer) c.network().getLayer("layer0_rational").conf()
                .getLayer();
        assertEquals(10, l.numSets());
        assertEquals(10, c.report().replaced("layer0").sets());
        assertEquals(4, l.getSpec().getNumeratorDegree());
        assertEquals(List.of(10L, 5L), List.of(c.network().getLayer("layer0_rational").getParam("numerator")
                .size(0), c.network().getLayer("layer0_rational").getParam("numerator").size(1)));
        assertTrue(c.report().measuredWithinBound(), c.report().toString());
        // every set starts from the layer's fit
        INDArray num = c.network().getLayer("layer0_rational").getParam("numerator");
        assertEquals(num.getRow(0), num.getRow(9));
    }

    @Test
    void graphFromMultiDataSetsAndConvolutionChannels() {
        ComputationGraph g = ConvertNets.residual(DataType.FLOAT, ConvertNets.adam());
        ConvertNets.train(g, DATA, 1);
        Conversion<ComputationGraph> c = RationalConverter.builder()
                .calibration(new org.nd4j.linalg.dataset.adapter.MultiDataSetIteratorAdapter(
                        ConvertNets.iterator(DATA))).calibrationBatches(2).build().convert(g);
        assertEquals(64, c.report().calibrationExamples());
        assertTrue(c.report().measuredWithinBound(), c.report().toString());

        List<DataSet> images = ConvertNets.images(2, 16, 3, DataType.FLOAT);
        MultiLayerNetwork cnn = ConvertNets.cnn(DataType.FLOAT, ConvertNets.adam(), 4, 6, 12);
        Conversion<MultiLayerNetwork> cc = RationalConverter.builder().calibration(ConvertNets.iterator(images))
                .sharing(Sharing.CHANNEL).layerTypes(org.deeplearning4j.nn.conf.layers.ConvolutionLayer.class)
                .build().convert(cnn);
        assertEquals(List.of(4, 6), List.of(cc.report().replaced("conv1").sets(), cc.report().replaced("conv2")
                .sets()));
        assertEquals(6, cc.network().getLayer("conv2_rational").getParam("numerator").rows());
        assertTrue(cc.report().measuredWithinBound(), cc.report().toString());
    }

    @Test
    void trainOnlyRationalsWithThePaperRecipe() {
        MultiLayerNetwork net = trainedMlp(new Adam(new StepSchedule(ScheduleType.ITERATION, 1e-2, 0.5, 100)));
        Conversion<MultiLayerNetwork> c = calibrated().trainOnlyRationals(true).paperRecipe().build().convert(net);
        MultiLayerNetwork conv = c.network();
        assertEquals(List.of("layer0", "layer1", "layer2", "layer4"), c.report().frozenLayers());
        assertTrue(conv.getLayerWiseConfigurations().getConf(4).getLayer() instanceof FrozenLayerWithBackprop);
        assertTrue(conv.getLayer("layer2") instanceof org.deeplearning4j.nn.layers.FrozenLayerWithBackprop);
        RationalActivationLayer r = (RationalActivationLayer) conv.getLayer("layer1_rational").conf().getLayer();
        Adam layerUpdater = (Adam) r.getIUpdater();
        Adam coefficients = (Adam) r.getCoefficientUpdater();
        assertTrue(coefficients.getLearningRateSchedule() instanceof ScaledSchedule);
        for (int it : new int[]{0, 150, 350}) {
            assertEquals(0.5 * layerUpdater.getLearningRate(it, 0), coefficients.getLearningRate(it, 0), 1e-12);
        }

        Map<String, INDArray> before = params(conv);
        ConvertNets.train(conv, DATA, 1);
        Map<String, INDArray> after = params(conv);
        for (String k : before.keySet()) {
            if (k.contains("rational") || k.startsWith("layer3/")) {
                assertNotEquals(before.get(k), after.get(k), k + " should train");
            } else {
                assertEquals(before.get(k), after.get(k), k + " should stay frozen");
            }
        }
    }

    @Test
    void unfreezeMakesEverythingTrainableAgain() {
        MultiLayerNetwork net = trainedMlp(ConvertNets.adam());
        MultiLayerNetwork frozen = calibrated().trainOnlyRationals(true).build().convert(net).network();
        ConvertNets.train(frozen, DATA, 1);
        MultiLayerNetwork all = RationalConverter.unfreeze(frozen);
        INDArray x = DATA.get(0).getFeatures();
        assertEquals(frozen.output(x), all.output(x));
        assertEquals(frozen.params(), all.params());
        assertTrue(java.util.Arrays.stream(all.getLayers()).noneMatch(
                l -> l instanceof org.deeplearning4j.nn.layers.FrozenLayerWithBackprop));
        INDArray w = all.getLayer("layer2").getParam("W").dup();
        INDArray num = all.getLayer("layer1_rational").getParam("numerator").dup();
        ConvertNets.train(all, DATA, 1);
        assertNotEquals(w, all.getLayer("layer2").getParam("W"));
        assertNotEquals(num, all.getLayer("layer1_rational").getParam("numerator"));

        ComputationGraph g = ConvertNets.residual(DataType.FLOAT, ConvertNets.adam());
        ComputationGraph gf = calibrated().trainOnlyRationals(true).build().convert(g).network();
        ComputationGraph ga = RationalConverter.unfreeze(gf);
        assertEquals(gf.outputSingle(x), ga.outputSingle(x));
        assertTrue(ga.getLayer("b1") instanceof org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer);
    }

    @Test
    void updaterStateIsCarriedOver() {
        MultiLayerNetwork net = trainedMlp(ConvertNets.adam());
        // nothing replaced: the converted network is the original, so its state is the original's
        Conversion<MultiLayerNetwork> same = calibrated().layers("layer2").build().convert(net);
        assertEquals(net.getUpdater().getStateViewArray(), same.network().getUpdater().getStateViewArray());
        assertEquals(8, same.report().updaterStateParameters());
        assertEquals(net.getIterationCount(), same.network().getIterationCount());
        MultiLayerNetwork copy = net.clone();
        ConvertNets.train(copy, DATA.subList(0, 1), 1);
        ConvertNets.train(same.network(), DATA.subList(0, 1), 1);
        assertEquals(copy.params(), same.network().params(), "training continues exactly where it stopped");

        // with rationals: every original parameter array keeps its state
        Conversion<MultiLayerNetwork> c = calibrated().build().convert(net);
        assertEquals(8, c.report().updaterStateParameters());
        assertEquals(0, calibrated().copyUpdaterState(false).build().convert(net).report().updaterStateParameters());
    }

    @Test
    void savesAndRestoresWithModelSerializer(@TempDir Path dir) throws IOException {
        MultiLayerNetwork net = trainedMlp(new Adam(new StepSchedule(ScheduleType.ITERATION, 1e-2, 0.5, 100)));
        Conversion<MultiLayerNetwork> c = calibrated().trainOnlyRationals(true).paperRecipe().build().convert(net);
        File f = dir.resolve("converted.zip").toFile();
        ModelSerializer.writeModel(c.network(), f, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(f, true);
        assertEquals(c.network().getLayerWiseConfigurations(), restored.getLayerWiseConfigurations());
        assertEquals(c.network().params(), restored.params());
        assertEquals(c.network().getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
        INDArray x = DATA.get(0).getFeatures();
        assertEquals(c.network().output(x), restored.output(x));

        ComputationGraph g = ConvertNets.residual(DataType.FLOAT, ConvertNets.adam());
        ConvertNets.train(g, DATA, 1);
        Conversion<ComputationGraph> cg = calibrated().trainOnlyRationals(true).build().convert(g);
        File fg = dir.resolve("graph.zip").toFile();
        ModelSerializer.writeModel(cg.network(), fg, true);
        ComputationGraph rg = ModelSerializer.restoreComputationGraph(fg, true);
        assertEquals(cg.network().getConfiguration().toJson(), rg.getConfiguration().toJson());
        assertEquals(cg.network().outputSingle(x), rg.outputSingle(x));
    }

    @Test
    void scaledScheduleScalesAndSerializes() {
        ISchedule base = new StepSchedule(ScheduleType.EPOCH, 0.1, 0.5, 2);
        ScaledSchedule s = new ScaledSchedule(base, 0.5);
        assertEquals(0.05, s.valueAt(0, 0), 1e-15);
        assertEquals(0.025, s.valueAt(0, 3), 1e-15);
        assertEquals(s, s.clone());
        assertThrows(IllegalArgumentException.class, () -> new ScaledSchedule(base, 0));
        IUpdater u = RationalConverter.scaled(new Adam(0.02), 0.5, "x");
        assertEquals(0.01, u.getLearningRate(0, 0), 1e-15);
    }

    private static Map<String, INDArray> params(MultiLayerNetwork net) {
        Map<String, INDArray> out = new HashMap<>();
        for (Map.Entry<String, INDArray> e : net.paramTable().entrySet()) {
            String layer = net.getLayer(Integer.parseInt(e.getKey().split("_")[0])).conf().getLayer().getLayerName();
            out.put(layer + "/" + e.getKey(), e.getValue().dup());
        }
        return out;
    }
}
