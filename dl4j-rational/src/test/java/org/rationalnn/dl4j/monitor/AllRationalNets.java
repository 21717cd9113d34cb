package org.rationalnn.dl4j.monitor;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.rationalnn.dl4j.layers.RationalActivationLayer;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.rational.TargetFunction;
import org.rationalnn.dl4j.samediff.RationalDense;
import org.rationalnn.dl4j.samediff.RationalVertex;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock;

/**
 * Small networks holding all four rational layer types, for the monitor and PAU export tests: a MultiLayerNetwork
 * with a {@link RationalDense} and a CHANNEL-shared {@link RationalActivationLayer} (version N); a ComputationGraph
 * with a GROUP-shared {@link RationalVertex} (version A) and a {@link RationalActivationLayer}; a MultiLayerNetwork
 * with a {@link RationalTransformerBlock} (rational GLU and rational attention).
 */
public final class AllRationalNets {
    public static final int FEATURES = 4;
    public static final int CLASSES = 3;
    public static final int T = 3;

    private AllRationalNets() {
    }

    private static NeuralNetConfiguration.Builder base(DataType type, IUpdater u) {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(type).updater(u).weightInit(WeightInit.XAVIER);
    }

    /** in(4) → "rdense" RationalDense(6, B, LeakyReLU) → "ract" RationalActivationLayer(CHANNEL, N, tanh) → out. */
    public static MultiLayerNetwork mln(DataType type, IUpdater u) {
        MultiLayerConfiguration conf = base(type, u).list()
                .layer(new RationalDense.Builder().name("rdense").nIn(FEATURES).nOut(6).build())
                .layer(new RationalActivationLayer.Builder().name("ract").spec(RationalSpec.builder()
                        .version(RationalVersion.N).init(TargetFunction.TANH).sharing(Sharing.CHANNEL).build())
                        .build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(FEATURES)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** in(4) → "d" dense(6) → "rv" RationalVertex(GROUP 2, A (3,2)) → "ra" RationalActivationLayer → "out". */
    public static ComputationGraph graph(DataType type, IUpdater u) {
        ComputationGraphConfiguration conf = base(type, u).graphBuilder().addInputs("in")
                .setInputTypes(InputType.feedForward(FEATURES))
                .addLayer("d", new DenseLayer.Builder().nOut(6).activation(Activation.IDENTITY).build(), "in")
                .addVertex("rv", new RationalVertex.Builder().spec(RationalSpec.builder().version(RationalVersion.A)
                        .degrees(3, 2).groups(2).build()).build(), "d")
                .addLayer("ra", new RationalActivationLayer.Builder().build(), "rv")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build(), "ra")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    /** recurrent in(4) → "block" RationalTransformerBlock(d 4, hidden 8, RATIONAL_GLU, RATIONAL attention) → out. */
    public static MultiLayerNetwork block(DataType type, IUpdater u) {
        MultiLayerConfiguration conf = base(type, u).list()
                .layer(new RationalTransformerBlock.Builder().name("block").dModel(FEATURES).hidden(8)
                        .attention(RationalTransformerBlock.Attention.RATIONAL).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(FEATURES)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Random features [n, 4] (or [n, 4, T] when {@code recurrent}) with random one-hot labels. */
    public static DataSet data(int n, boolean recurrent, long seed, DataType type) {
        Nd4j.getRandom().setSeed(seed);
        if (recurrent) {
            INDArray x = Nd4j.randn(type, n, FEATURES, T);
            INDArray y = Nd4j.zeros(type, n, CLASSES, T);
            for (int i = 0; i < n; i++) {
                for (int t = 0; t < T; t++) {
                    y.putScalar(new int[]{i, (i + t) % CLASSES, t}, 1.0);
                }
            }
            return new DataSet(x, y);
        }
        INDArray x = Nd4j.randn(type, n, FEATURES);
        INDArray y = Nd4j.zeros(type, n, CLASSES);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, i % CLASSES, 1.0);
        }
        return new DataSet(x, y);
    }

    public static Adam adam() {
        return new Adam(1e-2);
    }
}
