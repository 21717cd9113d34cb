package org.rationalnn.dl4j.compat;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.rational.TargetFunction;
import org.rationalnn.dl4j.samediff.RationalDense;
import org.rationalnn.dl4j.samediff.RationalVertex;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock;
import org.rationalnn.dl4j.util.ModelFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the golden model of the SameDiff layer types (RationalDense with version C, RationalVertex with version A,
 * RationalTransformerBlock with a version-C RATIONAL_GLU and rational attention) that {@link GoldenModelTest} loads
 * forever. Written once by release 0.1.0's code (commit 45da35e), never regenerated:
 * {@code java -cp ... org.rationalnn.dl4j.compat.GoldenSameDiffModels dl4j-rational/src/test/resources/golden/0.1.0}.
 */
public final class GoldenSameDiffModels {

    private GoldenSameDiffModels() {
    }

    static ComputationGraph graph() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(14)
                .dataType(DataType.DOUBLE).updater(new Adam(1e-2)).graphBuilder()
                .addInputs("seq").setInputTypes(InputType.recurrent(3, 4, RNNFormat.NCW))
                .addLayer("dense", new RationalDense.Builder().nOut(4).spec(RationalSpec.builder().degrees(4, 3)
                        .version(RationalVersion.C).sharing(Sharing.CHANNEL).init(TargetFunction.GELU).build())
                        .build(), "seq")
                .addVertex("act", new RationalVertex.Builder().spec(RationalSpec.builder().degrees(3, 2)
                        .version(RationalVersion.A).init(TargetFunction.TANH).build()).build(), "dense")
                .addLayer("block", new RationalTransformerBlock.Builder().dModel(4).heads(2).hidden(6)
                        .spec(RationalSpec.builder().version(RationalVersion.C).init(TargetFunction.SILU).build())
                        .attention(RationalTransformerBlock.Attention.RATIONAL).causal(true).build(), "act")
                .addLayer("out", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build(), "block")
                .setOutputs("out").build());
        g.init();
        return g;
    }

    static INDArray input() {
        return Nd4j.linspace(-1.5, 1.5, 24, DataType.DOUBLE).reshape(2, 3, 4);
    }

    public static void main(String[] args) throws IOException {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        ComputationGraph g = graph();
        INDArray x = input();
        INDArray y = x.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2), NDArrayIndex.all()).dup();
        for (int i = 0; i < 5; i++) {
            g.fit(new DataSet(x, y));
        }
        ModelFiles.save(g, dir.resolve("graph-samediff.zip").toFile(), true);
        Nd4j.writeTxt(g.outputSingle(x), dir.resolve("graph-samediff-output.txt").toString());
        System.out.println("golden SameDiff model written to " + dir.toAbsolutePath());
    }
}
