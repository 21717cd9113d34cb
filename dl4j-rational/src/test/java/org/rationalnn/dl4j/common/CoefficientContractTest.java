package org.rationalnn.dl4j.common;

import org.deeplearning4j.nn.api.layers.LayerConstraint;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.constraint.MaxNormConstraint;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.weightnoise.DropConnect;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.rationalnn.dl4j.layers.RationalActivationLayer;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.rational.TargetFunction;
import org.rationalnn.dl4j.samediff.RationalDense;
import org.rationalnn.dl4j.samediff.RationalVertex;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one contract of the four rational layer types ({@link RationalLayer}), checked per layer type in real networks:
 * the same builder words; global l1/l2 and weight constraints / DropConnect never reach the coefficients; the
 * coefficient updater and regularization are used when given (and only then); plain weight words on a layer without
 * weights are rejected.
 */
class CoefficientContractTest {

    private static final RationalSpec SPEC = RationalSpec.builder().degrees(3, 2).init(TargetFunction.SILU)
            .sharing(Sharing.LAYER).build();

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /** A network per layer type, with global l2, global weight constraints and global DropConnect. */
    private enum Kind {
        ACTIVATION_LAYER, DENSE, VERTEX, BLOCK
    }

    private static NeuralNetConfiguration.Builder base() {
        return new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.DOUBLE).updater(new Sgd(0.1)).l2(0.05)
                .constrainWeights(new MaxNormConstraint(0.5, 1)).weightNoise(new DropConnect(0.9));
    }

    /** The rational layer (config) of the given kind with the given coefficient words applied. */
    private static Object rational(Kind kind, Function<Object, Object> words) {
        switch (kind) {
            case ACTIVATION_LAYER: {
                RationalActivationLayer.Builder b = new RationalActivationLayer.Builder().spec(SPEC).name("rat");
                words.apply(b);
                return b.build();
            }
            case DENSE: {
                // nIn given: DL4J resolves global constraints before it sets nIn from the input type
                RationalDense.Builder b = new RationalDense.Builder().nIn(4).nOut(4).spec(SPEC).name("rat");
                words.apply(b);
                return b.build();
            }
            case VERTEX: {
                RationalVertex.Builder b = new RationalVertex.Builder().spec(SPEC);
                words.apply(b);
                return b.build();
            }
            default: {
                RationalTransformerBlock.Builder b = new RationalTransformerBlock.Builder().dModel(4).heads(2).hidden(6)
                        .spec(SPEC).name("rat");
                words.apply(b);
                return b.build();
            }
        }
    }

    /** Builds the network; returns (params of the rational, all params, a data set) through a small holder. */
    private static final class Net {
        final Object net;
        final DataSet data;
        final String prefix;

        Net(Object net, DataSet data, String prefix) {
            this.net = net;
            this.data = data;
            this.prefix = prefix;
        }

        Map<String, INDArray> params() {
            return net instanceof MultiLayerNetwork ? ((MultiLayerNetwork) net).paramTable()
                    : ((ComputationGraph) net).paramTable();
        }

        INDArray param(String key) {
            return params().get(prefix + key).dup();
        }

        void fit(int steps) {
            for (int i = 0; i < steps; i++) {
                if (net instanceof MultiLayerNetwork) {
                    ((MultiLayerNetwork) net).fit(data);
                } else {
                    ((ComputationGraph) net).fit(data);
                }
            }
        }

        double score() {
            return net instanceof MultiLayerNetwork ? ((MultiLayerNetwork) net).score(data)
                    : ((ComputationGraph) net).score(data);
        }
    }

    private static Net build(Kind kind, Object rational) {
        INDArray x = Nd4j.rand(DataType.DOUBLE, 6, 3).subi(0.5).muli(4);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 6, 2);
        switch (kind) {
            case ACTIVATION_LAYER:
            case DENSE: {
                MultiLayerConfiguration conf = base().list()
                        .layer(new DenseLayer.Builder().nOut(4).activation(Activation.IDENTITY).build())
                        .layer((org.deeplearning4j.nn.conf.layers.Layer) rational)
                        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                                .activation(Activation.IDENTITY).build())
                        .setInputType(InputType.feedForward(3)).build();
                MultiLayerNetwork net = new MultiLayerNetwork(conf);
                net.init();
                return new Net(net, new DataSet(x, y), "1_");
            }
            case VERTEX: {
                ComputationGraphConfiguration conf = base().graphBuilder().addInputs("in")
                        .setInputTypes(InputType.feedForward(3))
                        .addLayer("dense", new DenseLayer.Builder().nOut(4).activation(Activation.IDENTITY).build(),
                                "in")
                        .addVertex("rat", (RationalVertex) rational, "dense")
                        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                                .activation(Activation.IDENTITY).build(), "rat")
                        .setOutputs("out").build();
                ComputationGraph g = new ComputationGraph(conf);
                g.init();
                return new Net(g, new DataSet(x, y), "rat_");
            }
            default: {
                MultiLayerConfiguration conf = base().list()
                        .layer(new DenseLayer.Builder().nOut(4).activation(Activation.IDENTITY).build())
                        .layer((org.deeplearning4j.nn.conf.layers.Layer) rational)
                        .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                                .activation(Activation.IDENTITY).build())
                        .setInputType(InputType.recurrent(3, 3, RNNFormat.NCW)).build();
                MultiLayerNetwork net = new MultiLayerNetwork(conf);
                net.init();
                INDArray xs = Nd4j.rand(DataType.DOUBLE, 2, 3, 3).subi(0.5).muli(4);
                return new Net(net, new DataSet(xs, Nd4j.rand(DataType.DOUBLE, 2, 2, 3)), "1_");
            }
        }
    }

    private static String[] coefficientKeys(Kind kind) {
        return kind == Kind.BLOCK ? new String[]{RationalTransformerBlock.NUMERATOR, RationalTransformerBlock.DENOMINATOR}
                : new String[]{RationalLayer.NUMERATOR_KEY, RationalLayer.DENOMINATOR_KEY};
    }

    @Test
    void globalRegularizationConstraintsAndDropConnectNeverReachCoefficients() {
        for (Kind kind : Kind.values()) {
            Object conf = rational(kind, b -> b);
            Net net = build(kind, conf);
            RationalLayer contract = (RationalLayer) (kind == Kind.VERTEX
                    ? ((ComputationGraph) net.net).getConfiguration().getVertices().get("rat")
                    : ((MultiLayerNetwork) net.net).getLayerWiseConfigurations().getConf(1).getLayer());
            for (String key : coefficientKeys(kind)) {
                assertTrue(contract.isCoefficientKey(key), kind + " " + key);
                List<?> regs = kind == Kind.VERTEX ? ((RationalVertex) contract).getRegularizationByParam(key)
                        : ((org.deeplearning4j.nn.conf.layers.Layer) contract).getRegularizationByParam(key);
                assertTrue(regs.isEmpty(), kind + ": global l2 must not reach " + key + ", got " + regs);
                if (kind != Kind.VERTEX) {
                    org.deeplearning4j.nn.conf.layers.Layer l = (org.deeplearning4j.nn.conf.layers.Layer) contract;
                    assertFalse(l.initializer().isWeightParam(l, key), kind + ": " + key + " is not a weight");
                    assertFalse(l.initializer().isBiasParam(l, key), kind + ": " + key + " is not a bias");
                    assertFalse(l.initializer().weightKeys(l).contains(key), kind + " weight keys");
                    if (l.getConstraints() != null) {
                        for (LayerConstraint c : l.getConstraints()) {
                            assertFalse(c.getParams().contains(key), kind + ": weight constraint reaches " + key);
                        }
                    }
                }
            }
            // the coefficients train under the layer's (here the network's) updater by default
            INDArray before = net.param(coefficientKeys(kind)[0]);
            net.fit(3);
            assertNotEquals(before, net.param(coefficientKeys(kind)[0]), kind + ": coefficients train by default");
        }
    }

    @Test
    void coefficientUpdaterIsUsedWhenGiven() {
        for (Kind kind : Kind.values()) {
            // Sgd(0): the coefficients stay where they are while the rest trains (NoOp would be plain SGD with rate 1)
            Object conf = rational(kind, b -> ((CoefficientOptions.Words<?>) b).coefficientUpdater(new Sgd(0.0)));
            Net net = build(kind, conf);
            Map<String, INDArray> before = Map.of("num", net.param(coefficientKeys(kind)[0]), "den",
                    net.param(coefficientKeys(kind)[1]));
            INDArray weightsBefore = net.params().get(kind == Kind.VERTEX ? "dense_W" : "0_W").dup();
            net.fit(3);
            assertEquals(before.get("num"), net.param(coefficientKeys(kind)[0]), kind + ": coefficient updater Sgd(0)");
            assertEquals(before.get("den"), net.param(coefficientKeys(kind)[1]), kind + ": coefficient updater Sgd(0)");
            assertNotEquals(weightsBefore, net.params().get(kind == Kind.VERTEX ? "dense_W" : "0_W"),
                    kind + ": the rest still trains");
            assertEquals(new Sgd(0.0), ((RationalLayer) conf).getCoefficientUpdater());
        }
    }

    @Test
    void coefficientRegularizationIsUsedWhenGiven() {
        for (Kind kind : Kind.values()) {
            Object conf = rational(kind, b -> ((CoefficientOptions.Words<?>) b).coefficientL2(0.3));
            RationalLayer contract = (RationalLayer) conf;
            assertEquals(List.of(new L2Regularization(0.3)), contract.getCoefficientRegularization(), kind.name());
            Net net = build(kind, conf);
            INDArray num = net.param(coefficientKeys(kind)[0]);
            INDArray den = net.param(coefficientKeys(kind)[1]);
            double expected = 0.5 * 0.3 * (num.mul(num).sumNumber().doubleValue()
                    + den.mul(den).sumNumber().doubleValue());
            if (kind == Kind.VERTEX) {
                // DL4J's updater takes a vertex's regularization from getRegularizationByParam; its graph score
                // leaves vertices out (see RationalVertex's Javadoc)
                assertEquals(List.of(new L2Regularization(0.3)),
                        ((RationalVertex) conf).getRegularizationByParam(RationalLayer.NUMERATOR_KEY));
                continue;
            }
            double actual = ((MultiLayerNetwork) net.net).getLayer(1).calcRegularizationScore(true)
                    - (kind == Kind.DENSE || kind == Kind.BLOCK ? weightTerm(net) : 0.0);
            assertEquals(expected, actual, 1e-9 + 1e-6 * expected, kind + ": coefficient l2 in the score");
        }
    }

    /** The global l2 (0.05) term of the layer's own weights (RationalDense's W, the block's matrices). */
    private static double weightTerm(Net net) {
        double sum = 0;
        for (Map.Entry<String, INDArray> e : net.params().entrySet()) {
            String key = e.getKey().substring(net.prefix.length());
            if (e.getKey().startsWith(net.prefix) && key.startsWith("W")) {
                sum += e.getValue().mul(e.getValue()).sumNumber().doubleValue();
            }
        }
        return 0.5 * 0.05 * sum;
    }

    @Test
    void weightWordsOnLayersWithoutWeightsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RationalActivationLayer.Builder().l2(1e-3).build());
        assertTrue(e.getMessage().contains("coefficientRegularization"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RationalActivationLayer.Builder().weightDecay(1e-3)
                .build());
        assertThrows(IllegalArgumentException.class, () -> new RationalActivationLayer.Builder()
                .constrainWeights(new MaxNormConstraint(1, 1)).build());
        assertThrows(IllegalArgumentException.class, () -> new RationalActivationLayer.Builder()
                .weightNoise(new DropConnect(0.5)).build());
        assertThrows(IllegalArgumentException.class, () -> new RationalDense.Builder().nOut(2).coefficientL2(-1));
        // constrainAllParameters is an explicit request that includes the coefficients
        RationalActivationLayer all = new RationalActivationLayer.Builder()
                .constrainAllParameters(new MaxNormConstraint(1, 1)).build();
        assertTrue(all.getConstraints().get(0).getParams().contains(RationalLayer.NUMERATOR_KEY));
    }

    @Test
    void sameWordsRoundTripThroughJson() {
        RationalTransformerBlock block = new RationalTransformerBlock.Builder().dModel(4).heads(2).spec(SPEC)
                .coefficientUpdater(new Adam(5e-4)).coefficientL1(0.01).build();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list().layer(block)
                .setInputType(InputType.recurrent(4, 3)).build();
        RationalTransformerBlock back = (RationalTransformerBlock) MultiLayerConfiguration.fromJson(conf.toJson())
                .getConf(0).getLayer();
        assertEquals(new Adam(5e-4), back.getCoefficientUpdater());
        assertEquals(new Adam(5e-4), back.getUpdaterByParam(RationalTransformerBlock.NUMERATOR));
        assertEquals(1, back.getRegularizationByParam(RationalTransformerBlock.DENOMINATOR).size());
        assertEquals(2, back.rationalSlots().get(0).numeratorDegree() - 1);

        RationalActivationLayer layer = new RationalActivationLayer.Builder().spec(SPEC)
                .coefficientUpdater(new Sgd(0.05)).build();
        MultiLayerConfiguration c2 = new NeuralNetConfiguration.Builder().updater(new Adam(0.1)).list().layer(layer)
                .setInputType(InputType.feedForward(3)).build();
        RationalActivationLayer l2 = (RationalActivationLayer) MultiLayerConfiguration.fromJson(c2.toJson())
                .getConf(0).getLayer();
        assertEquals(new Sgd(0.05), l2.getUpdaterByParam(RationalLayer.DENOMINATOR_KEY));
        assertEquals(l2, layer.getClass().cast(c2.getConf(0).getLayer()));
    }

    @Test
    void memoryReportsCountTheCoefficientUpdatersState() {
        RationalActivationLayer layer = new RationalActivationLayer.Builder().spec(SPEC).updater(new Sgd(0.1))
                .coefficientUpdater(new Adam(1e-3)).build();
        assertEquals(6, layer.coefficientCount(), "(3,2) version B: 4 + 2 coefficients");
        assertEquals(12, layer.getMemoryReport(InputType.feedForward(3)).getUpdaterStateSize(),
                "Adam keeps 2 values per coefficient, the layer's Sgd none");
        RationalDense dense = new RationalDense.Builder().nIn(3).nOut(4).spec(SPEC).updater(new Adam(1e-3))
                .coefficientUpdater(new Sgd(0.1)).build();
        assertEquals(2 * (3 * 4 + 4), dense.getMemoryReport(InputType.feedForward(3)).getUpdaterStateSize(),
                "Adam state for W and b only");
    }

    @Test
    void blockRejectsExplicitZeroWidth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RationalTransformerBlock.Builder().dModel(0));
        assertTrue(e.getMessage().contains("got 0"), e.getMessage());
    }

    @Test
    void learnedFunctionsReadBackFromEveryLayerType() {
        for (Kind kind : Kind.values()) {
            Object conf = rational(kind, b -> b);
            Net net = build(kind, conf);
            Object c = kind == Kind.VERTEX ? ((ComputationGraph) net.net).getConfiguration().getVertices().get("rat")
                    : ((MultiLayerNetwork) net.net).getLayerWiseConfigurations().getConf(1).getLayer();
            RationalSlot slot = ((RationalLayer) c).rationalSlots().get(0);
            Map<String, INDArray> table = new java.util.HashMap<>();
            for (Map.Entry<String, INDArray> e : net.params().entrySet()) {
                if (e.getKey().startsWith(net.prefix)) {
                    table.put(e.getKey().substring(net.prefix.length()), e.getValue());
                }
            }
            assertEquals(SPEC.initialFunction(), slot.function(table, 0), kind.name());
        }
    }
}
