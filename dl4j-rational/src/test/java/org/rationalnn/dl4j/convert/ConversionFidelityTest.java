package org.rationalnn.dl4j.convert;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.rationalnn.dl4j.layers.RationalActivationLayer;
import org.rationalnn.dl4j.rational.RationalFunction;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conversion's promise before any training: on the calibration data the converted network's outputs equal the
 * original's to within the reported bound, for (a) a trained Fashion-MNIST-like CNN, (b) an MLP, (c) a residual
 * ComputationGraph and (d) a recurrent network with masks; each rational matches DL4J's own activation to within its
 * reported error on the observed range; the measured difference is re-measured here independently.
 */
class ConversionFidelityTest {

    @BeforeAll
    static void floatPrecision() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    @Test
    void trainedCnn() {
        List<DataSet> data = ConvertNets.images(4, 32, 11, DataType.FLOAT);
        MultiLayerNetwork net = ConvertNets.cnn(DataType.FLOAT, ConvertNets.adam(), 4, 6, 12);
        ConvertNets.train(net, data, 3);
        Conversion<MultiLayerNetwork> c = RationalConverter.builder().calibration(ConvertNets.iterator(data)).build()
                .convert(net);
        ConversionReport r = checkFidelity(net, c.network(), c.report(), data);
        assertEquals(List.of("conv1", "conv2", "dense"), names(r));
        assertEquals(List.of("conv1", "conv1_rational", "pool1", "bn", "conv2", "conv2_rational", "dense",
                "dense_rational", "out"), layerNames(c.network()));
        assertEquals("leakyrelu(a=0.1)", r.replaced("conv2").activation());
        assertTrue(r.notConvertible().isEmpty(), r.notConvertible().toString());
    }

    @Test
    void mlp() {
        List<DataSet> data = ConvertNets.vectors(4, 32, 12, DataType.FLOAT);
        MultiLayerNetwork net = ConvertNets.mlp(DataType.FLOAT, ConvertNets.adam());
        ConvertNets.train(net, data, 3);
        Conversion<MultiLayerNetwork> c = RationalConverter.builder().calibration(ConvertNets.iterator(data)).build()
                .convert(net);
        ConversionReport r = checkFidelity(net, c.network(), c.report(), data);
        // the ActivationLayer (layer3) is replaced as a whole and keeps its name and index
        assertEquals(List.of("layer0", "layer1", "layer3"), names(r));
        assertEquals(List.of("layer0", "layer0_rational", "layer1", "layer1_rational", "layer2", "layer3", "layer4"),
                layerNames(c.network()));
        assertTrue(c.network().getLayer(5).conf().getLayer() instanceof RationalActivationLayer);
    }

    @Test
    void residualGraph() {
        List<DataSet> data = ConvertNets.vectors(4, 32, 13, DataType.FLOAT);
        ComputationGraph g = ConvertNets.residual(DataType.FLOAT, ConvertNets.adam());
        ConvertNets.train(g, data, 3);
        Conversion<ComputationGraph> c = RationalConverter.builder().calibration(ConvertNets.iterator(data)).build()
                .convert(g);
        ConversionReport r = checkFidelity(g, c.network(), c.report(), data);
        assertEquals(Set.of("d0", "b1", "act", "r1"), Set.copyOf(names(r)));
        // consumers of d0 (b1 and the residual addition) now read the rational after it
        assertEquals(List.of("d0_rational", "b2"), c.network().getConfiguration().getVertexInputs().get("add1"));
        assertEquals(List.of("d0_rational"), c.network().getConfiguration().getVertexInputs().get("b1"));
        assertEquals(List.of("act", "r1_rational"), c.network().getConfiguration().getVertexInputs().get("add2"));
        // the residual addition sums the two branches' bounds
        double d0 = r.replaced("d0").outputDeviationBound();
        assertTrue(r.replaced("act").inputDeviationBound() > d0);
    }

    @Test
    void recurrentWithMasks() {
        List<DataSet> data = ConvertNets.sequences(4, 16, 14, DataType.FLOAT);
        MultiLayerNetwork net = ConvertNets.rnn(DataType.FLOAT, ConvertNets.adam());
        ConvertNets.train(net, data, 3);
        Conversion<MultiLayerNetwork> c = RationalConverter.builder().calibration(ConvertNets.iterator(data)).build()
                .convert(net);
        ConversionReport r = checkFidelity(net, c.network(), c.report(), data);
        assertEquals(List.of("dense", "act"), names(r));
        // the LSTM's and SimpleRnn's activations sit inside the recurrent cells: reported, not silently skipped
        assertEquals(List.of("lstm", "srnn"), r.notConvertible().stream().map(NotConvertible::layerName)
                .collect(Collectors.toList()));
        assertTrue(r.notConvertible().get(0).activation().contains("sigmoid"), r.notConvertible().toString());
        assertTrue(r.notConvertible().get(0).reason().contains("recurrent cell"));
    }

    /** The report's claims, checked independently; returns the report. */
    static ConversionReport checkFidelity(Model original, Model converted, ConversionReport r, List<DataSet> data) {
        assertFalse(r.replaced().isEmpty());
        double measured = maxDifference(original, converted, data);
        assertEquals(measured, r.measuredMaxDifference(), 1e-6);
        assertTrue(measured > 0, "a rational is never exactly the activation");
        assertTrue(Double.isFinite(r.outputBound()), r.toString());
        assertTrue(measured <= r.outputBound(), "measured " + measured + " > bound " + r.outputBound());
        assertTrue(measured < 0.05, "measured " + measured);
        assertEquals(data.size() * data.get(0).numExamples(), r.calibrationExamples());
        for (ReplacedActivation a : r.replaced()) {
            assertTrue(a.fitLower() <= a.observedMin() && a.observedMax() <= a.fitUpper(), a.toString());
            assertEquals(0.0, a.outsideFraction());
            assertTrue(a.fitError() <= a.activationErrorBound());
            assertTrue(a.outputDeviationBound() >= a.activationErrorBound());
            assertTrue(activationError(original, a) <= a.activationErrorBound() * (1 + 1e-6) + 1e-12,
                    a.layerName() + ": " + activationError(original, a) + " > " + a.activationErrorBound());
        }
        return r;
    }

    /** max |R − f| on the observed range, with f evaluated by DL4J on a batch grid. */
    static double activationError(Model original, ReplacedActivation a) {
        IActivation f = activation(original, a.layerName());
        assertNotNull(f);
        int n = 2001;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = a.observedMin() + (a.observedMax() - a.observedMin()) * i / (n - 1);
        }
        double[] y = Dl4jActivations.values(f, x);
        RationalFunction r = a.function();
        double max = 0;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, Math.abs(r.value(x[i]) - y[i]));
        }
        return max;
    }

    private static IActivation activation(Model net, String layer) {
        org.deeplearning4j.nn.conf.layers.Layer conf = net instanceof MultiLayerNetwork
                ? ((MultiLayerNetwork) net).getLayer(layer).conf().getLayer()
                : ((ComputationGraph) net).getLayer(layer).conf().getLayer();
        return NetworkSurgery.activationOf(conf);
    }

    static double maxDifference(Model a, Model b, List<DataSet> data) {
        double max = 0;
        for (DataSet ds : data) {
            INDArray y;
            INDArray z;
            if (a instanceof MultiLayerNetwork) {
                y = ((MultiLayerNetwork) a).output(ds.getFeatures(), false, ds.getFeaturesMaskArray(),
                        ds.getLabelsMaskArray());
                z = ((MultiLayerNetwork) b).output(ds.getFeatures(), false, ds.getFeaturesMaskArray(),
                        ds.getLabelsMaskArray());
            } else {
                y = ((ComputationGraph) a).outputSingle(ds.getFeatures());
                z = ((ComputationGraph) b).outputSingle(ds.getFeatures());
            }
            max = Math.max(max, Transforms.abs(y.castTo(DataType.DOUBLE).sub(z.castTo(DataType.DOUBLE)))
                    .maxNumber().doubleValue());
        }
        return max;
    }

    static List<String> names(ConversionReport r) {
        return r.replaced().stream().map(ReplacedActivation::layerName).collect(Collectors.toList());
    }

    static List<String> layerNames(MultiLayerNetwork net) {
        return java.util.stream.IntStream.range(0, net.getnLayers())
                .mapToObj(i -> net.getLayer(i).conf().getLayer().getLayerName()).collect(Collectors.toList());
    }
}
