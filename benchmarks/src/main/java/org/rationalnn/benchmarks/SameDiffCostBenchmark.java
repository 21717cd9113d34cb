package org.rationalnn.benchmarks;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.rationalnn.dl4j.layers.RationalActivationLayer;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.samediff.RationalDense;
import org.rationalnn.dl4j.samediff.SameDiffGradientScale;
import org.rationalnn.dl4j.util.BackendReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Cost of the SameDiff path: the training step (forward, backward, Adam update) of an MLP 256 → 512 → 512 → 10
 * (softmax, minibatch 128, float32) built four ways, with the default {@link RationalSpec} ((5,4), version B, LAYER
 * sharing) for the rational ones:
 * <ol>
 *   <li>{@code relu}: {@code DenseLayer} with the built-in ReLU;</li>
 *   <li>{@code native}: {@code DenseLayer} (identity) + {@link RationalActivationLayer};</li>
 *   <li>{@code samediff}: {@link RationalDense} with its default execution (FUSED: affine graph + fused kernel);</li>
 *   <li>{@code samediff-graph}: {@link RationalDense} with execution SAMEDIFF (the whole layer as one graph).</li>
 * </ol>
 * A plain timing loop: each network is warmed up, then they are timed in interleaved rounds (so that a change
 * of machine load affects all alike) and the median and the minimum of the step times are reported, with the
 * ratio to native (the goal for RationalDense is ≤ 1.5). Not a test: no timing is asserted anywhere.
 *
 * <p>Run (from the repository root): {@code mvn -B -q -pl dl4j-rational,benchmarks package -DskipTests exec:exec
 * -Dbench.main=org.rationalnn.benchmarks.SameDiffCostBenchmark -Dbench.args="--steps 150 --warmup 20"}.
 */
public final class SameDiffCostBenchmark {
    private static final Logger log = LoggerFactory.getLogger(SameDiffCostBenchmark.class);

    static final String[] NETWORKS = {"relu", "native", "samediff", "samediff-graph"};

    private SameDiffCostBenchmark() {
    }

    /** Options of a run (command-line flags via picocli). */
    @Command(name = "samediff-cost", mixinStandardHelpOptions = true,
            description = "Training-step time of an MLP with RationalDense vs DenseLayer+RationalActivationLayer "
                    + "vs DenseLayer(ReLU).")
    public static final class Options {
        @Option(names = "--warmup", description = "untimed steps per network first (default ${DEFAULT-VALUE})")
        public int warmup = 15;
        @Option(names = "--steps", description = "timed steps per network (default ${DEFAULT-VALUE})")
        public int steps = 40;
        @Option(names = "--batch", description = "minibatch size (default ${DEFAULT-VALUE})")
        public int batch = 128;
        @Option(names = "--in", description = "input size (default ${DEFAULT-VALUE})")
        public int nIn = 256;
        @Option(names = "--hidden", description = "hidden width (default ${DEFAULT-VALUE})")
        public int hidden = 512;
        @Option(names = "--seed", description = "random seed (default ${DEFAULT-VALUE})")
        public long seed = 42;
        @Option(names = "--threads", description = "ND4J op threads, 0 = ND4J's default (default ${DEFAULT-VALUE})")
        public int threads = 0;
    }

    /** Step times per network, in milliseconds. */
    public static final class Result {
        /** network -> sorted step times (ms). */
        public final Map<String, double[]> stepMs = new LinkedHashMap<>();

        public double median(String network) {
            double[] t = stepMs.get(network);
            return t.length % 2 == 1 ? t[t.length / 2] : 0.5 * (t[t.length / 2 - 1] + t[t.length / 2]);
        }

        public double min(String network) {
            return stepMs.get(network)[0];
        }

        /** Median step time of {@code network} over the median of {@code reference}. */
        public double ratio(String network, String reference) {
            return median(network) / median(reference);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%n%-15s %12s %12s %14s%n", "network",
                    "median ms", "min ms", "x native"));
            for (String n : stepMs.keySet()) {
                sb.append(String.format(Locale.ROOT, "%-15s %12.2f %12.2f %14.2f%n", n, median(n), min(n),
                        ratio(n, "native")));
            }
            return sb.toString();
        }
    }

    public static void main(String[] args) {
        Options o = new Options();
        CommandLine cl = new CommandLine(o);
        try {
            cl.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            System.err.println(e.getMessage());
            cl.usage(System.err);
            System.exit(2);
        }
        if (cl.isUsageHelpRequested() || cl.isVersionHelpRequested()) {
            cl.usage(System.out);
            return;
        }
        System.out.println(run(o));
    }

    /** Builds the networks, times them and returns the step times. */
    public static Result run(Options o) {
        if (o.warmup < 0 || o.steps < 1 || o.batch < 1 || o.nIn < 1 || o.hidden < 1 || o.threads < 0) {
            throw new IllegalArgumentException("warmup and threads must be ≥ 0 and steps, batch, in, hidden ≥ 1, got "
                    + "warmup=" + o.warmup + ", threads=" + o.threads + ", steps=" + o.steps + ", batch=" + o.batch
                    + ", in=" + o.nIn + ", hidden=" + o.hidden);
        }
        if (o.threads > 0) {
            Nd4j.getEnvironment().setMaxThreads(o.threads);
            Nd4j.getEnvironment().setMaxMasterThreads(o.threads);
        }
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        log.info("{}", BackendReport.current());
        log.info("SameDiff external-errors gradient factor in this DL4J: {}; ND4J op threads: {}",
                SameDiffGradientScale.factor(), Nd4j.getEnvironment().maxThreads());
        Nd4j.getRandom().setSeed(o.seed);
        INDArray x = Nd4j.randn(DataType.FLOAT, o.batch, o.nIn);
        INDArray y = Nd4j.zeros(DataType.FLOAT, o.batch, 10);
        for (int i = 0; i < o.batch; i++) {
            y.putScalar(i, i % 10, 1.0);
        }
        DataSet ds = new DataSet(x, y);

        Map<String, MultiLayerNetwork> nets = new LinkedHashMap<>();
        for (String n : NETWORKS) {
            MultiLayerNetwork net = network(n, o);
            for (int i = 0; i < o.warmup; i++) {
                net.fit(ds);
            }
            nets.put(n, net);
        }
        Map<String, double[]> times = new LinkedHashMap<>();
        for (String n : NETWORKS) {
            times.put(n, new double[o.steps]);
        }
        for (int s = 0; s < o.steps; s++) {
            for (String n : NETWORKS) {
                long t0 = System.nanoTime();
                nets.get(n).fit(ds);
                times.get(n)[s] = (System.nanoTime() - t0) / 1e6;
            }
        }
        Result r = new Result();
        for (String n : NETWORKS) {
            double[] t = times.get(n);
            Arrays.sort(t);
            r.stepMs.put(n, t);
        }
        return r;
    }

    static MultiLayerNetwork network(String kind, Options o) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(o.seed)
                .dataType(DataType.FLOAT).updater(new Adam(1e-3)).list();
        for (int i = 0; i < 2; i++) {
            switch (kind) {
                case "relu":
                    b.layer(new DenseLayer.Builder().nOut(o.hidden).activation(Activation.RELU).build());
                    break;
                case "native":
                    b.layer(new DenseLayer.Builder().nOut(o.hidden).activation(Activation.IDENTITY).build());
                    b.layer(new RationalActivationLayer.Builder().spec(RationalSpec.defaults()).build());
                    break;
                case "samediff":
                    b.layer(new RationalDense.Builder().nOut(o.hidden).spec(RationalSpec.defaults()).build());
                    break;
                case "samediff-graph":
                    b.layer(new RationalDense.Builder().nOut(o.hidden).spec(RationalSpec.defaults())
                            .execution(RationalDense.Execution.SAMEDIFF).build());
                    break;
                default:
                    throw new IllegalArgumentException("network must be one of " + Arrays.toString(NETWORKS)
                            + ", got " + kind);
            }
        }
        b.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX)
                .build());
        MultiLayerNetwork net = new MultiLayerNetwork(b.setInputType(InputType.feedForward(o.nIn)).build());
        net.init();
        return net;
    }
}
