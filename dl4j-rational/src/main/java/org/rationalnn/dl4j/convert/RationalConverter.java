package org.rationalnn.dl4j.convert;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.util.ComputationGraphUtil;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.rationalnn.dl4j.convert.NetworkSurgery.Plan;
import org.rationalnn.dl4j.convert.NetworkSurgery.Planned;
import org.rationalnn.dl4j.layers.RationalActivationLayer;
import org.rationalnn.dl4j.rational.FitResult;
import org.rationalnn.dl4j.rational.RationalFit;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Predicate;

/**
 * Converts an existing (typically trained) {@code MultiLayerNetwork} or {@code ComputationGraph} into a new network in
 * which chosen fixed activations are trainable rationals R(x) = P(x)/Q(x) (arXiv:2602.12390, PAU arXiv:1907.06732),
 * initialised to fit DL4J's own activation on the range of pre-activations the layer actually sees. Everything else
 * is carried over: parameters, updater state (Adam's moments, momentum, ...) of every parameter whose updater is
 * unchanged, preprocessors, masks, layer names, iteration and epoch counts, training settings.
 *
 * <pre>{@code
 * Conversion<MultiLayerNetwork> c = RationalConverter.builder()
 *         .calibration(trainIterator)        // pre-activation ranges (default: first 16 batches)
 *         .trainOnlyRationals(true)          // freeze everything else (FrozenLayerWithBackprop)
 *         .paperRecipe()                     // coefficients at half the learning rate
 *         .build()
 *         .convert(trainedNet);
 * MultiLayerNetwork rational = c.network();
 * System.out.println(c.report());            // fit errors, output bound, measured output difference
 * }</pre>
 *
 * <p><b>What is replaced.</b> A layer's activation is replaced when the layer passes every filter that is set:
 * {@link Builder#layers(String...)} (names), {@link Builder#layerTypes(Class[])} (configuration classes),
 * {@link Builder#activations(Class[])} (default {@link Dl4jActivations#DEFAULT_CONVERTIBLE}: ReLU, LeakyReLU, ELU,
 * SELU, GELU, SiLU/Swish, Mish, Softplus, tanh, sigmoid) and {@link Builder#where(Predicate)} (which, when given,
 * decides instead of the activation filter). A {@code DenseLayer}, {@code ConvolutionLayer} or any other DL4J
 * {@code BaseLayer} keeps its name with an identity activation and is followed by a {@link RationalActivationLayer}
 * named {@code <name>_rational}; an {@code ActivationLayer} is replaced by a rational layer of the same name. Output
 * and loss layers are never converted. A selected layer whose activation cannot be split out (inside a recurrent
 * cell such as LSTM or SimpleRnn, inside a wrapper, a frozen layer, a non-element-wise activation) is listed in
 * {@link ConversionReport#notConvertible()} with the reason rather than silently skipped.
 *
 * <p><b>Initial coefficients.</b> One near-minimax fit per replaced layer ({@link RationalFit} on a function that
 * evaluates DL4J's activation itself, so LeakyReLU's slope or DL4J's GELU form are exactly DL4J's) of type
 * {@link Builder#degrees(int, int)} (default (5, 4)) and {@link Builder#version(RationalVersion)} (default B), on
 * the interval from the calibration data ({@link Builder#calibration(DataSetIterator)}: min and max of the layer's
 * pre-activations, widened by {@link Builder#margin(double)} of their width on each side (default 0.1) and rounded
 * outward to two significant digits) or on a given {@link Builder#fitInterval(double, double)}; every coefficient set
 * ({@link Builder#sharing(Sharing)}, default LAYER) starts from it.
 *
 * <p><b>Fidelity.</b> See {@link ConversionReport}: per layer the fit error and deviation bounds, for the network a
 * bound on the output difference chained through Lipschitz constants, and the measured largest output difference on
 * the calibration data.
 *
 * <p><b>Training options.</b> {@link Builder#trainOnlyRationals(boolean)} wraps every other layer with parameters
 * (output layer included) in DL4J's {@code FrozenLayerWithBackprop}, so only the rationals train while gradients
 * still flow through the frozen layers (which DL4J runs in inference mode: no dropout, batch normalization with its
 * stored statistics); frozen layers start from a zero updater state (DL4J still runs their updater on a zero
 * gradient, so carried-over momentum would move them). {@link #unfreeze(MultiLayerNetwork)} makes everything
 * trainable again afterwards. The rational layers take the updater of the layer they came from (or
 * {@link Builder#rationalUpdater(IUpdater)}); {@link Builder#coefficientUpdater(IUpdater)} or
 * {@link Builder#coefficientLearningRateFactor(double)} (the paper's recipe, {@link Builder#paperRecipe()}: 0.5)
 * give the coefficients their own updater.
 */
public final class RationalConverter {
    private static final Logger LOG = LoggerFactory.getLogger(RationalConverter.class);

    /** Default number of calibration minibatches read from an iterator. */
    public static final int DEFAULT_CALIBRATION_BATCHES = 16;
    /** Default widening of the observed pre-activation range, as a fraction of its width on each side. */
    public static final double DEFAULT_MARGIN = 0.1;

    private final Set<String> names;
    private final List<Class<?>> types;
    private final Set<Class<? extends IActivation>> activations;
    private final Predicate<ConversionCandidate> predicate;
    private final RationalVersion version;
    private final int numeratorDegree;
    private final int denominatorDegree;
    private final Sharing sharing;
    private final int groups;
    private final double margin;
    private final double fixedLower;
    private final double fixedUpper;
    private final DataSetIterator dataIterator;
    private final MultiDataSetIterator multiIterator;
    private final int calibrationBatches;
    private final boolean trainOnlyRationals;
    private final IUpdater rationalUpdater;
    private final IUpdater coefficientUpdater;
    private final double coefficientFactor;
    private final boolean copyUpdaterState;
    private final InputType[] inputTypes;

    private RationalConverter(Builder b) {
        this.names = new LinkedHashSet<>(b.names);
        this.types = List.copyOf(b.types);
        this.activations = b.activations == null ? null : Set.copyOf(b.activations);
        this.predicate = b.predicate;
        this.version = b.version;
        this.numeratorDegree = b.numeratorDegree;
        this.denominatorDegree = b.denominatorDegree;
        this.sharing = b.sharing;
        this.groups = b.groups;
        this.margin = b.margin;
        this.fixedLower = b.fixedLower;
        this.fixedUpper = b.fixedUpper;
        this.dataIterator = b.dataIterator;
        this.multiIterator = b.multiIterator;
        this.calibrationBatches = b.calibrationBatches;
        this.trainOnlyRationals = b.trainOnlyRationals;
        this.rationalUpdater = b.rationalUpdater;
        this.coefficientUpdater = b.coefficientUpdater;
        this.coefficientFactor = b.coefficientFactor;
        this.copyUpdaterState = b.copyUpdaterState;
        this.inputTypes = b.inputTypes;
    }

    /**
     * A new builder.
     *
     * @return a builder with the defaults listed on {@link Builder}'s methods
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Converts a MultiLayerNetwork. The original is not modified.
     *
     * @param net the network to convert, initialised
     * @return the new, initialised network and a report of what was replaced, the fit errors, the output bound and
     *         the output difference measured on the calibration data (NaN without calibration data)
     * @throws NullPointerException     if {@code net} is null
     * @throws IllegalStateException    if neither calibration data nor a fit interval was given
     * @throws IllegalArgumentException if CHANNEL/GROUP sharing is asked for and a layer's channel count cannot be
     *                                  determined, or the calibration data do not fit the network
     */
    public Conversion<MultiLayerNetwork> convert(MultiLayerNetwork net) {
        Objects.requireNonNull(net, "network");
        Plan plan = plan(NetworkSurgery.candidates(net), net);
        List<MultiDataSet> batches = batches(false);
        MultiLayerConfiguration src = net.getLayerWiseConfigurations();
        if (!batches.isEmpty() && !plan.planned().isEmpty()) {
            MultiLayerNetwork probe = new MultiLayerNetwork(NetworkSurgery.transform(src, plan, this::probeLayer,
                    false, new ArrayList<>()));
            probe.init();
            NetworkSurgery.copyParams(net, probe);
            Fidelity.record(probe, plan, batches);
        }
        Map<String, InputType> types = inputTypesMln(src);
        fit(plan, types, defaultUpdater(src.getConfs().stream().map(c -> c.getLayer()).toList()));
        List<String> frozen = new ArrayList<>();
        MultiLayerNetwork out = new MultiLayerNetwork(NetworkSurgery.transform(src, plan, this::rationalLayer,
                trainOnlyRationals, frozen));
        out.init();
        NetworkSurgery.copyParams(net, out);
        int state = copyUpdaterState ? NetworkSurgery.copyUpdaterState(net, out, frozen) : 0;
        Fidelity.Bound bound = Fidelity.bound(net, plan);
        double measured = batches.isEmpty() || plan.planned().isEmpty() ? (batches.isEmpty() ? Double.NaN : 0.0)
                : Fidelity.measure(net, out, batches);
        return new Conversion<>(out, report(plan, bound, measured, batches, frozen, state));
    }

    /**
     * Converts a ComputationGraph. The original is not modified. Calibration data from a {@link DataSetIterator} are
     * used for single-input graphs.
     *
     * @param graph the graph to convert, initialised
     * @return the new, initialised graph and its report (see {@link #convert(MultiLayerNetwork)})
     * @throws NullPointerException     if {@code graph} is null
     * @throws IllegalStateException    if neither calibration data nor a fit interval was given
     * @throws IllegalArgumentException as {@link #convert(MultiLayerNetwork)}
     */
    public Conversion<ComputationGraph> convert(ComputationGraph graph) {
        Objects.requireNonNull(graph, "graph");
        Plan plan = plan(NetworkSurgery.candidates(graph), graph);
        List<MultiDataSet> batches = batches(true);
        ComputationGraphConfiguration src = graph.getConfiguration();
        if (!batches.isEmpty() && !plan.planned().isEmpty()) {
            ComputationGraph probe = new ComputationGraph(NetworkSurgery.transform(src, plan, this::probeLayer,
                    false, new ArrayList<>()));
            probe.init();
            NetworkSurgery.copyParams(graph, probe);
            Fidelity.record(probe, plan, batches);
        }
        Map<String, InputType> types = inputTypesGraph(src);
        List<Layer> layers = new ArrayList<>();
        for (GraphVertex v : src.getVertices().values()) {
            if (v instanceof LayerVertex) {
                layers.add(((LayerVertex) v).getLayerConf().getLayer());
            }
        }
        fit(plan, types, defaultUpdater(layers));
        List<String> frozen = new ArrayList<>();
        ComputationGraph out = new ComputationGraph(NetworkSurgery.transform(src, plan, this::rationalLayer,
                trainOnlyRationals, frozen));
        out.init();
        NetworkSurgery.copyParams(graph, out);
        int state = copyUpdaterState ? NetworkSurgery.copyUpdaterState(graph, out, frozen) : 0;
        Fidelity.Bound bound = Fidelity.bound(graph, plan);
        double measured = batches.isEmpty() || plan.planned().isEmpty() ? (batches.isEmpty() ? Double.NaN : 0.0)
                : Fidelity.measure(graph, out, batches);
        return new Conversion<>(out, report(plan, bound, measured, batches, frozen, state));
    }

    /**
     * A new network with every layer trainable again: each {@code FrozenLayerWithBackprop} (or {@code FrozenLayer})
     * replaced by the layer it wraps, with parameters and updater state carried over (the frozen layers' state is
     * zero, the rationals keep theirs). The step after {@link Builder#trainOnlyRationals(boolean)}: fine-tune the
     * rationals first, then everything.
     *
     * @param net a network (typically a conversion's result with frozen layers); not modified
     * @return a new, initialised network without frozen wrappers and with the same parameters and updater state
     */
    public static MultiLayerNetwork unfreeze(MultiLayerNetwork net) {
        MultiLayerNetwork out = new MultiLayerNetwork(NetworkSurgery.unfrozen(net.getLayerWiseConfigurations()));
        out.init();
        NetworkSurgery.copyParams(net, out);
        NetworkSurgery.copyUpdaterState(net, out, List.of());
        return out;
    }

    /**
     * The ComputationGraph counterpart of {@link #unfreeze(MultiLayerNetwork)}.
     *
     * @param graph a graph; not modified
     * @return a new, initialised graph without frozen wrappers and with the same parameters and updater state
     */
    public static ComputationGraph unfreeze(ComputationGraph graph) {
        ComputationGraph out = new ComputationGraph(NetworkSurgery.unfrozen(graph.getConfiguration()));
        out.init();
        NetworkSurgery.copyParams(graph, out);
        NetworkSurgery.copyUpdaterState(graph, out, List.of());
        return out;
    }

    // ------------------------------------------------------------------------------------------------------
    // Selection

    private boolean explicitlyChosen(ConversionCandidate c) {
        return names.contains(c.name()) || (predicate != null && predicate.test(c));
    }

    private boolean passesFilters(ConversionCandidate c) {
        if (!names.isEmpty() && !names.contains(c.name())) {
            return false;
        }
        if (!types.isEmpty()) {
            Layer inner = NetworkSurgery.inner(c.layer());
            if (types.stream().noneMatch(t -> t.isInstance(c.layer()) || t.isInstance(inner))) {
                return false;
            }
        }
        if (predicate != null) {
            return predicate.test(c);
        }
        return activationSelected(c.activation()) || activationSelected(NetworkSurgery.gateActivationOf(c.layer()));
    }

    private boolean activationSelected(IActivation a) {
        if (a == null) {
            return false;
        }
        return activations == null ? Dl4jActivations.isDefaultConvertible(a) : activations.contains(a.getClass());
    }

    private Plan plan(List<ConversionCandidate> candidates, Model net) {
        Set<String> used = NetworkSurgery.usedNames(net);
        List<Planned> planned = new ArrayList<>();
        List<NotConvertible> not = new ArrayList<>();
        for (ConversionCandidate c : candidates) {
            if (c.output() && names.contains(c.name())) {
                not.add(new NotConvertible(c.name(), c.layerType(), NetworkSurgery.describeActivations(c),
                        NetworkSurgery.whyNot(c)));
                continue;
            }
            boolean selected = passesFilters(c);
            if (!selected) {
                if (names.contains(c.name())) {
                    not.add(new NotConvertible(c.name(), c.layerType(), NetworkSurgery.describeActivations(c),
                            "its activation is not among the selected ones (" + (activations == null
                            ? "default: " + Dl4jActivations.DEFAULT_CONVERTIBLE.stream().map(Class::getSimpleName)
                            .toList() : activations.stream().map(Class::getSimpleName).toList())
                            + "); add it with activations(...)"));
                }
                continue;
            }
            String why = NetworkSurgery.whyNot(c);
            if (why != null) {
                if (!c.output() || explicitlyChosen(c)) {
                    if (!(c.layer() instanceof org.rationalnn.dl4j.common.RationalLayer)) {
                        not.add(new NotConvertible(c.name(), c.layerType(), NetworkSurgery.describeActivations(c),
                                why));
                    }
                }
                continue;
            }
            boolean whole = NetworkSurgery.inner(c.layer()) instanceof ActivationLayer;
            String rationalName = c.name();
            if (!whole) {
                rationalName = c.name() + NetworkSurgery.RATIONAL_SUFFIX;
                for (int k = 2; used.contains(rationalName); k++) {
                    rationalName = c.name() + NetworkSurgery.RATIONAL_SUFFIX + k;
                }
                used.add(rationalName);
            }
            planned.add(new Planned(c, whole, rationalName));
        }
        reportNamesWithoutActivation(candidates, net, not);
        return new Plan(planned, not);
    }

    /**
     * Names given to {@link Builder#layers} that are not candidates: a layer or vertex that applies no activation is
     * reported as not convertible; a name the network does not have is an error.
     */
    private void reportNamesWithoutActivation(List<ConversionCandidate> candidates, Model net,
                                              List<NotConvertible> not) {
        Set<String> candidateNames = new HashSet<>();
        for (ConversionCandidate c : candidates) {
            candidateNames.add(c.name());
        }
        Map<String, String> types = NetworkSurgery.layerTypes(net);
        for (String n : names) {
            if (candidateNames.contains(n)) {
                continue;
            }
            String type = types.get(n);
            if (type == null) {
                throw new IllegalArgumentException("layers(...) names '" + n + "', but the network has no layer or "
                        + "vertex of that name; its names are " + types.keySet());
            }
            not.add(new NotConvertible(n, type, "none applied", "DL4J applies no activation in a " + type
                    + " (BatchNormalization, DropoutLayer and PReLULayer ignore the one in their configuration)"));
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Calibration data

    private List<MultiDataSet> batches(boolean graph) {
        List<MultiDataSet> out = new ArrayList<>();
        if (dataIterator != null) {
            if (dataIterator.resetSupported()) {
                dataIterator.reset();
            }
            while (dataIterator.hasNext() && out.size() < calibrationBatches) {
                org.nd4j.linalg.dataset.DataSet ds = dataIterator.next();
                ds.detach();
                out.add(ComputationGraphUtil.toMultiDataSet(ds));
            }
        } else if (multiIterator != null) {
            if (multiIterator.resetSupported()) {
                multiIterator.reset();
            }
            while (multiIterator.hasNext() && out.size() < calibrationBatches) {
                MultiDataSet m = multiIterator.next();
                m.detach();
                if (!graph && m.numFeatureArrays() != 1) {
                    throw new IllegalArgumentException("a MultiLayerNetwork takes one input, but the calibration "
                            + "MultiDataSet has " + m.numFeatureArrays() + " feature arrays");
                }
                out.add(m);
            }
        }
        if (out.isEmpty() && Double.isNaN(fixedLower)) {
            throw new IllegalStateException("RationalConverter needs calibration data (calibration(...)) or a fit "
                    + "interval (fitInterval(lo, hi)) to know where to fit the rationals");
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------------
    // Fits and the new layers

    /** The fit interval of a planned layer: the given one, or the observed range widened and rounded outward. */
    private double[] interval(Planned p) {
        if (!Double.isNaN(fixedLower)) {
            return new double[]{fixedLower, fixedUpper};
        }
        if (!p.observed()) {
            throw new IllegalStateException("layer '" + p.name() + "': no calibration values observed");
        }
        return widen(p.min, p.max, margin);
    }

    /** [lo, hi] widened by margin × width on each side and rounded outward to two significant digits of the width. */
    static double[] widen(double lo, double hi, double margin) {
        double width = hi - lo;
        double scale = Math.max(1.0, Math.max(Math.abs(lo), Math.abs(hi)));
        if (width < 1e-3 * scale) {
            double mid = 0.5 * (lo + hi);
            lo = mid - 0.5e-3 * scale;
            hi = mid + 0.5e-3 * scale;
            width = hi - lo;
        }
        double a = lo - margin * width;
        double b = hi + margin * width;
        int e = (int) Math.floor(Math.log10(b - a)) - 1;
        if (e < 0) {
            double inv = Math.pow(10, -e);   // a/inv, not a*step: -34 / 10 is -3.4, -34 * 0.1 is not
            a = Math.floor(a * inv) / inv;
            b = Math.ceil(b * inv) / inv;
        } else {
            double step = Math.pow(10, e);
            a = Math.floor(a / step) * step;
            b = Math.ceil(b / step) * step;
        }
        double limit = RationalSpec.MAX_FIT_BOUND;
        return new double[]{Math.max(-limit, a), Math.min(limit, b)};
    }

    /** Fits by (activation, interval, version, degrees), shared by all converters; cleared when it grows large. */
    private static final Map<FitKey, FitResult> FITS = new java.util.concurrent.ConcurrentHashMap<>();

    private record FitKey(IActivation activation, double lower, double upper, RationalVersion version, int m, int n) {
    }

    private void fit(Plan plan, Map<String, InputType> types, IUpdater fallbackUpdater) {
        for (Planned p : plan.planned()) {
            double[] iv = interval(p);
            p.lower = iv[0];
            p.upper = iv[1];
            IActivation act = p.candidate.activation();
            DoubleUnaryOperator f = Dl4jActivations.function(act);
            FitKey key = new FitKey(act, iv[0], iv[1], version, numeratorDegree, denominatorDegree);
            p.fit = FITS.get(key);
            if (p.fit == null) {
                p.fit = RationalFit.fit(f, version, numeratorDegree, denominatorDegree, iv[0], iv[1]);
                if (FITS.size() > 256) {
                    FITS.clear();
                }
                FITS.put(key, p.fit);
            }
            double bound = p.fit.uniformError();
            if (p.observed() && (p.min < p.lower || p.max > p.upper)) {
                double lo = Math.max(-RationalSpec.MAX_FIT_BOUND, Math.min(p.min, p.lower));
                double hi = Math.min(RationalSpec.MAX_FIT_BOUND, Math.max(p.max, p.upper));
                bound = Math.max(bound, RationalFit.uniformError(p.fit.function(), f, lo, hi));
                if (Math.min(p.min, p.lower) < lo || Math.max(p.max, p.upper) > hi) {
                    bound = Double.POSITIVE_INFINITY;
                }
            }
            p.errorBound = bound;
            Layout layout = layout(p, types.get(p.name()));
            p.rnnFormat = layout.rnn;
            p.cnnFormat = layout.cnn;
            p.channels = layout.channels;
            p.updater = updaterFor(p, fallbackUpdater);
        }
    }

    /** Data formats and channel count of a planned pre-activation. */
    private record Layout(RNNFormat rnn, CNN2DFormat cnn, long channels) {
    }

    private Layout layout(Planned p, InputType type) {
        Layer inner = NetworkSurgery.inner(p.candidate.layer());
        RNNFormat rnn = RNNFormat.NCW;
        CNN2DFormat cnn = CNN2DFormat.NCHW;
        long channels = 0;
        if (type != null) {
            try {
                channels = org.rationalnn.dl4j.common.LayerPlumbing.elementWiseChannels(type, "");
                if (type instanceof InputType.InputTypeRecurrent) {
                    rnn = ((InputType.InputTypeRecurrent) type).getFormat();
                } else if (type instanceof InputType.InputTypeConvolutional) {
                    cnn = ((InputType.InputTypeConvolutional) type).getFormat();
                }
            } catch (RuntimeException e) {
                channels = 0;
            }
        }
        if (inner instanceof ConvolutionLayer) {
            cnn = ((ConvolutionLayer) inner).getCnn2dDataFormat();
        }
        if (channels == 0 && p.shape != null) {
            int rank = p.shape.length;
            boolean last = (rank == 3 && rnn == RNNFormat.NWC) || (rank == 4 && cnn == CNN2DFormat.NHWC);
            channels = rank < 2 ? 0 : p.shape[last ? rank - 1 : 1];
        }
        if (channels == 0 && !p.whole && inner instanceof FeedForwardLayer) {
            channels = ((FeedForwardLayer) inner).getNOut();
        }
        if (sharing != Sharing.LAYER && channels <= 0) {
            throw new IllegalArgumentException("layer '" + p.name() + "': " + sharing + " sharing needs the channel "
                    + "count; give calibration data or the input types (inputTypes(...))");
        }
        return new Layout(rnn, cnn, channels);
    }

    private RationalSpec spec(Planned p) {
        RationalSpec.Builder b = RationalSpec.builder().coefficients(p.fit.function()).fitInterval(p.lower, p.upper);
        if (sharing == Sharing.GROUP) {
            b.groups(groups);
        } else {
            b.sharing(sharing);
        }
        return b.build();
    }

    /** The layer the probe network puts in place of a planned activation: DL4J's own ActivationLayer. */
    private Layer probeLayer(Planned p) {
        return new ActivationLayer.Builder().name(p.rationalName).activation(
                new Fidelity.RecordingActivation(p, p.candidate.activation(), fixedLower, fixedUpper)).build();
    }

    private Layer rationalLayer(Planned p) {
        RationalSpec spec = spec(p);
        p.sets = spec.numSets(Math.max(1, p.channels));
        IUpdater u = p.updater;
        RationalActivationLayer.Builder b = new RationalActivationLayer.Builder().name(p.rationalName).spec(spec)
                .dataFormat(p.rnnFormat).dataFormat(p.cnnFormat).updater(u.clone());
        if (sharing != Sharing.LAYER) {
            b.nIn(p.channels);
        }
        if (coefficientUpdater != null) {
            b.coefficientUpdater(coefficientUpdater.clone());
        } else if (coefficientFactor != 1.0) {
            b.coefficientUpdater(scaled(u, coefficientFactor, p.name()));
        }
        return b.build();
    }

    private IUpdater updaterFor(Planned p, IUpdater fallback) {
        if (rationalUpdater != null) {
            return rationalUpdater;
        }
        Layer inner = NetworkSurgery.inner(p.candidate.layer());
        if (inner instanceof BaseLayer && ((BaseLayer) inner).getIUpdater() != null) {
            return ((BaseLayer) inner).getIUpdater();
        }
        return fallback;
    }

    private static IUpdater defaultUpdater(List<Layer> layers) {
        for (Layer l : layers) {
            Layer inner = NetworkSurgery.inner(l);
            if (inner instanceof BaseLayer && ((BaseLayer) inner).getIUpdater() != null) {
                return ((BaseLayer) inner).getIUpdater();
            }
        }
        return new Adam(1e-3);
    }

    /** A copy of {@code u} with its learning rate (or schedule) multiplied by {@code factor}. */
    static IUpdater scaled(IUpdater u, double factor, String layer) {
        IUpdater c = u.clone();
        if (!c.hasLearningRate()) {
            LOG.warn("layer '{}': updater {} has no learning rate to scale; the coefficients use it unchanged", layer,
                    u);
            return c;
        }
        ISchedule schedule = schedule(c);
        if (schedule != null) {
            c.setLrAndSchedule(c.getLearningRate(0, 0) * factor, new ScaledSchedule(schedule, factor));
        } else {
            c.setLrAndSchedule(c.getLearningRate(0, 0) * factor, null);
        }
        return c;
    }

    private static ISchedule schedule(IUpdater u) {
        try {
            Object s = u.getClass().getMethod("getLearningRateSchedule").invoke(u);
            return s instanceof ISchedule ? (ISchedule) s : null;
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Input types (optional)

    private Map<String, InputType> inputTypesMln(MultiLayerConfiguration conf) {
        Map<String, InputType> out = new HashMap<>();
        if (inputTypes == null || inputTypes.length != 1) {
            return out;
        }
        try {
            List<InputType> types = conf.getLayerActivationTypes(inputTypes[0]);
            for (int i = 0; i < conf.getConfs().size(); i++) {
                Layer l = conf.getConf(i).getLayer();
                InputType in = i == 0 ? inputTypes[0] : types.get(i - 1);
                if (conf.getInputPreProcess(i) != null) {
                    in = conf.getInputPreProcess(i).getOutputType(in);
                }
                boolean whole = NetworkSurgery.inner(l) instanceof ActivationLayer;
                out.put(NetworkSurgery.layerName(l, i), whole ? in : types.get(i));
            }
        } catch (RuntimeException e) {
            LOG.warn("input types {} do not fit the network ({}); using calibration shapes", Arrays.toString(
                    inputTypes), e.getMessage());
        }
        return out;
    }

    private Map<String, InputType> inputTypesGraph(ComputationGraphConfiguration conf) {
        Map<String, InputType> out = new HashMap<>();
        if (inputTypes == null) {
            return out;
        }
        try {
            Map<String, InputType> types = conf.getLayerActivationTypes(inputTypes);
            for (int i = 0; i < conf.getNetworkInputs().size(); i++) {
                types.put(conf.getNetworkInputs().get(i), inputTypes[i]);
            }
            for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
                if (!(e.getValue() instanceof LayerVertex)) {
                    continue;
                }
                LayerVertex lv = (LayerVertex) e.getValue();
                if (NetworkSurgery.inner(lv.getLayerConf().getLayer()) instanceof ActivationLayer) {
                    InputType in = types.get(conf.getVertexInputs().get(e.getKey()).get(0));
                    if (lv.getPreProcessor() != null && in != null) {
                        in = lv.getPreProcessor().getOutputType(in);
                    }
                    out.put(e.getKey(), in);
                } else {
                    out.put(e.getKey(), types.get(e.getKey()));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("input types {} do not fit the graph ({}); using calibration shapes", Arrays.toString(inputTypes),
                    e.getMessage());
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------------
    // Report

    private ConversionReport report(Plan plan, Fidelity.Bound bound, double measured, List<MultiDataSet> batches,
                                    List<String> frozen, int state) {
        List<ReplacedActivation> replaced = new ArrayList<>();
        for (Planned p : plan.planned()) {
            replaced.add(new ReplacedActivation(p.name(), p.rationalName, p.candidate.layerType(),
                    p.candidate.activation().toString(), p.lower, p.upper, p.observed() ? p.min : Double.NaN,
                    p.observed() ? p.max : Double.NaN, p.count, p.count == 0 ? 0.0 : (double) p.outside / p.count,
                    p.fit.uniformError(), p.errorBound, p.inputDeviation, p.outputDeviation, p.fit.function(),
                    p.sets));
        }
        long examples = 0;
        for (MultiDataSet b : batches) {
            examples += b.getFeatures(0).size(0);
        }
        ConversionReport r = new ConversionReport(replaced, plan.notConvertible(), bound.value(), bound.note(),
                measured, examples, frozen, state);
        LOG.info("{}", r);
        return r;
    }

    // ------------------------------------------------------------------------------------------------------

    /** Options of a conversion; defaults as listed on {@link RationalConverter}. */
    public static final class Builder {
        private final Set<String> names = new LinkedHashSet<>();
        private final List<Class<?>> types = new ArrayList<>();
        private Set<Class<? extends IActivation>> activations;
        private Predicate<ConversionCandidate> predicate;
        private RationalVersion version = RationalVersion.B;
        private int numeratorDegree = 5;
        private int denominatorDegree = 4;
        private Sharing sharing = Sharing.LAYER;
        private int groups = 1;
        private double margin = DEFAULT_MARGIN;
        private double fixedLower = Double.NaN;
        private double fixedUpper = Double.NaN;
        private DataSetIterator dataIterator;
        private MultiDataSetIterator multiIterator;
        private int calibrationBatches = DEFAULT_CALIBRATION_BATCHES;
        private boolean trainOnlyRationals;
        private IUpdater rationalUpdater;
        private IUpdater coefficientUpdater;
        private double coefficientFactor = 1.0;
        private boolean copyUpdaterState = true;
        private InputType[] inputTypes;

        private Builder() {
        }

        /**
         * Convert only layers with these names (added to earlier calls; default: no name filter). A named layer that
         * cannot be converted, or applies no activation, is listed in {@link ConversionReport#notConvertible()}; a
         * name the network does not have makes {@code convert} throw an IllegalArgumentException that lists the
         * network's names.
         *
         * @param layerNames layer names as in the configuration
         * @return this builder
         */
        public Builder layers(String... layerNames) {
            names.addAll(Arrays.asList(layerNames));
            return this;
        }

        /**
         * Convert only layers of these configuration classes or their subclasses (added to earlier calls; default:
         * no type filter).
         *
         * @param layerTypes layer configuration classes, e.g. {@code DenseLayer.class}
         * @return this builder
         */
        public Builder layerTypes(Class<?>... layerTypes) {
            types.addAll(Arrays.asList(layerTypes));
            return this;
        }

        /**
         * Replace these activation classes (replaces the default set {@link Dl4jActivations#DEFAULT_CONVERTIBLE}).
         *
         * @param activationTypes DL4J activation classes, e.g. {@code ActivationReLU.class}
         * @return this builder
         */
        @SafeVarargs
        public final Builder activations(Class<? extends IActivation>... activationTypes) {
            activations = new LinkedHashSet<>(Arrays.asList(activationTypes));
            return this;
        }

        /**
         * Decide per layer (instead of the activation filter; name and type filters still apply).
         *
         * @param p true for each candidate layer to convert
         * @return this builder
         * @throws NullPointerException if {@code p} is null
         */
        public Builder where(Predicate<ConversionCandidate> p) {
            predicate = Objects.requireNonNull(p, "predicate");
            return this;
        }

        /**
         * Denominator form of the rationals. Set it before {@link #degrees(int, int)} when the degrees are only valid
         * for this version (n = 0 for C).
         *
         * @param v the version; default {@link RationalVersion#B}
         * @return this builder
         * @throws NullPointerException if {@code v} is null
         */
        public Builder version(RationalVersion v) {
            version = Objects.requireNonNull(v, "version");
            return this;
        }

        /**
         * Type (m, n) of the rationals, checked against the version set so far (and again by {@link #build()}).
         *
         * @param m numerator degree in [0, 16]; default 5
         * @param n denominator degree in [1, 16] ([0, 16] for version C); default 4
         * @return this builder
         * @throws IllegalArgumentException if a degree is out of range
         */
        public Builder degrees(int m, int n) {
            RationalSpec.checkDegrees(version, m, n);
            numeratorDegree = m;
            denominatorDegree = n;
            return this;
        }

        /**
         * LAYER or CHANNEL sharing of the coefficients (resets the group count to 1); use {@link #groups(int)} for
         * GROUP.
         *
         * @param s the mode; default {@link Sharing#LAYER}
         * @return this builder
         * @throws NullPointerException if {@code s} is null
         */
        public Builder sharing(Sharing s) {
            sharing = Objects.requireNonNull(s, "sharing");
            groups = 1;
            return this;
        }

        /**
         * GROUP sharing with {@code g} groups of contiguous channels; each converted layer's channel count must be
         * a multiple of g.
         *
         * @param g group count ≥ 1
         * @return this builder
         * @throws IllegalArgumentException if {@code g} &lt; 1
         */
        public Builder groups(int g) {
            if (g < 1) {
                throw new IllegalArgumentException("group count must be in [1, " + Integer.MAX_VALUE + "], got " + g);
            }
            sharing = Sharing.GROUP;
            groups = g;
            return this;
        }

        /**
         * Calibration data: the observed pre-activation ranges define the fit intervals (unless
         * {@link #fitInterval} is set), and the output difference is measured on them. The iterator is reset if it
         * supports it and read for at most {@link #calibrationBatches(int)} minibatches.
         *
         * @param data calibration minibatches (replaces a {@link MultiDataSetIterator} given before)
         * @return this builder
         * @throws NullPointerException if {@code data} is null
         */
        public Builder calibration(DataSetIterator data) {
            dataIterator = Objects.requireNonNull(data, "data");
            multiIterator = null;
            return this;
        }

        /**
         * Calibration data for ComputationGraphs with several inputs (see {@link #calibration(DataSetIterator)}).
         *
         * @param data calibration minibatches (replaces a {@link DataSetIterator} given before)
         * @return this builder
         * @throws NullPointerException if {@code data} is null
         */
        public Builder calibration(MultiDataSetIterator data) {
            multiIterator = Objects.requireNonNull(data, "data");
            dataIterator = null;
            return this;
        }

        /**
         * Largest number of calibration minibatches read.
         *
         * @param n batch count ≥ 1; default {@value #DEFAULT_CALIBRATION_BATCHES}
         * @return this builder
         * @throws IllegalArgumentException if {@code n} &lt; 1
         */
        public Builder calibrationBatches(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("calibration batches must be in [1, " + Integer.MAX_VALUE
                        + "], got " + n);
            }
            calibrationBatches = n;
            return this;
        }

        /**
         * Widening of the observed pre-activation range on each side, as a fraction of its width.
         *
         * @param fraction in [0, 10]; default {@value #DEFAULT_MARGIN}
         * @return this builder
         * @throws IllegalArgumentException if {@code fraction} is outside [0, 10] or NaN
         */
        public Builder margin(double fraction) {
            if (!(fraction >= 0 && fraction <= 10)) {
                throw new IllegalArgumentException("margin must be in [0, 10], got " + fraction);
            }
            margin = fraction;
            return this;
        }

        /**
         * Fit every rational on [lo, hi] instead of the observed ranges (calibration data, if given, are still used
         * to measure the output difference). Default: the observed ranges.
         *
         * @param lo lower bound, finite, |lo| ≤ {@value RationalSpec#MAX_FIT_BOUND}
         * @param hi upper bound, finite, &gt; lo, |hi| ≤ {@value RationalSpec#MAX_FIT_BOUND}
         * @return this builder
         * @throws IllegalArgumentException if the interval is empty, reversed, not finite or too wide
         */
        public Builder fitInterval(double lo, double hi) {
            RationalSpec.checkInterval(lo, hi);
            fixedLower = lo;
            fixedUpper = hi;
            return this;
        }

        /**
         * Freeze every layer except the rationals (DL4J's FrozenLayerWithBackprop); undo with
         * {@link RationalConverter#unfreeze(MultiLayerNetwork)}.
         *
         * @param only true to freeze; default false
         * @return this builder
         */
        public Builder trainOnlyRationals(boolean only) {
            trainOnlyRationals = only;
            return this;
        }

        /**
         * The rational layers' updater.
         *
         * @param u the updater; default: the updater of the layer whose activation they replace
         * @return this builder
         * @throws NullPointerException if {@code u} is null
         */
        public Builder rationalUpdater(IUpdater u) {
            rationalUpdater = Objects.requireNonNull(u, "updater");
            return this;
        }

        /**
         * The coefficients' own updater ({@link RationalActivationLayer}'s {@code coefficientUpdater}); takes
         * precedence over {@link #coefficientLearningRateFactor(double)}.
         *
         * @param u the updater; default: the rational layer's updater (scaled by the learning-rate factor)
         * @return this builder
         * @throws NullPointerException if {@code u} is null
         */
        public Builder coefficientUpdater(IUpdater u) {
            coefficientUpdater = Objects.requireNonNull(u, "updater");
            return this;
        }

        /**
         * The coefficients' updater is the rational layer's updater with its learning rate (or schedule) times
         * {@code factor}.
         *
         * @param factor finite and &gt; 0; default 1 (the same updater)
         * @return this builder
         * @throws IllegalArgumentException if {@code factor} is not finite and positive
         */
        public Builder coefficientLearningRateFactor(double factor) {
            if (!(factor > 0) || Double.isInfinite(factor)) {
                throw new IllegalArgumentException("learning-rate factor must be finite and in (0, ∞), got " + factor);
            }
            coefficientFactor = factor;
            return this;
        }

        /**
         * The recipe of arXiv:2602.12390: the coefficients train at half the learning rate (and without decay).
         *
         * @return this builder, with {@code coefficientLearningRateFactor(0.5)}
         */
        public Builder paperRecipe() {
            return coefficientLearningRateFactor(0.5);
        }

        /**
         * Whether the updater state (Adam's moments, momentum, ...) of unchanged parameters is carried over.
         *
         * @param copy true to copy; default true
         * @return this builder
         */
        public Builder copyUpdaterState(boolean copy) {
            copyUpdaterState = copy;
            return this;
        }

        /**
         * The network's input types (one for a MultiLayerNetwork), for the data formats and channel counts of
         * CHANNEL/GROUP sharing when calibration shapes are not enough.
         *
         * @param types one input type per network input, copied; default: none (taken from the configuration)
         * @return this builder
         */
        public Builder inputTypes(InputType... types) {
            inputTypes = types.clone();
            return this;
        }

        /**
         * Builds the converter; it can convert any number of networks.
         *
         * @return the converter
         * @throws IllegalArgumentException if the degrees are not valid for the version
         */
        public RationalConverter build() {
            RationalSpec.checkDegrees(version, numeratorDegree, denominatorDegree);
            return new RationalConverter(this);
        }
    }
}
