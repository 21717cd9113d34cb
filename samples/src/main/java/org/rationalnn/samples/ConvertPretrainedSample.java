package org.rationalnn.samples;

import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.knowm.xchart.XYChart;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.rationalnn.dl4j.convert.Conversion;
import org.rationalnn.dl4j.convert.ConversionReport;
import org.rationalnn.dl4j.convert.RationalConverter;
import org.rationalnn.dl4j.convert.ReplacedActivation;
import org.rationalnn.dl4j.monitor.RationalMonitor;
import org.rationalnn.dl4j.monitor.RationalPlots;
import org.rationalnn.dl4j.monitor.RationalSite;
import org.rationalnn.dl4j.pau.PauLayers;
import org.rationalnn.dl4j.pau.PauTable;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.util.BackendReport;
import org.rationalnn.samples.fashion.FashionMnist;
import org.rationalnn.samples.harness.Plots;
import org.rationalnn.samples.harness.Progress;
import org.rationalnn.samples.harness.TextTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Converting a trained ReLU network to trainable rationals: a small Fashion-MNIST CNN with ReLU inside its
 * convolution and dense layers is trained briefly, converted with {@link RationalConverter} (every ReLU becomes the
 * layer with identity + a (5, 4) version-B {@code RationalActivationLayer} fitted to ReLU on the pre-activation range
 * seen on calibration batches), its rationals are fine-tuned alone (everything else frozen, coefficients at half the
 * learning rate, the recipe of arXiv:2602.12390), then everything is fine-tuned ({@link RationalConverter#unfreeze}).
 * Test accuracy is reported at each stage, next to the ReLU network trained for as many extra epochs.
 *
 * <p>A {@link RationalMonitor} watches the fine-tuning. Outputs in {@code --out} (default
 * {@code samples/target/convert-pretrained}): {@code report.md} (accuracies, the conversion report, run time),
 * {@code accuracy.csv}, {@code shapes.png} (each learned rational against ReLU and its initial fit, XChart),
 * {@code rationals.png} (the library's own picture: learned vs initial with input histograms), and the learned
 * coefficients for PyTorch: {@code pau_layers.json} and {@code rationals_config.json} (PAU's layout).
 *
 * <p>Data: Debian's {@code dataset-fashion-mnist} ({@value FashionMnist#DEFAULT_DIR}) or {@code --data DIR};
 * {@code --synthetic N} uses N generated Fashion-like images instead (10 classes of noisy shapes; for machines
 * without the data).
 *
 * <p>Run: {@code mvn -B -q -pl samples -am compile exec:java -Dexec.mainClass=org.rationalnn.samples.ConvertPretrainedSample}
 * (options after {@code -Dexec.args="..."}). The defaults (6,000 training and 2,000 test images, 2 + 1 + 1 epochs and
 * the baseline's 2) take a few minutes on 2 cores.
 */
public final class ConvertPretrainedSample {
    private static final Logger log = LoggerFactory.getLogger(ConvertPretrainedSample.class);

    private ConvertPretrainedSample() {
    }

    /** Options of a run (command-line flags via picocli). */
    @Command(name = "convert-pretrained", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Train a ReLU Fashion-MNIST CNN, convert it to rationals, fine-tune the rationals, then all.")
    public static final class Options {
        @Option(names = "--data", description = "folder with the four IDX files (default: ${DEFAULT-VALUE})")
        public Path data = Paths.get(FashionMnist.DEFAULT_DIR);
        @Option(names = "--synthetic", description = "use N generated images instead of Fashion-MNIST (0: off; "
                + "default ${DEFAULT-VALUE})")
        public int synthetic = 0;
        @Option(names = "--out", description = "output folder (default: samples/target/convert-pretrained)")
        public Path out;
        @Option(names = "--train-limit", description = "training examples (0: all 60,000; default ${DEFAULT-VALUE})")
        public int trainLimit = 6000;
        @Option(names = "--test-limit", description = "test examples (0: all 10,000; default ${DEFAULT-VALUE})")
        public int testLimit = 2000;
        @Option(names = "--pretrain-epochs", description = "epochs of the ReLU network (default ${DEFAULT-VALUE})")
        public int pretrainEpochs = 2;
        @Option(names = "--rational-epochs", description = "epochs training only the rationals "
                + "(default ${DEFAULT-VALUE})")
        public int rationalEpochs = 1;
        @Option(names = "--all-epochs", description = "epochs training everything (default ${DEFAULT-VALUE})")
        public int allEpochs = 1;
        @Option(names = "--no-baseline", negatable = false, description = "skip the ReLU network's extra epochs")
        public boolean noBaseline;
        @Option(names = "--calibration-batches", description = "minibatches whose pre-activations set the fit "
                + "intervals (default ${DEFAULT-VALUE})")
        public int calibrationBatches = 8;
        @Option(names = "--batch", description = "minibatch size (default ${DEFAULT-VALUE})")
        public int batch = 64;
        @Option(names = "--lr", description = "Adam learning rate (default ${DEFAULT-VALUE}); rational coefficients "
                + "get half")
        public double learningRate = 2e-3;
        @Option(names = "--channels", split = ",", description = "channels of the two convolutions (default: 8,16)")
        public List<Integer> channels = new ArrayList<>(List.of(8, 16));
        @Option(names = "--dense", description = "width of the dense layer (default ${DEFAULT-VALUE})")
        public int dense = 32;
        @Option(names = "--seed", description = "random seed (default ${DEFAULT-VALUE})")
        public long seed = 12345;
        @Option(names = "--no-plots", negatable = false, description = "skip the PNG plots")
        public boolean noPlots;
    }

    /**
     * What a run measured.
     *
     * @param trainExamples     training examples used
     * @param testExamples      test examples used
     * @param synthetic         whether generated images stood in for Fashion-MNIST
     * @param reluAccuracy      test accuracy of the trained ReLU network
     * @param convertedAccuracy test accuracy right after the conversion, before any training
 * @param agreement         fraction of test examples on which the converted network predicts the ReLU network's class
     * @param rationalsAccuracy after training only the rationals
     * @param allAccuracy       after then training everything
     * @param baselineAccuracy  of the ReLU network trained for as many extra epochs (NaN with --no-baseline)
     * @param conversion        the converter's report (fit errors, output bound, measured difference)
     * @param learned           the learned rational of every converted layer (coefficient set 0), by layer name
     * @param monitor           the monitor's records during fine-tuning
     * @param stageSeconds      seconds per stage, in the order pretrain, convert, rationals, all, baseline
     * @param output            the output folder
     * @param seconds           total run time
     */
    public record Result(int trainExamples, int testExamples, boolean synthetic, double reluAccuracy,
                         double convertedAccuracy, double agreement, double rationalsAccuracy, double allAccuracy,
                         double baselineAccuracy, ConversionReport conversion, Map<String, RationalFunction> learned,
                         List<org.rationalnn.dl4j.monitor.RationalStats> monitor, Map<String, Double> stageSeconds,
                         Path output, double seconds) {
    }

    public static void main(String[] args) {
        org.rationalnn.samples.harness.Environment.boundNativeMemory();
        Options options = org.rationalnn.samples.harness.Cli.parse(new Options(), args);
        if (options == null) {
            return;
        }
        try {
            run(options);
        } catch (FashionMnist.MissingDataException e) {
            System.err.println(e.getMessage() + "\n(or run with --synthetic 6000)");
            System.exit(1);
        }
    }

    /**
     * Runs every stage and writes the output folder.
     *
     * @throws FashionMnist.MissingDataException if the data files are missing and {@code --synthetic} is 0
     */
    public static Result run(Options o) throws FashionMnist.MissingDataException {
        validate(o);
        long t0 = System.nanoTime();
        Plots.headless();
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        log.info("{}", BackendReport.current());
        DataSet train;
        DataSet test;
        if (o.synthetic > 0) {
            train = synthetic(o.synthetic, o.seed);
            test = synthetic(Math.max(200, o.synthetic / 5), o.seed + 1);
        } else {
            try {
                FashionMnist data = FashionMnist.load(o.data);
                train = data.train().toDataSet(o.trainLimit);
                test = data.test().toDataSet(o.testLimit);
            } catch (FashionMnist.MissingDataException e) {
                throw e;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Path out = o.out != null ? o.out : org.rationalnn.samples.harness.Session.defaultOutput("convert-pretrained");
        Map<String, Double> seconds = new LinkedHashMap<>();
        Random shuffle = new Random(o.seed);
        int stages = o.pretrainEpochs + o.rationalEpochs + o.allEpochs
                + (o.noBaseline ? 0 : o.rationalEpochs + o.allEpochs);
        Progress progress = new Progress(log, "epochs", stages);
        log.info("{} training and {} test examples ({}); output folder {}", train.numExamples(), test.numExamples(),
                o.synthetic > 0 ? "synthetic" : "Fashion-MNIST", out.toAbsolutePath());

        // 1. a ReLU network, trained briefly
        long s = System.nanoTime();
        MultiLayerNetwork relu = reluCnn(o);
        train(relu, train, o.pretrainEpochs, o.batch, shuffle, progress, "ReLU");
        double reluAccuracy = accuracy(relu, test);
        seconds.put("pretrain", (System.nanoTime() - s) / 1e9);
        MultiLayerNetwork baseline = o.noBaseline ? null : relu.clone();

        // 2. converted: every ReLU becomes a rational fitted to ReLU on the observed pre-activation range
        s = System.nanoTime();
        Conversion<MultiLayerNetwork> c = RationalConverter.builder()
                .calibration(new ExistingDataSetIterator(FashionMnistSample.shuffledBatches(train, o.batch,
                        new Random(o.seed + 7))))
                .calibrationBatches(o.calibrationBatches)
                .trainOnlyRationals(true)
                .paperRecipe()
                .build()
                .convert(relu);
        double convertedAccuracy = accuracy(c.network(), test);
        double agreement = agreement(relu, c.network(), test);
        seconds.put("convert", (System.nanoTime() - s) / 1e9);
        log.info("test accuracy: ReLU {}, converted {}; same prediction on {} of the test examples",
                fmt(reluAccuracy), fmt(convertedAccuracy), fmt(agreement));

        // 3. only the rationals train
        s = System.nanoTime();
        RationalMonitor monitor = RationalMonitor.builder().frequency(25).build();
        MultiLayerNetwork rational = c.network();
        rational.addListeners(monitor);
        train(rational, train, o.rationalEpochs, o.batch, shuffle, progress, "rationals only");
        double rationalsAccuracy = accuracy(rational, test);
        seconds.put("rationals", (System.nanoTime() - s) / 1e9);

        // 4. everything trains
        s = System.nanoTime();
        MultiLayerNetwork all = RationalConverter.unfreeze(rational);
        all.addListeners(monitor);
        train(all, train, o.allEpochs, o.batch, shuffle, progress, "all layers");
        double allAccuracy = accuracy(all, test);
        seconds.put("all", (System.nanoTime() - s) / 1e9);

        // 5. the ReLU network, trained for as many extra epochs
        double baselineAccuracy = Double.NaN;
        if (baseline != null) {
            s = System.nanoTime();
            train(baseline, train, o.rationalEpochs + o.allEpochs, o.batch, shuffle, progress, "ReLU baseline");
            baselineAccuracy = accuracy(baseline, test);
            seconds.put("baseline", (System.nanoTime() - s) / 1e9);
        }

        Map<String, RationalFunction> learned = new LinkedHashMap<>();
        for (RationalSite site : RationalSite.find(all)) {
            learned.put(site.name(), site.function(0));
        }
        Result r = new Result(train.numExamples(), test.numExamples(), o.synthetic > 0, reluAccuracy,
                convertedAccuracy, agreement, rationalsAccuracy, allAccuracy, baselineAccuracy, c.report(), learned,
                monitor.history(), seconds, out, (System.nanoTime() - t0) / 1e9);
        write(o, r, all, monitor);
        return r;
    }

    static void validate(Options o) {
        if (o.pretrainEpochs < 1 || o.rationalEpochs < 0 || o.allEpochs < 0 || o.batch < 1 || o.trainLimit < 0
                || o.testLimit < 0 || o.synthetic < 0 || o.calibrationBatches < 1 || o.dense < 1) {
            throw new IllegalArgumentException("--pretrain-epochs, --batch, --calibration-batches and --dense must be "
                    + ">= 1; --rational-epochs, --all-epochs, --train-limit, --test-limit and --synthetic >= 0");
        }
        if (o.channels.size() != 2 || o.channels.stream().anyMatch(ch -> ch < 1)) {
            throw new IllegalArgumentException("--channels needs two positive numbers, got " + o.channels);
        }
    }

    /** conv 3×3 (ReLU) → max pool → conv 3×3 (ReLU) → max pool → dense (ReLU) → softmax, as usually written. */
    static MultiLayerNetwork reluCnn(Options o) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder()
                .seed(o.seed).dataType(DataType.FLOAT).weightInit(WeightInit.RELU).updater(new Adam(o.learningRate))
                .convolutionMode(ConvolutionMode.Same).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv1").nOut(o.channels.get(0))
                        .activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).name("pool1").kernelSize(2, 2)
                        .stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv2").nOut(o.channels.get(1))
                        .activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).name("pool2").kernelSize(2, 2)
                        .stride(2, 2).build())
                .layer(new DenseLayer.Builder().name("dense").nOut(o.dense).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out")
                        .nOut(FashionMnist.CLASSES).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(FashionMnist.ROWS, FashionMnist.COLUMNS, 1));
        MultiLayerNetwork net = new MultiLayerNetwork(b.build());
        net.init();
        return net;
    }

    private static void train(MultiLayerNetwork net, DataSet train, int epochs, int batch, Random shuffle,
                              Progress progress, String stage) {
        for (int e = 1; e <= epochs; e++) {
            long t = System.nanoTime();
            net.fit(new ExistingDataSetIterator(FashionMnistSample.shuffledBatches(train, batch, shuffle)));
            progress.step(String.format(Locale.ROOT, "%s epoch %d/%d: score %.4f (%.1f s)", stage, e, epochs,
                    net.score(), (System.nanoTime() - t) / 1e9));
        }
    }

    static double accuracy(MultiLayerNetwork net, DataSet test) {
        DataSetIterator it = new ListDataSetIterator<>(test.batchBy(500), 1);
        Evaluation e = net.evaluate(it);
        return e.accuracy();
    }

    /** Fraction of examples on which both networks predict the same class. */
    static double agreement(MultiLayerNetwork a, MultiLayerNetwork b, DataSet test) {
        long same = 0;
        for (DataSet batch : test.batchBy(500)) {
            INDArray pa = a.output(batch.getFeatures()).argMax(1);
            INDArray pb = b.output(batch.getFeatures()).argMax(1);
            same += pa.eq(pb).castTo(DataType.INT).sumNumber().longValue();
        }
        return (double) same / test.numExamples();
    }

    /**
     * {@code n} generated 28×28 images of 10 classes (class k: a bright rectangle whose position and shape depend on k,
     * with noise and a random shift), scaled like Fashion-MNIST's pixels to [0, 1].
     */
    static DataSet synthetic(int n, long seed) {
        Random r = new Random(seed);
        int d = FashionMnist.ROWS * FashionMnist.COLUMNS;
        float[] x = new float[n * d];
        float[] y = new float[n * FashionMnist.CLASSES];
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(FashionMnist.CLASSES);
            y[i * FashionMnist.CLASSES + k] = 1f;
            int r0 = 3 + (k / 5) * 12 + r.nextInt(3);
            int c0 = 2 + (k % 5) * 5 + r.nextInt(2);
            int h = 4 + (k % 3) * 2;
            int w = 3 + (k % 2) * 2;
            for (int p = 0; p < d; p++) {
                int row = p / FashionMnist.COLUMNS;
                int col = p % FashionMnist.COLUMNS;
                boolean on = row >= r0 && row < r0 + h && col >= c0 && col < c0 + w;
                double v = (on ? 0.9 : 0.1) + 0.15 * r.nextGaussian();
                x[i * d + p] = (float) Math.max(0, Math.min(1, v));
            }
        }
        return new DataSet(Nd4j.create(x, new long[]{n, d}, DataType.FLOAT),
                Nd4j.create(y, new long[]{n, FashionMnist.CLASSES}, DataType.FLOAT));
    }

    // ------------------------------------------------------------------------------------------------------
    // Output

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    static void write(Options o, Result r, MultiLayerNetwork all, RationalMonitor monitor) {
        Path out = r.output();
        try {
            Files.createDirectories(out);
            TextTable t = new TextTable("stage", "test accuracy", "seconds");
            t.row("ReLU network (" + o.pretrainEpochs + " epochs)", fmt(r.reluAccuracy()),
                    String.format(Locale.ROOT, "%.1f", r.stageSeconds().get("pretrain")));
            t.row("converted, before training (same prediction: " + fmt(r.agreement()) + ")",
                    fmt(r.convertedAccuracy()),
                    String.format(Locale.ROOT, "%.1f", r.stageSeconds().get("convert")));
            t.row("+ rationals only (" + o.rationalEpochs + " epochs)", fmt(r.rationalsAccuracy()),
                    String.format(Locale.ROOT, "%.1f", r.stageSeconds().get("rationals")));
            t.row("+ all layers (" + o.allEpochs + " epochs)", fmt(r.allAccuracy()),
                    String.format(Locale.ROOT, "%.1f", r.stageSeconds().get("all")));
            if (!Double.isNaN(r.baselineAccuracy())) {
                t.row("ReLU network + " + (o.rationalEpochs + o.allEpochs) + " epochs", fmt(r.baselineAccuracy()),
                        String.format(Locale.ROOT, "%.1f", r.stageSeconds().get("baseline")));
            }
            t.writeCsv(out.resolve("accuracy.csv"));
            PauLayers.of(all).write(out.resolve("pau_layers.json"));
            PauTable.of(all).write(out.resolve("rationals_config.json"));
            List<String> images = new ArrayList<>();
            if (!o.noPlots) {
                List<XYChart> charts = new ArrayList<>();
                for (ReplacedActivation a : r.conversion().replaced()) {
                    charts.add(shapeChart(a, r.learned().get(a.rationalLayerName()),
                            monitor.inputRange(a.rationalLayerName())));
                }
                Plots.saveGrid(charts, Math.min(3, charts.size()), out.resolve("shapes.png"));
                RationalPlots.write(all, monitor, out.resolve("rationals.png"));
                images.add("shapes.png");
                images.add("rationals.png");
            }
            System.out.println("\nConverting a trained ReLU CNN to rationals (" + r.trainExamples() + " training, "
                    + r.testExamples() + " test examples" + (r.synthetic() ? ", synthetic" : "") + ")\n"
                    + t.console());
            TextTable.write(out.resolve("report.md"), report(o, r, t, images));
            log.info("done in {}; report: {}", Progress.duration(r.seconds()), out.resolve("report.md").toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + out + ": " + e.getMessage(), e);
        }
    }

    private static XYChart shapeChart(ReplacedActivation a, RationalFunction learned, double[] range) {
        double lo = Math.floor(10 * (range != null ? range[0] : a.fitLower())) / 10;
        double hi = Math.ceil(10 * (range != null ? range[1] : a.fitUpper())) / 10;
        int n = 201;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = lo + (hi - lo) * i / (n - 1);
        }
        XYChart c = Plots.chart(a.layerName() + ": learned rational vs ReLU", "pre-activation", "activation", 560,
                400);
        Plots.dashed(c, "initial fit", x, Arrays.stream(x).map(a.function()::value).toArray(), 1);
        Plots.dashed(c, "ReLU", x, Arrays.stream(x).map(v -> Math.max(0, v)).toArray(), 7);
        Plots.curve(c, "learned", x, Arrays.stream(x).map(learned::value).toArray(), 0);
        return c;
    }

    static String report(Options o, Result r, TextTable t, List<String> images) {
        StringBuilder md = new StringBuilder("# Converting a trained ReLU network to rationals\n\n");
        md.append(r.trainExamples()).append(" training and ").append(r.testExamples()).append(" test examples")
                .append(r.synthetic() ? " (generated, `--synthetic`)" : " of Fashion-MNIST").append(". Run time ")
                .append(Progress.duration(r.seconds())).append(".\n\n");
        md.append("Settings: `--train-limit ").append(o.trainLimit).append(" --test-limit ").append(o.testLimit)
                .append(" --pretrain-epochs ").append(o.pretrainEpochs).append(" --rational-epochs ")
                .append(o.rationalEpochs).append(" --all-epochs ").append(o.allEpochs).append(" --batch ")
                .append(o.batch).append(" --lr ").append(o.learningRate).append(" --channels ")
                .append(o.channels.stream().map(String::valueOf).collect(Collectors.joining(","))).append(" --dense ")
                .append(o.dense).append(o.synthetic > 0 ? " --synthetic " + o.synthetic : "").append("`  \n");
        md.append("Backend: ").append(BackendReport.current().asMap()).append("\n\n");
        md.append("Network: conv 3×3 (").append(o.channels.get(0)).append(", ReLU) → max pool → conv 3×3 (")
                .append(o.channels.get(1)).append(", ReLU) → max pool → dense ").append(o.dense)
                .append(" (ReLU) → softmax; Adam. Conversion: `RationalConverter` with ").append(o.calibrationBatches)
                .append(" calibration batches, `trainOnlyRationals(true)` (FrozenLayerWithBackprop) and `paperRecipe()` "
                        + "(coefficients at half the learning rate); then `RationalConverter.unfreeze`.\n\n");
        md.append(t.markdown()).append('\n');
        md.append("## Conversion report\n\n```\n").append(r.conversion()).append("\n```\n\n");
        for (String img : images) {
            md.append("![").append(img).append("](").append(img).append(")\n\n");
        }
        md.append("Files: `accuracy.csv`, `pau_layers.json` and `rationals_config.json` (the learned coefficients "
                + "for PyTorch / PAU)").append(images.isEmpty() ? "" : ", PNG plots").append(".\n");
        return md.toString();
    }
}
