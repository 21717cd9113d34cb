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

    /** 0.1.0's version C of "type (5, 4)" stored 4 denominator coefficients: it is PAU's type (5, 3) now. */
    @Test
    void versionCFromRelease010ReadsAsTypeWithOneDegreeLess() throws Exception {
        ComputationGraph c = ModelSerializer.restoreComputationGraph(resource("graph-cnn-nhwc.zip"), false);
        RationalSpec spec = ((RationalActivationLayer) c.getLayer("rat").conf().getLayer()).getSpec();
        assertEquals(RationalVersion.C, spec.getVersion());
        assertEquals(5, spec.getNumeratorDegree());
        assertEquals(3, spec.getDenominatorDegree());
        assertEquals(4, spec.denominatorLength());
        assertEquals(RationalSpec.FORMAT_VERSION, spec.getFormatVersion());
        assertEquals(4, c.getLayer("rat").getParam("denominator").size(1));
        // saved again, it is written in the current format and still computes the same
        File again = File.createTempFile("golden-c", ".zip");
        again.deleteOnExit();
        ModelSerializer.writeModel(c, again, false);
        assertTrue(c.getConfiguration().toJson().contains("\"formatVersion\" : " + RationalSpec.FORMAT_VERSION));
        ComputationGraph back = ModelSerializer.restoreComputationGraph(again, false);
        assertEquals(3, ((RationalActivationLayer) back.getLayer("rat").conf().getLayer()).getSpec()
                .getDenominatorDegree());
        assertTrue(expected("graph-cnn-nhwc-output.txt").equalsWithEps(back.outputSingle(GoldenModels.cnnInput()),
                1e-10));
    }

    /** RationalDense (C), RationalVertex (A) and the transformer block (C, rational attention) saved by 0.1.0. */
    @Test
    void sameDiffLayerTypesFromRelease010() throws Exception {
        ComputationGraph g = ModelSerializer.restoreComputationGraph(resource("graph-samediff.zip"), true);
        INDArray x = GoldenSameDiffModels.input();
        assertTrue(expected("graph-samediff-output.txt").equalsWithEps(g.outputSingle(x), 1e-10));
        RationalSpec dense = ((org.rationalnn.dl4j.samediff.RationalDense) g.getLayer("dense").conf().getLayer())
                .getSpec();
        assertEquals(2, dense.getDenominatorDegree(), "0.1.0's C (4, 3) is PAU's (4, 2)");
        assertEquals(3, g.getLayer("dense").getParam("denominator").size(1));
        INDArray y = x.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2), org.nd4j.linalg.indexing.NDArrayIndex.all())
                .dup();
        double before = g.score(new DataSet(x, y));
        for (int i = 0; i < 5; i++) {
            g.fit(new DataSet(x, y));
        }
        assertTrue(g.score(new DataSet(x, y)) < before, "training continues with the saved updater state");
    }

    @Test
    void newerFormatVersionIsRejectedClearly() throws Exception {
        String json;
        try (InputStream in = GoldenModelTest.class.getResourceAsStream(DIR + "mln.zip")) {
            assertTrue(in != null);
        }
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(resource("mln.zip"), false);
        json = net.getLayerWiseConfigurations().toJson();
        String current = "\"formatVersion\" : " + RationalSpec.FORMAT_VERSION;
        assertTrue(json.contains(current), "format version is persisted");
        String future = json.replace(current, "\"formatVersion\" : 99");
        org.deeplearning4j.nn.conf.MultiLayerConfiguration conf =
                org.deeplearning4j.nn.conf.MultiLayerConfiguration.fromJson(future);
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, n::init);
        assertTrue(e.getMessage().contains("got 99"), e.getMessage());
        assertEquals(2, RationalSpec.FORMAT_VERSION);
    }
}
