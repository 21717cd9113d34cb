package org.rationalnn.samples.expressivity;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.rationalnn.dl4j.layers.RationalActivationLayer;
import org.rationalnn.dl4j.layers.RationalParamInitializer;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.TargetFunction;
import org.rationalnn.samples.harness.Environment;
import org.rationalnn.samples.harness.Progress;
import org.slf4j.Logger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Trained networks with a protocol that gives every activation the same effort: for each target, activation and
 * parameter budget, a network d → w → ... → w → 1 with the largest width that fits the budget is trained by
 * full-batch Adam
 * <ol>
 * <li>with each learning rate of a small grid on a tuning seed; the learning rate with the smallest final uniform
 * error is chosen (per activation and budget);</li>
 * <li>then with that learning rate on {@code seeds} further seeds, which are what is reported (median, minimum and
 * maximum); the tuning seed is not among them, so the choice does not flatter the reported numbers.</li>
 * </ol>
 * Every network trains until its error stopped moving: the mean training loss of each window of
 * {@code evalEvery} steps is compared with the best so far; after {@code patience} windows without a relative
 * improvement of {@code tolerance} the learning rate is divided by {@code lrFactor}, and after {@code lrDrops}
 * such divisions the next plateau ends the training as <i>converged</i>. A network that reaches {@code maxSteps}
 * first is reported as not converged. The rational activation is the library's {@link RationalActivationLayer}
 * (one coefficient set per layer, its coefficients counted as parameters, trained at {@code coefficientLr} times
 * the weights' learning rate: the paper's recipe).
 */
public final class TrainedStudy {
    private TrainedStudy() {
    }

    /**
     * The training protocol.
     *
     * @param depth         hidden layers
     * @param degrees       the rational type (m, n)
     * @param maxSteps      the step cap
     * @param seeds         evaluation seeds
     * @param learningRates the learning-rate grid (one value: no tuning runs)
     * @param coefficientLr the rational coefficients' learning rate relative to the weights'
     * @param evalEvery     steps per loss window
     * @param patience      windows without improvement before the learning rate falls
     * @param tolerance     relative improvement that counts
     * @param lrFactor      the learning rate's division factor
     * @param lrDrops       divisions before a plateau ends the training
     * @param points        training points on [−1, 1] (1-D targets)
     * @param points2d      training points per axis (2-D targets)
     * @param dataType      FLOAT or DOUBLE
     * @param threads       networks trained at once
     */
    public record Protocol(int depth, int[] degrees, int maxSteps, int seeds, List<Double> learningRates,
                           double coefficientLr, int evalEvery, int patience, double tolerance, double lrFactor,
                           int lrDrops, int points, int points2d, DataType dataType, int threads, int polish) {
        /** Type (m, n), version B (pole-free), one coefficient set per layer, initialised to ReLU on [−1, 1]. */
        public RationalSpec rationalSpec() {
            return RationalSpec.builder()
                    .degrees(degrees[0], degrees[1])
                    .version(RationalVersion.B)
                    .init(TargetFunction.RELU)
                    .fitInterval(-1, 1)
                    .build();
        }

        /** The same protocol in float64. */
        Protocol inDouble() {
            return new Protocol(depth, degrees, maxSteps, seeds, learningRates, coefficientLr, evalEvery, patience,
                    tolerance, lrFactor, lrDrops, points, points2d, DataType.DOUBLE, threads, polish);
        }

        /** The protocol with at most {@code steps} Adam steps (0: the L-BFGS polish alone). */
        Protocol withMaxSteps(int steps) {
            return new Protocol(depth, degrees, steps, seeds, learningRates, coefficientLr, evalEvery, patience,
                    tolerance, lrFactor, lrDrops, points, points2d, dataType, threads, polish);
        }
    }

    /** A learned rational activation next to its initial function, with the range of inputs it saw. */
    public static final class Shape {
        public final int layer;
        public final RationalFunction initial;
        public final RationalFunction learned;
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

    /** One point of a training curve: mean loss of the window ending at {@code step}, at learning rate lr. */
    public record CurvePoint(int step, double loss, double learningRate) {
    }

    /** One trained network. */
    public static final class Run {
        public final String target;
        public final Act activation;
        public final int budget;
        public final int width;
        public final long parameters;
        public final long seed;
        /** The initial learning rate. */
        public final double learningRate;
        /** A tuning run (not reported in the medians). */
        public final boolean tuning;
        /** max |net − f| on the evaluation grid (+∞ if the network diverged). */
        public final double uniformError;
        public final double rmsError;
        public final int steps;
        /** Whether the plateau criterion ended the Adam phase before the step cap. */
        public final boolean converged;
        /** L-BFGS iterations of the polish phase after Adam (0 without one). */
        public final int lbfgsIterations;
        /** Whether the polish stopped before its cap (no step lowered the loss any more). */
        public final boolean lbfgsStopped;
        public final double seconds;
        public final List<Shape> shapes;
        public final List<CurvePoint> curve;

        Run(String target, Act activation, int budget, int width, long parameters, long seed, double learningRate,
            boolean tuning, double uniformError, double rmsError, int steps, boolean converged, int lbfgsIterations,
            boolean lbfgsStopped, double seconds, List<Shape> shapes, List<CurvePoint> curve) {
            this.target = target;
            this.activation = activation;
            this.budget = budget;
            this.width = width;
            this.parameters = parameters;
            this.seed = seed;
            this.learningRate = learningRate;
            this.tuning = tuning;
            this.uniformError = uniformError;
            this.rmsError = rmsError;
            this.steps = steps;
            this.converged = converged;
            this.lbfgsIterations = lbfgsIterations;
            this.lbfgsStopped = lbfgsStopped;
            this.seconds = seconds;
            this.shapes = List.copyOf(shapes);
            this.curve = List.copyOf(curve);
        }
    }

    /** The reported runs of one target, activation and budget (the chosen learning rate, every seed). */
    public record Cell(String target, Act activation, int budget, int width, long parameters, double learningRate,
                       List<Run> runs) {
        public double median() {
            return TrainedStudy.median(runs.stream().mapToDouble(r -> r.uniformError).toArray());
        }

        public double min() {
            return runs.stream().mapToDouble(r -> r.uniformError).min().orElse(Double.NaN);
        }

        public double max() {
            return runs.stream().mapToDouble(r -> r.uniformError).max().orElse(Double.NaN);
        }

        public long converged() {
            return runs.stream().filter(r -> r.converged).count();
        }

        public double meanSteps() {
            return runs.stream().mapToInt(r -> r.steps).average().orElse(Double.NaN);
        }
    }

    /** Every run and cell, and the protocol they were trained with (null for an empty result). */
    public record Result(List<Run> runs, List<Cell> cells, Protocol protocol) {
        public Cell cell(String target, Act act, int budget) {
            return cells.stream().filter(c -> c.target().equals(target) && c.activation() == act
                    && c.budget() == budget).findFirst().orElse(null);
        }

        /** The smallest parameter count whose median error is at most ε, or empty. */
        public OptionalLong parametersToReach(String target, Act act, double epsilon) {
            return cells.stream().filter(c -> c.target().equals(target) && c.activation() == act
                    && c.median() <= epsilon).mapToLong(Cell::parameters).min();
        }

        /** The largest parameter count trained for this target and activation (0 if none). */
        public long largest(String target, Act act) {
            return cells.stream().filter(c -> c.target().equals(target) && c.activation() == act)
                    .mapToLong(Cell::parameters).max().orElse(0);
        }
    }

    /** The median of errors (the geometric mean of the middle two for an even count; NaN if empty). */
    static double median(double[] values) {
        double[] e = values.clone();
        Arrays.sort(e);
        if (e.length == 0) {
            return Double.NaN;
        }
        return e.length % 2 == 1 ? e[e.length / 2] : Math.sqrt(e[e.length / 2 - 1] * e[e.length / 2]);
    }

    private record Job(Target target, Act act, int budget, int width, long seed, double lr, boolean tuning) {
    }

    /** Tuning seed and the evaluation seeds s = 0, 1, ...: distinct for every budget. */
    static long seed(int s, int budget) {
        return 1000L * (s + 1) + budget;
    }

    static long tuningSeed(int budget) {
        return 500L + budget;
    }

    /** Trains everything: the tuning runs first, then the evaluation runs at the chosen learning rates. */
    public static Result run(List<Target> targets, List<Act> acts, List<Integer> budgets, Protocol p, Logger log) {
        boolean tune = p.learningRates().size() > 1;
        List<Job> tuningJobs = new ArrayList<>();
        int cells = 0;
        for (Target t : targets) {
            for (int budget : budgets) {
                for (Act act : acts) {
                    int width = widthFor(budget, t.dims(), act, p);
                    if (width < 1) {
                        log.warn("{}: budget {} is too small for a {} network; skipped", t.id(), budget, act.id());
                        continue;
                    }
                    cells++;
                    if (tune) {
                        for (double lr : p.learningRates()) {
                            tuningJobs.add(new Job(t, act, budget, width, tuningSeed(budget), lr, true));
                        }
                    }
                }
            }
        }
        int total = tuningJobs.size() + cells * p.seeds();
        log.info("training {} networks ({} targets x {} activations x {} budgets: {} learning rates on a tuning seed"
                        + ", then {} seeds), at most {} steps each, {} at a time", total, targets.size(), acts.size(),
                budgets.size(), tune ? p.learningRates().size() : 0, p.seeds(), p.maxSteps(), p.threads());
        Progress progress = new Progress(log, "networks", total);
        List<Run> tuningRuns = runAll(tuningJobs, p, progress);
        List<Job> evaluation = new ArrayList<>();
        for (Target t : targets) {
            for (int budget : budgets) {
                for (Act act : acts) {
                    int width = widthFor(budget, t.dims(), act, p);
                    if (width < 1) {
                        continue;
                    }
                    double lr = p.learningRates().get(0);
                    if (tune) {
                        lr = tuningRuns.stream().filter(r -> r.target.equals(t.id()) && r.activation == act
                                        && r.budget == budget)
                                .min(Comparator.comparingDouble(r -> r.uniformError))
                                .map(r -> r.learningRate).orElse(lr);
                    }
                    for (int s = 0; s < p.seeds(); s++) {
                        evaluation.add(new Job(t, act, budget, width, seed(s, budget), lr, false));
                    }
                }
            }
        }
        List<Run> evaluationRuns = runAll(evaluation, p, progress);
        List<Run> all = new ArrayList<>(tuningRuns);
        all.addAll(evaluationRuns);
        List<Cell> cellList = new ArrayList<>();
        for (Target t : targets) {
            for (int budget : budgets) {
                for (Act act : acts) {
                    List<Run> runs = evaluationRuns.stream().filter(r -> r.target.equals(t.id())
                            && r.activation == act && r.budget == budget).toList();
                    if (!runs.isEmpty()) {
                        Run first = runs.get(0);
                        cellList.add(new Cell(t.id(), act, budget, first.width, first.parameters,
                                first.learningRate, runs));
                    }
                }
            }
        }
        return new Result(all, cellList, p);
    }

    private static List<Run> runAll(List<Job> jobs, Protocol p, Progress progress) {
        List<Callable<Run>> tasks = new ArrayList<>();
        for (Job j : jobs) {
            tasks.add(() -> {
                Run r = train(j.target(), j.act(), j.budget(), j.width(), j.seed(), j.lr(), j.tuning(), p);
                progress.step(String.format(Locale.ROOT, "%s / %s / %d params / lr %s%s: uniform error %.3g "
                                + "after %d steps%s (%.1fs)", r.target, r.activation.id(), r.parameters,
                        r.learningRate, r.tuning ? " (tuning)" : "", r.uniformError, r.steps,
                        r.converged ? ", converged" : "", r.seconds));
                return r;
            });
        }
        return inParallel(tasks, p.threads());
    }

    /**
     * Runs independent trainings {@code threads} at a time (native BLAS threads set to 1 meanwhile when more than
     * one runs at once) and returns their results in the order of {@code tasks}.
     */
    static <T> List<T> inParallel(List<Callable<T>> tasks, int threads) {
        if (tasks.isEmpty()) {
            return List.of();
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Environment.NativeThreads previous = threads > 1 ? Environment.NativeThreads.set(1) : null;
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) {
                futures.add(pool.submit(task));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get());
            }
            return out;
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

    /** Trainable parameters of a d → w → ... → w → 1 network (rational coefficients included). */
    public static long parameters(int inputs, int width, Act act, Protocol p) {
        long n = (long) inputs * width + width;                      // first dense layer
        n += (long) (p.depth() - 1) * ((long) width * width + width); // further hidden layers
        n += width + 1;                                              // output layer
        if (act == Act.RATIONAL) {
            n += (long) p.depth() * (p.degrees()[0] + 1 + p.degrees()[1]); // one coefficient set per layer
        }
        return n;
    }

    /** The largest width whose network fits the budget, or 0. */
    public static int widthFor(int budget, int inputs, Act act, Protocol p) {
        int w = 0;
        while (parameters(inputs, w + 1, act, p) <= budget) {
            w++;
        }
        return w;
    }

    /**
     * The network d → w → ... → w → 1: dense layers followed by the activation (for {@code RATIONAL}, an identity
     * dense layer followed by a {@link RationalActivationLayer} whose coefficients train at
     * {@code coefficientLr × lr}), a linear output and MSE loss, Adam at the constant learning rate lr (the
     * training loop lowers it on plateaus).
     */
    public static MultiLayerNetwork network(int inputs, int width, Act act, long seed, double lr, Protocol p) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(p.dataType())
                .updater(new Adam(lr))
                .list();
        for (int layer = 0; layer < p.depth(); layer++) {
            if (act == Act.RATIONAL) {
                b.layer(new DenseLayer.Builder().nOut(width).activation(Activation.IDENTITY).build());
                b.layer(new RationalActivationLayer.Builder()
                        .spec(p.rationalSpec())
                        .coefficientUpdater(new Adam(lr * p.coefficientLr()))
                        .build());
            } else {
                b.layer(new DenseLayer.Builder().nOut(width).activation(act.dl4j()).build());
            }
        }
        b.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1).activation(Activation.IDENTITY)
                .build());
        MultiLayerNetwork net = new MultiLayerNetwork(b.setInputType(InputType.feedForward(inputs)).build());
        net.init();
        return net;
    }

    /**
     * A rational network of exactly the trained architecture (d → w → w → 1, dense + rational layers of the
     * protocol's type, one coefficient set per layer) with explicit parameters that represents the target exactly:
     * the peak with w = 1 (R_1(u) = u², then R_2(v) = 1/(1 + v/η²)), the ridge with w = 3 (R_1(u) = u² of
     * (x, y + 1, y − 1), so ((y + 1)² − (y − 1)²)/4 − x² = y − x², then R_2(z) = 1/(1 + z²/η²)). |x| and the
     * random ReLU network have no exact rational representation (they have kinks).
     *
     * @param net        the network (float64)
     * @param parameters its parameter count
     * @param uniformError its uniform error on the evaluation grid
     */
    public record Exact(MultiLayerNetwork net, long parameters, double uniformError) {
    }

    /** Where the exact network carries the target's scale 1/η (the function is the same). */
    public enum ExactScale {
        /**
         * In the second rational layer's denominator coefficient (1/η²): every rational layer sees inputs in
         * [−2, 2], so no coefficient's gradient is amplified by a large power of its input.
         */
        COEFFICIENTS,
        /**
         * In the dense weights before the second rational layer (1/η² for the peak, 1/η for the ridge): that layer
         * sees inputs up to 1/η² (the peak) or about 2/η (the ridge), and its degree-k coefficients act on their
         * k-th powers.
         */
        WEIGHTS;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The exact representation of {@code t} in the trained architecture (scale in the coefficients), or null. */
    public static Exact exactRepresentation(Target t, Protocol p) {
        return exactRepresentation(t, p, ExactScale.COEFFICIENTS);
    }

    /** The exact representation of {@code t} in the trained architecture, or null if there is none. */
    public static Exact exactRepresentation(Target t, Protocol p, ExactScale scale) {
        int m = p.degrees()[0];
        int n = p.degrees()[1];
        if (p.depth() != 2 || m < 2 || n < 2 || !(t.id().equals("peak") || t.id().equals("ridge"))) {
            return null;
        }
        Protocol dp = p.inDouble();
        boolean peak = t.id().equals("peak");
        int w = peak ? 1 : 3;
        MultiLayerNetwork net = network(t.dims(), w, Act.RATIONAL, 1, 1e-3, dp);
        double eta = t.width();
        boolean inWeights = scale == ExactScale.WEIGHTS;
        double[] square = new double[m + 1];
        square[2] = 1;
        double[] one = new double[m + 1];
        one[0] = 1;
        double[] noDen = new double[n];
        double[] den1 = new double[n];
        // 1 + |c v| (peak, v >= 0) or 1 + |c z²|, c = 1/η² unless the weights carry the scale
        den1[peak ? 0 : 1] = inWeights ? 1 : 1 / (eta * eta);
        double[][] w0;
        double[][] b0;
        double[][] w2;
        if (peak) {
            w0 = new double[][]{{1}};
            b0 = new double[][]{{0}};
            w2 = new double[][]{{inWeights ? 1 / (eta * eta) : 1}};
        } else {
            double k = inWeights ? 1 / eta : 1;
            w0 = new double[][]{{1, 0, 0}, {0, 1, 1}};
            b0 = new double[][]{{0, 1, -1}};
            w2 = new double[][]{{-k, 0, 0}, {0.25 * k, 0, 0}, {-0.25 * k, 0, 0}};
        }
        double[][] wOut = new double[w][1];
        wOut[0][0] = 1;
        set(net, 0, "W", w0);
        set(net, 0, "b", b0);
        set(net, 1, RationalParamInitializer.NUMERATOR_KEY, new double[][]{square});
        set(net, 1, RationalParamInitializer.DENOMINATOR_KEY, new double[][]{noDen});
        set(net, 2, "W", w2);
        set(net, 2, "b", new double[1][w]);
        set(net, 3, RationalParamInitializer.NUMERATOR_KEY, new double[][]{one});
        set(net, 3, RationalParamInitializer.DENOMINATOR_KEY, new double[][]{den1});
        set(net, 4, "W", wOut);
        set(net, 4, "b", new double[][]{{0}});
        return new Exact(net, net.numParams(), uniformError(net, t));
    }

    /** The evaluation grid: 4001 points on [−1, 1] in 1-D, 201 × 201 in 2-D. */
    static INDArray evaluationGrid(Target t, DataType dataType) {
        return t.grid(t.dims() == 1 ? 4001 : 201).castTo(dataType);
    }

    /** max |net − f| on the evaluation grid, computed in float64 (+∞ if the network's output is not finite). */
    static double uniformError(MultiLayerNetwork net, Target t) {
        INDArray grid = evaluationGrid(t, net.params().dataType());
        double e = net.output(grid).castTo(DataType.DOUBLE).subi(t.values(grid).castTo(DataType.DOUBLE))
                .amaxNumber().doubleValue();
        return Double.isFinite(e) ? e : Double.POSITIVE_INFINITY;
    }

    private static void set(MultiLayerNetwork net, int layer, String key, double[][] values) {
        net.getLayer(layer).setParam(key, org.nd4j.linalg.factory.Nd4j.create(values).castTo(DataType.DOUBLE));
    }

    /**
     * Sets the learning rate of every layer with parameters; a rational layer's coefficients get
     * {@code coefficientLr × lr}. DL4J's {@code setLearningRate} changes a layer's own updater only, so the
     * coefficients' updater (its own object) is changed in place; the updater blocks hold that same object.
     */
    static void setLearningRate(MultiLayerNetwork net, double lr, Protocol p) {
        for (int i = 0; i < net.getnLayers(); i++) {
            if (net.getLayer(i).numParams() == 0) {
                continue;
            }
            if (net.getLayer(i).conf().getLayer() instanceof RationalActivationLayer r
                    && r.getCoefficientUpdater() != null) {
                r.getCoefficientUpdater().setLrAndSchedule(lr * p.coefficientLr(), null);
            } else {
                net.setLearningRate(i, lr);
            }
        }
    }

    static Run train(Target t, Act act, int budget, int width, long seed, double lr, boolean tuning, Protocol p) {
        long t0 = System.nanoTime();
        MultiLayerNetwork net = network(t.dims(), width, act, seed, lr, p);
        long expected = parameters(t.dims(), width, act, p);
        if (net.numParams() != expected) {
            throw new IllegalStateException("parameter count " + net.numParams() + " != expected " + expected);
        }
        return fit(net, t, act, budget, width, seed, lr, tuning, p, t0);
    }

    /**
     * Trains {@code net} (built for the protocol's data type, with Adam at learning rate lr) by the protocol: Adam
     * until the plateau criterion or the step cap, then the L-BFGS polish; measures it on the evaluation grid.
     * {@code t0} is the {@link System#nanoTime()} the run's time counts from.
     */
    static Run fit(MultiLayerNetwork net, Target t, Act act, int budget, int width, long seed, double lr,
                   boolean tuning, Protocol p, long t0) {
        INDArray x = t.grid(t.dims() == 1 ? p.points() : p.points2d()).castTo(p.dataType());
        DataSet train = new DataSet(x, t.values(x));
        List<CurvePoint> curve = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        double current = lr;
        int stall = 0;
        int drops = 0;
        boolean converged = false;
        double windowSum = 0;
        int windowCount = 0;
        int step = 0;
        while (step < p.maxSteps()) {
            net.fit(train);
            step++;
            windowSum += net.score();
            windowCount++;
            if (step % p.evalEvery() == 0) {
                double mean = windowSum / windowCount;
                windowSum = 0;
                windowCount = 0;
                curve.add(new CurvePoint(step, mean, current));
                if (!Double.isFinite(mean)) {
                    break;
                }
                if (mean < best * (1 - p.tolerance())) {
                    best = mean;
                    stall = 0;
                } else if (++stall >= p.patience()) {
                    if (drops == p.lrDrops()) {
                        converged = true;
                        break;
                    }
                    drops++;
                    current /= p.lrFactor();
                    setLearningRate(net, current, p);
                    stall = 0;
                }
            }
        }
        // the polish: full-batch L-BFGS from where Adam stopped, for every activation alike; its loss points
        // continue the curve at step (Adam steps + iteration), learning rate 0
        FullBatchLbfgs.Outcome polish = new FullBatchLbfgs.Outcome(0, Double.NaN, false);
        if (p.polish() > 0 && curve.stream().allMatch(c -> Double.isFinite(c.loss()))) {
            int adamSteps = step;
            int every = p.evalEvery();
            polish = FullBatchLbfgs.minimize(net, train, p.polish(), (i, loss) -> {
                if (i % every == 0) {
                    curve.add(new CurvePoint(adamSteps + i, loss, 0));
                }
            });
        }
        INDArray grid = evaluationGrid(t, p.dataType());
        INDArray diff = net.output(grid).castTo(DataType.DOUBLE).subi(t.values(grid).castTo(DataType.DOUBLE));
        double uniform = diff.amaxNumber().doubleValue();
        double rms = Math.sqrt(diff.mul(diff).meanNumber().doubleValue());
        if (!Double.isFinite(uniform)) {
            uniform = Double.POSITIVE_INFINITY;
        }
        List<Shape> shapes = act == Act.RATIONAL ? shapes(net, grid, p) : List.of();
        return new Run(t.id(), act, budget, width, net.numParams(), seed, lr, tuning, uniform, rms, step, converged,
                polish.iterations(), polish.stopped(), (System.nanoTime() - t0) / 1e9, shapes, curve);
    }

    /** The learned rational of every rational layer, with its initial function and its inputs' range. */
    static List<Shape> shapes(MultiLayerNetwork net, INDArray grid, Protocol p) {
        List<INDArray> activations = net.feedForward(grid, false); // [input, output of layer 0, ...]
        RationalFunction initial = p.rationalSpec().initialFunction();
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
}
