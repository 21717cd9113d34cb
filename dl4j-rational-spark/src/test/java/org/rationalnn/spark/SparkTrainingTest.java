package org.rationalnn.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rational layers on Spark (local mode, two workers) with parameter averaging. */
class SparkTrainingTest {

    static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        sc = SparkSupport.context("local[2]", "dl4j-rational tests");
    }

    @AfterAll
    static void stop() {
        if (sc != null) {
            sc.close();
        }
    }

    static SparkTrainingSample.Options tiny(Path dir, boolean graph) {
        SparkTrainingSample.Options o = new SparkTrainingSample.Options();
        o.graph = graph;
        o.epochs = 4;
        o.batches = 16;
        o.batchSize = 16;
        o.averagingFrequency = 2;
        o.out = dir.resolve(graph ? "graph.zip" : "mln.zip").toFile();
        return o;
    }

    @Test
    void multiLayerNetworkTrainsEvaluatesAndRestores(@TempDir Path dir) throws Exception {
        SparkTrainingSample.Result r = SparkTrainingSample.run(sc, tiny(dir, false));
        assertTrue(r.scores.get(r.scores.size() - 1) < r.scores.get(0), "score falls: " + r.scores);
        assertTrue(r.coefficientChange > 1e-4, "rational coefficients are trained: " + r.coefficientChange);
        assertEquals(r.localAccuracy, r.sparkAccuracy, 1e-9, "distributed evaluation equals local evaluation");

        MultiLayerNetwork trained = (MultiLayerNetwork) r.network;
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(r.model, true);
        DataSet probe = SyntheticData.spirals(1, 20, 99, DataType.FLOAT).get(0);
        assertEquals(trained.output(probe.getFeatures()), restored.output(probe.getFeatures()));
    }

    @Test
    void sameDiffRationalDenseTrainsOnSpark(@TempDir Path dir) throws Exception {
        SparkTrainingSample.Options o = tiny(dir, false);
        o.sameDiff = true;
        o.out = dir.resolve("samediff.zip").toFile();
        SparkTrainingSample.Result r = SparkTrainingSample.run(sc, o);
        assertTrue(r.scores.get(r.scores.size() - 1) < r.scores.get(0), "score falls: " + r.scores);
        assertTrue(r.coefficientChange > 1e-4, "RationalDense coefficients are trained: " + r.coefficientChange);
        assertEquals(r.localAccuracy, r.sparkAccuracy, 1e-9);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(r.model, true);
        DataSet probe = SyntheticData.spirals(1, 20, 99, DataType.FLOAT).get(0);
        assertTrue(((MultiLayerNetwork) r.network).output(probe.getFeatures())
                .equalsWithEps(restored.output(probe.getFeatures()), 1e-6));
    }

    @Test
    void computationGraphTrainsEvaluatesAndRestores(@TempDir Path dir) throws Exception {
        SparkTrainingSample.Result r = SparkTrainingSample.run(sc, tiny(dir, true));
        assertTrue(r.scores.get(r.scores.size() - 1) < r.scores.get(0), "score falls: " + r.scores);
        assertTrue(r.coefficientChange > 1e-4, "rational coefficients are trained: " + r.coefficientChange);
        assertEquals(r.localAccuracy, r.sparkAccuracy, 1e-9);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(r.model, true);
        DataSet probe = SyntheticData.spirals(1, 20, 99, DataType.FLOAT).get(0);
        assertEquals(((ComputationGraph) r.network).outputSingle(probe.getFeatures()),
                restored.outputSingle(probe.getFeatures()));
    }

    /**
     * One averaging round with two workers, one minibatch each, plain SGD: the driver's parameters (rational
     * coefficients included) equal the average of what each worker computes from the same start.
     */
    @Test
    void driverCoefficientsAreTheAverageOfTheWorkers() {
        int batch = 12;
        MultiLayerConfiguration conf = Networks.mln(6, new Sgd(0.2), DataType.DOUBLE, 3);
        List<DataSet> parts = SyntheticData.spirals(2, batch, 5, DataType.DOUBLE);
        SparkDl4jMultiLayer spark = new SparkDl4jMultiLayer(sc, conf,
                SparkTrainingSample.trainingMaster(batch, 1, 3));
        INDArray start = spark.getNetwork().params().dup();

        MultiLayerNetwork driver = spark.fit(sc.parallelize(parts, 2));

        INDArray expected = start.mul(0);
        for (DataSet part : parts) {
            MultiLayerNetwork worker = new MultiLayerNetwork(conf.clone());
            worker.init(start.dup(), true);
            worker.fit(part);
            expected.addi(worker.params());
        }
        expected.divi(parts.size());
        INDArray actual = driver.params();
        assertTrue(actual.sub(start).amaxNumber().doubleValue() > 1e-6, "parameters moved");
        assertTrue(expected.equalsWithEps(actual, 1e-9), "driver = mean of workers\nexpected " + expected
                + "\nactual   " + actual);
        MultiLayerNetwork mean = new MultiLayerNetwork(conf.clone());
        mean.init(expected, true);
        MultiLayerNetwork initial = new MultiLayerNetwork(conf.clone());
        initial.init(start.dup(), true);
        for (String key : new String[]{"1_numerator", "1_denominator", "3_numerator", "3_denominator"}) {
            assertTrue(mean.getParam(key).equalsWithEps(driver.getParam(key), 1e-9), key + " averaged");
            assertTrue(driver.getParam(key).sub(initial.getParam(key)).amaxNumber().doubleValue() > 1e-8,
                    key + " trained on the workers");
        }

        Evaluation distributed = spark.evaluate(sc.parallelize(parts, 2));
        Evaluation local = driver.evaluate(new ListDataSetIterator<>(parts, 1));
        assertEquals(local.accuracy(), distributed.accuracy(), 1e-12);
        assertEquals(local.getConfusionMatrix().toCSV(), distributed.getConfusionMatrix().toCSV());
    }

    @Test
    void java21IsRejectedWithAClearMessage() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SparkSupport.checkJavaVersion(21));
        assertTrue(e.getMessage().contains("Java 21") || e.getMessage().contains("got Java 21"), e.getMessage());
        SparkSupport.checkJavaVersion(17);
    }
}
