package org.rationalnn.samples;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.knowm.xchart.XYChart;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.rationalnn.dl4j.layers.RationalActivationLayer;
import org.rationalnn.dl4j.layers.RationalParamInitializer;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.TargetFunction;
import org.rationalnn.dl4j.util.BackendReport;
import org.rationalnn.samples.approx.AbsApproximations;
import org.rationalnn.samples.expressivity.Target;
import org.rationalnn.samples.util.Plots;
import org.rationalnn.samples.util.Progress;
import org.rationalnn.samples.util.TextTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * The expressivity study: what arXiv:2602.12390 (Tang &amp; Townsend, "Rational neural networks have
 * expressivity advantages") claims, measured at laptop scale. It needs no data.
 *
 * <ol>
 * <li><b>Single functions.</b> The uniform error on [−1, 1] of rationals of type (n, n) approximating |x| falls
 * root-exponentially, about 8·e^{−π√n}, while polynomials with the same number of parameters (degree 2n) only
 * reach about 0.28/(2n). Measured for a Lawson-fitted rational with clustered poles, Newman's explicit rational,
 * the library's {@code RationalFit} (version N) and Lawson-fitted minimax polynomials.</li>
 * <li><b>Networks.</b> For each target ({@link Target}: |x|, a random ReLU network, a sharp peak, a 2-D ridge)
 * and each parameter budget, networks d → w → w → 1 whose hidden activation is a trainable rational
 * ({@link RationalActivationLayer}, type (5, 4) by default, version B, one coefficient set per layer, initialised
 * to ReLU) or a fixed ReLU, LeakyReLU, tanh, GELU, SiLU or ELU are trained with the same full-batch Adam
 * schedule, seeds and steps. Every network gets the largest width whose parameter count (the rational coefficients
 * included) fits the budget. Reported: the uniform error on a dense grid against the parameter count, and the
 * parameters each activation needs to reach an error level ε.</li>
 * </ol>
 * Output ({@code --out}, default {@code samples/target/expressivity}): a console table, CSV files, PNG plots
 * (errors against parameters; learned rational shapes against their initial shapes) and {@code report.md}.
 *
 * <p>Run: {@code mvn -B -q -pl samples -am compile exec:java} (the default sample), options in
 * {@code -Dexec.args="--steps 3000 --seeds 3"}; {@code --help} lists them. The defaults finish in about
 * 3 minutes on 2 cores (about 5 minutes of CPU time).
 */
public final class ExpressivityStudy {
    private static final Logger log = LoggerFactory.getLogger(ExpressivityStudy.class);

    private ExpressivityStudy() {
    }

    /** The activations compared; {@code RATIONAL} is the trainable one. */
    public enum Act {
        RATIONAL("rational", null),
        RELU("relu", Activation.RELU),
        LEAKY_RELU("leakyrelu", Activation.LEAKYRELU),
        TANH("tanh", Activation.TANH),
        GELU("gelu", Activation.GELU),
        SILU("silu", Activation.SWISH),
        ELU("elu", Activation.ELU);

        private final String id;
        private final Activation dl4j;

        Act(String id, Activation dl4j) {
            this.id = id;
            this.dl4j = dl4j;
        }

        /** Command-line name. */
        public String id() {
            return id;
        }

        /** The activation with command-line name {@code id}. */
        public static Act of(String id) {
            for (Act a : values()) {
                if (a.id.equalsIgnoreCase(id.trim())) {
                    return a;
                }
            }
            throw new IllegalArgumentException("unknown activation '" + id + "', expected one of "
                    + Arrays.stream(values()).map(Act::id).collect(Collectors.toList()));
        }
    }

    /** Options of a run (command-line flags via picocli). */
    @Command(name = "expressivity-study", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Rational vs fixed activations: uniform error against parameter count, for single "
                    + "functions (|x|: rational vs polynomial) and for trained networks."})
    public static final class Options {
        @Option(names = "--out", description = "output folder (default: samples/target/expressivity)")
        public Path out;
        @Option(names = "--targets", split = ",", description = "network targets, from: abs, relu-net, peak, "
                + "ridge (default: all)")
        public List<String> targets = new ArrayList<>(Target.IDS);
        @Option(names = "--activations", split = ",", description = "from: rational, relu, leakyrelu, tanh, "
                + "gelu, silu, elu (default: all)")
        public List<String> activations = Arrays.stream(Act.values()).map(Act::id)
                .collect(Collectors.toCollection(ArrayList::new));
        @Option(names = "--budgets", split = ",", description = "parameter budgets per network "
                + "(default: ${DEFAULT-VALUE})")
        public List<Integer> budgets = new ArrayList<>(List.of(40, 120, 400));
        @Option(names = "--depth", description = "hidden layers (default: ${DEFAULT-VALUE})")
        public int depth = 2;
        @Option(names = "--steps", description = "full-batch Adam steps per network (default: ${DEFAULT-VALUE})")
        public int steps = 1000;
        @Option(names = "--seeds", description = "seeds per network; the best is reported "
                + "(default: ${DEFAULT-VALUE})")
        public int seeds = 1;
        @Option(names = "--lr", description = "initial Adam learning rate (default: ${DEFAULT-VALUE})")
        public double learningRate = 3e-2;
        @Option(names = "--lr-decay", description = "learning rate falls exponentially by this factor over the "
                + "run (default: ${DEFAULT-VALUE})")
        public double learningRateDecay = 10;
        @Option(names = "--coefficient-lr", description = "rational coefficients' learning rate relative to the "
                + "weights' (the paper's recipe: 0.5; default: ${DEFAULT-VALUE})")
        public double coefficientLearningRate = 0.5;
        @Option(names = "--degrees", split = ",", description = "rational type m,n (default: 5,4)")
        public List<Integer> degrees = new ArrayList<>(List.of(5, 4));
        @Option(names = "--eta", description = "width η of the peak (default: ${DEFAULT-VALUE})")
        public double eta = 0.05;
        @Option(names = "--ridge-eta", description = "width η of the ridge (default: ${DEFAULT-VALUE})")
        public double ridgeEta = 0.2;
        @Option(names = "--points", description = "training points on [-1,1] (1-D targets; "
                + "default: ${DEFAULT-VALUE})")
        public int points = 256;
        @Option(names = "--points-2d", description = "training points per axis of the 2-D target "
                + "(default: ${DEFAULT-VALUE})")
        public int points2d = 32;
        @Option(names = "--epsilon", split = ",", description = "error levels for 'parameters needed' "
                + "(default: 0.1,0.03,0.01)")
        public List<Double> epsilon = new ArrayList<>(List.of(0.1, 0.03, 0.01));
        @Option(names = "--max-degree", description = "single-function study: largest n of type (n,n) "
                + "(default: ${DEFAULT-VALUE}; 0 skips it)")
        public int maxDegree = 40;
        @Option(names = "--threads", description = "networks trained at once (default: ${DEFAULT-VALUE})")
        public int threads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
        @Option(names = "--no-plots", negatable = false, description = "skip the PNG plots")
        public boolean noPlots;
    }

    /** One row of the single-function study: type (n, n) against polynomials of degree 2n. */
    public static final class SingleRow {
        /** n of type (n, n). */
        public final int n;
        /** Parameters of a type-(n, n) rational (2n + 1), and of a polynomial of degree 2n. */
        public final int parameters;
        /** Minimax polynomial of degree 2n. */
        public final double polynomial;
        /** Lawson-fitted rational of type (n, n) with clustered poles. */
        public final double rational;
        /** Newman's explicit rational of type (n, n). */
        public final double newman;
        /** The library's RationalFit, version N, type (n, n) (NaN where not computed). */
        public final double rationalFit;

        SingleRow(int n, double polynomial, double rational, double newman, double rationalFit) {
            this.n = n;
            this.parameters = 2 * n + 1;
            this.polynomial = polynomial;
            this.rational = rational;
            this.newman = newman;
            this.rationalFit = rationalFit;
        }
    }

    /** A learned rational activation next to its initial function. */
    public static final class Shape {
        /** Index of the rational layer in the network. */
        public final int layer;
        public final RationalFunction initial;
        public final RationalFunction learned;
        /** The range of the layer's inputs on the evaluation grid. */
        public final double lo;
        public final double hi;

        Shape(int layer, RationalFunction initial, RationalFunction learned, double lo, double hi) {
            this.layer = layer;
            this.initial = initial;
            this.learned = learned;
            this.lo = lo;
            this.hi = hi;
        }
    }

    /** One trained network. */
    public static final class Run {
        public final String target;
        public final Act activation;
        public final int budget;
        public final int width;
        public final long parameters;
        public final long seed;
        /** max |net − f| on the evaluation grid (+∞ if the network diverged). */
        public final double uniformError;
        public final double rmsError;
        public final double seconds;
        /** Learned rational activations (empty for fixed activations). */
        public final List<Shape> shapes;

        Run(String target, Act activation, int budget, int width, long parameters, long seed, double uniformError,
            double rmsError, double seconds, List<Shape> shapes) {
            this.target = target;
            this.activation = activation;
            this.budget = budget;
            this.width = width;
            this.parameters = parameters;
            this.seed = seed;
            this.uniformError = uniformError;
            this.rmsError = rmsError;
            this.seconds = seconds;
            this.shapes = List.copyOf(shapes);
        }
    }

    /** Everything a run measured. */
    public static final class Result {
        public final List<SingleRow> single = new ArrayList<>();
        public final List<Run> runs = new ArrayList<>();
        public Path output;
        /** Wall-clock and CPU seconds of the whole run. */
        public double seconds;
        public double cpuSeconds;

        /** The best (over seeds) run of this target and activation at this budget, or null. */
        public Run best(String target, Act act, int budget) {
            return runs.stream().filter(r -> r.target.equals(target) && r.activation == act && r.budget == budget)
                    .min(Comparator.comparingDouble(r -> r.uniformError)).orElse(null);
        }

        /** Best uniform error of this target and activation at this budget (NaN if not run). */
        public double error(String target, Act act, int budget) {
            Run r = best(target, act, budget);
            return r == null ? Double.NaN : r.uniformError;
        }

        /**
         * The smallest parameter count among the budgets at which this activation reached the error level
         * {@code epsilon} on this target (with any seed), or empty if no budget did.
         */
        public OptionalInt parametersToReach(String target, Act act, double epsilon) {
            return runs.stream().filter(r -> r.target.equals(target) && r.activation == act
                    && r.uniformError <= epsilon).mapToInt(r -> (int) r.parameters).min();
        }
    }

    public static void main(String[] args) {
        Samples.boundNativeMemory();
        Options options = Samples.parse(new Options(), args);
        if (options != null) {
            run(options);
        }
    }

    /** Runs the study, writes the output folder and prints the tables. */
    public static Result run(Options o) {
        validate(o);
        long t0 = System.nanoTime();
        double cpu0 = Samples.cpuSeconds();
        Plots.headless();
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        log.info("{}", BackendReport.current());
        Result result = new Result();
        result.output = o.out != null ? o.out : Samples.defaultOutput("expressivity");
        log.info("output folder: {}", result.output.toAbsolutePath());

        if (o.maxDegree > 0) {
            singleFunctionStudy(o, result);
        }
        networkStudy(o, result);
        result.seconds = (System.nanoTime() - t0) / 1e9;
        result.cpuSeconds = Samples.cpuSeconds() - cpu0;
        writeOutputs(o, result);
        log.info("expressivity study done in {} ({} CPU time); report: {}", Progress.duration(result.seconds),
                Progress.duration(result.cpuSeconds), result.output.resolve("report.md").toAbsolutePath());
        return result;
    }

    static Target target(String id, Options o) {
        return Target.of(id, o.eta, o.ridgeEta);
    }

    static void validate(Options o) {
        o.targets.forEach(t -> target(t, o));
        o.activations.forEach(Act::of);
        if (o.degrees.size() != 2) {
            throw new IllegalArgumentException("--degrees needs two numbers m,n, got " + o.degrees);
        }
        RationalSpec.checkDegrees(o.degrees.get(0), o.degrees.get(1));
        require(o.steps >= 1, "--steps must be >= 1, got " + o.steps);
        require(o.seeds >= 1, "--seeds must be >= 1, got " + o.seeds);
        require(o.depth >= 1, "--depth must be >= 1, got " + o.depth);
        require(o.threads >= 1, "--threads must be >= 1, got " + o.threads);
        require(o.points >= 8, "--points must be >= 8, got " + o.points);
        require(o.points2d >= 4, "--points-2d must be >= 4, got " + o.points2d);
        require(o.maxDegree >= 0, "--max-degree must be >= 0, got " + o.maxDegree);
        require(o.learningRate > 0 && o.learningRateDecay >= 1 && o.coefficientLearningRate > 0,
                "--lr and --coefficient-lr must be > 0 and --lr-decay >= 1");
        require(!o.budgets.isEmpty() && o.budgets.stream().allMatch(b -> b > 0), "--budgets must be positive, got "
                + o.budgets);
        require(o.epsilon.stream().allMatch(e -> e > 0), "--epsilon must be positive, got " + o.epsilon);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Part 1: single functions

    /** Largest n for which the library's RationalFit is run (it is built for low-degree activations). */
    static final int RATIONAL_FIT_MAX_DEGREE = 12;

    static void singleFunctionStudy(Options o, Result result) {
        List<Integer> ns = new ArrayList<>();
        for (int n = 2; n <= o.maxDegree; n += n < 8 ? 2 : n < 16 ? 4 : 8) {
            ns.add(n);
        }
        Progress progress = new Progress(log, "types (n,n) of |x|", ns.size());
        for (int n : ns) {
            double poly = AbsApproximations.polynomial(2 * n);
            double rational = AbsApproximations.lightningRational(n);
            double newman = AbsApproximations.newman(n);
            double fit = n <= RATIONAL_FIT_MAX_DEGREE ? AbsApproximations.rationalFit(n) : Double.NaN;
            result.single.add(new SingleRow(n, poly, rational, newman, fit));
            progress.step(String.format(Locale.ROOT, "|x| with %d parameters: polynomial %.2e, rational %.2e",
                    2 * n + 1, poly, rational));
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Part 2: networks

    static void networkStudy(Options o, Result result) {
        List<Target> targets = o.targets.stream().map(t -> target(t, o))
                .collect(Collectors.toList());
        List<Act> acts = o.activations.stream().map(Act::of).distinct().collect(Collectors.toList());
        List<Integer> budgets = o.budgets.stream().distinct().sorted().collect(Collectors.toList());
        record Job(Target target, Act act, int budget, int width, long seed) {
        }
        List<Job> jobs = new ArrayList<>();
        for (Target t : targets) {
            for (int budget : budgets) {
                for (Act act : acts) {
                    int width = widthFor(budget, t.dims(), act, o);
                    if (width < 1) {
                        log.warn("{}: budget {} is too small for a {} network; skipped", t.id(), budget, act.id());
                        continue;
                    }
                    for (int s = 0; s < o.seeds; s++) {
                        jobs.add(new Job(t, act, budget, width, 1000L * (s + 1) + budget));
                    }
                }
            }
        }
        log.info("training {} networks ({} targets x {} activations x {} budgets x {} seeds), {} steps each, "
                + "{} at a time", jobs.size(), targets.size(), acts.size(), budgets.size(), o.seeds, o.steps,
                o.threads);
        Progress progress = new Progress(log, "networks", jobs.size());
        ExecutorService pool = Executors.newFixedThreadPool(o.threads);
        NativeThreads previous = o.threads > 1 ? NativeThreads.set(1) : null;
        try {
            List<Future<Run>> futures = new ArrayList<>();
            for (Job j : jobs) {
                futures.add(pool.submit(() -> {
                    Run r = train(j.target(), j.act(), j.budget(), j.width(), j.seed(), o);
                    progress.step(String.format(Locale.ROOT, "%s / %s / %d params: uniform error %.3g (%.1fs)",
                            r.target, r.activation.id(), r.parameters, r.uniformError, r.seconds));
                    return r;
                }));
            }
            for (Future<Run> f : futures) {
                result.runs.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("training failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
            if (previous != null) {
                previous.restore();
            }
        }
    }

    /**
     * ND4J's native thread counts (OpenMP and BLAS). The networks here are tiny, so several train at once, one
     * native thread each: several busy OpenMP teams on 2 cores would mostly spin-wait for each other.
     */
    record NativeThreads(int omp, int master, int blas) {
        static NativeThreads set(int n) {
            NativeThreads old = new NativeThreads(Nd4j.getEnvironment().maxThreads(),
                    Nd4j.getEnvironment().maxMasterThreads(), Nd4j.factory().blas().getMaxThreads());
            Nd4j.getEnvironment().setMaxThreads(n);
            Nd4j.getEnvironment().setMaxMasterThreads(n);
            Nd4j.factory().blas().setMaxThreads(n);
            return old;
        }

        void restore() {
            Nd4j.getEnvironment().setMaxThreads(omp);
            Nd4j.getEnvironment().setMaxMasterThreads(master);
            Nd4j.factory().blas().setMaxThreads(blas);
        }
    }

    /** Trainable parameters of a d → w → ... → w → 1 network (rational coefficients included). */
    public static long parameters(int inputs, int width, Act act, Options o) {
        long p = (long) inputs * width + width;                   // first dense layer
        p += (long) (o.depth - 1) * ((long) width * width + width); // further hidden layers
        p += width + 1;                                           // output layer
        if (act == Act.RATIONAL) {
            p += (long) o.depth * (o.degrees.get(0) + 1 + o.degrees.get(1)); // one coefficient set per layer
        }
        return p;
    }

    /** The largest width whose network fits the budget, or 0. */
    public static int widthFor(int budget, int inputs, Act act, Options o) {
        int w = 0;
        while (parameters(inputs, w + 1, act, o) <= budget) {
            w++;
        }
        return w;
    }

    /**
     * The network d → w → ... → w → 1: dense layers followed by the activation (for {@code RATIONAL}, an identity
     * dense layer followed by a {@link RationalActivationLayer}), a linear output and MSE loss, trained by Adam
     * whose learning rate decays exponentially from {@code --lr} by {@code --lr-decay} over {@code --steps}.
     */
    public static MultiLayerNetwork network(int inputs, int width, Act act, long seed, Options o) {
        double gamma = Math.pow(1.0 / o.learningRateDecay, 1.0 / o.steps);
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(new Adam(new ExponentialSchedule(ScheduleType.ITERATION, o.learningRate, gamma)))
                .list();
        for (int layer = 0; layer < o.depth; layer++) {
            if (act == Act.RATIONAL) {
                b.layer(new DenseLayer.Builder().nOut(width).activation(Activation.IDENTITY).build());
                b.layer(new RationalActivationLayer.Builder()
                        .spec(rationalSpec(o))
                        .updater(new Adam(new ExponentialSchedule(ScheduleType.ITERATION,
                                o.learningRate * o.coefficientLearningRate, gamma)))
                        .build());
            } else {
                b.layer(new DenseLayer.Builder().nOut(width).activation(act.dl4j).build());
            }
        }
        b.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1).activation(Activation.IDENTITY)
                .build());
        MultiLayerNetwork net = new MultiLayerNetwork(b.setInputType(InputType.feedForward(inputs)).build());
        net.init();
        return net;
    }

    /** Type (m, n), version B (pole-free), one coefficient set per layer, initialised to ReLU on [−1, 1]. */
    static RationalSpec rationalSpec(Options o) {
        return RationalSpec.builder()
                .degrees(o.degrees.get(0), o.degrees.get(1))
                .version(RationalVersion.B)
                .init(TargetFunction.RELU)
                .fitInterval(-1, 1)
                .build();
    }

    static Run train(Target t, Act act, int budget, int width, long seed, Options o) {
        long t0 = System.nanoTime();
        MultiLayerNetwork net = network(t.dims(), width, act, seed, o);
        long expected = parameters(t.dims(), width, act, o);
        if (net.numParams() != expected) {
            throw new IllegalStateException("parameter count " + net.numParams() + " != expected " + expected);
        }
        INDArray x = t.grid(t.dims() == 1 ? o.points : o.points2d);
        DataSet train = new DataSet(x, t.values(x));
        for (int i = 0; i < o.steps; i++) {
            net.fit(train);
        }
        INDArray grid = t.grid(t.dims() == 1 ? 4001 : 201);
        INDArray diff = net.output(grid).subi(t.values(grid));
        double uniform = Transforms.abs(diff).maxNumber().doubleValue();
        double rms = Math.sqrt(diff.mul(diff).meanNumber().doubleValue());
        if (!Double.isFinite(uniform)) {
            uniform = Double.POSITIVE_INFINITY;
        }
        List<Shape> shapes = act == Act.RATIONAL ? shapes(net, grid, o) : List.of();
        return new Run(t.id(), act, budget, width, net.numParams(), seed, uniform, rms,
                (System.nanoTime() - t0) / 1e9, shapes);
    }

    /** The learned rational of every rational layer, with its initial function and its inputs' range. */
    static List<Shape> shapes(MultiLayerNetwork net, INDArray grid, Options o) {
        List<INDArray> activations = net.feedForward(grid, false); // [input, output of layer 0, ...]
        RationalFunction initial = rationalSpec(o).initialFunction();
        List<Shape> shapes = new ArrayList<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            if (net.getLayer(i).conf().getLayer() instanceof RationalActivationLayer) {
                double[] a = net.getLayer(i).getParam(RationalParamInitializer.NUMERATOR_KEY).toDoubleVector();
                double[] b = net.getLayer(i).getParam(RationalParamInitializer.DENOMINATOR_KEY).toDoubleVector();
                INDArray in = activations.get(i);
                shapes.add(new Shape(i, initial, new RationalFunction(initial.version(), a, b),
                        in.minNumber().doubleValue(), in.maxNumber().doubleValue()));
            }
        }
        return shapes;
    }

    // ------------------------------------------------------------------------------------------------------
    // Output

    static void writeOutputs(Options o, Result r) {
        Path out = r.output;
        List<Act> acts = o.activations.stream().map(Act::of).distinct().collect(Collectors.toList());
        List<Integer> budgets = o.budgets.stream().distinct().sorted().collect(Collectors.toList());

        TextTable single = singleTable(r);
        TextTable runs = new TextTable("target", "activation", "width", "depth", "parameters", "seed",
                "uniform_error", "rms_error", "train_seconds");
        for (Run run : r.runs) {
            runs.row(run.target, run.activation.id(), run.width, o.depth, run.parameters, run.seed,
                    sci(run.uniformError), sci(run.rmsError), String.format(Locale.ROOT, "%.2f", run.seconds));
        }
        Map<String, TextTable> perTarget = new LinkedHashMap<>();
        for (String t : o.targets) {
            perTarget.put(t, networkTable(r, t, acts, budgets));
        }
        List<Double> epsilons = o.epsilon.stream().distinct().sorted(Comparator.reverseOrder())
                .collect(Collectors.toList());
        TextTable needed = neededTable(r, o.targets, acts, epsilons);

        if (!r.single.isEmpty()) {
            single.writeCsv(out.resolve("single-function.csv"));
        }
        runs.writeCsv(out.resolve("networks.csv"));
        needed.writeCsv(out.resolve("parameters-needed.csv"));

        List<String> images = new ArrayList<>();
        if (!o.noPlots) {
            if (!r.single.isEmpty()) {
                Plots.save(singlePlot(r), out.resolve("single-function.png"));
                images.add("single-function.png");
            }
            List<XYChart> charts = new ArrayList<>();
            for (String t : o.targets) {
                XYChart c = networkPlot(r, target(t, o), acts);
                Plots.save(c, out.resolve("networks-" + t + ".png"));
                charts.add(c);
            }
            Plots.saveGrid(charts, 2, out.resolve("networks.png"));
            images.add("networks.png");
            List<XYChart> shapeCharts = new ArrayList<>();
            for (String t : o.targets) {
                XYChart c = shapePlot(r, target(t, o), budgets);
                if (c != null) {
                    shapeCharts.add(c);
                }
            }
            if (!shapeCharts.isEmpty()) {
                Plots.saveGrid(shapeCharts, 2, out.resolve("rational-shapes.png"));
                images.add("rational-shapes.png");
            }
        }

        StringBuilder console = new StringBuilder("\n");
        if (!r.single.isEmpty()) {
            console.append("|x| on [-1,1]: uniform error of type (n,n) rationals vs polynomials of degree 2n "
                    + "(same parameter count)\n").append(single.console()).append('\n');
        }
        perTarget.forEach((t, table) -> console.append("target ").append(target(t, o).label())
                .append(": best uniform error over ").append(o.seeds).append(" seed(s), parameters in brackets\n")
                .append(table.console()).append('\n'));
        console.append("parameters needed to reach the uniform error ε (smallest tested budget that did)\n")
                .append(needed.console());
        System.out.println(console);

        TextTable.write(out.resolve("report.md"), report(o, r, single, perTarget, needed, images));
    }

    static TextTable singleTable(Result r) {
        TextTable t = new TextTable("n", "parameters", "polynomial deg 2n", "rational (fitted)", "Newman",
                "RationalFit N", "8e^(-pi sqrt n)", "0.28/(2n)", "polynomial/rational");
        for (SingleRow s : r.single) {
            t.row(s.n, s.parameters, sci(s.polynomial), sci(s.rational), sci(s.newman),
                    Double.isNaN(s.rationalFit) ? "-" : sci(s.rationalFit), sci(AbsApproximations.bestRationalRate(
                            s.n)), sci(AbsApproximations.bestPolynomialRate(2 * s.n)),
                    String.format(Locale.ROOT, "%.0fx", s.polynomial / s.rational));
        }
        return t;
    }

    static TextTable networkTable(Result r, String target, List<Act> acts, List<Integer> budgets) {
        List<String> header = new ArrayList<>();
        header.add("activation");
        budgets.forEach(b -> header.add("budget " + b));
        TextTable t = new TextTable(header);
        for (Act a : acts) {
            List<String> row = new ArrayList<>();
            row.add(a.id());
            for (int b : budgets) {
                Run run = r.best(target, a, b);
                row.add(run == null ? "-" : sci(run.uniformError) + " (" + run.parameters + ")");
            }
            t.row(row);
        }
        return t;
    }

    static TextTable neededTable(Result r, List<String> targets, List<Act> acts, List<Double> epsilons) {
        List<String> header = new ArrayList<>();
        header.add("target");
        header.add("ε");
        acts.forEach(a -> header.add(a.id()));
        TextTable t = new TextTable(header);
        for (String target : targets) {
            for (double eps : epsilons) {
                List<String> row = new ArrayList<>();
                row.add(target);
                row.add(String.format(Locale.ROOT, "%.3g", eps));
                for (Act a : acts) {
                    OptionalInt p = r.parametersToReach(target, a, eps);
                    long max = r.runs.stream().filter(x -> x.target.equals(target) && x.activation == a)
                            .mapToLong(x -> x.parameters).max().orElse(0);
                    row.add(p.isPresent() ? Integer.toString(p.getAsInt()) : "> " + max);
                }
                t.row(row);
            }
        }
        return t;
    }

    static XYChart singlePlot(Result r) {
        XYChart c = Plots.chart("|x| on [-1,1]: rational vs polynomial, same parameter count",
                "parameters (type (n,n) rational: 2n+1; polynomial: degree 2n)", "uniform error", 900, 560);
        c.getStyler().setYAxisLogarithmic(true);
        double[] p = r.single.stream().mapToDouble(s -> s.parameters).toArray();
        Plots.line(c, "polynomial (minimax)", p, r.single.stream().mapToDouble(s -> s.polynomial).toArray(), 1);
        Plots.line(c, "rational (fitted, clustered poles)", p,
                r.single.stream().mapToDouble(s -> s.rational).toArray(), 0);
        Plots.line(c, "rational (Newman, explicit)", p, r.single.stream().mapToDouble(s -> s.newman).toArray(), 3);
        List<SingleRow> fitted = r.single.stream().filter(s -> !Double.isNaN(s.rationalFit))
                .collect(Collectors.toList());
        if (!fitted.isEmpty()) {
            Plots.line(c, "rational (RationalFit, version N)", fitted.stream().mapToDouble(s -> s.parameters)
                    .toArray(), fitted.stream().mapToDouble(s -> s.rationalFit).toArray(), 4);
        }
        Plots.dashed(c, "0.28/(2n)", p, r.single.stream().mapToDouble(s -> AbsApproximations.bestPolynomialRate(
                2 * s.n)).toArray(), 1);
        Plots.dashed(c, "8 exp(-pi sqrt n)", p, r.single.stream().mapToDouble(s ->
                AbsApproximations.bestRationalRate(s.n)).toArray(), 0);
        return c;
    }

    static XYChart networkPlot(Result r, Target t, List<Act> acts) {
        XYChart c = Plots.chart(t.label(), "parameters", "uniform error (best seed)", 720, 480);
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setYAxisLogarithmic(true);
        for (Act a : acts) {
            TreeMap<Long, Double> best = new TreeMap<>();
            for (Run run : r.runs) {
                if (run.target.equals(t.id()) && run.activation == a && Double.isFinite(run.uniformError)) {
                    best.merge(run.parameters, run.uniformError, Math::min);
                }
            }
            if (!best.isEmpty()) {
                Plots.line(c, a.id(), best.keySet().stream().mapToDouble(Long::doubleValue).toArray(),
                        best.values().stream().mapToDouble(Double::doubleValue).toArray(), a.ordinal());
            }
        }
        return c;
    }

    /** Learned (solid) and initial (dashed) rationals of the best rational network at the largest budget. */
    static XYChart shapePlot(Result r, Target t, List<Integer> budgets) {
        Run run = null;
        for (int i = budgets.size() - 1; i >= 0 && run == null; i--) {
            run = r.best(t.id(), Act.RATIONAL, budgets.get(i));
        }
        if (run == null || run.shapes.isEmpty()) {
            return null;
        }
        XYChart c = Plots.chart(t.id() + ": learned rationals (" + run.parameters + " params)",
                "pre-activation x (range seen on the evaluation grid)", "R(x)", 720, 480);
        double lo = Math.max(-10, Math.min(-1, run.shapes.stream().mapToDouble(s -> s.lo).min().orElse(-1)));
        double hi = Math.min(10, Math.max(1, run.shapes.stream().mapToDouble(s -> s.hi).max().orElse(1)));
        int n = 201;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = lo + (hi - lo) * i / (n - 1);
        }
        int k = 0;
        for (Shape s : run.shapes) {
            Plots.curve(c, "layer " + s.layer + " learned", x, Arrays.stream(x).map(s.learned::value).toArray(), k++);
        }
        RationalFunction initial = run.shapes.get(0).initial;
        Plots.dashed(c, "initial (ReLU fit)", x, Arrays.stream(x).map(initial::value).toArray(), 7);
        return c;
    }

    static String report(Options o, Result r, TextTable single, Map<String, TextTable> perTarget,
                         TextTable needed, List<String> images) {
        StringBuilder md = new StringBuilder();
        md.append("# Expressivity study: rational vs fixed activations\n\n");
        md.append("Tang & Townsend (arXiv:2602.12390) prove that networks with low-degree rational activations are "
                + "more expressive per parameter than networks with fixed activations. This report measures it at "
                + "laptop scale. Run time ").append(Progress.duration(r.seconds)).append(" (CPU time ")
                .append(Progress.duration(r.cpuSeconds)).append(").\n\n");
        md.append("Settings: `").append(settings(o)).append("`  \n");
        md.append("Backend: ").append(BackendReport.current().asMap()).append("\n\n");
        if (!r.single.isEmpty()) {
            md.append("## 1. A single function: |x| on [-1, 1]\n\n");
            md.append("Uniform error of rational functions of type (n, n) against polynomials with the same "
                    + "number of parameters (2n + 1, degree 2n). Best rationals converge root-exponentially "
                    + "(about 8·e^(−π√n)), polynomials algebraically (about 0.28/(2n)). *rational (fitted)* has "
                    + "fixed poles ±iσ_j clustered towards 0 (tapered exponential spacing) and minimax-fitted "
                    + "coefficients (Lawson); *Newman* is the explicit rational of 1964 (error ≤ 3·e^(−√n)); "
                    + "*RationalFit N* is the library's activation fitter (monomial basis, Q(0) = 1, bounded "
                    + "coefficients), which tracks the best rate only for small n: the best rationals of high type "
                    + "have poles exponentially close to 0 and coefficients far beyond its bounds.\n\n");
            md.append(single.markdown()).append('\n');
            if (images.contains("single-function.png")) {
                md.append("![single function](single-function.png)\n\n");
            }
        }
        md.append("## 2. Networks of matched parameter budgets\n\n");
        md.append("Networks d → w → w → 1 (").append(o.depth).append(" hidden layers). *rational*: dense "
                + "(identity) + `RationalActivationLayer` of type (").append(o.degrees.get(0)).append(", ")
                .append(o.degrees.get(1)).append("), version B, one coefficient set per layer, initialised to "
                + "ReLU on [−1, 1], coefficients counted as parameters. Fixed activations are DL4J's "
                + "(GELU is DL4J's default GELU, SiLU is `Activation.SWISH`). Every network has the largest width "
                + "that fits the budget; all use full-batch Adam (learning rate ").append(o.learningRate)
                .append(" decaying ×").append(1.0 / o.learningRateDecay).append(" over ").append(o.steps)
                .append(" steps; rational coefficients ×").append(o.coefficientLearningRate)
                .append("), the same seeds and MSE loss. The uniform error is measured on a dense grid "
                        + "(4001 points in 1-D, 201×201 in 2-D); best of ").append(o.seeds).append(" seed(s).\n\n");
        perTarget.forEach((t, table) -> md.append("### ").append(target(t, o).label()).append("\n\n")
                .append(table.markdown()).append('\n'));
        if (images.contains("networks.png")) {
            md.append("![networks](networks.png)\n\n");
        }
        md.append("### Parameters needed to reach ε\n\nThe smallest tested parameter count whose network reached "
                + "the uniform error ε (\"> N\": no tested budget did; N is the largest tested).\n\n");
        md.append(needed.markdown()).append('\n');
        md.append(findings(o, r)).append('\n');
        if (images.contains("rational-shapes.png")) {
            md.append("## 3. Learned rational activations\n\nSolid: learned; dashed: the initial function (the "
                    + "ReLU fit, the same for every layer). Each panel shows the rational network of the largest "
                    + "budget, on the range of inputs its layers see.\n\n![rational shapes](rational-shapes.png)\n\n");
        }
        md.append("Files: `single-function.csv`, `networks.csv` (every network and seed), "
                + "`parameters-needed.csv`, PNG plots.\n");
        return md.toString();
    }

    /** One sentence per target comparing rational with the best fixed activation at the largest budget. */
    static String findings(Options o, Result r) {
        List<Integer> budgets = o.budgets.stream().distinct().sorted().collect(Collectors.toList());
        int top = budgets.get(budgets.size() - 1);
        StringBuilder sb = new StringBuilder("### Summary at the largest budget (").append(top).append(")\n\n");
        for (String t : o.targets) {
            double rational = r.error(t, Act.RATIONAL, top);
            Act bestFixed = null;
            double fixed = Double.POSITIVE_INFINITY;
            for (String id : o.activations) {
                Act a = Act.of(id);
                double e = r.error(t, a, top);
                if (a != Act.RATIONAL && e < fixed) {
                    fixed = e;
                    bestFixed = a;
                }
            }
            if (Double.isNaN(rational) || bestFixed == null) {
                continue;
            }
            sb.append("- ").append(target(t, o).label()).append(": rational ").append(sci(rational))
                    .append(", best fixed (").append(bestFixed.id()).append(") ").append(sci(fixed)).append(" — ")
                    .append(rational <= fixed ? String.format(Locale.ROOT, "rational %.1fx smaller", fixed / rational)
                            : String.format(Locale.ROOT, "%s %.1fx smaller", bestFixed.id(), rational / fixed))
                    .append(".\n");
        }
        return sb.toString();
    }

    static String settings(Options o) {
        return String.format(Locale.ROOT, "--targets %s --activations %s --budgets %s --depth %d --steps %d "
                        + "--seeds %d --lr %s --lr-decay %s --coefficient-lr %s --degrees %d,%d --eta %s "
                        + "--ridge-eta %s --points %d "
                        + "--points-2d %d --max-degree %d --threads %d",
                String.join(",", o.targets), String.join(",", o.activations),
                o.budgets.stream().map(String::valueOf).collect(Collectors.joining(",")), o.depth, o.steps,
                o.seeds, o.learningRate, o.learningRateDecay, o.coefficientLearningRate, o.degrees.get(0),
                o.degrees.get(1), o.eta, o.ridgeEta, o.points, o.points2d, o.maxDegree, o.threads)
                + " --epsilon " + o.epsilon.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    static String sci(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (Double.isInfinite(v)) {
            return "diverged";
        }
        return String.format(Locale.ROOT, "%.2e", v);
    }
}
