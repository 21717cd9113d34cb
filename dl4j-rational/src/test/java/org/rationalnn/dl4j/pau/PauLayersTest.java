package org.rationalnn.dl4j.pau;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.monitor.AllRationalNets;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.rational.RationalVersion;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Trained PAU layers in and out: a layer exported from PyTorch (here written by hand in that layout, with
 * coefficients a trained PAU module could hold) becomes a spec whose DL4J layer computes PAU's formula, for versions
 * A, B, C (n + 1 denominator values) and N; a DL4J network's rationals (all four layer types) are exported, written,
 * read back and loaded into another network with identical outputs; and written as a PAU table.
 */
class PauLayersTest {

    private static DataType before;

    @BeforeAll
    static void doublePrecision() {
        before = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(before, before);
    }

    /** As `json.dump({name: {"version", "degrees", "numerator", "denominator"}})` writes it from PyTorch. */
    static final String TRAINED = "{\n"
            + " \"features.2\": {\"version\": \"A\", \"degrees\": [5, 4],\n"
            + "   \"numerator\": [0.031, 0.62, 2.29, 3.07, 1.52, 0.24],\n"
            + "   \"denominator\": [-1.15, 4.41, 0.90, 0.35]},\n"
            + " \"features.5\": {\"version\": \"B\", \"degrees\": [5, 4],\n"
            + "   \"numerator\": [0.04, 0.51, 1.60, 2.01, 0.95, 0.14],\n"
            + "   \"denominator\": [0.01, 3.90, -0.02, 0.31]},\n"
            + " \"head.act\": {\"version\": \"C\", \"degrees\": [3, 2],\n"
            + "   \"numerator\": [1.30, 6.41, 4.52, 1.27],\n"
            + "   \"denominator\": [11.66, -0.16, 2.30]},\n"
            + " \"gate\": {\"version\": \"N\", \"degrees\": [3, 2],\n"
            + "   \"numerator\": [0.02, 0.5, 1.6, 1.19],\n"
            + "   \"denominator\": [0.01, 2.38]}\n"
            + "}";

    @Test
    void trainedPauLayersComputePausFormula() throws IOException {
        PauLayers layers = PauLayers.parse(TRAINED);
        assertEquals(List.of("features.2", "features.5", "head.act", "gate"), List.copyOf(layers.layers().keySet()));
        PauLayers.Layer c = layers.get("head.act");
        assertEquals(RationalVersion.C, c.version());
        assertEquals(3, c.denominator()[0].length, "version C (3,2) holds b_0..b_2");
        double[] x = new double[401];
        for (int i = 0; i < x.length; i++) {
            x[i] = -4 + 8.0 * i / (x.length - 1);
        }
        for (PauLayers.Layer l : layers.layers().values()) {
            double[] y = PauTableTest.layerOutputs(l.spec(), x);
            for (int i = 0; i < x.length; i++) {
                double expected = PauTableTest.pau(l.version(), l.numerator()[0], l.denominator()[0], x[i]);
                assertEquals(expected, y[i], 1e-12 * Math.max(1, Math.abs(expected)), l + " at " + x[i]);
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PauLayers.parse(
                "{\"x\": {\"version\": \"C\", \"degrees\": [3, 2], \"numerator\": [0,1,0,0], \"denominator\": [1, 0]}}"));
        assertTrue(e.getMessage().contains("3 denominator coefficients"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PauLayers.parse(
                "{\"x\": {\"version\": \"E\", \"degrees\": [3, 2], \"numerator\": [0,1,0,0], \"denominator\": [1, 0]}}"));
    }

    @Test
    void exportWriteReadAndLoadEveryLayerType(@TempDir Path dir) throws IOException {
        MultiLayerNetwork mln = AllRationalNets.mln(DataType.DOUBLE, AllRationalNets.adam());
        ComputationGraph graph = AllRationalNets.graph(DataType.DOUBLE, AllRationalNets.adam());
        MultiLayerNetwork block = AllRationalNets.block(DataType.DOUBLE, AllRationalNets.adam());
        for (Object net : List.of(mln, graph, block)) {
            perturb(net);
        }
        PauLayers m = PauLayers.of(mln);
        assertEquals(List.of("rdense", "ract"), List.copyOf(m.layers().keySet()));
        assertEquals(6, m.get("ract").sets(), "CHANNEL sharing over 6 channels");
        assertEquals(Set.of("rv", "ra"), PauLayers.of(graph).layers().keySet());
        assertEquals(2, PauLayers.of(graph).get("rv").sets(), "GROUP sharing with 2 groups");
        assertEquals(List.of("block/rational", "block/attention"), List.copyOf(PauLayers.of(block).layers().keySet()));

        Path f = dir.resolve("layers.json");
        m.write(f);
        PauLayers back = PauLayers.read(f);
        assertEquals(m.layers(), back.layers());

        MultiLayerNetwork fresh = AllRationalNets.mln(DataType.DOUBLE, AllRationalNets.adam());
        fresh.setParams(mln.params().dup());
        fresh.getLayer("ract").getParam("numerator").assign(0.5);
        INDArray x = AllRationalNets.data(5, false, 3, DataType.DOUBLE).getFeatures();
        assertNotEquals(mln.output(x), fresh.output(x));
        assertEquals(List.of("rdense", "ract"), back.apply(fresh));
        assertEquals(mln.output(x), fresh.output(x));

        ComputationGraph g2 = AllRationalNets.graph(DataType.DOUBLE, AllRationalNets.adam());
        g2.setParams(graph.params().dup());
        g2.getVertex("rv").paramTable(false).values().forEach(p -> p.assign(0.3));
        PauLayers.parse(PauLayers.of(graph).toJson()).apply(g2);
        assertEquals(graph.outputSingle(x), g2.outputSingle(x));

        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> PauLayers.parse(TRAINED).apply(fresh));
        assertTrue(wrong.getMessage().contains("features.2"), wrong.getMessage());
    }

    @Test
    void networkAsPauTable() throws IOException {
        MultiLayerNetwork mln = AllRationalNets.mln(DataType.DOUBLE, AllRationalNets.adam());
        perturb(mln);
        PauTable t = PauTable.parse(PauTable.of(mln).toJson());
        assertEquals(1 + 6, t.entries().size(), "rdense, and ract's 6 channel sets");
        PauTable.Entry dense = t.get(RationalVersion.B, 5, 4, "rdense");
        PauTable.Entry channel3 = t.get(RationalVersion.N, 5, 4, "ract#3");
        RationalFunction expected = new RationalFunction(RationalVersion.N,
                mln.getLayer("ract").getParam("numerator").getRow(3).toDoubleVector(),
                mln.getLayer("ract").getParam("denominator").getRow(3).toDoubleVector());
        assertEquals(expected, channel3.function());
        assertEquals(-3.0, dense.lower());
        assertEquals(3.0, dense.upper());
    }

    /** Makes every coefficient set distinct (as after training). */
    private static void perturb(Object net) {
        Nd4j.getRandom().setSeed(9);
        java.util.Map<String, INDArray> table = net instanceof MultiLayerNetwork ? ((MultiLayerNetwork) net)
                .paramTable() : ((ComputationGraph) net).paramTable();
        for (java.util.Map.Entry<String, INDArray> e : table.entrySet()) {
            if (e.getKey().endsWith("umerator") || e.getKey().endsWith("enominator")) {
                e.getValue().addi(Nd4j.rand(e.getValue().dataType(), e.getValue().shape()).subi(0.5).muli(0.05));
            }
        }
    }
}
