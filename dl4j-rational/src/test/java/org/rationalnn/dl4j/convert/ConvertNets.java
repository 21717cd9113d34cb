package org.rationalnn.dl4j.convert;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Small networks of the four kinds the converter is tested on, with synthetic data and a few training steps: (a) a
 * Fashion-MNIST-like CNN (12×12 grey images of 3 classes: a bright bar at a class-dependent place, plus noise), (b) an
 * MLP, (c) a ComputationGraph with residual connections, (d) a recurrent network (LSTM, then a dense layer on every
 * time step and an ActivationLayer), with a feature mask.
 */
final class ConvertNets {
    static final int IMAGE = 12;
    static final int CLASSES = 3;
    static final int FEATURES = 6;
    /** Time steps of the default sequences. */
    static final int T = 5;

    private ConvertNets() {
    }

    // ------------------------------------------------------------------------------------------------------ data

    /** Fashion-like images [n, 1, 12, 12] (flattened [n, 144] for a convolutionalFlat input), one-hot labels. */
    static List<DataSet> images(int batches, int batch, long seed, DataType type) {
        return images(batches, batch, seed, type, IMAGE);
    }

    /** As {@link #images(int, int, long, DataType)} with {@code size}×{@code size} images. */
    static List<DataSet> images(int batches, int batch, long seed, DataType type, int size) {
        Random r = new Random(seed);
        List<DataSet> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            double[] x = new double[batch * size * size];
            double[] y = new double[batch * CLASSES];
            for (int i = 0; i < batch; i++) {
                int k = r.nextInt(CLASSES);
                y[i * CLASSES + k] = 1;
                for (int p = 0; p < size * size; p++) {
                    int row = p / size;
                    int col = p % size;
                    boolean bar = k == 0 ? row >= size / 4 && row < size / 2 : k == 1 ? col >= size / 2
                            && col < 3 * size / 4 : Math.abs(row - col) < 2;
                    x[i * size * size + p] = (bar ? 0.8 : 0.1) + 0.15 * r.nextGaussian();
                }
            }
            out.add(new DataSet(Nd4j.createFromArray(x).reshape(batch, size * size).castTo(type),
                    Nd4j.createFromArray(y).reshape(batch, CLASSES).castTo(type)));
        }
        return out;
    }

    /** Feature vectors [n, 6] and one-hot labels of a random teacher. */
    static List<DataSet> vectors(int batches, int batch, long seed, DataType type) {
        Random r = new Random(seed);
        double[][] teacher = new double[CLASSES][FEATURES];
        for (double[] row : teacher) {
            for (int j = 0; j < FEATURES; j++) {
                row[j] = r.nextGaussian();
            }
        }
        List<DataSet> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            double[] x = new double[batch * FEATURES];
            double[] y = new double[batch * CLASSES];
            for (int i = 0; i < batch; i++) {
                int best = 0;
                double bestScore = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < FEATURES; j++) {
                    x[i * FEATURES + j] = r.nextGaussian();
                }
                for (int k = 0; k < CLASSES; k++) {
                    double s = 0;
                    for (int j = 0; j < FEATURES; j++) {
                        s += teacher[k][j] * Math.tanh(x[i * FEATURES + j]);
                    }
                    if (s > bestScore) {
                        bestScore = s;
                        best = k;
                    }
                }
                y[i * CLASSES + best] = 1;
            }
            out.add(new DataSet(Nd4j.createFromArray(x).reshape(batch, FEATURES).castTo(type),
                    Nd4j.createFromArray(y).reshape(batch, CLASSES).castTo(type)));
        }
        return out;
    }

    /** Sequences [n, 6, T] (NCW) whose class is decided by the running mean of a random projection; masked tails. */
    static List<DataSet> sequences(int batches, int batch, long seed, DataType type) {
        return sequences(batches, batch, seed, type, T);
    }

    /** As {@link #sequences(int, int, long, DataType)} with {@code steps} time steps. */
    static List<DataSet> sequences(int batches, int batch, long seed, DataType type, int steps) {
        Random r = new Random(seed);
        List<DataSet> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            INDArray x = Nd4j.create(DataType.DOUBLE, batch, FEATURES, steps);
            INDArray y = Nd4j.create(DataType.DOUBLE, batch, CLASSES, steps);
            INDArray mask = Nd4j.ones(DataType.DOUBLE, batch, steps);
            for (int i = 0; i < batch; i++) {
                double acc = 0;
                int length = steps - r.nextInt(2);
                for (int t = 0; t < steps; t++) {
                    for (int j = 0; j < FEATURES; j++) {
                        double v = r.nextGaussian();
                        x.putScalar(new int[]{i, j, t}, v);
                        acc += (j % 2 == 0 ? v : -v) / FEATURES;
                    }
                    int k = acc < -0.3 ? 0 : acc > 0.3 ? 2 : 1;
                    y.putScalar(new int[]{i, k, t}, 1.0);
                    if (t >= length) {
                        mask.putScalar(new int[]{i, t}, 0.0);
                    }
                }
            }
            out.add(new DataSet(x.castTo(type), y.castTo(type), mask.castTo(type), mask.castTo(type)));
        }
        return out;
    }

    static DataSetIterator iterator(List<DataSet> batches) {
        return new ListDataSetIterator<>(batches, 1);
    }

    // ------------------------------------------------------------------------------------------------------ networks

    private static NeuralNetConfiguration.Builder base(long seed, DataType type, IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(type).updater(updater)
                .weightInit(WeightInit.XAVIER);
    }

    /** (a) conv(4, 3×3) ReLU → max pool → BatchNorm → conv(6, 3×3) LeakyReLU(0.1) → dense 12 GELU → softmax. */
    static MultiLayerNetwork cnn(DataType type, IUpdater updater, int c1, int c2, int dense) {
        return cnn(type, updater, c1, c2, dense, IMAGE);
    }

    /** As {@link #cnn(DataType, IUpdater, int, int, int)} for {@code size}×{@code size} images. */
    static MultiLayerNetwork cnn(DataType type, IUpdater updater, int c1, int c2, int dense, int size) {
        MultiLayerConfiguration conf = base(1, type, updater).convolutionMode(ConvolutionMode.Same).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv1").nOut(c1).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).name("pool1").kernelSize(2, 2)
                        .stride(2, 2).build())
                .layer(new BatchNormalization.Builder().name("bn").activation(Activation.IDENTITY).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv2").nOut(c2).activation(new ActivationLReLU(0.1))
                        .build())
                .layer(new DenseLayer.Builder().name("dense").nOut(dense).activation(Activation.GELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(size, size, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** (b) 6 → 10 tanh → 10 ELU → 8 (ActivationLayer ReLU after an identity dense) → softmax 3. */
    static MultiLayerNetwork mlp(DataType type, IUpdater updater) {
        MultiLayerConfiguration conf = base(2, type, updater).list()
                .layer(new DenseLayer.Builder().nIn(FEATURES).nOut(10).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nOut(10).activation(Activation.ELU).build())
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.IDENTITY).build())
                .layer(new ActivationLayer.Builder().activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(FEATURES)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /**
     * (c) A residual graph: in → d0 (8, ReLU) → [b1 (8, ReLU) → b2 (8, identity)] + d0 → act (ActivationLayer
     * SiLU) → [r1 (8, tanh)] + act → out.
     */
    static ComputationGraph residual(DataType type, IUpdater updater) {
        return residual(type, updater, 8);
    }

    /** As {@link #residual(DataType, IUpdater)} with {@code w} units per dense layer. */
    static ComputationGraph residual(DataType type, IUpdater updater, int w) {
        ComputationGraphConfiguration conf = base(3, type, updater).graphBuilder().addInputs("in")
                .addLayer("d0", new DenseLayer.Builder().nIn(FEATURES).nOut(w).activation(Activation.RELU).build(),
                        "in")
                .addLayer("b1", new DenseLayer.Builder().nIn(w).nOut(w).activation(Activation.RELU).build(), "d0")
                .addLayer("b2", new DenseLayer.Builder().nIn(w).nOut(w).activation(Activation.IDENTITY).build(), "b1")
                .addVertex("add1", new ElementWiseVertex(ElementWiseVertex.Op.Add), "d0", "b2")
                .addLayer("act", new ActivationLayer.Builder().activation(Activation.SWISH).build(), "add1")
                .addLayer("r1", new DenseLayer.Builder().nIn(w).nOut(w).activation(Activation.TANH).build(), "act")
                .addVertex("add2", new ElementWiseVertex(ElementWiseVertex.Op.Add), "act", "r1")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(w).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build(), "add2")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    /** conv → BN → ReLU ActivationLayer, as ResNet50's blocks build every stage. */
    private static String convBnRelu(ComputationGraphConfiguration.GraphBuilder b, String name, int k, int out,
                                     String input, boolean relu) {
        b.addLayer(name, new ConvolutionLayer.Builder(k, k).nOut(out).activation(Activation.IDENTITY).build(), input)
                .addLayer(name + "_bn", new BatchNormalization.Builder().build(), name);
        if (!relu) {
            return name + "_bn";
        }
        b.addLayer(name + "_relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), name + "_bn");
        return name + "_relu";
    }

    /**
     * ResNet50's structure at toy size: stem conv 3×3 (8) → BN → ReLU → max pool; a convolution block (1×1, 3×3, 1×1
     * bottleneck, projection shortcut conv 1×1 + BN, add, ReLU); an identity block (bottleneck, identity shortcut,
     * add, ReLU); global average pooling; dropout; softmax output. The batch normalization and dropout layers inherit
     * the network's default activation (sigmoid), which DL4J never applies for these layer types.
     *
     * @param size    the input images' side ({@code convolutionalFlat(size, size, 1)})
     * @param dropout whether the dropout layer before the output is there (gradient checks need it absent)
     */
    static ComputationGraph resnetStyle(DataType type, IUpdater updater, int size, boolean dropout) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(5)
                .dataType(type).updater(updater).weightInit(WeightInit.RELU)
                .convolutionMode(ConvolutionMode.Same).graphBuilder().addInputs("in");
        String stem = convBnRelu(b, "stem", 3, 8, "in", true);
        b.addLayer("pool", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                .stride(2, 2).build(), stem);
        String a = convBnRelu(b, "c2a", 1, 4, "pool", true);
        a = convBnRelu(b, "c2b", 3, 4, a, true);
        a = convBnRelu(b, "c2c", 1, 12, a, false);
        String shortcut = convBnRelu(b, "c2s", 1, 12, "pool", false);
        b.addVertex("add2", new ElementWiseVertex(ElementWiseVertex.Op.Add), a, shortcut)
                .addLayer("out2", new ActivationLayer.Builder().activation(Activation.RELU).build(), "add2");
        String i = convBnRelu(b, "i2a", 1, 4, "out2", true);
        i = convBnRelu(b, "i2b", 3, 4, i, true);
        i = convBnRelu(b, "i2c", 1, 12, i, false);
        b.addVertex("add3", new ElementWiseVertex(ElementWiseVertex.Op.Add), i, "out2")
                .addLayer("out3", new ActivationLayer.Builder().activation(Activation.RELU).build(), "add3")
                .addLayer("avg", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "out3");
        String head = "avg";
        if (dropout) {
            b.addLayer("drop", new DropoutLayer.Builder(0.9).build(), head);
            head = "drop";
        }
        b.addLayer("fc", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build(), head)
                .setOutputs("fc").setInputTypes(InputType.convolutionalFlat(size, size, 1));
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        return g;
    }

    /**
     * (d) LSTM (tanh, sigmoid gates) → SimpleRnn (tanh) → dense (ReLU) on every time step → ActivationLayer (sigmoid)
     * → RnnOutputLayer softmax.
     */
    static MultiLayerNetwork rnn(DataType type, IUpdater updater) {
        return rnn(type, updater, 6);
    }

    /** As {@link #rnn(DataType, IUpdater)} with {@code hidden} units in the recurrent and dense layers. */
    static MultiLayerNetwork rnn(DataType type, IUpdater updater, int hidden) {
        MultiLayerConfiguration conf = base(4, type, updater).list()
                .layer(new LSTM.Builder().name("lstm").nIn(FEATURES).nOut(hidden).activation(Activation.TANH)
                        .build())
                .layer(new SimpleRnn.Builder().name("srnn").nOut(hidden).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().name("dense").nOut(hidden).activation(Activation.RELU).build())
                .layer(new ActivationLayer.Builder().name("act").activation(Activation.SIGMOID).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(FEATURES)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** A few Adam steps so that weights, batch-norm statistics and updater state are no longer initial. */
    static void train(MultiLayerNetwork net, List<DataSet> data, int epochs) {
        for (int e = 0; e < epochs; e++) {
            net.fit(iterator(data));
        }
    }

    static void train(ComputationGraph g, List<DataSet> data, int epochs) {
        for (int e = 0; e < epochs; e++) {
            g.fit(iterator(data));
        }
    }

    static Adam adam() {
        return new Adam(1e-2);
    }
}
