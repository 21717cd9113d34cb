package org.rationalnn.dl4j.monitor;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A {@code TrainingListener} that watches every rational of a MultiLayerNetwork or ComputationGraph while it trains
 * (all four rational layer types, found through {@link RationalSite}).
 *
 * <ul>
 * <li>Every {@link Builder#frequency(int)} iterations (default 10, and at the first), per rational: the range of its
 * inputs in the minibatch, the smallest |Q(x)| over them, the fraction outside the fit interval of its spec, the norms
 * of its numerator and denominator coefficients and their change (since the last report and since the start). As
 * {@link RationalStats} records ({@link #history()}, {@link #latest()}) and one INFO log line each (slf4j).</li>
 * <li>Version N (no pole protection): a WARN when min |Q| falls below {@link Builder#poleThreshold(double)}
 * (default 0.05) or Q changes sign over the inputs (a pole inside their range), before the outputs blow up.</li>
 * <li>Every iteration: NaN or infinity in a rational's output (from the forward pass) or in a coefficient gradient
 * (after the backward pass) stops training with a {@link RationalDivergenceException} naming the layer, the parameter
 * and the iteration ({@link Builder#stopOnNonFinite(boolean)}, default on).</li>
 * <li>A sample of each rational's inputs (reservoir, {@link Builder#sampleSize(int)} values) and the range seen so far,
 * for {@link RationalPlots}.</li>
 * </ul>
 *
 * <p>Inputs come from DL4J's {@code onForwardPass} activations: a layer's input is the previous layer's activation
 * (after the layer's preprocessor); {@link org.rationalnn.dl4j.samediff.RationalDense}'s rational sees x W + b,
 * recomputed from it. The rationals inside a {@link org.rationalnn.dl4j.transformer.RationalTransformerBlock} (the
 * RATIONAL_GLU gate, KAT's R1 and R2, rational attention) act on values internal to the block: on a reporting
 * iteration the block's forward pass is recomputed from its input ({@link RationalSite#rationalInputs}; one extra
 * forward pass of the block, for either execution, with the iteration's masks and dropout multipliers), and
 * positions the masks exclude (padding, causally hidden scores) are not counted.
 *
 * <pre>{@code
 * RationalMonitor monitor = RationalMonitor.builder().frequency(50).build();
 * net.addListeners(monitor);
 * net.fit(train);
 * RationalPlots.write(net, monitor, Paths.get("rationals.png"));
 * }</pre>
 */
public final class RationalMonitor extends BaseTrainingListener {
    private static final Logger LOG = LoggerFactory.getLogger(RationalMonitor.class);

    private final int frequency;
    private final double poleThreshold;
    private final boolean stopOnNonFinite;
    private final int sampleSize;
    private final long maxElements;
    private final int maxHistory;
    private final boolean log;

    private final List<RationalStats> history = new ArrayList<>();
    private final Map<String, RationalStats> latest = new LinkedHashMap<>();
    private final Map<String, Track> tracks = new LinkedHashMap<>();
    /** The rationals of the model seen last (a monitor may follow a network into its converted or unfrozen copy). */
    private Model lastModel;
    private List<RationalSite> lastSites;
    private final Random random = new Random(12345);

    /** What the monitor keeps about one rational between iterations. */
    private static final class Track {
        double[] initial;
        double[] previousNumerator;
        double[] previousDenominator;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double[] sample;
        int sampled;
        long seen;
    }

    private RationalMonitor(Builder b) {
        this.frequency = b.frequency;
        this.poleThreshold = b.poleThreshold;
        this.stopOnNonFinite = b.stopOnNonFinite;
        this.sampleSize = b.sampleSize;
        this.maxElements = b.maxElements;
        this.maxHistory = b.maxHistory;
        this.log = b.log;
    }

    /**
     * A new builder.
     *
     * @return a builder with the defaults listed on its methods
     */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------------------------------------------
    // Results

    /**
     * Every record so far, oldest first.
     *
     * @return an unmodifiable copy of at most {@link Builder#maxHistory(int)} records (the oldest are dropped)
     */
    public synchronized List<RationalStats> history() {
        return List.copyOf(history);
    }

    /**
     * The latest record of every rational.
     *
     * @return an unmodifiable copy, by {@link RationalSite#name()}, in the order the rationals were first seen
     */
    public synchronized Map<String, RationalStats> latest() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(latest));
    }

    /**
     * The records of one rational, oldest first.
     *
     * @param rational the rational's {@link RationalSite#name()}
     * @return its records still in the history; empty for an unknown name
     */
    public synchronized List<RationalStats> history(String rational) {
        return history.stream().filter(s -> s.name().equals(rational)).toList();
    }

    /**
     * The smallest and largest input seen so far by one rational.
     *
     * @param rational the rational's {@link RationalSite#name()}
     * @return a new array {min, max}, or null if no input of it was observed
     */
    public synchronized double[] inputRange(String rational) {
        Track t = tracks.get(rational);
        return t == null || t.seen == 0 ? null : new double[]{t.min, t.max};
    }

    /**
     * A uniform sample of the inputs seen so far by one rational (for plots).
     *
     * @param rational the rational's {@link RationalSite#name()}
     * @return a copy of at most {@link Builder#sampleSize(int)} values; empty if none was observed
     */
    public synchronized double[] inputSample(String rational) {
        Track t = tracks.get(rational);
        return t == null || t.sample == null ? new double[0] : java.util.Arrays.copyOf(t.sample, t.sampled);
    }

    /** The coefficients (numerator sets then denominator sets, flattened) when the monitor first saw them, or null. */
    synchronized double[] initialCoefficients(String rational) {
        Track t = tracks.get(rational);
        return t == null || t.initial == null ? null : t.initial.clone();
    }

    // ------------------------------------------------------------------------------------------------------
    // Listener

    private List<RationalSite> sites(Model model) {
        if (model != lastModel) {
            lastSites = RationalSite.find(model);
            lastModel = model;
        }
        return lastSites;
    }

    private static int iteration(Model model) {
        if (model instanceof MultiLayerNetwork) {
            return ((MultiLayerNetwork) model).getIterationCount();
        }
        return model instanceof ComputationGraph ? ((ComputationGraph) model).getIterationCount() : 0;
    }

    private static int epoch(Model model) {
        if (model instanceof MultiLayerNetwork) {
            return ((MultiLayerNetwork) model).getEpochCount();
        }
        return model instanceof ComputationGraph ? ((ComputationGraph) model).getEpochCount() : 0;
    }

    @Override
    public void onForwardPass(Model model, List<INDArray> activations) {
        forward(model, site -> {
            INDArray in = site.index() < activations.size() ? activations.get(site.index()) : null;
            if (in != null && site.preProcessor() != null) {
                in = site.preProcessor().preProcess(in.dup(), (int) in.size(0), LayerWorkspaceMgr.noWorkspaces());
            }
            return in;
        }, site -> site.index() + 1 < activations.size() ? activations.get(site.index() + 1) : null);
    }

    @Override
    public void onForwardPass(Model model, Map<String, INDArray> activations) {
        forward(model, site -> {
            INDArray in = site.inputVertex() == null ? null : activations.get(site.inputVertex());
            if (in != null && site.preProcessor() != null) {
                in = site.preProcessor().preProcess(in.dup(), (int) in.size(0), LayerWorkspaceMgr.noWorkspaces());
            }
            return in;
        }, site -> activations.get(site.layerName()));
    }

    private synchronized void forward(Model model, java.util.function.Function<RationalSite, INDArray> input,
                                      java.util.function.Function<RationalSite, INDArray> output) {
        int iteration = iteration(model);
        boolean report = iteration % frequency == 0;
        // the inputs of every rational of a layer, computed once per layer (a transformer block holds several)
        Map<String, Map<String, INDArray>> perLayer = new LinkedHashMap<>();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (RationalSite site : sites(model)) {
                INDArray out = output.apply(site);
                if (stopOnNonFinite && out != null && nonFinite(out)) {
                    INDArray in = input.apply(site);
                    boolean inputBad = in != null && nonFinite(in);
                    throw new RationalDivergenceException(site.name(), RationalDivergenceException.OUTPUT, iteration,
                            "rational layer '" + site.layerName() + "' (" + site.kind() + "): its output contains NaN or "
                                    + "infinity at iteration " + iteration + (inputBad ? " (its input already does: the "
                                    + "problem is upstream)" : " (its input is finite)"));
                }
                Track t = tracks.computeIfAbsent(site.name(), k -> new Track());
                if (t.initial == null) {
                    t.initial = concat(flat(site.numerator()), flat(site.denominator()));
                }
                if (report) {
                    INDArray x = null;
                    if (site.inputObservable()) {
                        x = perLayer.computeIfAbsent(site.layerName(), k -> {
                            INDArray in = input.apply(site);
                            return in == null ? Map.of() : site.rationalInputs(in);
                        }).get(site.slot().name());
                    }
                    record(stats(site, t, x == null || x.isEmpty() ? null : x, iteration, epoch(model)));
                }
            }
        }
    }

    @Override
    public synchronized void onGradientCalculation(Model model) {
        if (!stopOnNonFinite) {
            return;
        }
        Gradient g = model.gradient();
        if (g == null) {
            return;
        }
        Map<String, INDArray> grads = g.gradientForVariable();
        int iteration = iteration(model);
        for (RationalSite site : sites(model)) {
            String prefix = site.index() >= 0 ? site.index() + "_" : site.layerName() + "_";
            for (String key : List.of(site.slot().numeratorKey(), site.slot().denominatorKey())) {
                INDArray grad = grads.get(prefix + key);
                if (grad != null && nonFinite(grad)) {
                    throw new RationalDivergenceException(site.name(), key, iteration, "rational layer '"
                            + site.layerName() + "' (" + site.kind() + "): the gradient of parameter '" + key + "' ("
                            + prefix + key + ") contains NaN or infinity at iteration " + iteration);
                }
            }
        }
    }

    private static boolean nonFinite(INDArray a) {
        return BooleanIndexing.or(a, Conditions.isNan()) || BooleanIndexing.or(a, Conditions.isInfinite());
    }

    private void record(RationalStats s) {
        history.add(s);
        if (history.size() > maxHistory) {
            history.remove(0);
        }
        latest.put(s.name(), s);
        if (s.poleWarning()) {
            LOG.warn("{}", s.summary());
        } else if (log) {
            LOG.info("{}", s.summary());
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Statistics

    private static double[] flat(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    private static double[] concat(double[] a, double[] b) {
        double[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static double norm(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    private static double distance(double[] a, double[] b) {
        if (a == null || b == null || a.length != b.length) {
            return Double.NaN;
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    private RationalStats stats(RationalSite site, Track t, INDArray x, int iteration, int epoch) {
        double[] num = flat(site.numerator());
        double[] den = flat(site.denominator());
        int sets = (int) site.numerator().size(0);
        RationalVersion v = site.slot().version();
        double numChange = distance(num, t.previousNumerator);
        double denChange = distance(den, t.previousDenominator);
        t.previousNumerator = num;
        t.previousDenominator = den;
        double sinceStart = distance(concat(num, den), t.initial);

        double lo = Double.NaN;
        double hi = Double.NaN;
        long elements = 0;
        double minAbsQ = Double.NaN;
        int minSet = -1;
        boolean signChange = false;
        double outside = Double.NaN;
        if (x != null) {
            double[][] q = new double[sets][];
            for (int s = 0; s < sets; s++) {
                q[s] = site.function(s).denominator();
            }
            double[] values = flat(x);
            long[] shape = x.shape();
            int rank = shape.length;
            boolean last = site.channelsLast(rank);
            long channels = rank < 2 ? 1 : shape[last ? rank - 1 : 1];
            long inner = 1;
            if (!last) {
                for (int d = 2; d < rank; d++) {
                    inner *= shape[d];
                }
            }
            long perSet = Math.max(1, channels / sets);
            int stride = (int) Math.max(1, (values.length + maxElements - 1) / maxElements);
            double[] iv = site.fitInterval();
            long out = 0;
            lo = Double.POSITIVE_INFINITY;
            hi = Double.NEGATIVE_INFINITY;
            minAbsQ = Double.POSITIVE_INFINITY;
            double qMin = Double.POSITIVE_INFINITY;
            double qMax = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < values.length; i += stride) {
                double xi = values[i];
                long c = sets == 1 ? 0 : (last ? i % channels : (i / inner) % channels);
                int s = sets == 1 ? 0 : (int) Math.min(sets - 1, c / perSet);
                double qi = v.denominator(xi, q[s]);
                if (Math.abs(qi) < minAbsQ) {
                    minAbsQ = Math.abs(qi);
                    minSet = s;
                }
                qMin = Math.min(qMin, qi);
                qMax = Math.max(qMax, qi);
                lo = Math.min(lo, xi);
                hi = Math.max(hi, xi);
                if (iv != null && (xi < iv[0] || xi > iv[1])) {
                    out++;
                }
                elements++;
                sample(t, xi);
            }
            signChange = v == RationalVersion.N && qMin < 0 && qMax > 0;
            outside = iv == null ? Double.NaN : (double) out / Math.max(1, elements);
            t.min = Math.min(t.min, lo);
            t.max = Math.max(t.max, hi);
        }
        boolean pole = v == RationalVersion.N && (signChange || minAbsQ < poleThreshold);
        return new RationalStats(iteration, epoch, site.name(), v, sets, lo, hi, elements, minAbsQ, minSet, signChange,
                outside, norm(num), norm(den), numChange, denChange, sinceStart, pole);
    }

    /** Reservoir sampling (Algorithm R) of the inputs. */
    private void sample(Track t, double x) {
        if (t.sample == null) {
            t.sample = new double[sampleSize];
        }
        t.seen++;
        if (t.sampled < sampleSize) {
            t.sample[t.sampled++] = x;
        } else {
            long j = (long) (random.nextDouble() * t.seen);
            if (j < sampleSize) {
                t.sample[(int) j] = x;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------

    /** Options; defaults as listed on {@link RationalMonitor}. */
    public static final class Builder {
        private int frequency = 10;
        private double poleThreshold = 0.05;
        private boolean stopOnNonFinite = true;
        private int sampleSize = 4096;
        private long maxElements = 1 << 20;
        private int maxHistory = 100_000;
        private boolean log = true;

        private Builder() {
        }

        /**
         * How often statistics are taken.
         *
         * @param n every n iterations, ≥ 1; default 10
         * @return this builder
         * @throws IllegalArgumentException if {@code n} &lt; 1
         */
        public Builder frequency(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("frequency must be in [1, " + Integer.MAX_VALUE + "], got " + n);
            }
            frequency = n;
            return this;
        }

        /**
         * Version N only: warn when min |Q| over the inputs falls below this.
         *
         * @param threshold finite, ≥ 0; default 0.05
         * @return this builder
         * @throws IllegalArgumentException if {@code threshold} is negative, infinite or NaN
         */
        public Builder poleThreshold(double threshold) {
            if (!(threshold >= 0) || Double.isInfinite(threshold)) {
                throw new IllegalArgumentException("pole threshold must be finite and in [0, ∞), got " + threshold);
            }
            poleThreshold = threshold;
            return this;
        }

        /**
         * Whether NaN/Inf in a rational's output or coefficient gradient stops training with a
         * {@link RationalDivergenceException}.
         *
         * @param stop true to stop; default true
         * @return this builder
         */
        public Builder stopOnNonFinite(boolean stop) {
            stopOnNonFinite = stop;
            return this;
        }

        /**
         * Inputs kept per rational for plots ({@link RationalMonitor#inputSample(String)}).
         *
         * @param n sample size ≥ 1; default 4096
         * @return this builder
         * @throws IllegalArgumentException if {@code n} &lt; 1
         */
        public Builder sampleSize(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("sample size must be in [1, " + Integer.MAX_VALUE + "], got " + n);
            }
            sampleSize = n;
            return this;
        }

        /**
         * At most this many input values examined per rational and report; larger inputs are strided.
         *
         * @param n element count ≥ 1; default 2^20
         * @return this builder
         * @throws IllegalArgumentException if {@code n} &lt; 1
         */
        public Builder maxElements(long n) {
            if (n < 1) {
                throw new IllegalArgumentException("max elements must be in [1, " + Long.MAX_VALUE + "], got " + n);
            }
            maxElements = n;
            return this;
        }

        /**
         * Records kept; beyond it the oldest are dropped.
         *
         * @param n record count ≥ 1; default 100,000
         * @return this builder
         * @throws IllegalArgumentException if {@code n} &lt; 1
         */
        public Builder maxHistory(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("max history must be in [1, " + Integer.MAX_VALUE + "], got " + n);
            }
            maxHistory = n;
            return this;
        }

        /**
         * Whether every record is logged at INFO (pole warnings are always logged at WARN).
         *
         * @param enabled true to log; default true
         * @return this builder
         */
        public Builder log(boolean enabled) {
            log = enabled;
            return this;
        }

        /**
         * Builds the monitor; attach it with {@code network.addListeners(monitor)}.
         *
         * @return a new monitor with no records
         */
        public RationalMonitor build() {
            return new RationalMonitor(this);
        }
    }
}
