package org.rationalnn.dl4j.transformer;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tiny double-precision networks around {@link RationalTransformerBlock} for the tests: a native dense layer before
 * (so the block's input gradient is checked too), the blocks, and a softmax RNN output layer with 3 classes.
 */
final class BlockNets {

    static final int D = 4;
    static final int CLASSES = 3;

    private BlockNets() {
    }

    static NeuralNetConfiguration.Builder base(IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(12345).dataType(DataType.DOUBLE).updater(updater)
                .weightInit(WeightInit.XAVIER);
    }

    static Layer before() {
        return new DenseLayer.Builder().nOut(D).activation(Activation.TANH).l2(1e-3).build();
    }

    static Layer output() {
        return new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                .activation(Activation.SOFTMAX).build();
    }

    /** before → blocks → output (DL4J adds RNN→FF and FF→RNN preprocessors around the dense layer). */
    static MultiLayerNetwork mln(RNNFormat format, Layer... blocks) {
        NeuralNetConfiguration.ListBuilder lb = base(new NoOp()).list().layer(before());
        for (Layer l : blocks) {
            lb.layer(l);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(lb.layer(output())
                .setInputType(InputType.recurrent(D, format)).build());
        net.init();
        return net;
    }

    static ComputationGraph graph(RNNFormat format, Layer... blocks) {
        ComputationGraphConfiguration.GraphBuilder gb = base(new NoOp()).graphBuilder().addInputs("in")
                .setInputTypes(InputType.recurrent(D, format)).addLayer("before", before(), "in");
        String prev = "before";
        for (int i = 0; i < blocks.length; i++) {
            gb.addLayer("b" + i, blocks[i], prev);
            prev = "b" + i;
        }
        ComputationGraph g = new ComputationGraph(gb.addLayer("out", output(), prev).setOutputs("out").build());
        g.init();
        return g;
    }

    /** Random input [mb, D, t] (NCW) or [mb, t, D] (NWC). */
    static INDArray input(RNNFormat format, int mb, int t, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(DataType.DOUBLE, mb, D, t);
        return format == RNNFormat.NCW ? x : x.permute(0, 2, 1).dup();
    }

    static INDArray labels(RNNFormat format, int mb, int t, long seed) {
        Random r = new Random(seed);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, mb, CLASSES, t);
        for (int i = 0; i < mb; i++) {
            for (int s = 0; s < t; s++) {
                y.putScalar(i, r.nextInt(CLASSES), s, 1.0);
            }
        }
        return format == RNNFormat.NCW ? y : y.permute(0, 2, 1).dup();
    }

    /** [mb, t] with the last step of every odd example padded (or null). */
    static INDArray mask(int mb, int t, boolean masked) {
        if (!masked) {
            return null;
        }
        INDArray m = Nd4j.ones(DataType.DOUBLE, mb, t);
        for (int i = 1; i < mb; i += 2) {
            m.putScalar(i, t - 1, 0.0);
        }
        return m;
    }

    /** Moves rational coefficients and LayerNorm parameters away from their symmetric initial values. */
    static void perturb(Map<String, INDArray> paramTable) {
        Nd4j.getRandom().setSeed(7);
        for (Map.Entry<String, INDArray> e : paramTable.entrySet()) {
            String k = e.getKey();
            if (k.endsWith("umerator") || k.endsWith("enominator") || k.contains("ln") || k.contains("_b")) {
                INDArray p = e.getValue();
                p.addi(Nd4j.rand(p.dataType(), p.shape()).subi(0.5).muli(0.1));
            }
        }
    }

    /** Elements checked per parameter array (0 = all). */
    static int maxPerParam = 2;

    static void checkMln(MultiLayerNetwork net, RNNFormat format, int mb, int t, boolean masked, String what) {
        perturb(net.paramTable());
        INDArray mask = mask(mb, t, masked);
        GradientCheckUtil.MLNConfig c = new GradientCheckUtil.MLNConfig().net(net).input(input(format, mb, t, 42))
                .labels(labels(format, mb, t, 43)).epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).subset(maxPerParam > 0).maxPerParam(maxPerParam);
        if (mask != null) {
            c.inputMask(mask).labelMask(mask);
        }
        assertTrue(GradientCheckUtil.checkGradients(c), "gradient check failed: " + what);
    }

    static void checkGraph(ComputationGraph g, RNNFormat format, int mb, int t, boolean masked, String what) {
        perturb(g.paramTable());
        INDArray mask = mask(mb, t, masked);
        GradientCheckUtil.GraphConfig c = new GradientCheckUtil.GraphConfig().net(g)
                .inputs(new INDArray[]{input(format, mb, t, 42)}).labels(new INDArray[]{labels(format, mb, t, 43)})
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).subset(maxPerParam > 0).maxPerParam(maxPerParam);
        if (mask != null) {
            c.inputMask(new INDArray[]{mask}).labelMask(new INDArray[]{mask});
        }
        assertTrue(GradientCheckUtil.checkGradients(c), "gradient check failed: " + what);
    }
}
