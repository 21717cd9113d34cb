package org.rationalnn.dl4j.monitor;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.rationalnn.dl4j.common.RationalLayer;
import org.rationalnn.dl4j.common.RationalSlot;
import org.rationalnn.dl4j.layers.RationalActivationLayer;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.TargetFunction;
import org.rationalnn.dl4j.samediff.RationalDense;
import org.rationalnn.dl4j.samediff.RationalVertex;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock;
import org.rationalnn.dl4j.transformer.impl.RationalTransformerBlockImpl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One trainable rational inside a network: the layer or vertex that holds it (any of the four rational layer types,
 * found through {@link RationalLayer}), its {@link RationalSlot} (parameter keys, version, type, coefficient sets),
 * the live parameter arrays, and where its input comes from. {@link #find(Model)} lists every rational of a
 * MultiLayerNetwork or ComputationGraph.
 *
 * <p>The input of the rational is the layer's input for {@link RationalActivationLayer} and {@link RationalVertex},
 * the pre-activation x W + b for {@link RationalDense}, and for the rationals inside a {@link RationalTransformerBlock}
 * the block's intermediate values (the RATIONAL_GLU gate's or KAT's pre-activations, the shifted scores of rational
 * attention). {@link #rationalInputs(INDArray)} computes them from the layer's input: for the block by
 * {@link RationalTransformerBlockImpl#rationalInputs(INDArray)}, which recomputes the block's forward pass (either
 * execution, masks and the last forward pass's dropout multipliers included).
 */
public final class RationalSite {

    /** The layer type that holds the rational. */
    public enum Kind {
        /** A {@link RationalActivationLayer}: the rational acts on the layer's input. */
        ACTIVATION_LAYER,
        /** A {@link RationalDense}: the rational acts on the pre-activation x W + b. */
        DENSE,
        /** A {@link RationalVertex}: the rational acts on the vertex's input. */
        VERTEX,
        /** A {@link RationalTransformerBlock}: the rational acts on values internal to the block. */
        TRANSFORMER_BLOCK
    }

    private final String layerName;
    private final int index;
    private final RationalLayer layer;
    /** The runtime layer (unwrapped from a frozen wrapper) of a transformer block, else null. */
    private final org.deeplearning4j.nn.api.Layer runtime;
    private final RationalSlot slot;
    private final Kind kind;
    private final Map<String, INDArray> params;
    private final String inputName;
    private final InputPreProcessor preProcessor;
    private final boolean multiple;

    private RationalSite(String layerName, int index, RationalLayer layer, org.deeplearning4j.nn.api.Layer runtime,
                         RationalSlot slot, Map<String, INDArray> params, String inputName,
                         InputPreProcessor preProcessor, boolean multiple) {
        this.layerName = layerName;
        this.index = index;
        this.layer = layer;
        this.runtime = runtime;
        this.slot = slot;
        this.params = params;
        this.inputName = inputName;
        this.preProcessor = preProcessor;
        this.multiple = multiple;
        this.kind = layer instanceof RationalActivationLayer ? Kind.ACTIVATION_LAYER
                : layer instanceof RationalDense ? Kind.DENSE
                : layer instanceof RationalVertex ? Kind.VERTEX : Kind.TRANSFORMER_BLOCK;
    }

    /**
     * Every rational of a network, in layer (MultiLayerNetwork) or topological (ComputationGraph) order.
     * Layers wrapped in {@code FrozenLayerWithBackprop} are included.
     *
     * @param net an initialised MultiLayerNetwork or ComputationGraph
     * @return one site per rational (a transformer block contributes one per slot); empty if there is none
     * @throws NullPointerException if {@code net} is null
     * @throws IllegalArgumentException for a model that is neither
     */
    public static List<RationalSite> find(Model net) {
        Objects.requireNonNull(net, "network");
        List<RationalSite> out = new ArrayList<>();
        if (net instanceof MultiLayerNetwork) {
            MultiLayerNetwork m = (MultiLayerNetwork) net;
            for (int i = 0; i < m.getnLayers(); i++) {
                Layer conf = unwrap(m.getLayerWiseConfigurations().getConf(i).getLayer());
                if (conf instanceof RationalLayer) {
                    String name = conf.getLayerName() != null ? conf.getLayerName() : "layer" + i;
                    add(out, name, i, (RationalLayer) conf, m.getLayer(i), m.getLayer(i).paramTable(false), null,
                            m.getLayerWiseConfigurations().getInputPreProcess(i));
                }
            }
        } else if (net instanceof ComputationGraph) {
            ComputationGraph g = (ComputationGraph) net;
            ComputationGraphConfiguration conf = g.getConfiguration();
            for (int idx : g.topologicalSortOrder()) {
                String name = g.getVertices()[idx].getVertexName();
                GraphVertex v = conf.getVertices().get(name);
                List<String> inputs = conf.getVertexInputs().get(name);
                String input = inputs == null || inputs.isEmpty() ? null : inputs.get(0);
                if (v instanceof LayerVertex) {
                    Layer l = unwrap(((LayerVertex) v).getLayerConf().getLayer());
                    if (l instanceof RationalLayer) {
                        add(out, name, -1, (RationalLayer) l, g.getLayer(name), g.getLayer(name).paramTable(false),
                                input, ((LayerVertex) v).getPreProcessor());
                    }
                } else if (v instanceof RationalLayer) {
                    Map<String, INDArray> p = new LinkedHashMap<>();
                    for (Map.Entry<String, INDArray> e : g.getVertices()[idx].paramTable(false).entrySet()) {
                        String k = e.getKey();
                        p.put(k.startsWith(name + "_") ? k.substring(name.length() + 1) : k, e.getValue());
                    }
                    add(out, name, -1, (RationalLayer) v, null, p, input, null);
                }
            }
        } else {
            throw new IllegalArgumentException("model must be a MultiLayerNetwork or ComputationGraph, got "
                    + net.getClass().getName());
        }
        return out;
    }

    private static Layer unwrap(Layer l) {
        return l instanceof FrozenLayerWithBackprop ? ((FrozenLayerWithBackprop) l).getUnderlying() : l;
    }

    private static void add(List<RationalSite> out, String name, int index, RationalLayer layer,
                            org.deeplearning4j.nn.api.Layer runtime, Map<String, INDArray> params, String input,
                            InputPreProcessor pp) {
        List<RationalSlot> slots = layer.rationalSlots();
        org.deeplearning4j.nn.api.Layer inner = runtime instanceof org.deeplearning4j.nn.layers.FrozenLayerWithBackprop
                ? ((org.deeplearning4j.nn.layers.FrozenLayerWithBackprop) runtime).getInsideLayer() : runtime;
        org.deeplearning4j.nn.api.Layer block = inner instanceof RationalTransformerBlockImpl ? inner : null;
        for (RationalSlot s : slots) {
            out.add(new RationalSite(name, index, layer, block, s, params, input, pp, slots.size() > 1));
        }
    }

    /**
     * The name of the layer or vertex holding the rational.
     *
     * @return the configured name, or DL4J's default {@code layer<i>} in a MultiLayerNetwork
     */
    public String layerName() {
        return layerName;
    }

    /**
     * A name for this rational, used in reports, plots and {@link RationalDivergenceException}.
     *
     * @return the layer name, or {@code layer/slot} when the layer holds several rationals
     */
    public String name() {
        return multiple ? layerName + "/" + slot.name() : layerName;
    }

    /**
     * The layer's position.
     *
     * @return the index in a MultiLayerNetwork; -1 in a ComputationGraph
     */
    public int index() {
        return index;
    }

    /**
     * The layer or vertex configuration.
     *
     * @return the configuration (unwrapped from {@code FrozenLayerWithBackprop}); not to be modified
     */
    public RationalLayer layer() {
        return layer;
    }

    /**
     * The rational's slot in its layer.
     *
     * @return parameter keys, version, type and coefficient-set count
     */
    public RationalSlot slot() {
        return slot;
    }

    /**
     * The layer type holding the rational.
     *
     * @return the kind, which decides what {@link #rationalInput(INDArray)} computes
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The layer's live parameter arrays.
     *
     * @return the arrays by the layer's own keys (not prefixed by its name); live views, changed by training
     */
    public Map<String, INDArray> params() {
        return params;
    }

    /**
     * The numerator coefficients.
     *
     * @return [S, m+1] (live view)
     */
    public INDArray numerator() {
        return params.get(slot.numeratorKey());
    }

    /**
     * The stored denominator coefficients.
     *
     * @return [S, d] with d = n, or n + 1 for version C (live view)
     */
    public INDArray denominator() {
        return params.get(slot.denominatorKey());
    }

    /**
     * The current function of one coefficient set.
     *
     * @param set index in [0, S)
     * @return an immutable snapshot of that set's coefficients
     */
    public RationalFunction function(int set) {
        return slot.function(params, set);
    }

    /**
     * The spec of the rational: the layer's; for the transformer block's feed-forward rationals the block's spec
     * (KAT's R1 and R2 with the initial functions the block gives them, identity and GELU), for its attention
     * rational null.
     *
     * @return the layer's spec (for the transformer block: its FFN spec), or null for the block's attention rational
     */
    public RationalSpec spec() {
        if (layer instanceof RationalActivationLayer) {
            return ((RationalActivationLayer) layer).getSpec();
        }
        if (layer instanceof RationalDense) {
            return ((RationalDense) layer).getSpec();
        }
        if (layer instanceof RationalVertex) {
            return ((RationalVertex) layer).getSpec();
        }
        if (layer instanceof RationalTransformerBlock) {
            RationalSpec block = ((RationalTransformerBlock) layer).getSpec();
            switch (slot.name()) {
                case "rational":
                    return block;
                case "r1":
                    // as RationalTransformerBlock initialises KAT's rationals: R1 from the identity, R2 from GELU
                    return block.toBuilder().init(TargetFunction.IDENTITY).build();
                case "r2":
                    return block.toBuilder().init(TargetFunction.GELU_TANH).build();
                default:
                    return null;
            }
        }
        return null;
    }

    /**
     * The function every coefficient set started from.
     *
     * @return the spec's initial function, the block's attention initialisation, or null where unknown
     */
    public RationalFunction initialFunction() {
        RationalSpec s = spec();
        if (s != null) {
            return s.initialFunction();
        }
        if (layer instanceof RationalTransformerBlock && slot.name().equals("attention")) {
            return ((RationalTransformerBlock) layer).attentionInit();
        }
        return null;
    }

    /**
     * The fit interval of the initial function.
     *
     * @return a new array {lower, upper}, or null where unknown
     */
    public double[] fitInterval() {
        RationalSpec s = spec();
        if (s != null) {
            return new double[]{s.getFitLower(), s.getFitUpper()};
        }
        if (layer instanceof RationalTransformerBlock && slot.name().equals("attention")) {
            return new double[]{RationalTransformerBlock.ATTENTION_FIT_LOWER, RationalTransformerBlock.ATTENTION_FIT_UPPER};
        }
        return null;
    }

    /**
     * Whether the rational's input can be computed from the layer's input ({@link #rationalInputs}): always, except
     * for a transformer block found without its runtime layer.
     *
     * @return false for a transformer block found without its runtime layer, true otherwise
     */
    public boolean inputObservable() {
        return kind != Kind.TRANSFORMER_BLOCK || runtime != null;
    }

    /**
     * Where the layer's input comes from in a ComputationGraph.
     *
     * @return the name of the vertex (or network input) whose output feeds the layer; null in a MultiLayerNetwork
     */
    public String inputVertex() {
        return inputName;
    }

    /**
     * The preprocessor DL4J applies to the layer's input.
     *
     * @return the preprocessor, or null if there is none
     */
    public InputPreProcessor preProcessor() {
        return preProcessor;
    }

    /**
     * The values this rational is applied to, given the layer's input (after its preprocessor):
     * {@code rationalInputs(layerInput).get(slot().name())}.
     *
     * @param layerInput the layer's input, [mb, nIn] or (RNN) [mb, nIn, T] / [mb, T, nIn]
     * @return the rational's input: {@code layerInput} itself, or a new array [mb, nOut] (RNN: [mb, nOut, T] or
     *         [mb, T, nOut]) for {@link RationalDense}, or the block's intermediate value for a transformer block
     * @throws IllegalStateException if {@link #inputObservable()} is false
     */
    public INDArray rationalInput(INDArray layerInput) {
        return rationalInputs(layerInput).get(slot.name());
    }

    /**
     * The values every rational of this site's layer is applied to, given the layer's input (after its
     * preprocessor), by slot name: the input itself ({@link RationalActivationLayer}, {@link RationalVertex}); x W + b
     * per time step in the layout of the layer's output ({@link RationalDense}); for a {@link RationalTransformerBlock}
     * the block's intermediate values without masked positions, recomputed by
     * {@link RationalTransformerBlockImpl#rationalInputs(INDArray)} (with the layer's current mask and the dropout
     * multipliers of its last forward pass: during training, what the rationals saw in that pass).
     *
     * @param layerInput the layer's input after its preprocessor, in the layer's input layout
     * @return the rationals' inputs by slot name (one entry, or the block's three rationals)
     * @throws IllegalStateException if {@link #inputObservable()} is false
     */
    public Map<String, INDArray> rationalInputs(INDArray layerInput) {
        switch (kind) {
            case ACTIVATION_LAYER:
            case VERTEX:
                return Map.of(slot.name(), layerInput);
            case DENSE:
                return Map.of(slot.name(), denseAffine((RationalDense) layer, layerInput));
            default:
                if (runtime == null) {
                    throw new IllegalStateException("rational '" + name() + "': the transformer block's runtime "
                            + "layer is unknown, so its internal inputs cannot be computed");
                }
                return ((RationalTransformerBlockImpl) runtime).rationalInputs(layerInput);
        }
    }

    private INDArray denseAffine(RationalDense d, INDArray x) {
        INDArray w = params.get(RationalDense.WEIGHT_KEY);
        INDArray b = params.get(RationalDense.BIAS_KEY);
        if (x.rank() == 2) {
            INDArray z = x.castTo(w.dataType()).mmul(w);
            return b == null ? z : z.addiRowVector(b);
        }
        boolean ncw = d.getRnnDataFormat() == org.deeplearning4j.nn.conf.RNNFormat.NCW;
        INDArray nwc = ncw ? x.permute(0, 2, 1) : x;
        long mb = nwc.size(0);
        long t = nwc.size(1);
        INDArray z = nwc.dup('c').reshape(mb * t, nwc.size(2)).castTo(w.dataType()).mmul(w);
        if (b != null) {
            z.addiRowVector(b);
        }
        INDArray z3 = z.reshape(mb, t, w.size(1));
        return ncw ? z3.permute(0, 2, 1) : z3;
    }

    /**
     * Whether the channel axis of the rational's input is the last one (NWC/NHWC layouts), which decides which
     * coefficient set each element uses under CHANNEL/GROUP sharing.
     *
     * @param rank rank of the rational's input (2, 3 or 4)
     * @return true for NWC inputs of rank 3 and NHWC inputs of rank 4 where the layer is configured so
     */
    public boolean channelsLast(int rank) {
        if (layer instanceof RationalActivationLayer) {
            RationalActivationLayer l = (RationalActivationLayer) layer;
            return (rank == 3 && l.getRnnDataFormat() == org.deeplearning4j.nn.conf.RNNFormat.NWC)
                    || (rank == 4 && l.getCnn2dDataFormat() == org.deeplearning4j.nn.conf.CNN2DFormat.NHWC);
        }
        if (layer instanceof RationalVertex) {
            return ((RationalVertex) layer).channelsLast(rank);
        }
        if (layer instanceof RationalDense) {
            return rank == 3 && ((RationalDense) layer).getRnnDataFormat() == org.deeplearning4j.nn.conf.RNNFormat.NWC;
        }
        return false;
    }

    @Override
    public String toString() {
        return "RationalSite{" + name() + " (" + kind + (index >= 0 ? ", index " + index : "") + "), " + slot + "}";
    }
}
