package org.rationalnn.dl4j.compat;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.layers.RationalActivationLayer;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;

import java.io.File;
import java.io.InputStream;
import java.net.URISyntaxException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models saved by release 0.1.0 load and compute the same outputs: a compatibility promise. These files
 * are never regenerated; a failure here means a change broke saved models.
 */
class GoldenModelTest {

    private static final String DIR = "/golden/0.1.0/";

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    static File resource(String name) throws URISyntaxException {
        return new File(GoldenModelTest.class.getResource(DIR + name).toURI());
    }

    static INDArray expected(String name) throws Exception {
        return Nd4j.readTxt(resource(name).getAbsolutePath());
    }

    @Test
    void multiLayerNetworkFromRelease010() throws Exception {
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(resource("mln.zip"), true);
        RationalActivationLayer l = (RationalActivationLayer) net.getLayer(1).conf().getLayer();
        assertEquals(RationalVersion.A, l.getSpec().getVersion());
        assertEquals(Sharing.CHANNEL, l.getSpec().getSharing());
        assertEquals(6, l.getNIn());
        INDArray x = GoldenModels.mlnInput();
        assertTrue(expected("mln-output.txt").equalsWithEps(net.output(x), 1e-10));
        double before = net.score(new DataSet(x, x.getColumns(0, 1)));
        for (int i = 0; i < 20; i++) {
            net.fit(new DataSet(x, x.getColumns(0, 1)));
        }
        assertTrue(net.score(new DataSet(x, x.getColumns(0, 1))) < before, "training continues");
    }

    @Test
    void computationGraphsFromRelease010() throws Exception {
        ComputationGraph g = ModelSerializer.restoreComputationGraph(resource("graph-rnn-nwc.zip"), true);
        assertTrue(expected("graph-rnn-nwc-output.txt").equalsWithEps(g.outputSingle(GoldenModels.graphInput()), 1e-10));
        ComputationGraph c = ModelSerializer.restoreComputationGraph(resource("graph-cnn-nhwc.zip"), false);
        assertTrue(expected("graph-cnn-nhwc-output.txt").equalsWithEps(c.outputSingle(GoldenModels.cnnInput()), 1e-10));
    }

    @Test
    void newerFormatVersionIsRejectedClearly() throws Exception {
        String json;
        try (InputStream in = GoldenModelTest.class.getResourceAsStream(DIR + "mln.zip")) {
            assertTrue(in != null);
        }
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(resource("mln.zip"), false);
        json = net.getLayerWiseConfigurations().toJson();
        assertTrue(json.contains("\"formatVersion\" : 1"), "format version is persisted");
        String future = json.replace("\"formatVersion\" : 1", "\"formatVersion\" : 99");
        org.deeplearning4j.nn.conf.MultiLayerConfiguration conf =
                org.deeplearning4j.nn.conf.MultiLayerConfiguration.fromJson(future);
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, n::init);
        assertTrue(e.getMessage().contains("got 99"), e.getMessage());
        assertEquals(RationalSpec.FORMAT_VERSION, 1);
    }
}
