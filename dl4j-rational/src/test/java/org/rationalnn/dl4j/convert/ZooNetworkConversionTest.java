package org.rationalnn.dl4j.convert;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.zoo.model.ResNet50;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.layers.RationalActivationLayer;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conversion of a network from DL4J's model zoo: ResNet50 built from its configuration (random weights, nothing
 * downloaded), at a small input size so that the test stays quick. Every ReLU of the graph becomes a rational, the
 * graph keeps its structure, and its outputs equal the original's on the calibration data. At this depth the
 * worst-case propagation of the fit errors gives no finite bound; the report says so (NaN, with the reason).
 */
class ZooNetworkConversionTest {

    @Test
    void zooResNet50FromItsConfiguration() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        ComputationGraph zoo = (ComputationGraph) ResNet50.builder().numClasses(10).seed(7).weightInit(new org.deeplearning4j.nn.weights.WeightInitRelu())
                .inputShape(new int[]{3, 96, 96}).build().init();
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 96, 96);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 10);
        for (int i = 0; i < 4; i++) {
            y.putScalar(i, i % 10, 1);
        }
        List<DataSet> data = List.of(new DataSet(x, y));
        Conversion<ComputationGraph> c = RationalConverter.builder().calibration(ConvertNets.iterator(data)).build()
                .convert(zoo);
        ConversionReport r = c.report();

        long rationalLayers = java.util.Arrays.stream(c.network().getLayers())
                .filter(l -> l.conf().getLayer() instanceof RationalActivationLayer).count();
        // ResNet50: the stem, 3 per bottleneck block (16 blocks), one after each of the 16 additions = 49 ReLUs
        assertEquals(49, r.replaced().size(), r.toString());
        assertEquals(49, rationalLayers, "one rational layer per replaced activation");
        assertTrue(c.network().getConfiguration().getVertices().keySet().containsAll(
                zoo.getConfiguration().getVertices().keySet()), "every vertex of the zoo graph is kept");
        assertTrue(c.network().numParams() > zoo.numParams(), "the rational coefficients are added");
        assertTrue(r.notConvertible().isEmpty(), r.toString());
        // outputs before any training: equal to the original's on the calibration data (softmax probabilities)
        double measured = c.network().outputSingle(x).sub(zoo.outputSingle(x)).amaxNumber().doubleValue();
        assertEquals(measured, r.measuredMaxDifference(), 1e-6, r.toString());
        assertTrue(measured < 1e-3, "max |difference| " + measured + "\n" + r);
        // at 49 replaced activations the worst-case propagation of the fit errors no longer yields a finite bound;
        // the report must say so (NaN and a reason), not print a number it cannot stand behind
        assertTrue(Double.isNaN(r.outputBound()) || r.measuredWithinBound(), r.toString());
        if (Double.isNaN(r.outputBound())) {
            assertTrue(r.boundNote().startsWith("no bound"), r.boundNote());
        }
    }
}
