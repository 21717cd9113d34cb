package org.rationalnn.benchmarks;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.rationalnn.dl4j.layers.RationalActivationLayer;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.samediff.RationalDense;

import java.util.concurrent.TimeUnit;

/**
 * One training step (fit on one minibatch) of an MLP 256 → 512 → 512 → 10, minibatch 128, Adam, float32:
 * built-in ReLU or tanh in the dense layers; identity dense layers each followed by a
 * {@link RationalActivationLayer} ((5,4) version B, LAYER or CHANNEL sharing); or the SameDiff layer
 * {@link RationalDense} ((5,4) version B, LAYER) with its FUSED execution ({@code rational-dense}) or as one
 * SameDiff graph ({@code rational-dense-samediff}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class MlpTrainingBenchmark {

    @Param({"relu", "tanh", "rational-layer", "rational-channel", "rational-dense", "rational-dense-samediff"})
    public String activation;

    MultiLayerNetwork net;
    DataSet batch;

    @Setup(Level.Trial)
    public void setUp() {
        Nd4j.getRandom().setSeed(3);
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .updater(new Adam(1e-3)).list();
        for (int i = 0; i < 2; i++) {
            if (activation.startsWith("rational-dense")) {
                b.layer(new RationalDense.Builder().nOut(512).spec(RationalSpec.defaults())
                        .execution(activation.endsWith("samediff") ? RationalDense.Execution.SAMEDIFF
                                : RationalDense.Execution.FUSED).build());
            } else if (activation.startsWith("rational")) {
                b.layer(new DenseLayer.Builder().nOut(512).activation(Activation.IDENTITY).build());
                b.layer(new RationalActivationLayer.Builder().spec(RationalSpec.builder()
                        .sharing(activation.endsWith("channel") ? Sharing.CHANNEL : Sharing.LAYER).build()).build());
            } else {
                b.layer(new DenseLayer.Builder().nOut(512).activation(Activation.valueOf(activation.toUpperCase()))
                        .build());
            }
        }
        b.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX)
                .build());
        net = new MultiLayerNetwork(b.setInputType(InputType.feedForward(256)).build());
        net.init();
        var labels = Nd4j.zeros(DataType.FLOAT, 128, 10);
        for (int i = 0; i < 128; i++) {
            labels.putScalar(i, i % 10, 1f);
        }
        batch = new DataSet(Nd4j.randn(DataType.FLOAT, 128, 256), labels);
    }

    @Benchmark
    public double trainingStep() {
        net.fit(batch);
        return net.score();
    }
}
