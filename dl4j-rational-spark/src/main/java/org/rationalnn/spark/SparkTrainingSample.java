package org.rationalnn.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.rationalnn.dl4j.util.BackendReport;
import org.rationalnn.dl4j.util.ModelFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains a classifier with trainable rational layers on Spark with DL4J's {@code ParameterAveragingTrainingMaster}:
 * local mode ({@code local[2]}) by default, or a cluster given by {@code --master}. Evaluates on Spark and saves
 * the trained model with {@link ModelFiles} (DL4J's {@code ModelSerializer} format).
 *
 * <p>Run: {@code mvn -q -pl dl4j-rational-spark -am compile exec:exec -Dexec.args="--epochs 5 --graph"}.
 */
public final class SparkTrainingSample {
    private static final Logger log = LoggerFactory.getLogger(SparkTrainingSample.class);

    private SparkTrainingSample() {
    }

    /** Options of a run. */
    @Command(name = "spark-training", mixinStandardHelpOptions = true,
            description = "Rational layers trained on Spark with parameter averaging.")
    public static final class Options {
        @Option(names = "--master", description = "Spark master URL (default ${DEFAULT-VALUE})")
        public String master = "local[2]";
        @Option(names = "--graph", description = "train a ComputationGraph instead of a MultiLayerNetwork")
        public boolean graph;
        @Option(names = "--samediff", description = "use SameDiff RationalDense layers (MultiLayerNetwork only)")
        public boolean sameDiff;
        @Option(names = "--epochs", description = "epochs (default ${DEFAULT-VALUE})")
        public int epochs = 5;
        @Option(names = "--batches", description = "minibatches in the training set (default ${DEFAULT-VALUE})")
        public int batches = 40;
        @Option(names = "--batch-size", description = "examples per minibatch and worker (default ${DEFAULT-VALUE})")
        public int batchSize = 32;
        @Option(names = "--averaging-frequency", description = "minibatches between averaging rounds (default ${DEFAULT-VALUE})")
        public int averagingFrequency = 4;
        @Option(names = "--width", description = "hidden width (default ${DEFAULT-VALUE})")
        public int width = 16;
        @Option(names = "--out", description = "where to save the trained model (default ${DEFAULT-VALUE})")
        public File out = new File("target/spark-rational-model.zip");
        @Option(names = "--seed", description = "random seed (default ${DEFAULT-VALUE})")
        public long seed = 12345;
    }

    /** What a run produced. */
    public static final class Result {
        /** Training-set score before training and after each epoch. */
        public final List<Double> scores = new ArrayList<>();
        /** Accuracy on the held-out set, evaluated on Spark. */
        public double sparkAccuracy;
        /** Accuracy of the same model on the same data, evaluated on one machine. */
        public double localAccuracy;
        /** Max |Δ| of the rational coefficients over training. */
        public double coefficientChange;
        /** The saved model. */
        public File model;
        /** The trained network (MultiLayerNetwork or ComputationGraph). */
        public Model network;
    }

    public static void main(String[] args) throws IOException {
        Options o = new Options();
        CommandLine cl = new CommandLine(o);
        cl.parseArgs(args);
        if (cl.isUsageHelpRequested()) {
            cl.usage(System.out);
            return;
        }
        if (cl.isVersionHelpRequested()) {
            cl.printVersionHelp(System.out);
            return;
        }
        try (JavaSparkContext sc = SparkSupport.context(o.master, "dl4j-rational spark sample")) {
            Result r = run(sc, o);
            System.out.printf("scores per epoch: %s%naccuracy (Spark) %.4f, (local) %.4f; rational coefficients "
                    + "moved by up to %.4f; model saved to %s%n", r.scores, r.sparkAccuracy, r.localAccuracy,
                    r.coefficientChange, r.model.getAbsolutePath());
        }
    }

    /** The training master the sample and tests use. */
    public static ParameterAveragingTrainingMaster trainingMaster(int batchSize, int averagingFrequency, long seed) {
        return new ParameterAveragingTrainingMaster.Builder(batchSize).batchSizePerWorker(batchSize)
                .averagingFrequency(averagingFrequency).workerPrefetchNumBatches(0).saveUpdater(true)
                .repartionData(Repartition.Never).rddTrainingApproach(RDDTrainingApproach.Direct).rngSeed(seed)
                .build();
    }

    /** Trains, evaluates (on Spark and locally) and saves; the context is the caller's. */
    public static Result run(JavaSparkContext sc, Options o) throws IOException {
        log.info("{}", BackendReport.current());
        DataType dt = DataType.FLOAT;
        List<DataSet> train = SyntheticData.spirals(o.batches, o.batchSize, o.seed, dt);
        List<DataSet> test = SyntheticData.spirals(Math.max(2, o.batches / 4), o.batchSize, o.seed + 1, dt);
        JavaRDD<DataSet> trainRdd = sc.parallelize(train, sc.defaultParallelism());
        JavaRDD<DataSet> testRdd = sc.parallelize(test, sc.defaultParallelism());
        DataSet all = DataSet.merge(train);
        DataSet allTest = DataSet.merge(test);
        ParameterAveragingTrainingMaster tm = trainingMaster(o.batchSize, o.averagingFrequency, o.seed);
        Result r = new Result();
        if (o.graph) {
            SparkComputationGraph net = new SparkComputationGraph(sc,
                    Networks.graph(o.width, new Adam(1e-2), dt, o.seed), tm);
            ComputationGraph g = net.getNetwork();
            INDArray coefficients0 = g.getParam("r1_numerator").dup();
            r.scores.add(g.score(all));
            for (int e = 0; e < o.epochs; e++) {
                net.fit(trainRdd);
                r.scores.add(net.getNetwork().score(all));
                log.info("epoch {}: score {}", e + 1, r.scores.get(r.scores.size() - 1));
            }
            g = net.getNetwork();
            r.coefficientChange = g.getParam("r1_numerator").sub(coefficients0).amaxNumber().doubleValue();
            Evaluation ev = net.evaluate(testRdd);
            r.sparkAccuracy = ev.accuracy();
            r.localAccuracy = g.evaluate(new org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<>(test, 1))
                    .accuracy();
            r.network = g;
        } else {
            SparkDl4jMultiLayer net = new SparkDl4jMultiLayer(sc, o.sameDiff
                    ? Networks.mlnSameDiff(o.width, new Adam(1e-2), dt, o.seed)
                    : Networks.mln(o.width, new Adam(1e-2), dt, o.seed), tm);
            MultiLayerNetwork m = net.getNetwork();
            String coefficientKey = o.sameDiff ? "0_numerator" : "1_numerator";
            INDArray coefficients0 = m.getParam(coefficientKey).dup();
            r.scores.add(m.score(all));
            for (int e = 0; e < o.epochs; e++) {
                net.fit(trainRdd);
                r.scores.add(net.getNetwork().score(all));
                log.info("epoch {}: score {}", e + 1, r.scores.get(r.scores.size() - 1));
            }
            m = net.getNetwork();
            r.coefficientChange = m.getParam(coefficientKey).sub(coefficients0).amaxNumber().doubleValue();
            Evaluation ev = net.evaluate(testRdd);
            r.sparkAccuracy = ev.accuracy();
            r.localAccuracy = m.evaluate(new org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<>(test, 1))
                    .accuracy();
            r.network = m;
        }
        File parent = o.out.getAbsoluteFile().getParentFile();
        if (parent != null && !parent.isDirectory() && !parent.mkdirs()) {
            throw new IOException("cannot create directory " + parent);
        }
        ModelFiles.save(r.network, o.out, true);
        r.model = o.out;
        log.info("test accuracy {} (Spark) / {} (local); model saved to {}", r.sparkAccuracy, r.localAccuracy,
                o.out.getAbsolutePath());
        Nd4j.getMemoryManager().invokeGc();
        return r;
    }
}
