package org.rationalnn.spark;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.rationalnn.dl4j.layers.RationalActivationLayer;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.samediff.RationalDense;

/** The small classifiers the distributed samples train: dense layers each followed by a trainable rational. */
public final class Networks {

    private Networks() {
    }

    static RationalActivationLayer rational() {
        return new RationalActivationLayer.Builder().spec(RationalSpec.builder().degrees(3, 2)
                .sharing(Sharing.CHANNEL).build()).build();
    }

    /** 2 → width → rational → width → rational → 3 (softmax). */
    public static MultiLayerConfiguration mln(int width, IUpdater updater, DataType dataType, long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(dataType).updater(updater).list()
                .layer(new DenseLayer.Builder().nOut(width).activation(Activation.IDENTITY).build())
                .layer(rational())
                .layer(new DenseLayer.Builder().nOut(width).activation(Activation.IDENTITY).build())
                .layer(rational())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(SyntheticData.CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(SyntheticData.FEATURES)).build();
    }

    /** The same classifier built from SameDiff {@link RationalDense} layers (dense + trainable rational in one). */
    public static MultiLayerConfiguration mlnSameDiff(int width, IUpdater updater, DataType dataType, long seed) {
        RationalSpec spec = RationalSpec.builder().degrees(3, 2).sharing(Sharing.CHANNEL).build();
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(dataType).updater(updater).list()
                .layer(new RationalDense.Builder().nOut(width).spec(spec).build())
                .layer(new RationalDense.Builder().nOut(width).spec(spec).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(SyntheticData.CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(SyntheticData.FEATURES)).build();
    }

    /** The same network as a {@code ComputationGraph}. */
    public static ComputationGraphConfiguration graph(int width, IUpdater updater, DataType dataType, long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(dataType).updater(updater).graphBuilder()
                .addInputs("in").setInputTypes(InputType.feedForward(SyntheticData.FEATURES))
                .addLayer("d1", new DenseLayer.Builder().nOut(width).activation(Activation.IDENTITY).build(), "in")
                .addLayer("r1", rational(), "d1")
                .addLayer("d2", new DenseLayer.Builder().nOut(width).activation(Activation.IDENTITY).build(), "r1")
                .addLayer("r2", rational(), "d2")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(SyntheticData.CLASSES).activation(Activation.SOFTMAX).build(), "r2")
                .setOutputs("out").build();
    }
}
