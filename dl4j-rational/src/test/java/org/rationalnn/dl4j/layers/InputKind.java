package org.rationalnn.dl4j.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
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

/**
 * The input kinds and layouts a rational layer must support, with a small network around the layer for each:
 * a parameterised layer before it (with l1/l2 on its weights) and an output layer after it.
 */
public enum InputKind {
    FF(null, null),
    RNN_NCW(RNNFormat.NCW, null),
    RNN_NWC(RNNFormat.NWC, null),
    CNN_NCHW(null, CNN2DFormat.NCHW),
    CNN_NHWC(null, CNN2DFormat.NHWC);

    public static final int N_IN = 3;
    public static final int HIDDEN = 4;
    public static final int N_OUT = 2;
    public static final int T = 4;
    public static final int HW = 4;

    final RNNFormat rnn;
    final CNN2DFormat cnn;

    InputKind(RNNFormat rnn, CNN2DFormat cnn) {
        this.rnn = rnn;
        this.cnn = cnn;
    }

    public boolean isRnn() {
        return rnn != null;
    }

    public InputType inputType() {
        if (rnn != null) {
            return InputType.recurrent(N_IN, T, rnn);
        }
        if (cnn != null) {
            return InputType.convolutional(HW, HW, N_IN, cnn);
        }
        return InputType.feedForward(N_IN);
    }

    public Layer before() {
        if (rnn != null) {
            return new SimpleRnn.Builder().nOut(HIDDEN).activation(Activation.IDENTITY).dataFormat(rnn).build();
        }
        if (cnn != null) {
            return new ConvolutionLayer.Builder(2, 2).nOut(HIDDEN).activation(Activation.IDENTITY).dataFormat(cnn)
                    .build();
        }
        return new DenseLayer.Builder().nOut(HIDDEN).activation(Activation.IDENTITY).build();
    }

    public Layer output() {
        if (rnn != null) {
            return new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(N_OUT)
                    .activation(Activation.IDENTITY).dataFormat(rnn).build();
        }
        return new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(N_OUT).activation(Activation.IDENTITY)
                .build();
    }

    public INDArray input(int mb, long seed) {
        Nd4j.getRandom().setSeed(seed);
        long[] shape;
        if (rnn == RNNFormat.NCW) {
            shape = new long[]{mb, N_IN, T};
        } else if (rnn == RNNFormat.NWC) {
            shape = new long[]{mb, T, N_IN};
        } else if (cnn == CNN2DFormat.NCHW) {
            shape = new long[]{mb, N_IN, HW, HW};
        } else if (cnn == CNN2DFormat.NHWC) {
            shape = new long[]{mb, HW, HW, N_IN};
        } else {
            shape = new long[]{mb, N_IN};
        }
        return Nd4j.randn(DataType.DOUBLE, shape);
    }

    public INDArray labels(int mb, long seed) {
        Nd4j.getRandom().setSeed(seed + 1);
        if (rnn == RNNFormat.NCW) {
            return Nd4j.randn(DataType.DOUBLE, mb, N_OUT, T);
        }
        if (rnn == RNNFormat.NWC) {
            return Nd4j.randn(DataType.DOUBLE, mb, T, N_OUT);
        }
        return Nd4j.randn(DataType.DOUBLE, mb, N_OUT);
    }

    /** A [mb, T] mask with the last steps of every other example masked out, or null for non-RNN kinds. */
    public INDArray mask(int mb) {
        if (rnn == null) {
            return null;
        }
        INDArray mask = Nd4j.ones(DataType.DOUBLE, mb, T);
        for (int i = 1; i < mb; i += 2) {
            for (int t = T - 1 - i % T / 2; t < T; t++) {
                mask.putScalar(i, t, 0.0);
            }
        }
        return mask;
    }

    static NeuralNetConfiguration.Builder base(IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(12345).dataType(DataType.DOUBLE).updater(updater)
                .weightInit(WeightInit.XAVIER).l1(1e-3).l2(2e-3);
    }

    public MultiLayerNetwork mln(RationalActivationLayer rational) {
        return mln(rational, new NoOp());
    }

    public MultiLayerNetwork mln(RationalActivationLayer rational, IUpdater updater) {
        MultiLayerNetwork net = new MultiLayerNetwork(base(updater).list()
                .layer(before()).layer(rational).layer(output())
                .setInputType(inputType()).build());
        net.init();
        return net;
    }

    public ComputationGraph graph(RationalActivationLayer rational) {
        return graph(rational, new NoOp());
    }

    public ComputationGraph graph(RationalActivationLayer rational, IUpdater updater) {
        ComputationGraphConfiguration conf = base(updater).graphBuilder()
                .addInputs("in").setInputTypes(inputType())
                .addLayer("before", before(), "in")
                .addLayer("rational", rational, "before")
                .addLayer("out", output(), "rational")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }
}
