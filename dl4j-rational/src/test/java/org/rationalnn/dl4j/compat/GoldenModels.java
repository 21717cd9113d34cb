package org.rationalnn.dl4j.compat;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.rationalnn.dl4j.activation.ActivationRational;
import org.rationalnn.dl4j.layers.RationalActivationLayer;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.rational.TargetFunction;
import org.rationalnn.dl4j.util.ModelFiles;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the golden models that {@link GoldenModelTest} loads forever. Run once per release whose format is
 * promised, never to "fix" a failing compatibility test:
 * {@code java -cp ... org.rationalnn.dl4j.compat.GoldenModels dl4j-rational/src/test/resources/golden/0.1.0}.
 */
public final class GoldenModels {

    private GoldenModels() {
    }

    static MultiLayerNetwork mln() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(11)
                .dataType(DataType.DOUBLE).updater(new Adam(1e-2)).l2(1e-4).list()
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.IDENTITY).build())
                .layer(new RationalActivationLayer.Builder().name("rat-channel").spec(RationalSpec.builder()
                        .degrees(3, 2).version(RationalVersion.A).sharing(Sharing.CHANNEL)
                        .init(TargetFunction.LEAKY_RELU, 0.2).build()).coefficientL2(1e-3).build()) // 0.1.0: .l2(1e-3), same meaning
                .layer(new DenseLayer.Builder().nOut(4)
                        .activation(new ActivationRational(RationalVersion.B, new double[]{0.0, 1.0, 0.3},
                                new double[]{0.2})).build())
                .layer(new RationalActivationLayer.Builder().spec(RationalSpec.builder().version(RationalVersion.D)
                        .groups(2).init(TargetFunction.GELU).build()).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).activation(Activation.IDENTITY)
                        .build())
                .setInputType(InputType.feedForward(3)).build());
        net.init();
        return net;
    }

    static ComputationGraph graph() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(12)
                .dataType(DataType.DOUBLE).updater(new Adam(1e-2)).graphBuilder()
                .addInputs("seq").setInputTypes(InputType.recurrent(3, 5, RNNFormat.NWC))
                .addLayer("rnn", new SimpleRnn.Builder().nOut(4).dataFormat(RNNFormat.NWC)
                        .activation(Activation.IDENTITY).build(), "seq")
                .addLayer("rat", new RationalActivationLayer.Builder().spec(RationalSpec.builder().degrees(5, 4)
                        .version(RationalVersion.N).coefficients(new double[]{0.0218, 0.5, 1.5957, 1.1915, 0, 0},
                                new double[]{0, 2.383, 0, 0}).sharing(Sharing.CHANNEL).build()).build(), "rnn")
                .addLayer("out", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .dataFormat(RNNFormat.NWC).activation(Activation.IDENTITY).build(), "rat")
                .setOutputs("out").build());
        g.init();
        return g;
    }

    static ComputationGraph cnn() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(13)
                .dataType(DataType.DOUBLE).updater(new Adam(1e-2)).graphBuilder()
                .addInputs("img").setInputTypes(InputType.convolutional(4, 4, 2, CNN2DFormat.NHWC))
                .addLayer("conv", new ConvolutionLayer.Builder(2, 2).nOut(4).dataFormat(CNN2DFormat.NHWC)
                        .activation(Activation.IDENTITY).build(), "img")
                .addLayer("rat", new RationalActivationLayer.Builder().spec(RationalSpec.builder()
                        .version(RationalVersion.C).sharing(Sharing.CHANNEL).init(TargetFunction.SILU).build())
                        .build(), "conv")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build(), "rat")
                .setOutputs("out").build());
        g.init();
        return g;
    }

    static INDArray mlnInput() {
        return Nd4j.linspace(-2, 2, 12, DataType.DOUBLE).reshape(4, 3);
    }

    static INDArray graphInput() {
        return Nd4j.linspace(-1.5, 1.5, 30, DataType.DOUBLE).reshape(2, 5, 3);
    }

    static INDArray cnnInput() {
        return Nd4j.linspace(-1, 1, 64, DataType.DOUBLE).reshape(2, 4, 4, 2);
    }

    public static void main(String[] args) throws IOException {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        MultiLayerNetwork net = mln();
        INDArray x = mlnInput();
        // a few training steps so the coefficients differ from their initial values
        for (int i = 0; i < 5; i++) {
            net.fit(new DataSet(x, x.getColumns(0, 1).mul(x.getColumns(1, 2))));
        }
        ModelFiles.save(net, dir.resolve("mln.zip").toFile(), true);
        Nd4j.writeTxt(net.output(x), dir.resolve("mln-output.txt").toString());

        ComputationGraph g = graph();
        INDArray gx = graphInput();
        for (int i = 0; i < 5; i++) {
            g.fit(new DataSet(gx, gx.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2)).dup()));
        }
        ModelFiles.save(g, dir.resolve("graph-rnn-nwc.zip").toFile(), true);
        Nd4j.writeTxt(g.outputSingle(gx), dir.resolve("graph-rnn-nwc-output.txt").toString());

        ComputationGraph c = cnn();
        ModelFiles.save(c, dir.resolve("graph-cnn-nhwc.zip").toFile(), false);
        Nd4j.writeTxt(c.outputSingle(cnnInput()), dir.resolve("graph-cnn-nhwc-output.txt").toString());
        System.out.println("golden models written to " + new File(args[0]).getAbsolutePath());
    }
}
