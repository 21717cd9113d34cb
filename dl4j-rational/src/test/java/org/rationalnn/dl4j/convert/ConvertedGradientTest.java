package org.rationalnn.dl4j.convert;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.rationalnn.dl4j.rational.RationalVersion;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DL4J's gradient check, in double precision with the NoOp updater, on converted small versions of the four test
 * architectures (CNN, MLP, residual graph, RNN with masks), with versions B, N, A and B (types (5,4) and (3,2)), and
 * on the converted ResNet-style graph (version B (3,2)) and on a converted MLP whose
 * other layers are frozen (their parameters excluded: FrozenLayerWithBackprop reports zero gradients for them, while
 * the epsilon must still flow through them to the rationals before).
 */
class ConvertedGradientTest {

    /**
     * DL4J's subset mode checks every max(1, length / MAX_PER_PARAM)-th entry of each parameter array: all
     * coefficients of every rational (at most 6 per set here), a spread of at least 4 of each weight array (a full
     * check of every weight takes minutes on a shared 2-core machine).
     */
    private static final int MAX_PER_PARAM = 4;

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

    private static RationalConverter.Builder calibrated(List<DataSet> data) {
        return RationalConverter.builder().calibration(ConvertNets.iterator(data));
    }

    private static boolean check(MultiLayerNetwork net, DataSet ds, Set<String> exclude) {
        GradientCheckUtil.MLNConfig c = new GradientCheckUtil.MLNConfig().net(net).input(ds.getFeatures())
                .labels(ds.getLabels()).epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).excludeParams(exclude).subset(true)
                .maxPerParam(MAX_PER_PARAM);
        if (ds.getFeaturesMaskArray() != null) {
            c.inputMask(ds.getFeaturesMaskArray()).labelMask(ds.getLabelsMaskArray());
        }
        return GradientCheckUtil.checkGradients(c);
    }

    @Test
    void cnnVersionB() {
        List<DataSet> data = ConvertNets.images(1, 3, 21, DataType.DOUBLE, 6);
        MultiLayerNetwork net = ConvertNets.cnn(DataType.DOUBLE, new NoOp(), 2, 2, 3, 6);
        MultiLayerNetwork conv = calibrated(data).build().convert(net).network();
        // batch normalization's running statistics are not trained by gradients (DL4J's own checks exclude them)
        assertTrue(check(conv, data.get(0), Set.of("3_mean", "3_var", "3_log10stdev")));
    }

    @Test
    void mlpVersionN() {
        List<DataSet> data = ConvertNets.vectors(1, 4, 22, DataType.DOUBLE);
        MultiLayerNetwork net = ConvertNets.mlp(DataType.DOUBLE, new NoOp());
        MultiLayerNetwork conv = calibrated(data).version(RationalVersion.N).build().convert(net).network();
        assertTrue(check(conv, data.get(0), Set.of()));
    }

    @Test
    void residualGraphVersionA() {
        List<DataSet> data = ConvertNets.vectors(1, 4, 23, DataType.DOUBLE);
        ComputationGraph g = ConvertNets.residual(DataType.DOUBLE, new NoOp(), 4);
        ComputationGraph conv = calibrated(data).version(RationalVersion.A).degrees(3, 2).build().convert(g)
                .network();
        // Version A's |b_k| has a kink at b_k = 0, and the fitter currently returns some b_k within 1e-10 of it
        // (fixed elsewhere); move the coefficients off the kink so that the check tests the gradients, not the kink.
        Nd4j.getRandom().setSeed(5);
        for (java.util.Map.Entry<String, INDArray> e : conv.paramTable().entrySet()) {
            if (e.getKey().endsWith("_denominator")) {
                e.getValue().addi(Nd4j.rand(DataType.DOUBLE, e.getValue().shape()).subi(0.5).muli(0.1));
            }
        }
        GradientCheckUtil.GraphConfig c = new GradientCheckUtil.GraphConfig().net(conv)
                .inputs(new INDArray[]{data.get(0).getFeatures()}).labels(new INDArray[]{data.get(0).getLabels()})
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9).print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                .subset(true).maxPerParam(MAX_PER_PARAM);
        assertTrue(GradientCheckUtil.checkGradients(c));
    }

    @Test
    void rnnWithMasksVersionB() {
        List<DataSet> data = ConvertNets.sequences(1, 2, 24, DataType.DOUBLE, 3);
        MultiLayerNetwork net = ConvertNets.rnn(DataType.DOUBLE, new NoOp(), 3);
        MultiLayerNetwork conv = calibrated(data).degrees(3, 2).build().convert(net).network();
        assertTrue(check(conv, data.get(0), Set.of()));
    }

    /**
     * Names of the parameters to exclude so that GradientCheckUtil skips every entry of batch normalization's running
     * statistics. GradientCheckUtil names the flat parameter vector's entries by walking {@code paramTable()}, which
     * lists vertices in the configuration's order, while ComputationGraph lays the flat vector out in topological
     * order; where a branch makes the two differ (ResNet's projection shortcut), the name it prints for an entry is
     * another parameter's, and excluding the statistics by their own names would skip the wrong entries. Returned:
     * every name whose range, as GradientCheckUtil counts it, overlaps a running statistic's real range.
     */
    private static Set<String> runningStatisticsAsLabelled(ComputationGraph g) {
        java.util.Map<String, INDArray> table = g.paramTable();
        List<long[]> stats = new java.util.ArrayList<>();
        for (java.util.Map.Entry<String, INDArray> e : table.entrySet()) {
            if (e.getKey().endsWith("_mean") || e.getKey().endsWith("_var") || e.getKey().endsWith("_log10stdev")) {
                long at = e.getValue().offset() - g.params().offset();
                stats.add(new long[]{at, at + e.getValue().length()});
            }
        }
        Set<String> out = new HashSet<>();
        long start = 0;
        for (java.util.Map.Entry<String, INDArray> e : table.entrySet()) {
            long end = start + e.getValue().length();
            for (long[] s : stats) {
                if (start < s[1] && s[0] < end) {
                    out.add(e.getKey());
                }
            }
            start = end;
        }
        return out;
    }

    @Test
    void resnetStyleGraphVersionB() {
        List<DataSet> data = ConvertNets.images(1, 2, 21, DataType.DOUBLE, 8);
        ComputationGraph g = ConvertNets.resnetStyle(DataType.DOUBLE, new NoOp(), 8, false);
        ComputationGraph conv = calibrated(data).degrees(3, 2).build().convert(g).network();
        Set<String> exclude = runningStatisticsAsLabelled(conv);
        // the shortcut branch does shift the labels: c2s_W's labelled range holds c2b_bn's running statistics
        assertTrue(exclude.contains("c2s_W"), exclude.toString());
        assertTrue(!exclude.contains("out2_numerator") && !exclude.contains("c2b_relu_numerator"), exclude.toString());
        GradientCheckUtil.GraphConfig c = new GradientCheckUtil.GraphConfig().net(conv)
                .inputs(new INDArray[]{data.get(0).getFeatures()}).labels(new INDArray[]{data.get(0).getLabels()})
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9).print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                .excludeParams(exclude).subset(true).maxPerParam(MAX_PER_PARAM);
        assertTrue(GradientCheckUtil.checkGradients(c));
    }

    @Test
    void onlyRationalsTrainable() {
        List<DataSet> data = ConvertNets.vectors(1, 4, 22, DataType.DOUBLE);
        MultiLayerNetwork net = ConvertNets.mlp(DataType.DOUBLE, new NoOp());
        Conversion<MultiLayerNetwork> c = calibrated(data).version(RationalVersion.N).trainOnlyRationals(true).build()
                .convert(net);
        MultiLayerNetwork conv = c.network();
        Set<String> frozen = new HashSet<>();
        for (String key : conv.paramTable().keySet()) {
            String layer = conv.getLayer(Integer.parseInt(key.split("_")[0])).conf().getLayer().getLayerName();
            if (c.report().frozenLayers().contains(layer)) {
                frozen.add(key);
            }
        }
        assertEquals(8, frozen.size());
        assertTrue(check(conv, data.get(0), frozen));
    }
}
