package org.rationalnn.benchmarks;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.samples.FashionMnistSample;
import org.rationalnn.samples.FashionMnistSample.Act;
import org.rationalnn.samples.FashionMnistSample.ModelKind;
import org.rationalnn.samples.fashion.FashionMnist;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Training time of {@code FashionMnistSample}'s CNN (per conv block: 3×3 convolution, batch normalization, the
 * activation, 2×2 max pooling; 16 and 32 channels; softmax output; Adam, float32) with each activation, in one JVM:
 * every network is warmed up, then all train on the same minibatches in interleaved rounds (one minibatch of each
 * per round), so that a change of machine load affects all alike. Prints the median and minimum time per minibatch,
 * the sum over the timed minibatches, that sum scaled to one epoch of 60,000 images, and the ratios to the first
 * activation.
 *
 * <p>Data: the Fashion-MNIST training images from {@code --data} (default {@value FashionMnist#DEFAULT_DIR},
 * Debian's {@code dataset-fashion-mnist}); when the folder lacks them, uniform random images of the same shape
 * ([mb, 784] in [0, 1], random labels), which the output says. The time per minibatch does not depend on the pixel
 * values. Not a test: no timing is asserted anywhere.
 */
@Command(name = "cnn-epoch", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Fashion-MNIST CNN training time per minibatch and per epoch, rational vs fixed activations.")
public final class CnnEpochBenchmark implements Runnable {

    @Option(names = "--activations", split = ",", description = "relu, gelu, silu, rational-layer, rational-channel "
            + "(default: ${DEFAULT-VALUE})")
    List<String> activations = new ArrayList<>(List.of("relu", "rational-channel"));
    @Option(names = "--batches", description = "timed minibatches per network; 0 = one whole epoch "
            + "(default: ${DEFAULT-VALUE})")
    int batches = 60;
    @Option(names = "--warmup", description = "untimed minibatches per network first (default: ${DEFAULT-VALUE})")
    int warmup = 10;
    @Option(names = "--batch", description = "images per minibatch (default: ${DEFAULT-VALUE}, the sample's)")
    int batch = 128;
    @Option(names = "--data", description = "Fashion-MNIST folder (default: ${DEFAULT-VALUE})")
    Path data = Paths.get(FashionMnist.DEFAULT_DIR);
    @Option(names = "--nd4j-threads", description = "threads of ND4J's own ops, 0 = ND4J's default "
            + "(default: ${DEFAULT-VALUE})")
    int nd4jThreads;

    /**
     * Runs the benchmark with picocli's command line (see {@code --help}).
     *
     * @param args the options
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new CnnEpochBenchmark()).execute(args));
    }

    @Override
    public void run() {
        if (batches < 0 || warmup < 0) {
            throw new IllegalArgumentException("--batches and --warmup must be >= 0, got " + batches + " and "
                    + warmup);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        }
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        Bench.nd4jThreads(nd4jThreads);
        System.out.println(Bench.environment());
        int perEpoch = (FashionMnist.TRAIN_COUNT + batch - 1) / batch;
        int timed = batches == 0 ? perEpoch : batches;
        DataSet all = images(warmup + timed);
        List<DataSet> minibatches = all.batchBy(batch);
        FashionMnistSample.Options options = new FashionMnistSample.Options();
        Map<String, MultiLayerNetwork> nets = new LinkedHashMap<>();
        for (String a : activations) {
            Act act = act(a);
            MultiLayerNetwork net = FashionMnistSample.model(ModelKind.CNN, act, 12345L, (long) perEpoch, options);
            for (int i = 0; i < warmup; i++) {
                net.fit(minibatches.get(i % minibatches.size()));
            }
            nets.put(act.id(), net);
        }
        System.out.printf(Locale.ROOT, "Fashion-MNIST CNN (FashionMnistSample, channels %s), mb %d: %d warm-up and %d "
                + "timed minibatches per network, interleaved%n", options.cnnChannels, batch, warmup, timed);
        Map<String, double[]> times = new LinkedHashMap<>();
        nets.keySet().forEach(n -> times.put(n, new double[timed]));
        for (int s = 0; s < timed; s++) {
            DataSet mb = minibatches.get((warmup + s) % minibatches.size());
            for (Map.Entry<String, MultiLayerNetwork> e : nets.entrySet()) {
                long t0 = System.nanoTime();
                e.getValue().fit(mb);
                times.get(e.getKey())[s] = (System.nanoTime() - t0) / 1e6;
            }
        }
        System.out.println(Bench.table(times, nets.keySet().iterator().next()));
        double ref = sum(times.values().iterator().next());
        System.out.printf(Locale.ROOT, "%n%-28s %12s %14s %8s%n", "network", "timed s", "s per epoch", "x sum");
        for (Map.Entry<String, double[]> e : times.entrySet()) {
            double s = sum(e.getValue());
            System.out.printf(Locale.ROOT, "%-28s %12.2f %14.1f %8.3f%n", e.getKey(), s / 1e3,
                    s / 1e3 * perEpoch / timed, s / ref);
            System.out.printf(Locale.ROOT, "RESULT\t%s\t%.3f\t%.3f%n", e.getKey(), Bench.median(e.getValue()),
                    Bench.min(e.getValue()));
        }
        System.out.printf(Locale.ROOT, "(one epoch = %d minibatches of %d; per-epoch figures scale the timed sum)%n",
                perEpoch, batch);
        System.out.println(Bench.loadLine());
    }

    static Act act(String id) {
        String key = id.trim().toLowerCase(Locale.ROOT);
        for (Act a : Act.values()) {
            if (a.id().equals(key)) {
                return a;
            }
        }
        throw new IllegalArgumentException("activation must be one of relu, gelu, silu, rational-layer, "
                + "rational-channel; got '" + id + "'");
    }

    /** The first {@code n} training images (repeated if fewer), or random ones of the same shape without the data. */
    DataSet images(int n) {
        if (FashionMnist.isAvailable(data)) {
            try {
                DataSet ds = FashionMnist.load(data).train().toDataSet(n * batch);
                System.out.println("data: Fashion-MNIST training images from " + data);
                return ds;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read Fashion-MNIST from " + data, e);
            }
        }
        System.out.println("data: SYNTHETIC random images [mb, 784] (no Fashion-MNIST files in " + data
                + "; install dataset-fashion-mnist or pass --data)");
        Random r = new Random(1);
        int rows = n * batch;
        float[] x = new float[rows * FashionMnist.ROWS * FashionMnist.COLUMNS];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        float[] y = new float[rows * FashionMnist.CLASSES];
        for (int i = 0; i < rows; i++) {
            y[i * FashionMnist.CLASSES + r.nextInt(FashionMnist.CLASSES)] = 1f;
        }
        INDArray features = Nd4j.create(x, new long[]{rows, (long) FashionMnist.ROWS * FashionMnist.COLUMNS}, 'c');
        INDArray labels = Nd4j.create(y, new long[]{rows, FashionMnist.CLASSES}, 'c');
        return new DataSet(features, labels);
    }

    static double sum(double[] t) {
        double s = 0;
        for (double v : t) {
            s += v;
        }
        return s;
    }
}
