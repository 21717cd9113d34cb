package org.rationalnn.dl4j.samediff;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.rationalnn.dl4j.layers.InputKind;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.rational.TargetFunction;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Small double-precision networks around the SameDiff layers for the tests, built on the input kinds of
 * {@link InputKind}: a native parameterised layer before (l1/l2 on its weights), the layers or vertices under test,
 * and an output layer.
 */
final class SdNets {

    private SdNets() {
    }

    static NeuralNetConfiguration.Builder base(IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(12345).dataType(DataType.DOUBLE).updater(updater)
                .weightInit(WeightInit.XAVIER).l1(1e-3).l2(2e-3);
    }

    static RationalSpec spec(RationalVersion v, int m, int n, Sharing sharing) {
        RationalSpec.Builder b = RationalSpec.builder().degrees(m, n).version(v).init(TargetFunction.LEAKY_RELU, 0.1)
                .noise(0.0);
        if (sharing == Sharing.GROUP) {
            b.groups(2);
        } else {
            b.sharing(sharing);
        }
        return b.build();
    }

    /** before → layers... → output, as a MultiLayerNetwork. */
    static MultiLayerNetwork mln(InputKind kind, IUpdater updater, Layer... layers) {
        NeuralNetConfiguration.ListBuilder lb = base(updater).list().layer(kind.before());
        for (Layer l : layers) {
            lb.layer(l);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(lb.layer(kind.output()).setInputType(kind.inputType()).build());
        net.init();
        return net;
    }

    /** before → layers... → output, as a ComputationGraph with layer names "l0", "l1", ... */
    static ComputationGraph graphOfLayers(InputKind kind, IUpdater updater, Layer... layers) {
        ComputationGraphConfiguration.GraphBuilder gb = base(updater).graphBuilder().addInputs("in")
                .setInputTypes(kind.inputType()).addLayer("before", kind.before(), "in");
        String prev = "before";
        for (int i = 0; i < layers.length; i++) {
            gb.addLayer("l" + i, layers[i], prev);
            prev = "l" + i;
        }
        ComputationGraph g = new ComputationGraph(gb.addLayer("out", kind.output(), prev).setOutputs("out").build());
        g.init();
        return g;
    }

    /** before → vertices... → output, with vertex names "v0", "v1", ... */
    static ComputationGraph graphOfVertices(InputKind kind, IUpdater updater, GraphVertex... vertices) {
        ComputationGraphConfiguration.GraphBuilder gb = base(updater).graphBuilder().addInputs("in")
                .setInputTypes(kind.inputType()).addLayer("before", kind.before(), "in");
        String prev = "before";
        for (int i = 0; i < vertices.length; i++) {
            gb.addVertex("v" + i, vertices[i], prev);
            prev = "v" + i;
        }
        ComputationGraph g = new ComputationGraph(gb.addLayer("out", kind.output(), prev).setOutputs("out").build());
        g.init();
        return g;
    }

    /**
     * Makes the coefficient sets of every rational parameter differ from each other (so a gradient sent to the wrong
     * set is caught) while staying close to the fitted initialisation.
     */
    static void perturbCoefficients(Map<String, INDArray> paramTable) {
        Nd4j.getRandom().setSeed(7);
        for (Map.Entry<String, INDArray> e : paramTable.entrySet()) {
            if (e.getKey().endsWith("numerator") || e.getKey().endsWith("denominator")) {
                INDArray p = e.getValue();
                p.addi(Nd4j.rand(p.dataType(), p.shape()).subi(0.5).muli(0.1));
            }
        }
    }

    static void checkMln(MultiLayerNetwork net, InputKind kind, int mb, String what) {
        checkMln(net, kind, mb, false, what);
    }

    /**
     * DL4J's gradient check of an MLN; with {@code ownOnly} the parameters of the first (native) layer and of the
     * output layer are not perturbed (their gradients still depend on ours, the check just takes less time).
     */
    static void checkMln(MultiLayerNetwork net, InputKind kind, int mb, boolean ownOnly, String what) {
        perturbCoefficients(net.paramTable());
        INDArray x = kind.input(mb, 42 + mb);
        INDArray y = kind.labels(mb, 42 + mb);
        INDArray mask = kind.mask(mb);
        GradientCheckUtil.MLNConfig c = new GradientCheckUtil.MLNConfig().net(net).input(x).labels(y)
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY);
        if (ownOnly) {
            String last = (net.getnLayers() - 1) + "_";
            c.excludeParams(net.paramTable().keySet().stream().filter(k -> k.startsWith("0_") || k.startsWith(last))
                    .collect(java.util.stream.Collectors.toSet()));
        }
        if (mask != null) {
            c.inputMask(mask).labelMask(mask);
        }
        assertTrue(GradientCheckUtil.checkGradients(c), "gradient check failed: " + what);
    }

    static void checkGraph(ComputationGraph g, InputKind kind, int mb, String what) {
        checkGraph(g, kind, mb, false, what);
    }

    /** DL4J's gradient check of a graph; with {@code ownOnly} the "before" and "out" layers are not perturbed. */
    static void checkGraph(ComputationGraph g, InputKind kind, int mb, boolean ownOnly, String what) {
        perturbCoefficients(g.paramTable());
        INDArray x = kind.input(mb, 42 + mb);
        INDArray y = kind.labels(mb, 42 + mb);
        INDArray mask = kind.mask(mb);
        GradientCheckUtil.GraphConfig c = new GradientCheckUtil.GraphConfig().net(g)
                .inputs(new INDArray[]{x}).labels(new INDArray[]{y}).epsilon(1e-6).maxRelError(1e-5)
                .minAbsoluteError(1e-9).print(GradientCheckUtil.PrintMode.FAILURES_ONLY);
        if (ownOnly) {
            c.excludeParams(g.paramTable().keySet().stream()
                    .filter(k -> k.startsWith("before_") || k.startsWith("out_"))
                    .collect(java.util.stream.Collectors.toSet()));
        }
        if (mask != null) {
            c.inputMask(new INDArray[]{mask}).labelMask(new INDArray[]{mask});
        }
        assertTrue(GradientCheckUtil.checkGradients(c), "gradient check failed: " + what);
    }
}
