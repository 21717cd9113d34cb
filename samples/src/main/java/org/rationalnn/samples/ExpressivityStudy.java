package org.rationalnn.samples;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.knowm.xchart.XYChart;
import org.nd4j.linalg.api.buffer.DataType;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.samples.expressivity.Act;
import org.rationalnn.samples.expressivity.ConstructiveStudy;
import org.rationalnn.samples.expressivity.RecoveryStudy;
import org.rationalnn.samples.expressivity.SingleFunctionStudy;
import org.rationalnn.samples.expressivity.Target;
import org.rationalnn.samples.expressivity.TrainedOutput;
import org.rationalnn.samples.expressivity.TrainedStudy;
import org.rationalnn.samples.harness.Cli;
import org.rationalnn.samples.harness.Fmt;
import org.rationalnn.samples.harness.Report;
import org.rationalnn.samples.harness.Session;
import org.rationalnn.samples.harness.TextTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The expressivity study: what arXiv:2602.12390 (Tang &amp; Townsend, "Rational neural networks have expressivity
 * advantages") claims, measured at laptop scale. It needs no data.
 *
 * <ol>
 * <li><b>Constructive separations</b> ({@link ConstructiveStudy}, exact, nothing trained, executed by DL4J networks
 * of the library's layers in float64): rational networks emulate |x| and ReLU with an error falling doubly
 * exponentially in depth (parameters ∝ log log 1/ε), while 1-hidden-layer ReLU networks need ∝ ε^(−1/2)
 * parameters for a peak or δ/x that one rational layer represents exactly.</li>
 * <li><b>A single function</b> ({@link SingleFunctionStudy}): |x| by rationals of type (n, n) (root-exponential)
 * against polynomials of the same size (algebraic).</li>
 * <li><b>Trained networks</b> ({@link TrainedStudy}): |x|, a random ReLU network, a sharp peak and a 2-D ridge,
 * learned by networks with a trainable rational activation and with ReLU, LeakyReLU, tanh, GELU, SiLU and ELU under
 * one protocol (learning rate tuned per activation and budget on a tuning seed, several reported seeds, training
 * until the loss stopped moving); the parameters each needs for an error ε.</li>
 * </ol>
 * Output ({@code --out}, default {@code samples/target/expressivity}): console tables, CSV files, PNG plots and
 * {@code report.md}, which says where rationals win, where they do not, and why.
 *
 * <p>Run: {@code mvn -B -q -pl samples -am compile exec:java} (the default sample; about 4 minutes on 2 quiet
 * cores); {@code -Dexec.args="--full"} is the full protocol (see {@link Options#full}); {@code --help} lists the
 * options.
 */
public final class ExpressivityStudy {
    private static final Logger log = LoggerFactory.getLogger(ExpressivityStudy.class);

    private ExpressivityStudy() {
    }

    /** Options of a run (command-line flags via picocli). */
    @Command(name = "expressivity-study", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Rational vs fixed activations: constructive separations (exact), single functions and "
                    + "trained networks, as uniform error against parameter count."})
    public static final class Options implements Cli.Preset {
        @Option(names = "--out", description = "output folder (default: samples/target/expressivity)")
        public Path out;
        @Option(names = "--full", description = "the full protocol: every target; rational, ReLU, LeakyReLU, tanh "
                + "and GELU (SiLU and ELU were never the best fixed activation in the default run); budgets "
                + "30,100,300; learning rates 0.01,0.03; 3 seeds; up to 5000 Adam steps with patience 5, then up to "
                + "2000 L-BFGS iterations; float64; ε down to 1e-4; a finer constructive grid (measured: 1 h 57 "
                + "min on 2 cores beside another run; its results are in samples/docs/results/expressivity-full); "
                + "options given explicitly win")
        public boolean full;
        // -- trained networks
        @Option(names = "--targets", split = ",", description = "trained targets, from: abs, relu-net, peak, "
                + "ridge (default: all; --targets= skips the trained part)")
        public List<String> targets = new ArrayList<>(Target.IDS);
        @Option(names = "--activations", split = ",", description = "from: rational, relu, leakyrelu, tanh, "
                + "gelu, silu, elu (default: all)")
        public List<String> activations = Arrays.stream(Act.values()).map(Act::id)
                .collect(Collectors.toCollection(ArrayList::new));
        @Option(names = "--budgets", split = ",", description = "parameter budgets per network "
                + "(default: 40,160)")
        public List<Integer> budgets = new ArrayList<>(List.of(40, 160));
        @Option(names = "--depth", description = "hidden layers (default: ${DEFAULT-VALUE})")
        public int depth = 2;
        @Option(names = "--steps", description = "most full-batch Adam steps per network (default: "
                + "${DEFAULT-VALUE})")
        public int steps = 400;
        @Option(names = "--seeds", description = "reported seeds per network (default: ${DEFAULT-VALUE})")
        public int seeds = 3;
        @Option(names = "--lr", split = ",", description = "Adam learning rates: one value, or a grid tuned per "
                + "activation and budget on a separate tuning seed (default: 0.01,0.03)")
        public List<Double> learningRates = new ArrayList<>(List.of(0.01, 0.03));
        @Option(names = "--coefficient-lr", description = "rational coefficients' learning rate relative to the "
                + "weights' (the paper's recipe: 0.5; default: ${DEFAULT-VALUE})")
        public double coefficientLearningRate = 0.5;
        @Option(names = "--eval-every", description = "steps per loss window of the plateau test "
                + "(default: ${DEFAULT-VALUE})")
        public int evalEvery = 100;
        @Option(names = "--patience", description = "windows without improvement before the learning rate falls "
                + "(default: ${DEFAULT-VALUE})")
        public int patience = 3;
        @Option(names = "--tolerance", description = "relative loss improvement that counts (default: "
                + "${DEFAULT-VALUE})")
        public double tolerance = 0.01;
        @Option(names = "--lr-factor", description = "the learning rate's division at a plateau (default: "
                + "${DEFAULT-VALUE})")
        public double learningRateFactor = 4;
        @Option(names = "--lr-decay", description = "total factor the learning rate may fall by; the plateau after "
                + "the last division ends the run as converged (default: ${DEFAULT-VALUE})")
        public double learningRateDecay = 64;
        @Option(names = "--polish", description = "L-BFGS iterations on the full batch after Adam, for every "
                + "activation alike (0 = none; default: ${DEFAULT-VALUE})")
        public int polish;
        @Option(names = "--recovery", split = ",", description = "noise levels σ of a recovery run: training "
                + "from the exact rational network of the peak and the ridge with every parameter moved by "
                + "σ·(|θ|+1)·N(0,1), e.g. 0,0.01,0.1,0.3,1 (default: none)")
        public List<Double> recovery = new ArrayList<>();
        @Option(names = "--precision", description = "float32 or float64 (default: ${DEFAULT-VALUE})")
        public String precision = "float64";
        @Option(names = "--degrees", split = ",", description = "rational type m,n (default: 5,4)")
        public List<Integer> degrees = new ArrayList<>(List.of(5, 4));
        @Option(names = "--eta", description = "width η of the trained peak (default: ${DEFAULT-VALUE})")
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
                + "(default: 0.1,0.01,0.001)")
        public List<Double> epsilon = new ArrayList<>(List.of(0.1, 0.01, 0.001));
        @Option(names = "--threads", description = "networks trained at once (default: ${DEFAULT-VALUE})")
        public int threads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
        // -- single function
        @Option(names = "--max-degree", description = "single-function study: largest n of type (n,n) "
                + "(default: ${DEFAULT-VALUE}; 0 skips it)")
        public int maxDegree = 40;
        // -- constructive
        @Option(names = "--constructive-depth", description = "constructive part: largest number of rational layers "
                + "emulating |x| (default: ${DEFAULT-VALUE}; 0 skips the constructive part)")
        public int constructiveDepth = 6;
        @Option(names = "--peak-etas", split = ",", description = "constructive part: widths η of the peak "
                + "(default: 0.1,0.01,0.001)")
        public List<Double> peakEtas = new ArrayList<>(List.of(0.1, 0.01, 0.001));
        @Option(names = "--inverse-deltas", split = ",", description = "constructive part: left ends δ of δ/x on "
                + "[δ,1] (default: 0.1,0.01,0.001)")
        public List<Double> inverseDeltas = new ArrayList<>(List.of(0.1, 0.01, 0.001));
        @Option(names = "--constructive-epsilon", split = ",", description = "constructive part: error levels "
                + "of the summary table (default: 1e-2,1e-4,1e-6,1e-8; the plot adds every decade between)")
        public List<Double> constructiveEpsilon = new ArrayList<>(List.of(1e-2, 1e-4, 1e-6, 1e-8));
        @Option(names = "--pl-density", description = "constructive part: samples per 1/√ε of the piecewise-linear "
                + "bounds (more: a tighter lower bound; default: ${DEFAULT-VALUE})")
        public double plDensity = 50;
        @Option(names = "--no-plots", negatable = false, description = "skip the PNG plots")
        public boolean noPlots;

        @Override
        public void applyPreset(Set<String> explicit) {
            if (!full) {
                return;
            }
            set(explicit, "--activations", () -> activations = Stream.of(Act.RATIONAL, Act.RELU, Act.LEAKY_RELU,
                    Act.TANH, Act.GELU).map(Act::id).collect(Collectors.toCollection(ArrayList::new)));
            set(explicit, "--budgets", () -> budgets = new ArrayList<>(List.of(30, 100, 300)));
            set(explicit, "--lr", () -> learningRates = new ArrayList<>(List.of(0.01, 0.03)));
            set(explicit, "--seeds", () -> seeds = 3);
            set(explicit, "--steps", () -> steps = 5000);
            set(explicit, "--epsilon", () -> epsilon = new ArrayList<>(List.of(1e-2, 1e-3, 1e-4)));
            set(explicit, "--patience", () -> patience = 5);
            set(explicit, "--pl-density", () -> plDensity = 200);
            set(explicit, "--polish", () -> polish = 2000);
        }

        /** The --full preset applied to every option (what {@code --full} alone means). */
        public Options fullPreset() {
            full = true;
            applyPreset(Set.of());
            return this;
        }

        private static void set(Set<String> explicit, String name, Runnable r) {
            if (!explicit.contains(name)) {
                r.run();
            }
        }

        DataType dataType() {
            return switch (precision.trim().toLowerCase(Locale.ROOT)) {
                case "float32", "float" -> DataType.FLOAT;
                case "float64", "double" -> DataType.DOUBLE;
                default -> throw new IllegalArgumentException("--precision must be float32 or float64, got "
                        + precision);
            };
        }

        /** The training protocol these options describe. */
        public TrainedStudy.Protocol protocol() {
            int drops = (int) Math.round(Math.log(learningRateDecay) / Math.log(learningRateFactor));
            return new TrainedStudy.Protocol(depth, new int[]{degrees.get(0), degrees.get(1)}, steps, seeds,
                    List.copyOf(learningRates), coefficientLearningRate, evalEvery, patience, tolerance,
                    learningRateFactor, Math.max(0, drops), points, points2d, dataType(), threads, polish);
        }

        ConstructiveStudy.Settings constructive() {
            double smallest = constructiveEpsilon.stream().mapToDouble(Double::doubleValue).min().orElse(1e-8);
            List<Double> decades = new ArrayList<>();
            for (int k = 1; Math.pow(10, -k) >= smallest * 0.999; k++) {
                decades.add(Math.pow(10, -k));
            }
            for (double e : constructiveEpsilon) {
                if (decades.stream().noneMatch(d -> Math.abs(d / e - 1) < 1e-9)) {
                    decades.add(e);
                }
            }
            decades.sort(Comparator.reverseOrder());
            return new ConstructiveStudy.Settings(constructiveDepth, List.copyOf(peakEtas), List.copyOf(inverseDeltas),
                    decades, plDensity, 4_000_000);
        }
    }

    /** Everything a run measured. */
    public static final class Result {
        public List<SingleFunctionStudy.Row> single = List.of();
        /** The constructive part (null if skipped). */
        public ConstructiveStudy.Result constructive;
        public TrainedStudy.Result trained = new TrainedStudy.Result(List.of(), List.of(), null);
        /** Training from the perturbed exact networks ({@code --recovery}; empty without it). */
        public List<RecoveryStudy.Recovery> recovery = List.of();
        /** Exact rational representations of the trained targets in the trained architecture, where one exists. */
        public java.util.Map<String, TrainedStudy.Exact> exact = new java.util.LinkedHashMap<>();
        public Path output;
        /** Wall-clock and CPU seconds of the whole run. */
        public double seconds;
        public double cpuSeconds;

        /** The best reported run (over the seeds) of this target and activation at this budget, or null. */
        public TrainedStudy.Run best(String target, Act act, int budget) {
            TrainedStudy.Cell c = trained.cell(target, act, budget);
            return c == null ? null : c.runs().stream().min(Comparator.comparingDouble(r -> r.uniformError))
                    .orElse(null);
        }

        /** The median uniform error over the seeds of this target and activation at this budget (NaN if not run). */
        public double error(String target, Act act, int budget) {
            TrainedStudy.Cell c = trained.cell(target, act, budget);
            return c == null ? Double.NaN : c.median();
        }

        /** The smallest trained parameter count whose median error reached ε, or empty. */
        public OptionalLong parametersToReach(String target, Act act, double epsilon) {
            return trained.parametersToReach(target, act, epsilon);
        }
    }

    public static void main(String[] args) {
        Cli.main(args, new Options(), ExpressivityStudy::run);
    }

    /** Runs the study, writes the output folder and prints the tables. */
    public static Result run(Options o) {
        validate(o);
        Session session = Session.start(log, "expressivity", o.out, !o.noPlots);
        Result result = new Result();
        result.output = session.output();
        if (o.constructiveDepth > 0) {
            result.constructive = ConstructiveStudy.run(o.constructive(), log);
        }
        if (o.maxDegree > 0) {
            result.single = SingleFunctionStudy.run(o.maxDegree, log);
        }
        if (!o.targets.isEmpty()) {
            result.trained = TrainedStudy.run(targets(o), acts(o), budgets(o), o.protocol(), log);
            for (Target t : targets(o)) {
                TrainedStudy.Exact e = TrainedStudy.exactRepresentation(t, o.protocol());
                if (e != null) {
                    result.exact.put(t.id(), e);
                }
            }
            if (!o.recovery.isEmpty()) {
                result.recovery = RecoveryStudy.run(targets(o), o.recovery, o.protocol(), log);
            }
        }
        String console = writeOutputs(o, result, session);
        Report report = report(o, result, session);
        Session.RunInfo info = session.finish(report, console);
        result.seconds = info.seconds();
        result.cpuSeconds = info.cpuSeconds();
        return result;
    }

    /** What a run in which most Adam runs hit the step cap can and cannot decide. */
    static String stepCapSentence(Options o, TrainedStudy.Result trained) {
        if (o.polish > 0) {
            List<TrainedStudy.Run> reported = trained.runs().stream().filter(x -> !x.tuning).toList();
            long stopped = reported.stream().filter(x -> x.lbfgsStopped).count();
            return String.format(Locale.ROOT, " Most Adam runs stopped at the step cap, not at a plateau; the L-BFGS "
                    + "polish after them ended because no step lowered the loss in %d of %d runs (the others used "
                    + "all %d iterations).", stopped, reported.size(), o.polish);
        }
        return " Most runs stopped at the step cap, not at a plateau: this run is too short to decide the goals"
                + (o.full ? "." : "; `--full` is the protocol for that.");
    }

    static List<Target> targets(Options o) {
        return o.targets.stream().map(t -> target(t, o)).toList();
    }

    static List<Act> acts(Options o) {
        return o.activations.stream().map(Act::of).distinct().toList();
    }

    static List<Integer> budgets(Options o) {
        return o.budgets.stream().distinct().sorted().toList();
    }

    static Target target(String id, Options o) {
        return Target.of(id, o.eta, o.ridgeEta);
    }

    static void validate(Options o) {
        o.targets = o.targets.stream().map(String::trim).filter(t -> !t.isEmpty()).toList(); // --targets= : none
        o.targets.forEach(t -> target(t, o));
        o.activations.forEach(Act::of);
        if (o.degrees.size() != 2) {
            throw new IllegalArgumentException("--degrees needs two numbers m,n, got " + o.degrees);
        }
        RationalSpec.checkDegrees(o.degrees.get(0), o.degrees.get(1));
        o.dataType();
        require(o.steps >= 1, "--steps must be >= 1, got " + o.steps);
        require(o.seeds >= 1, "--seeds must be >= 1, got " + o.seeds);
        require(o.depth >= 1, "--depth must be >= 1, got " + o.depth);
        require(o.polish >= 0, "--polish must be >= 0, got " + o.polish);
        require(o.threads >= 1, "--threads must be >= 1, got " + o.threads);
        require(o.points >= 8, "--points must be >= 8, got " + o.points);
        require(o.points2d >= 4, "--points-2d must be >= 4, got " + o.points2d);
        require(o.maxDegree >= 0, "--max-degree must be >= 0, got " + o.maxDegree);
        require(o.evalEvery >= 1 && o.patience >= 1, "--eval-every and --patience must be >= 1");
        require(o.tolerance >= 0 && o.tolerance < 1, "--tolerance must be in [0, 1), got " + o.tolerance);
        require(o.learningRateFactor > 1 && o.learningRateDecay >= 1, "--lr-factor must be > 1 and --lr-decay "
                + ">= 1, got " + o.learningRateFactor + " and " + o.learningRateDecay);
        require(!o.learningRates.isEmpty() && o.learningRates.stream().allMatch(l -> l > 0)
                && o.coefficientLearningRate > 0, "--lr values and --coefficient-lr must be > 0, got "
                + o.learningRates + " and " + o.coefficientLearningRate);
        require(!o.budgets.isEmpty() && o.budgets.stream().allMatch(b -> b > 0), "--budgets must be positive, got "
                + o.budgets);
        require(o.epsilon.stream().allMatch(e -> e > 0), "--epsilon must be positive, got " + o.epsilon);
        require(o.constructiveDepth >= 0 && o.constructiveDepth <= 12, "--constructive-depth must be in [0, 12], "
                + "got " + o.constructiveDepth);
        require(o.peakEtas.stream().allMatch(e -> e > 0 && e <= 1), "--peak-etas must be in (0, 1], got "
                + o.peakEtas);
        require(o.inverseDeltas.stream().allMatch(e -> e > 0 && e < 1), "--inverse-deltas must be in (0, 1), got "
                + o.inverseDeltas);
        require(!o.constructiveEpsilon.isEmpty() && o.constructiveEpsilon.stream().allMatch(e -> e > 0 && e < 1),
                "--constructive-epsilon must be in (0, 1), got " + o.constructiveEpsilon);
        require(o.recovery.stream().allMatch(v -> v >= 0 && Double.isFinite(v)), "--recovery noise levels must "
                + "be finite and >= 0, got " + o.recovery);
        require(o.plDensity >= 1, "--pl-density must be >= 1, got " + o.plDensity);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Delegates kept for the tests and for readers coming from the sample's main class

    /** Trainable parameters of a d → w → ... → w → 1 network (rational coefficients included). */
    public static long parameters(int inputs, int width, Act act, Options o) {
        return TrainedStudy.parameters(inputs, width, act, o.protocol());
    }

    /** The largest width whose network fits the budget, or 0. */
    public static int widthFor(int budget, int inputs, Act act, Options o) {
        return TrainedStudy.widthFor(budget, inputs, act, o.protocol());
    }

    /** The trained network d → w → ... → w → 1 at the first learning rate of {@code --lr}. */
    public static MultiLayerNetwork network(int inputs, int width, Act act, long seed, Options o) {
        return TrainedStudy.network(inputs, width, act, seed, o.learningRates.get(0), o.protocol());
    }

    // ------------------------------------------------------------------------------------------------------
    // Output

    /** Writes the CSV files and plots; returns the console text. */
    static String writeOutputs(Options o, Result r, Session s) {
        StringBuilder console = new StringBuilder("\n");
        if (r.constructive != null) {
            ConstructiveStudy.Result c = r.constructive;
            s.csv("constructive-depth.csv", ConstructiveStudy.depthTable(c));
            TextTable linear = new TextTable("target", "width", "epsilon", "samples", "relu_neurons_lower_bound",
                    "relu_parameters_lower_bound", "built_neurons", "built_parameters", "built_error",
                    "dl4j_deviation", "rational_parameters", "rational_error");
            for (ConstructiveStudy.LinearRow x : c.linear()) {
                linear.row(x.target().id(), x.width(), x.epsilon(), x.samples(), x.minPieces() - 1,
                        x.reluLowerBound(), x.pieces(), x.reluParameters(), Fmt.sci(x.achievedError()),
                        Fmt.sci(x.networkDeviation()), x.rationalParameters(), Fmt.sci(x.rationalError()));
            }
            s.csv("constructive-relu.csv", linear);
            TextTable summary = ConstructiveStudy.summaryTable(c, o.constructiveEpsilon);
            s.csv("constructive-summary.csv", summary);
            s.plot("constructive-parameters.png", ConstructiveStudy.parametersPlot(c));
            s.plotGrid("constructive-abs.png", ConstructiveStudy.absPlots(c), 2);
            console.append("Constructive (exact, DL4J float64): |x| by k rational layers of type (3,2)\n")
                    .append(ConstructiveStudy.depthTable(c).console()).append('\n')
                    .append("Parameters needed for uniform error ε (constructed)\n").append(summary.console())
                    .append('\n');
        }
        if (!r.single.isEmpty()) {
            s.csv("single-function.csv", SingleFunctionStudy.table(r.single));
            s.plot("single-function.png", SingleFunctionStudy.plot(r.single));
            console.append("|x| on [-1,1]: uniform error of type (n,n) rationals vs polynomials of degree 2n "
                    + "(same parameter count)\n").append(SingleFunctionStudy.table(r.single).console()).append('\n');
        }
        if (!r.trained.runs().isEmpty()) {
            List<Act> acts = acts(o);
            s.csv("networks.csv", TrainedOutput.runTable(r.trained, o.depth));
            s.csv("training-curves.csv", TrainedOutput.curveTable(r.trained));
            TextTable needed = TrainedOutput.neededTable(r.trained, o.targets, acts, epsilons(o));
            s.csv("parameters-needed.csv", needed);
            List<XYChart> charts = new ArrayList<>();
            List<XYChart> curves = new ArrayList<>();
            List<XYChart> shapes = new ArrayList<>();
            for (Target t : targets(o)) {
                XYChart c = TrainedOutput.errorPlot(r.trained, t, acts);
                s.plot("networks-" + t.id() + ".png", c);
                charts.add(c);
                curves.add(TrainedOutput.curvePlot(r.trained, t, acts));
                XYChart shape = TrainedOutput.shapePlot(r.trained, t);
                if (shape != null) {
                    shapes.add(shape);
                }
            }
            s.plotGrid("networks.png", charts, 2);
            s.plotGrid("training-curves.png", curves, 2);
            s.plotGrid("rational-shapes.png", shapes, 2);
            for (String t : o.targets) {
                console.append("trained target ").append(target(t, o).label()).append(": median uniform error over ")
                        .append(o.seeds).append(" seed(s)\n").append(TrainedOutput.cellTable(r.trained, t).console())
                        .append('\n');
            }
            console.append("parameters needed to reach the uniform error ε (smallest trained budget whose median "
                    + "did)\n").append(needed.console()).append('\n')
                    .append("goals at ε = 1e-3\n").append(TrainedOutput.goalTable(r.trained, o.targets, acts)
                            .console());
        }
        if (!r.recovery.isEmpty()) {
            s.csv("recovery.csv", RecoveryStudy.runTable(r.recovery));
            console.append("\ntraining from the exact rational network plus relative noise σ\n")
                    .append(RecoveryStudy.table(r.recovery, epsilons(o)).console());
        }
        return console.toString();
    }

    static List<Double> epsilons(Options o) {
        return o.epsilon.stream().distinct().sorted(Comparator.reverseOrder()).toList();
    }

    static Report report(Options o, Result r, Session s) {
        Report md = s.report("Expressivity study: rational vs fixed activations");
        md.text("Tang & Townsend (arXiv:2602.12390) prove that networks with low-degree rational activations are "
                + "more expressive per parameter than networks with fixed activations: a fixed-activation network "
                + "can be emulated by a rational one with poly(log log 1/ε) overhead, while the converse needs "
                + "Ω(log 1/ε) parameters. This report checks both directions constructively (exact networks, "
                + "nothing trained) and then with trained networks.");
        md.settings(o).machine();
        md.section("Summary: where rationals win, where they do not, and why");
        md.bullets(summary(o, r));
        if (r.constructive != null) {
            ConstructiveStudy.Result c = r.constructive;
            md.section("1. Constructive separations (exact, no training)");
            md.text(ConstructiveStudy.explanation(c));
            md.table(ConstructiveStudy.depthTable(c));
            md.image("constructive-abs.png", "|x| by rational layers");
            md.text(ConstructiveStudy.linearExplanation());
            for (ConstructiveStudy.RationalTarget t : ConstructiveStudy.RationalTarget.values()) {
                md.subsection(t == ConstructiveStudy.RationalTarget.PEAK ? "Peak η²/(x²+η²) on [−1, 1]"
                        : "δ/x on [δ, 1]");
                md.table(ConstructiveStudy.linearTable(c, t));
            }
            md.subsection("(c) Parameters needed for uniform error ε, both directions");
            md.text("|x|: the rational network of the smallest depth that reaches ε against the exact ReLU network "
                    + "(1 → 2 → 1); peak and δ/x at the smallest width: the 1-hidden-layer ReLU network's lower "
                    + "bound (*ReLU ≥*) and built size against the exact rational network. The ratios use the ReLU "
                    + "lower bound, so they understate the rational side's advantage.");
            md.table(ConstructiveStudy.summaryTable(c, o.constructiveEpsilon));
            md.image("constructive-parameters.png", "parameters needed against 1/ε");
        }
        if (!r.single.isEmpty()) {
            md.section("2. A single function: |x| on [−1, 1]");
            md.text(SingleFunctionStudy.explanation());
            md.table(SingleFunctionStudy.table(r.single));
            md.image("single-function.png", "single function");
        }
        if (!r.trained.runs().isEmpty()) {
            List<Act> acts = acts(o);
            md.section("3. Trained networks");
            md.text(TrainedOutput.protocol(o.protocol(), o.learningRates.size() > 1));
            md.subsection("Goals (ε = 1e-3)");
            md.text("Goals of the study: at least " + Fmt.times(TrainedOutput.GOAL_FACTOR) + " fewer parameters than "
                    + "the best fixed activation on the peak and the ridge, within "
                    + Fmt.times(TrainedOutput.ABS_GOAL_FACTOR) + " of ReLU on |x|. *undecided*: neither side reached "
                    + "ε within the trained budgets.");
            md.table(TrainedOutput.goalTable(r.trained, o.targets, acts));
            md.subsection("At equal parameters");
            md.text("The rational network against the best fixed activation of the same budget (by median error).");
            md.table(TrainedOutput.equalBudgetTable(r.trained, o.targets, acts));
            md.subsection("Parameters needed to reach ε");
            md.text("The smallest trained parameter count whose median error (over the reported seeds) reached the "
                    + "uniform error ε (\"> N\": no budget did; N is the largest trained).");
            md.table(TrainedOutput.neededTable(r.trained, o.targets, acts, epsilons(o)));
            md.subsection("Findings");
            md.bullets(TrainedOutput.findings(r.trained, o.targets, acts, epsilons(o), r.exact));
            if (!r.recovery.isEmpty()) {
                md.subsection("Training from the exact network");
                md.text(RecoveryStudy.explanation(o.protocol()));
                md.table(RecoveryStudy.table(r.recovery, epsilons(o)));
                md.bullets(RecoveryStudy.findings(r.recovery, TrainedOutput.GOAL_EPSILON));
            }
            md.image("networks.png", "networks");
            for (String t : o.targets) {
                md.subsection(target(t, o).label());
                md.table(TrainedOutput.cellTable(r.trained, t));
            }
            md.subsection("Convergence");
            md.text("Training loss of the first reported seed at the largest budget (mean per window of "
                    + o.evalEvery + " steps; the steps fall where the learning rate was divided).");
            md.image("training-curves.png", "training curves");
            md.subsection("Learned rational activations");
            md.text("Solid: learned; dashed: the initial function (the ReLU fit, the same for every layer). Each panel "
                    + "shows the best rational network of the largest budget, on the range of inputs its layers "
                    + "see.");
            md.image("rational-shapes.png", "rational shapes");
        }
        md.files();
        return md;
    }

    /** The summary bullets: plain statements with the measured numbers. */
    static List<String> summary(Options o, Result r) {
        List<String> out = new ArrayList<>();
        if (r.constructive != null) {
            ConstructiveStudy.Result c = r.constructive;
            ConstructiveStudy.DepthRow last = c.depths().stream().filter(d -> d.networkAbs() > 1e-15)
                    .reduce((a, b) -> b).orElse(null);
            if (last != null) {
                out.add(String.format(Locale.ROOT, "**Rationals emulate ReLU cheaply, but do not beat it on its own "
                                + "ground.** %d rational layers of type (3, 2) (%d parameters) give |x| on [−1, 1] "
                                + "with uniform error %s, and log(1/ε) grows by about √3 per layer, so the size grows "
                                + "like log log(1/ε); a ReLU network needs 7 parameters for |x| exactly, so here the "
                                + "rational network pays an overhead of %s.", last.depth(), last.parameters(),
                        Fmt.sci(last.networkAbs()), Fmt.times((double) last.parameters()
                                / ConstructiveStudy.RELU_ABS_PARAMETERS)));
            }
            double smallest = o.constructiveEpsilon.stream().mapToDouble(Double::doubleValue).min().orElse(1e-8);
            double eta = c.linear().stream().filter(x -> x.target() == ConstructiveStudy.RationalTarget.PEAK)
                    .mapToDouble(ConstructiveStudy.LinearRow::width).min().orElse(Double.NaN);
            ConstructiveStudy.LinearRow peak = c.row(ConstructiveStudy.RationalTarget.PEAK, eta, smallest);
            if (peak != null) {
                out.add(String.format(Locale.ROOT, "**Rationals win by orders of magnitude on rational targets.** "
                                + "For the peak (η = %s) at ε = %s a 1-hidden-layer ReLU network needs at least %s "
                                + "parameters (computed, not trained; one built with %s), one rational layer "
                                + "represents it exactly with %d: a ratio of %s, growing like ε^(−1/2).",
                        Fmt.g(eta), Fmt.sci(smallest), Fmt.count(peak.reluLowerBound()),
                        Fmt.count(peak.reluParameters()), peak.rationalParameters(),
                        Fmt.times((double) peak.reluLowerBound() / peak.rationalParameters())));
            }
        }
        if (!r.trained.runs().isEmpty()) {
            List<Act> acts = acts(o);
            long reported = r.trained.runs().stream().filter(x -> !x.tuning).count();
            long converged = TrainedOutput.convergedRuns(r.trained);
            List<String> equal = TrainedOutput.equalBudgetSentences(r.trained, o.targets, acts);
            out.add(String.format(Locale.ROOT, "**Trained networks** (%d seeds, at most %d steps, budgets %s; %d of "
                            + "%d reported runs met the convergence criterion). %s", o.seeds, o.steps, o.budgets,
                    converged, reported, equal.isEmpty() ? "No rational and fixed activation were both trained, so "
                            + "nothing is compared at equal parameters."
                            : "At the largest budget, median uniform error: " + String.join("; ", equal) + "."));
            List<String> goals = TrainedOutput.goalSentences(r.trained, o.targets, acts);
            if (!goals.isEmpty()) {
                out.add("**Goals at ε = 1e-3** (section 3): " + String.join("; ", goals) + "."
                        + (converged < reported / 2 ? stepCapSentence(o, r.trained) : ""));
            }
        }
        String lost = r.trained.runs().isEmpty() ? ""
                : String.join("; ", TrainedOutput.losses(r.trained, o.targets, acts(o)));
        out.add("**Where rationals do not win:** on |x|, which a ReLU network represents exactly (the rational can only "
                + "emulate it, see above); at small budgets, where the rational coefficients (" + (o.degrees.get(0) + 1
                + o.degrees.get(1)) + " per layer) take much of the budget and leave a narrower network"
                + (lost.isEmpty() ? "" : " (measured here: " + lost + ")")
                + "; and wherever training rather than expressivity limits the error: exact rational networks of the "
                + "trained architecture exist for the peak and the ridge, but Adam does not find them within the "
                + "step cap (see the findings in section 3).");
        return out;
    }
}
