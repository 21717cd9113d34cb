package org.rationalnn.dl4j.convert;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.AbstractLSTM;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BasePretrainNetwork;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.IUpdater;
import org.rationalnn.dl4j.common.RationalLayer;
import org.rationalnn.dl4j.rational.FitResult;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The configuration and parameter work of {@link RationalConverter}: finding the candidate layers, deciding what can
 * be converted, building a new MultiLayerNetwork / ComputationGraph configuration with activations split out or
 * replaced, and carrying parameters and updater state over by layer name.
 */
final class NetworkSurgery {

    /** Suffix of the name of a rational layer inserted after a layer whose activation it replaces. */
    static final String RATIONAL_SUFFIX = "_rational";

    private NetworkSurgery() {
    }

    /** One activation to replace, and everything learned about it along the way. */
    static final class Planned {
        final ConversionCandidate candidate;
        /** An ActivationLayer, replaced as a whole (else the layer is split into identity + rational). */
        final boolean whole;
        final String rationalName;
        // calibration
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        long count;
        long outside;
        long[] shape;
        // fit
        double lower;
        double upper;
        FitResult fit;
        double errorBound;
        int sets = 1;
        // the new layer
        org.deeplearning4j.nn.conf.RNNFormat rnnFormat = org.deeplearning4j.nn.conf.RNNFormat.NCW;
        org.deeplearning4j.nn.conf.CNN2DFormat cnnFormat = org.deeplearning4j.nn.conf.CNN2DFormat.NCHW;
        long channels;
        IUpdater updater;
        // bound
        double inputDeviation = Double.NaN;
        double outputDeviation = Double.NaN;

        Planned(ConversionCandidate candidate, boolean whole, String rationalName) {
            this.candidate = candidate;
            this.whole = whole;
            this.rationalName = rationalName;
        }

        String name() {
            return candidate.name();
        }

        boolean observed() {
            return count > 0;
        }
    }

    /** What the selection found: the activations to replace and the selected layers that cannot be converted. */
    record Plan(List<Planned> planned, List<NotConvertible> notConvertible) {
        Planned at(String name) {
            for (Planned p : planned) {
                if (p.name().equals(name)) {
                    return p;
                }
            }
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Candidates

    /** The layer a wrapper holds (frozen, last-time-step, bidirectional, ...), innermost first level only. */
    static org.deeplearning4j.nn.conf.layers.Layer inner(org.deeplearning4j.nn.conf.layers.Layer l) {
        org.deeplearning4j.nn.conf.layers.Layer cur = l;
        for (int depth = 0; depth < 8; depth++) {
            if (cur instanceof FrozenLayer) {
                cur = ((FrozenLayer) cur).getLayer();
            } else if (cur instanceof BaseWrapperLayer) {
                cur = ((BaseWrapperLayer) cur).getUnderlying();
            } else if (cur instanceof Bidirectional) {
                cur = ((Bidirectional) cur).getFwd();
            } else {
                return cur;
            }
        }
        return cur;
    }

    /**
     * Layer types whose DL4J runtime never applies the activation in their configuration: batch normalization and
     * dropout return their transformed input as it is, PReLU applies its own learned slopes. Their configured
     * activation (inherited from the network's default, sigmoid unless set) is therefore not part of the network's
     * function and must not be replaced.
     */
    private static final Set<Class<?>> ACTIVATION_NOT_APPLIED = Set.of(
            org.deeplearning4j.nn.conf.layers.BatchNormalization.class,
            org.deeplearning4j.nn.conf.layers.DropoutLayer.class,
            org.deeplearning4j.nn.conf.layers.PReLULayer.class);

    /**
     * The activation a layer applies (the wrapped layer's for wrappers), or null: also null for the layer types whose
     * runtime ignores the configured activation ({@link #ACTIVATION_NOT_APPLIED}).
     */
    static IActivation activationOf(org.deeplearning4j.nn.conf.layers.Layer l) {
        org.deeplearning4j.nn.conf.layers.Layer in = inner(l);
        if (in == null || ACTIVATION_NOT_APPLIED.contains(in.getClass())) {
            return null;
        }
        if (in instanceof ActivationLayer) {
            return ((ActivationLayer) in).getActivationFn();
        }
        if (in instanceof BaseLayer) {
            return ((BaseLayer) in).getActivationFn();
        }
        return null;
    }

    /** The gate activation of an LSTM-type layer (wrapped or not), or null. */
    static IActivation gateActivationOf(org.deeplearning4j.nn.conf.layers.Layer l) {
        org.deeplearning4j.nn.conf.layers.Layer in = inner(l);
        return in instanceof AbstractLSTM ? ((AbstractLSTM) in).getGateActivationFn() : null;
    }

    static boolean isOutputType(org.deeplearning4j.nn.conf.layers.Layer l) {
        org.deeplearning4j.nn.conf.layers.Layer in = inner(l);
        return in instanceof BaseOutputLayer || in instanceof LossLayer || in instanceof RnnLossLayer
                || in instanceof CnnLossLayer || in instanceof org.deeplearning4j.nn.conf.layers.Cnn3DLossLayer;
    }

    static String layerName(org.deeplearning4j.nn.conf.layers.Layer l, int index) {
        return l.getLayerName() != null ? l.getLayerName() : "layer" + index;
    }

    static List<ConversionCandidate> candidates(MultiLayerNetwork net) {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        int n = conf.getConfs().size();
        List<ConversionCandidate> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            org.deeplearning4j.nn.conf.layers.Layer l = conf.getConf(i).getLayer();
            IActivation a = activationOf(l);
            if (a != null) {
                out.add(new ConversionCandidate(layerName(l, i), i, l, a, i == n - 1 || isOutputType(l)));
            }
        }
        return out;
    }

    static List<ConversionCandidate> candidates(ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        List<ConversionCandidate> out = new ArrayList<>();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (!(e.getValue() instanceof LayerVertex)) {
                continue;
            }
            org.deeplearning4j.nn.conf.layers.Layer l = ((LayerVertex) e.getValue()).getLayerConf().getLayer();
            IActivation a = activationOf(l);
            if (a != null) {
                out.add(new ConversionCandidate(e.getKey(), -1, l, a,
                        conf.getNetworkOutputs().contains(e.getKey()) || isOutputType(l)));
            }
        }
        return out;
    }

    /** Why the activation of this selected layer cannot be replaced, or null if it can. */
    static String whyNot(ConversionCandidate c) {
        org.deeplearning4j.nn.conf.layers.Layer l = c.layer();
        if (l instanceof RationalLayer) {
            return "already a rational layer";
        }
        if (c.output()) {
            return "output layer: its activation is part of the loss (keep it, or add an ActivationLayer before "
                    + "the output layer)";
        }
        if (l instanceof FrozenLayer || l instanceof FrozenLayerWithBackprop) {
            return "frozen layer: convert the network before freezing it (or use trainOnlyRationals)";
        }
        org.deeplearning4j.nn.conf.layers.Layer in = inner(l);
        if (in instanceof BaseRecurrentLayer) {
            return "the activation is applied inside the recurrent cell at every time step and cannot be split "
                    + "out; convert an ActivationLayer or dense layer after it instead";
        }
        if (in != l) {
            return "the activation belongs to a layer inside a " + l.getClass().getSimpleName() + " wrapper";
        }
        if (in instanceof BasePretrainNetwork) {
            return "pretraining layer (" + in.getClass().getSimpleName() + ") applies its activation internally";
        }
        if (!Dl4jActivations.isElementWise(c.activation())) {
            return "activation " + c.activation() + " is not element-wise";
        }
        if (!(in instanceof BaseLayer) && !(in instanceof ActivationLayer)) {
            return "layer type " + in.getClass().getSimpleName() + " is not supported";
        }
        return null;
    }

    static String describeActivations(ConversionCandidate c) {
        IActivation gate = gateActivationOf(c.layer());
        return c.activation() + (gate != null ? " (gates: " + gate + ")" : "");
    }

    // ------------------------------------------------------------------------------------------------------
    // Building

    /** Creates the layer that takes a planned activation's place (the rational, or the probe's ActivationLayer). */
    interface Insert extends Function<Planned, org.deeplearning4j.nn.conf.layers.Layer> {
    }

    private static void setIdentity(org.deeplearning4j.nn.conf.layers.Layer l) {
        ((BaseLayer) l).setActivationFn(new ActivationIdentity());
    }

    private static long numParams(org.deeplearning4j.nn.conf.layers.Layer l) {
        return l.initializer().numParams(l);
    }

    /** Wraps a layer with parameters in FrozenLayerWithBackprop (rationals and frozen layers stay as they are). */
    private static org.deeplearning4j.nn.conf.layers.Layer freeze(org.deeplearning4j.nn.conf.layers.Layer l,
                                                                 List<String> frozen) {
        if (l instanceof RationalLayer || l instanceof FrozenLayer || l instanceof FrozenLayerWithBackprop
                || numParams(l) == 0) {
            return l;
        }
        FrozenLayerWithBackprop f = new FrozenLayerWithBackprop(l);
        f.setLayerName(l.getLayerName());
        frozen.add(l.getLayerName());
        return f;
    }

    private static NeuralNetConfiguration withLayer(NeuralNetConfiguration source,
                                                    org.deeplearning4j.nn.conf.layers.Layer layer) {
        NeuralNetConfiguration c = source.clone();
        c.setLayer(layer);
        c.clearVariables();
        return c;
    }

    /**
     * A new MultiLayerNetwork configuration: every planned activation split out (layer with identity + inserted
     * layer) or, for ActivationLayers, replaced; preprocessors moved with their layers; unnamed layers get DL4J's
     * default names so that names stay what they were.
     *
     * @param freeze whether every other layer with parameters is wrapped in FrozenLayerWithBackprop
     * @param frozen receives the names of the frozen layers
     */
    static MultiLayerConfiguration transform(MultiLayerConfiguration src, Plan plan, Insert insert, boolean freeze,
                                             List<String> frozen) {
        MultiLayerConfiguration dst = src.clone();
        List<NeuralNetConfiguration> confs = new ArrayList<>();
        Map<Integer, InputPreProcessor> pps = new HashMap<>();
        int n = src.getConfs().size();
        for (int i = 0; i < n; i++) {
            NeuralNetConfiguration c = src.getConf(i).clone();
            c.clearVariables();
            org.deeplearning4j.nn.conf.layers.Layer l = c.getLayer();
            l.setLayerName(layerName(l, i));
            InputPreProcessor pp = src.getInputPreProcess(i);
            if (pp != null) {
                pps.put(confs.size(), pp.clone());
            }
            Planned p = plan.at(l.getLayerName());
            if (p != null && p.whole) {
                confs.add(withLayer(c, insert.apply(p)));
            } else if (p != null) {
                setIdentity(l);
                c.setLayer(freeze ? freeze(l, frozen) : l);
                confs.add(c);
                confs.add(withLayer(src.getConf(i), insert.apply(p)));
            } else {
                c.setLayer(freeze ? freeze(l, frozen) : l);
                confs.add(c);
            }
        }
        dst.setConfs(confs);
        dst.setInputPreProcessors(pps);
        return dst;
    }

    /**
     * The ComputationGraph counterpart of {@link #transform(MultiLayerConfiguration, Plan, Insert, boolean, List)}: a
     * split activation becomes a new vertex after its layer, and the layer's consumers read from it.
     */
    static ComputationGraphConfiguration transform(ComputationGraphConfiguration src, Plan plan, Insert insert,
                                                   boolean freeze, List<String> frozen) {
        ComputationGraphConfiguration dst = src.clone();
        Map<String, GraphVertex> vertices = new LinkedHashMap<>();
        Map<String, List<String>> inputs = new LinkedHashMap<>();
        Map<String, String> renamed = new HashMap<>();
        for (Map.Entry<String, GraphVertex> e : dst.getVertices().entrySet()) {
            String name = e.getKey();
            GraphVertex v = e.getValue();
            List<String> in = dst.getVertexInputs().get(name);
            if (in != null) {
                inputs.put(name, new ArrayList<>(in));
            }
            vertices.put(name, v);
            if (!(v instanceof LayerVertex)) {
                continue;
            }
            LayerVertex lv = (LayerVertex) v;
            lv.getLayerConf().clearVariables();
            org.deeplearning4j.nn.conf.layers.Layer l = lv.getLayerConf().getLayer();
            Planned p = plan.at(name);
            if (p != null && p.whole) {
                lv.setLayerConf(withLayer(lv.getLayerConf(), insert.apply(p)));
            } else if (p != null) {
                setIdentity(l);
                lv.getLayerConf().setLayer(freeze ? freeze(l, frozen) : l);
                LayerVertex r = new LayerVertex(withLayer(lv.getLayerConf(), insert.apply(p)), null);
                vertices.put(p.rationalName, r);
                inputs.put(p.rationalName, new ArrayList<>(List.of(name)));
                renamed.put(name, p.rationalName);
            } else if (freeze) {
                lv.getLayerConf().setLayer(freeze(l, frozen));
            }
        }
        for (Map.Entry<String, List<String>> e : inputs.entrySet()) {
            if (renamed.containsValue(e.getKey())) {
                continue;
            }
            e.getValue().replaceAll(s -> renamed.getOrDefault(s, s));
        }
        List<String> outputs = new ArrayList<>(dst.getNetworkOutputs());
        outputs.replaceAll(s -> renamed.getOrDefault(s, s));
        dst.setNetworkOutputs(outputs);
        dst.setVertices(vertices);
        dst.setVertexInputs(inputs);
        dst.setTopologicalOrder(null);
        dst.setTopologicalOrderStr(null);
        return dst;
    }

    /** The layer inside FrozenLayerWithBackprop / FrozenLayer, else the layer itself. */
    private static org.deeplearning4j.nn.conf.layers.Layer thaw(org.deeplearning4j.nn.conf.layers.Layer l) {
        if (l instanceof FrozenLayerWithBackprop) {
            return ((FrozenLayerWithBackprop) l).getUnderlying().clone();
        }
        if (l instanceof FrozenLayer) {
            return ((FrozenLayer) l).getLayer().clone();
        }
        return l;
    }

    /** A copy of the configuration with every frozen layer unwrapped. */
    static MultiLayerConfiguration unfrozen(MultiLayerConfiguration src) {
        MultiLayerConfiguration dst = src.clone();
        for (NeuralNetConfiguration c : dst.getConfs()) {
            c.setLayer(thaw(c.getLayer()));
            c.clearVariables();
        }
        return dst;
    }

    /** A copy of the configuration with every frozen layer unwrapped. */
    static ComputationGraphConfiguration unfrozen(ComputationGraphConfiguration src) {
        ComputationGraphConfiguration dst = src.clone();
        for (GraphVertex v : dst.getVertices().values()) {
            if (v instanceof LayerVertex) {
                NeuralNetConfiguration c = ((LayerVertex) v).getLayerConf();
                c.setLayer(thaw(c.getLayer()));
                c.clearVariables();
            }
        }
        return dst;
    }

    /** Names not to reuse for inserted layers: every layer/vertex name and network input of the network. */
    /**
     * The simple class name of every layer's configuration (MultiLayerNetwork) or of every vertex's (ComputationGraph;
     * the layer's for layer vertices), by name, in network order.
     */
    static Map<String, String> layerTypes(Model net) {
        Map<String, String> out = new LinkedHashMap<>();
        if (net instanceof MultiLayerNetwork) {
            List<NeuralNetConfiguration> confs = ((MultiLayerNetwork) net).getLayerWiseConfigurations().getConfs();
            for (int i = 0; i < confs.size(); i++) {
                out.put(layerName(confs.get(i).getLayer(), i), confs.get(i).getLayer().getClass().getSimpleName());
            }
        } else {
            for (Map.Entry<String, GraphVertex> e : ((ComputationGraph) net).getConfiguration().getVertices()
                    .entrySet()) {
                GraphVertex v = e.getValue();
                out.put(e.getKey(), v instanceof LayerVertex
                        ? ((LayerVertex) v).getLayerConf().getLayer().getClass().getSimpleName()
                        : v.getClass().getSimpleName());
            }
        }
        return out;
    }

    static Set<String> usedNames(Model net) {
        Set<String> names = new HashSet<>();
        if (net instanceof MultiLayerNetwork) {
            List<NeuralNetConfiguration> confs = ((MultiLayerNetwork) net).getLayerWiseConfigurations().getConfs();
            for (int i = 0; i < confs.size(); i++) {
                names.add(layerName(confs.get(i).getLayer(), i));
            }
        } else {
            ComputationGraphConfiguration c = ((ComputationGraph) net).getConfiguration();
            names.addAll(c.getVertices().keySet());
            names.addAll(c.getNetworkInputs());
        }
        return names;
    }

    // ------------------------------------------------------------------------------------------------------
    // Parameters and updater state

    /** Every parameter table of a network by layer (MultiLayerNetwork) or vertex (ComputationGraph) name. */
    static Map<String, Map<String, INDArray>> paramTables(Model net) {
        Map<String, Map<String, INDArray>> out = new LinkedHashMap<>();
        if (net instanceof MultiLayerNetwork) {
            MultiLayerNetwork m = (MultiLayerNetwork) net;
            for (int i = 0; i < m.getnLayers(); i++) {
                Layer l = m.getLayer(i);
                if (l.numParams() > 0) {
                    out.put(layerName(l.conf().getLayer(), i), l.paramTable(false));
                }
            }
        } else {
            ComputationGraph g = (ComputationGraph) net;
            for (org.deeplearning4j.nn.graph.vertex.GraphVertex v : g.getVertices()) {
                if (v.numParams() > 0) {
                    out.put(v.getVertexName(), v.paramTable(false));
                }
            }
        }
        return out;
    }

    /** Copies every parameter of {@code from} into the layer/vertex of the same name and key in {@code to}. */
    static void copyParams(Model from, Model to) {
        Map<String, Map<String, INDArray>> target = paramTables(to);
        for (Map.Entry<String, Map<String, INDArray>> e : paramTables(from).entrySet()) {
            Map<String, INDArray> t = target.get(e.getKey());
            if (t == null) {
                throw new IllegalStateException("converted network lacks layer '" + e.getKey() + "'");
            }
            for (Map.Entry<String, INDArray> p : e.getValue().entrySet()) {
                INDArray dst = t.get(p.getKey());
                if (dst == null || !java.util.Arrays.equals(dst.shape(), p.getValue().shape())) {
                    throw new IllegalStateException("converted network's layer '" + e.getKey() + "' has no parameter '"
                            + p.getKey() + "' of shape " + java.util.Arrays.toString(p.getValue().shape()));
                }
                dst.assign(p.getValue());
            }
        }
    }

    private static BaseMultiLayerUpdater<?> updater(Model net, boolean create) {
        Object u = net instanceof MultiLayerNetwork ? ((MultiLayerNetwork) net).getUpdater(create)
                : ((ComputationGraph) net).getUpdater(create);
        return u instanceof BaseMultiLayerUpdater ? (BaseMultiLayerUpdater<?>) u : null;
    }

    /** One parameter's slices of the updater state: component k at [offset + k·stride, + length). */
    private record StateSlices(IUpdater updater, long offset, long stride, long length, int components) {
    }

    private static Map<String, StateSlices> stateSlices(BaseMultiLayerUpdater<?> u) {
        Map<String, StateSlices> out = new HashMap<>();
        for (UpdaterBlock b : u.getUpdaterBlocks()) {
            long blockLength = b.getParamOffsetEnd() - b.getParamOffsetStart();
            long stateLength = b.getUpdaterViewOffsetEnd() - b.getUpdaterViewOffsetStart();
            if (blockLength == 0 || stateLength == 0 || stateLength % blockLength != 0) {
                continue;
            }
            int components = (int) (stateLength / blockLength);
            for (UpdaterBlock.ParamState ps : b.getLayersAndVariablesInBlock()) {
                Trainable t = ps.getLayer();
                String key = t.getConfig().getLayerName() + "/" + ps.getParamName();
                out.put(key, new StateSlices(t.getConfig().getUpdaterByParam(ps.getParamName()),
                        b.getUpdaterViewOffsetStart() + (ps.getParamOffsetStart() - b.getParamOffsetStart()),
                        blockLength, ps.getParamOffsetEnd() - ps.getParamOffsetStart(), components));
            }
        }
        return out;
    }

    /**
     * Copies the updater state (Adam's moments, momentum, ...) of every parameter that has the same layer name, key,
     * updater configuration and size in both networks, except for the layers in {@code frozen}: DL4J's
     * FrozenLayerWithBackprop zeroes the gradient but still runs the layer's updater, so carried-over momentum would
     * move a frozen layer; from a zero state, a zero gradient gives a zero update.
     *
     * @return the number of parameter arrays whose state was copied
     */
    static int copyUpdaterState(Model from, Model to, java.util.Collection<String> frozen) {
        BaseMultiLayerUpdater<?> src = updater(from, false);
        if (src == null || src.getStateViewArray() == null) {
            return 0;
        }
        BaseMultiLayerUpdater<?> dst = updater(to, true);
        if (dst == null || dst.getStateViewArray() == null) {
            return 0;
        }
        INDArray srcState = src.getStateViewArray().reshape(src.getStateViewArray().length());
        INDArray dstState = dst.getStateViewArray().reshape(dst.getStateViewArray().length());
        Map<String, StateSlices> s = stateSlices(src);
        int copied = 0;
        for (Map.Entry<String, StateSlices> e : stateSlices(dst).entrySet()) {
            StateSlices a = s.get(e.getKey());
            StateSlices b = e.getValue();
            if (frozen.contains(e.getKey().substring(0, e.getKey().lastIndexOf('/')))) {
                continue;
            }
            if (a == null || a.length != b.length || a.components != b.components || !a.updater.equals(b.updater)) {
                continue;
            }
            for (int k = 0; k < a.components; k++) {
                long ao = a.offset + k * a.stride;
                long bo = b.offset + k * b.stride;
                dstState.get(NDArrayIndex.interval(bo, bo + b.length))
                        .assign(srcState.get(NDArrayIndex.interval(ao, ao + a.length)));
            }
            copied++;
        }
        return copied;
    }
}
