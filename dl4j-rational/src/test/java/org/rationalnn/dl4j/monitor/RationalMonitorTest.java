package org.rationalnn.dl4j.monitor;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.Activation;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.rational.RationalVersion;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The monitor on all four rational layer types: statistics checked against an independent computation (learning rate
 * 0, so every iteration sees the same network), pole warnings for version N, the stop on NaN in an output and in a
 * coefficient gradient naming layer and parameter, and the PNG of every rational.
 */
class RationalMonitorTest {

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static final DataSet DATA = AllRationalNets.data(16, false, 5, DataType.DOUBLE);

    @Test
    void statisticsOfDenseAndChannelSharedRationals() {
        MultiLayerNetwork net = AllRationalNets.mln(DataType.DOUBLE, new Sgd(0.0));
        RationalMonitor m = RationalMonitor.builder().frequency(2).log(false).build();
        net.addListeners(m);
        for (int i = 0; i < 5; i++) {
            net.fit(DATA);
        }
        assertEquals(List.of(0, 2, 4), m.history("ract").stream().map(RationalStats::iteration).toList());
        assertEquals(6, m.history().size());

        List<INDArray> acts = net.feedForward(DATA.getFeatures(), false);
        // rdense: its rational sees x W + b
        INDArray z = DATA.getFeatures().mmul(net.getLayer(0).getParam("W")).addiRowVector(net.getLayer(0)
                .getParam("b"));
        RationalStats d = m.latest().get("rdense");
        assertEquals(z.minNumber().doubleValue(), d.inputMin(), 1e-12);
        assertEquals(z.maxNumber().doubleValue(), d.inputMax(), 1e-12);
        assertEquals(z.length(), d.elements());
        RationalFunction rd = new RationalFunction(RationalVersion.B, net.getLayer(0).getParam("numerator")
                .toDoubleVector(), net.getLayer(0).getParam("denominator").toDoubleVector());
        double minQ = Double.POSITIVE_INFINITY;
        long outside = 0;
        for (double v : z.data().asDouble()) {
            minQ = Math.min(minQ, Math.abs(RationalVersion.B.denominator(v, rd.denominator())));
            outside += v < -3 || v > 3 ? 1 : 0;
        }
        assertEquals(minQ, d.minAbsQ(), 1e-12);
        assertEquals((double) outside / z.length(), d.fractionOutside(), 1e-12);
        assertEquals(net.getLayer(0).getParam("numerator").norm2Number().doubleValue(), d.numeratorNorm(), 1e-12);
        assertEquals(0.0, d.numeratorChange(), "learning rate 0");
        assertTrue(Double.isNaN(m.history("rdense").get(0).numeratorChange()), "nothing to compare at the start");

        // ract: CHANNEL sharing, each column of its input uses its own coefficient set
        INDArray in = acts.get(1);
        RationalStats a = m.latest().get("ract");
        assertEquals(6, a.sets());
        double best = Double.POSITIVE_INFINITY;
        int bestSet = -1;
        for (int c = 0; c < 6; c++) {
            double[] den = net.getLayer(1).getParam("denominator").getRow(c).toDoubleVector();
            for (int r = 0; r < in.rows(); r++) {
                double q = Math.abs(RationalVersion.N.denominator(in.getDouble(r, c), den));
                if (q < best) {
                    best = q;
                    bestSet = c;
                }
            }
        }
        assertEquals(best, a.minAbsQ(), 1e-12);
        assertEquals(bestSet, a.minAbsQSet());
        assertFalse(a.poleWarning(), a.summary());
        assertNotNull(m.inputRange("ract"));
        assertEquals(Math.min(4096, 3 * in.length()), m.inputSample("ract").length);
    }

    @Test
    void versionNWarnsBeforeAPoleAndSeesOneInsideTheRange() {
        MultiLayerNetwork net = AllRationalNets.mln(DataType.DOUBLE, new Sgd(0.0));
        INDArray in = net.feedForward(DATA.getFeatures(), false).get(1);
        double max = in.maxNumber().doubleValue();
        INDArray den = net.getLayer(1).getParam("denominator");
        den.assign(0.0);
        den.getColumn(0).assign(-1.0 / (1.02 * max)); // Q = 1 - x / (1.02 max): min Q ≈ 0.02 at the largest input
        RationalMonitor m = RationalMonitor.builder().frequency(1).log(false).build();
        net.addListeners(m);
        net.fit(DATA);
        RationalStats near = m.latest().get("ract");
        assertTrue(near.poleWarning() && !near.qChangesSign(), near.summary());
        assertEquals(1 - 1 / 1.02, near.minAbsQ(), 1e-9);

        den.getColumn(0).assign(-2.0 / max); // Q = 0 at max / 2: inside the input range
        net.fit(DATA);
        RationalStats inside = m.latest().get("ract");
        assertTrue(inside.poleWarning() && inside.qChangesSign(), inside.summary());
        assertTrue(inside.summary().contains("POLE"));
    }

    @Test
    void nanInAnOutputStopsTrainingNamingTheLayer() {
        MultiLayerNetwork net = AllRationalNets.mln(DataType.DOUBLE, AllRationalNets.adam());
        net.addListeners(RationalMonitor.builder().log(false).build());
        net.getLayer(1).getParam("numerator").putScalar(0, 0, Double.NaN);
        RationalDivergenceException e = assertThrows(RationalDivergenceException.class, () -> net.fit(DATA));
        assertEquals("ract", e.rational());
        assertEquals(RationalDivergenceException.OUTPUT, e.parameter());
        assertTrue(e.getMessage().contains("'ract'") && e.getMessage().contains("input is finite"), e.getMessage());
    }

    @Test
    void nanInACoefficientGradientStopsTrainingNamingTheParameter() {
        MultiLayerNetwork net = AllRationalNets.mln(DataType.DOUBLE, AllRationalNets.adam());
        RationalMonitor m = RationalMonitor.builder().log(false).build();
        net.setInput(DATA.getFeatures());
        net.setLabels(DATA.getLabels());
        net.computeGradientAndScore();
        m.onGradientCalculation(net); // finite: nothing happens
        net.gradient().gradientForVariable().get("1_denominator").putScalar(0, 2, Double.POSITIVE_INFINITY);
        RationalDivergenceException e = assertThrows(RationalDivergenceException.class,
                () -> m.onGradientCalculation(net));
        assertEquals("ract", e.rational());
        assertEquals("denominator", e.parameter());
        assertTrue(e.getMessage().contains("1_denominator"), e.getMessage());

        ComputationGraph g = AllRationalNets.graph(DataType.DOUBLE, AllRationalNets.adam());
        g.setInputs(DATA.getFeatures());
        g.setLabels(DATA.getLabels());
        g.computeGradientAndScore();
        g.gradient().gradientForVariable().get("rv_numerator").putScalar(0, 0, Double.NaN);
        e = assertThrows(RationalDivergenceException.class, () -> m.onGradientCalculation(g));
        assertEquals("rv", e.rational());
        assertEquals("numerator", e.parameter());
    }

    @Test
    void graphVertexAndTransformerBlock(@TempDir Path dir) throws IOException {
        ComputationGraph g = AllRationalNets.graph(DataType.DOUBLE, AllRationalNets.adam());
        RationalMonitor m = RationalMonitor.builder().frequency(1).log(false).build();
        g.addListeners(m);
        g.fit(DATA);
        Map<String, INDArray> acts = g.feedForward(DATA.getFeatures(), false);
        assertEquals(List.of("rv", "ra"), List.copyOf(m.latest().keySet()));
        RationalStats rv = m.latest().get("rv");
        assertEquals(2, rv.sets());
        assertEquals(RationalVersion.A, rv.version());
        // the forward pass of iteration 0 ran before the update: compare with a fresh graph's activations
        ComputationGraph fresh = AllRationalNets.graph(DataType.DOUBLE, AllRationalNets.adam());
        assertEquals(fresh.feedForward(DATA.getFeatures(), false).get("d").minNumber().doubleValue(), rv.inputMin(),
                1e-12);
        assertTrue(acts.containsKey("rv"));

        MultiLayerNetwork block = AllRationalNets.block(DataType.DOUBLE, AllRationalNets.adam());
        RationalMonitor mb = RationalMonitor.builder().frequency(1).log(false).build();
        block.addListeners(mb);
        DataSet seq = AllRationalNets.data(4, true, 6, DataType.DOUBLE);
        block.fit(seq);
        block.fit(seq);
        RationalStats r = mb.latest().get("block/rational");
        assertTrue(r.inputObserved(), "the gate's pre-activations are recomputed from the block's input");
        assertTrue(r.minAbsQ() > 0 && r.fractionOutside() >= 0 && r.fractionOutside() <= 1, r.summary());
        assertEquals(4L * AllRationalNets.T * 8, r.elements(), "rows x hidden width");
        assertTrue(r.numeratorChange() > 0, "the block's coefficients train");
        assertTrue(mb.latest().get("block/attention").inputObserved());

        Path png = dir.resolve("rationals.png");
        assertEquals(List.of("rv", "ra"), RationalPlots.write(g, m, png));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(2 * RationalPlots.PANEL_WIDTH, img.getWidth());
        assertEquals(RationalPlots.PANEL_HEIGHT, img.getHeight());
        assertTrue(colouredPixels(img) > 1000, "curves and histograms are drawn");
        Path png2 = dir.resolve("block.png");
        assertEquals(List.of("block/rational", "block/attention"), RationalPlots.write(block, mb, png2));
        assertTrue(colouredPixels(ImageIO.read(png2.toFile())) > 500);
        // without a monitor: the spec's fit interval, no histogram
        RationalPlots.write(AllRationalNets.mln(DataType.DOUBLE, AllRationalNets.adam()), null,
                dir.resolve("plain.png"));
        assertTrue(colouredPixels(ImageIO.read(dir.resolve("plain.png").toFile())) > 300);
    }

    /** A block with the given feed-forward and execution, no normalization, causal rational attention. */
    private static MultiLayerNetwork blockNet(RationalTransformerBlock.FeedForward ffn,
                                              RationalTransformerBlock.Execution execution, double residualDropout) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE)
                .updater(new Sgd(0.0)).weightInit(WeightInit.XAVIER).list()
                .layer(new RationalTransformerBlock.Builder().name("block").dModel(AllRationalNets.FEATURES)
                        .hidden(6).heads(2).feedForward(ffn).attention(RationalTransformerBlock.Attention.RATIONAL)
                        .normalization(RationalTransformerBlock.Normalization.NONE).causal(true)
                        .residualDropout(residualDropout).execution(execution).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out")
                        .nOut(AllRationalNets.CLASSES).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(AllRationalNets.FEATURES)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Sequences [6, 4, T] whose odd examples have their last step padded. */
    private static DataSet paddedSequences() {
        DataSet d = AllRationalNets.data(6, true, 8, DataType.DOUBLE);
        INDArray mask = Nd4j.ones(DataType.DOUBLE, 6, AllRationalNets.T);
        for (int i = 1; i < 6; i += 2) {
            mask.putScalar(i, AllRationalNets.T - 1, 0.0);
        }
        return new DataSet(d.getFeatures(), d.getLabels(), mask, mask);
    }

    @Test
    void transformerBlockRationalsSeeTheBlocksIntermediateValues() {
        DataSet data = paddedSequences();
        int t = AllRationalNets.T;
        long keptRows = 6L * t - 3;
        long heads = 2;
        for (RationalTransformerBlock.FeedForward ffn : List.of(RationalTransformerBlock.FeedForward.RATIONAL_GLU,
                RationalTransformerBlock.FeedForward.RATIONAL)) {
            Map<String, RationalStats> byExecution = null;
            for (RationalTransformerBlock.Execution ex : RationalTransformerBlock.Execution.values()) {
                MultiLayerNetwork net = blockNet(ffn, ex, 0.0);
                RationalMonitor m = RationalMonitor.builder().frequency(1).log(false).build();
                net.addListeners(m);
                net.fit(data);
                Map<String, RationalStats> latest = m.latest();
                List<String> names = ffn == RationalTransformerBlock.FeedForward.RATIONAL
                        ? List.of("block/r1", "block/r2", "block/attention")
                        : List.of("block/rational", "block/attention");
                assertEquals(names, List.copyOf(latest.keySet()));
                for (RationalStats s : latest.values()) {
                    assertTrue(s.inputObserved() && s.minAbsQ() > 0 && Double.isFinite(s.fractionOutside()),
                            s.summary());
                }
                // padded rows are not counted: 3 of the 18 positions
                if (ffn == RationalTransformerBlock.FeedForward.RATIONAL) {
                    assertEquals(keptRows * AllRationalNets.FEATURES, latest.get("block/r1").elements());
                    assertEquals(keptRows * 6, latest.get("block/r2").elements());
                } else {
                    assertEquals(keptRows * 6, latest.get("block/rational").elements());
                }
                checkAttentionInputs(net, data, latest.get("block/attention"), heads);
                if (byExecution == null) {
                    byExecution = latest;
                } else {
                    // both executions compute the same block: the same statistics
                    for (String n : names) {
                        RationalStats a = byExecution.get(n);
                        RationalStats b = latest.get(n);
                        assertEquals(a.inputMin(), b.inputMin(), 1e-9, n);
                        assertEquals(a.inputMax(), b.inputMax(), 1e-9, n);
                        assertEquals(a.minAbsQ(), b.minAbsQ(), 1e-9, n);
                        assertEquals(a.elements(), b.elements(), n);
                    }
                }
            }
        }
    }

    /**
     * Rational attention's inputs, computed here from the block's parameters (no normalization, so the attention
     * sees x): z[q, k] = s[q, k] − max over kept keys of s[q, ·], s = (x Wq + bq)(x Wk + bk)ᵀ / sqrt(d_h) per head,
     * over the keys k ≤ q that are not padded.
     */
    private static void checkAttentionInputs(MultiLayerNetwork net, DataSet data, RationalStats att, long heads) {
        INDArray x = data.getFeatures();
        INDArray pad = data.getFeaturesMaskArray();
        long mb = x.size(0);
        long t = x.size(2);
        long d = x.size(1);
        long dh = d / heads;
        org.deeplearning4j.nn.api.Layer block = net.getLayer(0);
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        long count = 0;
        for (int b = 0; b < mb; b++) {
            INDArray rows = x.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all()).transpose();
            INDArray q = rows.mmul(block.getParam(RationalTransformerBlock.WQ))
                    .addiRowVector(block.getParam(RationalTransformerBlock.BQ));
            INDArray k = rows.mmul(block.getParam(RationalTransformerBlock.WK))
                    .addiRowVector(block.getParam(RationalTransformerBlock.BK));
            for (int h = 0; h < heads; h++) {
                INDArray qh = q.get(NDArrayIndex.all(), NDArrayIndex.interval(h * dh, (h + 1) * dh));
                INDArray kh = k.get(NDArrayIndex.all(), NDArrayIndex.interval(h * dh, (h + 1) * dh));
                INDArray s = qh.mmul(kh.transpose()).divi(Math.sqrt(dh));
                for (int qi = 0; qi < t; qi++) {
                    double rowMax = Double.NEGATIVE_INFINITY;
                    for (int ki = 0; ki <= qi; ki++) {
                        if (pad.getDouble(b, ki) != 0) {
                            rowMax = Math.max(rowMax, s.getDouble(qi, ki));
                        }
                    }
                    for (int ki = 0; ki <= qi; ki++) {
                        if (pad.getDouble(b, ki) != 0) {
                            double z = s.getDouble(qi, ki) - rowMax;
                            min = Math.min(min, z);
                            max = Math.max(max, z);
                            count++;
                        }
                    }
                }
            }
        }
        assertEquals(count, att.elements());
        assertEquals(min, att.inputMin(), 1e-9);
        assertEquals(max, att.inputMax(), 1e-9);
        assertEquals(0.0, att.inputMax(), 1e-12, "every query's largest score is shifted to 0");
    }

    @Test
    void blockInputsUseTheIterationsDropoutMultipliers() {
        DataSet data = paddedSequences();
        MultiLayerNetwork net = blockNet(RationalTransformerBlock.FeedForward.RATIONAL_GLU,
                RationalTransformerBlock.Execution.NATIVE, 0.5);
        net.setInput(data.getFeatures());
        net.setLayerMaskArrays(data.getFeaturesMaskArray(), data.getLabelsMaskArray());
        RationalSite gate = RationalSite.find(net).get(0);
        assertEquals("block/rational", gate.name());
        net.getLayer(0).activate(data.getFeatures(), true, LayerWorkspaceMgr.noWorkspaces());
        INDArray first = gate.rationalInput(data.getFeatures());
        // the same multipliers until the next training forward pass: the same values
        assertEquals(first, gate.rationalInput(data.getFeatures()));
        net.getLayer(0).activate(data.getFeatures(), true, LayerWorkspaceMgr.noWorkspaces());
        assertNotEquals(first, gate.rationalInput(data.getFeatures()), "new multipliers, other gate inputs");
        net.getLayer(0).activate(data.getFeatures(), false, LayerWorkspaceMgr.noWorkspaces());
        INDArray inference = gate.rationalInput(data.getFeatures());
        net.getLayer(0).activate(data.getFeatures(), false, LayerWorkspaceMgr.noWorkspaces());
        assertEquals(inference, gate.rationalInput(data.getFeatures()));
        assertEquals(15, inference.size(0), "padded rows left out");
        net.clearLayerMaskArrays();
        assertEquals(18, gate.rationalInput(data.getFeatures()).size(0), "without a mask every row counts");
    }

    private static int colouredPixels(BufferedImage img) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xFF;
                int gr = (rgb >> 8) & 0xFF;
                int b = rgb & 0xFF;
                if (Math.max(r, Math.max(gr, b)) - Math.min(r, Math.min(gr, b)) > 40) {
                    n++;
                }
            }
        }
        return n;
    }
}
