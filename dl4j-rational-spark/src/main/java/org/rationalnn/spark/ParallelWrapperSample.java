package org.rationalnn.spark;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.rationalnn.dl4j.util.BackendReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/**
 * Multi-worker training on one machine with DL4J's {@link ParallelWrapper} (AVERAGING mode: each worker trains a
 * replica, parameters are averaged every few minibatches) on a network with trainable rational layers.
 * ({@code SHARED_GRADIENTS} mode deadlocked on the second {@code fit()} in DL4J M2.1, also without rational
 * layers, so this sample uses averaging.)
 */
public final class ParallelWrapperSample {
    private static final Logger log = LoggerFactory.getLogger(ParallelWrapperSample.class);

    private ParallelWrapperSample() {
    }

    /** Options of a run. */
    @Command(name = "parallel-wrapper", mixinStandardHelpOptions = true,
            description = "Rational layers trained by several workers on one machine (ParallelWrapper).")
    public static final class Options {
        @Option(names = "--workers", description = "worker threads (default ${DEFAULT-VALUE})")
        public int workers = 2;
        @Option(names = "--epochs", description = "epochs (default ${DEFAULT-VALUE})")
        public int epochs = 5;
        @Option(names = "--batches", description = "minibatches (default ${DEFAULT-VALUE})")
        public int batches = 40;
        @Option(names = "--batch-size", description = "examples per minibatch (default ${DEFAULT-VALUE})")
        public int batchSize = 32;
        @Option(names = "--averaging-frequency", description = "minibatches between averaging (default ${DEFAULT-VALUE})")
        public int averagingFrequency = 3;
        @Option(names = "--seed", description = "random seed (default ${DEFAULT-VALUE})")
        public long seed = 7;
    }

    /** What a run produced. */
    public static final class Result {
        public final List<Double> scores = new ArrayList<>();
        public double coefficientChange;
        public double accuracy;
        public MultiLayerNetwork network;
    }

    public static void main(String[] args) {
        Options o = new Options();
        CommandLine cl = new CommandLine(o);
        cl.parseArgs(args);
        if (cl.isUsageHelpRequested()) {
            cl.usage(System.out);
            return;
        }
        Result r = run(o);
        System.out.printf("scores per epoch: %s%naccuracy %.4f; rational coefficients moved by up to %.4f%n",
                r.scores, r.accuracy, r.coefficientChange);
    }

    public static Result run(Options o) {
        log.info("{}", BackendReport.current());
        List<DataSet> train = SyntheticData.spirals(o.batches, o.batchSize, o.seed, DataType.FLOAT);
        DataSet all = DataSet.merge(train);
        MultiLayerNetwork net = new MultiLayerNetwork(Networks.mln(16, new Adam(1e-2), DataType.FLOAT, o.seed));
        net.init();
        INDArray coefficients0 = net.getParam("1_numerator").dup();
        Result r = new Result();
        r.scores.add(net.score(all));
        ParallelWrapper wrapper = new ParallelWrapper.Builder<>(net).workers(o.workers).prefetchBuffer(2)
                .averagingFrequency(o.averagingFrequency).trainingMode(ParallelWrapper.TrainingMode.AVERAGING)
                .build();
        try {
            for (int e = 0; e < o.epochs; e++) {
                wrapper.fit(new ListDataSetIterator<>(train, 1));
                r.scores.add(net.score(all));
                log.info("epoch {}: score {}", e + 1, r.scores.get(r.scores.size() - 1));
            }
        } finally {
            wrapper.shutdown();
        }
        r.coefficientChange = net.getParam("1_numerator").sub(coefficients0).amaxNumber().doubleValue();
        r.accuracy = net.evaluate(new ListDataSetIterator<>(train, 1)).accuracy();
        r.network = net;
        return r;
    }
}
