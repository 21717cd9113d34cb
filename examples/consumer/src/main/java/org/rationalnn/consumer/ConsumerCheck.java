package org.rationalnn.consumer;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rationalnn.dl4j.activation.ActivationRational;
import org.rationalnn.dl4j.layers.RationalActivationLayer;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.rational.TargetFunction;
import org.rationalnn.dl4j.samediff.RationalDense;
import org.rationalnn.dl4j.samediff.RationalVertex;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock;
import org.rationalnn.dl4j.util.ModelFiles;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a DL4J user's project does with dl4j-rational, through the library's public API only: one network per entry
 * point ({@code RationalActivationLayer}, {@code ActivationRational} in a {@code DenseLayer}, {@code RationalDense},
 * {@code RationalVertex} in a {@code ComputationGraph}, {@code RationalTransformerBlock}), each trained a few steps on
 * synthetic data (every parameter array, the rational coefficients included, must change), saved with {@link ModelFiles} to a temporary file, restored with {@link ModelSerializer}, and
 * compared: the restored network must have the same configuration and parameters and give exactly the same outputs.
 * Any difference throws, so {@code mvn exec:java} (and {@code java -cp ...}) exits non-zero.
 */
public final class ConsumerCheck {

    private static final int FEATURES = 4;
    private static final int STEPS = 5;

    private ConsumerCheck() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("dl4j-rational-consumer");
        List<String> failures = new ArrayList<>();
        try {
            DataSet ff = feedForwardData();
            DataSet seq = sequenceData();
            check("RationalActivationLayer (MultiLayerNetwork)", activationLayer(), ff, dir, failures);
            check("ActivationRational (DenseLayer activation)", fixedActivation(), ff, dir, failures);
            check("RationalDense (MultiLayerNetwork)", rationalDense(), ff, dir, failures);
            check("RationalVertex (ComputationGraph)", rationalVertex(), ff, dir, failures);
            check("RationalTransformerBlock (MultiLayerNetwork)", transformerBlock(), seq, dir, failures);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException(failures.size() + " of 5 checks failed:\n  " + String.join("\n  ", failures));
        }
        System.out.println("dl4j-rational consumer check: all 5 entry points trained, saved, restored; outputs equal");
    }

    // ---- the networks ----------------------------------------------------------------------------------------------

    private static NeuralNetConfiguration.Builder base() {
        return new NeuralNetConfiguration.Builder().seed(42).updater(new Adam(1e-2));
    }

    private static OutputLayer regressionOutput() {
        return new OutputLayer.Builder(LossFunction.MSE).nOut(1).activation(Activation.IDENTITY).build();
    }

    /** Dense (identity) → trainable rational, one coefficient set per channel → output. */
    static MultiLayerNetwork activationLayer() {
        RationalSpec spec = RationalSpec.builder().degrees(5, 4).version(RationalVersion.B).init(TargetFunction.GELU)
                .sharing(Sharing.CHANNEL).build();
        return mln(base().list()
                .layer(new DenseLayer.Builder().nOut(16).activation(Activation.IDENTITY).build())
                .layer(new RationalActivationLayer.Builder().spec(spec).build())
                .layer(regressionOutput())
                .setInputType(InputType.feedForward(FEATURES)).build());
    }

    /** A built-in DenseLayer whose activation is a fixed-coefficient rational (a near-minimax fit of SiLU). */
    static MultiLayerNetwork fixedActivation() {
        RationalSpec spec = RationalSpec.builder().init(TargetFunction.SILU).build();
        return mln(base().list()
                .layer(new DenseLayer.Builder().nOut(16).activation(new ActivationRational(spec)).build())
                .layer(regressionOutput())
                .setInputType(InputType.feedForward(FEATURES)).build());
    }

    /** y = R(x W + b) in one SameDiff layer. */
    static MultiLayerNetwork rationalDense() {
        RationalSpec spec = RationalSpec.builder().degrees(4, 3).version(RationalVersion.A).init(TargetFunction.TANH)
                .build();
        return mln(base().list()
                .layer(new RationalDense.Builder().nOut(16).spec(spec).build())
                .layer(regressionOutput())
                .setInputType(InputType.feedForward(FEATURES)).build());
    }

    /** Dense (identity) → RationalVertex → output, in a ComputationGraph. */
    static ComputationGraph rationalVertex() {
        RationalSpec spec = RationalSpec.builder().version(RationalVersion.D).init(TargetFunction.RELU).build();
        ComputationGraph graph = new ComputationGraph(base().graphBuilder()
                .addInputs("in").setInputTypes(InputType.feedForward(FEATURES))
                .addLayer("dense", new DenseLayer.Builder().nOut(16).activation(Activation.IDENTITY).build(), "in")
                .addVertex("act", new RationalVertex.Builder().spec(spec).build(), "dense")
                .addLayer("out", regressionOutput(), "act")
                .setOutputs("out").build());
        graph.init();
        return graph;
    }

    /** A causal pre-norm transformer block with a rational-gated feed-forward on [mb, 8, T] (NCW) sequences. */
    static MultiLayerNetwork transformerBlock() {
        return mln(base().list()
                .layer(new RationalTransformerBlock.Builder().dModel(8).heads(2).hidden(12)
                        .feedForward(RationalTransformerBlock.FeedForward.RATIONAL_GLU)
                        .normalization(RationalTransformerBlock.Normalization.PRE)
                        .causal(true).build())
                .layer(new RnnOutputLayer.Builder(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(8, RNNFormat.NCW)).build());
    }

    private static MultiLayerNetwork mln(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    // ---- data ------------------------------------------------------------------------------------------------------

    /** 64 examples of y = |x_0| - x_1 x_2 + 0.5 sin(3 x_3), x uniform in [-1, 1]^4. */
    static DataSet feedForwardData() {
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(64, FEATURES).muli(2).subi(1);
        INDArray y = Nd4j.create(x.dataType(), 64, 1);
        for (int i = 0; i < 64; i++) {
            double v = Math.abs(x.getDouble(i, 0)) - x.getDouble(i, 1) * x.getDouble(i, 2)
                    + 0.5 * Math.sin(3 * x.getDouble(i, 3));
            y.putScalar(i, 0, v);
        }
        return new DataSet(x, y);
    }

    /** 8 sequences [8 features, 6 steps]; the targets are the first two features shifted by one step. */
    static DataSet sequenceData() {
        Nd4j.getRandom().setSeed(2);
        INDArray x = Nd4j.randn(new long[]{8, 8, 6});
        INDArray y = Nd4j.zeros(x.dataType(), 8, 2, 6);
        for (int b = 0; b < 8; b++) {
            for (int c = 0; c < 2; c++) {
                for (int t = 1; t < 6; t++) {
                    y.putScalar(new int[]{b, c, t}, x.getDouble(b, c, t - 1));
                }
            }
        }
        return new DataSet(x, y);
    }

    // ---- train, save, restore, compare -----------------------------------------------------------------------------

    private static void check(String name, Model model, DataSet data, Path dir, List<String> failures)
            throws IOException {
        Map<String, INDArray> initial = new LinkedHashMap<>();
        model.paramTable().forEach((key, value) -> initial.put(key, value.dup()));
        for (int i = 0; i < STEPS; i++) {
            if (model instanceof MultiLayerNetwork net) {
                net.fit(data);
            } else {
                ((ComputationGraph) model).fit(data);
            }
        }
        double score = model.score();
        // every parameter array trains, the rational coefficients (…numerator, …denominator) included
        List<String> unchanged = new ArrayList<>();
        model.paramTable().forEach((key, value) -> {
            if (maxAbsDiff(initial.get(key), value) == 0.0) {
                unchanged.add(key);
            }
        });
        File file = dir.resolve(name.replaceAll("[^A-Za-z]+", "-") + ".zip").toFile();
        ModelFiles.save(model, file, true);

        INDArray before;
        INDArray after;
        String problem = null;
        if (model instanceof MultiLayerNetwork net) {
            MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
            before = net.output(data.getFeatures(), false);
            after = restored.output(data.getFeatures(), false);
            if (!net.getLayerWiseConfigurations().equals(restored.getLayerWiseConfigurations())) {
                problem = "restored configuration differs";
            } else if (maxAbsDiff(net.params(), restored.params()) != 0.0) {
                problem = "restored parameters differ";
            }
        } else {
            ComputationGraph graph = (ComputationGraph) model;
            ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
            before = graph.outputSingle(false, data.getFeatures());
            after = restored.outputSingle(false, data.getFeatures());
            if (!graph.getConfiguration().equals(restored.getConfiguration())) {
                problem = "restored configuration differs";
            } else if (maxAbsDiff(graph.params(), restored.params()) != 0.0) {
                problem = "restored parameters differ";
            }
        }
        double maxDiff = maxAbsDiff(before, after);
        if (problem == null && !unchanged.isEmpty()) {
            problem = "training left " + unchanged + " unchanged";
        }
        if (problem == null && !Double.isFinite(score)) {
            problem = "training score is " + score;
        }
        if (problem == null && maxDiff != 0.0) {
            problem = "restored outputs differ (max |difference| " + maxDiff + ")";
        }
        System.out.printf("%-46s %d steps, score %.5f, %s%n", name, STEPS, score,
                problem == null ? "restored outputs equal" : "FAILED: " + problem);
        if (problem != null) {
            failures.add(name + ": " + problem);
        }
    }

    /** The largest absolute element difference, infinite for different shapes (INDArray.equals has a tolerance). */
    private static double maxAbsDiff(INDArray a, INDArray b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            return Double.POSITIVE_INFINITY;
        }
        return a.sub(b).amaxNumber().doubleValue();
    }
}
