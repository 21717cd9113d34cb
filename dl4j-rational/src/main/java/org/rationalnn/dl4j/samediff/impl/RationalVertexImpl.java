package org.rationalnn.dl4j.samediff.impl;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.layers.samediff.SDVertexParams;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.samediff.SameDiffGraphVertex;
import org.deeplearning4j.nn.params.SameDiffParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.common.LayerPlumbing;
import org.rationalnn.dl4j.common.NumeratorNoise;
import org.rationalnn.dl4j.samediff.ExternalErrorsGraph;
import org.rationalnn.dl4j.samediff.RationalVertex;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runtime of {@link RationalVertex}. Extends DL4J's SameDiff vertex runtime for its parameter handling and replaces
 * its execution: the graph is built per input rank with every axis but the channel axis dynamic, gradients are exact
 * (via {@link ExternalErrorsGraph}), version D's noise is a placeholder (fresh in training, ones at inference), and
 * masks pass through. Not for direct use.
 */
public class RationalVertexImpl extends SameDiffGraphVertex {

    /** Name of version D's noise placeholder. */
    static final String NOISE = "numeratorNoise";

    /** The vertex's configuration (runtime state, not part of a saved model: the configuration is saved as JSON). */
    private final transient RationalVertex conf;
    /** The graph for inputs of rank {@link #graphRank}; null until the first pass (runtime state, never saved). */
    private transient ExternalErrorsGraph graph;
    /** Input rank the graph was built for, 2 to 4 (runtime state, never saved). */
    private transient int graphRank;
    /** Version D's numerator noise, created with the graph (runtime state, never saved). */
    private transient NumeratorNoise noise;

    /**
     * A runtime for this vertex configuration; called by {@link RationalVertex#instantiate}. The graph is built on
     * the first pass.
     *
     * @param config      the vertex's configuration
     * @param graph       the computation graph
     * @param name        the vertex's name in the graph
     * @param vertexIndex the vertex's index in the graph
     * @param paramsView  this vertex's view of the graph's flattened parameters
     * @param initParams  whether to write the initial coefficients into the view (false when loading)
     * @param dataType    the graph's data type
     */
    public RationalVertexImpl(RationalVertex config, ComputationGraph graph, String name, int vertexIndex,
                              INDArray paramsView, boolean initParams, DataType dataType) {
        super(config, graph, name, vertexIndex, paramsView, initParams, dataType);
        this.conf = config;
    }

    /**
     * R(input). In training, version D draws fresh numerator noise, kept for the following backward pass.
     *
     * @param training     whether this is a training pass
     * @param workspaceMgr DL4J's workspace manager; the output is an {@code ACTIVATIONS} array
     * @return R(input), the input's shape, in the graph's data type
     * @throws IllegalStateException    if the vertex does not have exactly one input array
     * @throws IllegalArgumentException if the input's rank is not 2, 3 or 4 or its channel count differs from nIn
     */
    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray in = input();
        int rank = checkInput(in);
        ensureGraph(rank);
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(RationalVertex.INPUT_NAME, in.castTo(dataType));
        if (noise.enabled()) {
            ph.put(NOISE, noise.forForward(training));
        }
        return graph.output(ph, workspaceMgr);
    }

    /**
     * Exact gradients for the last forward pass's input and the vertex's epsilon: writes the coefficient gradients
     * into the vertex's gradient views (created detached when the vertex is used outside a graph's fit) and returns
     * dL/d(input).
     *
     * @param tbptt        ignored (the vertex is element-wise, so truncated BPTT needs nothing special)
     * @param workspaceMgr DL4J's workspace manager; dL/d(input) is an {@code ACTIVATION_GRAD} array
     * @return the coefficient gradients (the views) and a one-element array with dL/d(input), the input's shape
     * @throws IllegalStateException    if the vertex does not have exactly one input array, or SameDiff returns no
     *                                  gradient
     * @throws IllegalArgumentException if epsilon is missing or its shape differs from the input's, or the input is
     *                                  invalid
     */
    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        INDArray in = input();
        int rank = checkInput(in);
        if (epsilon == null || !Arrays.equals(epsilon.shape(), in.shape())) {
            throw new IllegalArgumentException(name() + "epsilon shape "
                    + (epsilon == null ? "null" : Arrays.toString(epsilon.shape())) + " must equal the input shape "
                    + Arrays.toString(in.shape()));
        }
        ensureGraph(rank);
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(RationalVertex.INPUT_NAME, in.castTo(dataType));
        if (noise.enabled()) {
            ph.put(NOISE, noise.forBackward());
        }
        if (gradTable == null) {
            // used outside a network's fit (no gradient view assigned yet): a detached gradient array of our own
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                setBackpropGradientsViewArray(Nd4j.create(params.dataType(), params.shape()));
            }
        }
        Map<String, INDArray> views = LayerPlumbing.gradientViews(paramTable, gradTable);
        INDArray dx = graph.backprop(ph, epsilon.castTo(dataType), views, workspaceMgr).get(RationalVertex.INPUT_NAME);
        Gradient g = LayerPlumbing.gradient(views);
        return new Pair<>(g, new INDArray[]{dx});
    }

    /** The single input array; IllegalStateException if there is not exactly one. */
    private INDArray input() {
        if (inputs == null || inputs.length != 1 || inputs[0] == null) {
            throw new IllegalStateException(name() + "expects exactly 1 input array, got "
                    + (inputs == null ? "none" : inputs.length));
        }
        return inputs[0];
    }

    /** Builds the graph for inputs of this rank (once; again only if the rank changes). */
    private void ensureGraph(int rank) {
        if (graph != null && graphRank == rank) {
            return;
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            SameDiff sd = ExternalErrorsGraph.newSameDiff();
            long[] inShape = new long[rank];
            Arrays.fill(inShape, -1);
            if (conf.getNIn() > 0) {
                inShape[conf.channelsLast(rank) ? rank - 1 : 1] = conf.getNIn();
            }
            SDVariable in = sd.placeHolder(RationalVertex.INPUT_NAME, dataType, inShape);
            Map<String, SDVariable> vars = new LinkedHashMap<>();
            for (Map.Entry<String, INDArray> e : paramTable.entrySet()) {
                SDVariable v = sd.var(e.getKey(), dataType, e.getValue().shape());
                sd.associateArrayWithVariable(e.getValue(), v);
                vars.put(e.getKey(), v);
            }
            noise = new NumeratorNoise(conf.getSpec(), conf.numSets(), dataType);
            SDVariable noiseVar = noise.enabled() ? sd.placeHolder(NOISE, dataType, noise.shape()) : null;
            SDVariable out = conf.define(sd, in, rank, vars, noiseVar);
            graph = new ExternalErrorsGraph(sd, out, RationalVertex.INPUT_NAME);
            graphRank = rank;
            sameDiff = sd;
            outputVar = out;
            outputKey = out.name();
        }
    }

    /** Builds the graph for the current input's rank. */
    @Override
    protected void doInit() {
        ensureGraph(checkInput(input()));
    }

    /** Validates rank and channel count; returns the rank. */
    private int checkInput(INDArray in) {
        int rank = in.rank();
        if (rank < 2 || rank > 4) {
            throw new IllegalArgumentException(name() + "input must have rank 2 ([mb, c]), 3 (RNN "
                    + conf.getRnnDataFormat() + ") or 4 (CNN " + conf.getCnn2dDataFormat() + "), got rank " + rank
                    + " with shape " + Arrays.toString(in.shape()));
        }
        int axis = conf.channelsLast(rank) ? rank - 1 : 1;
        if (conf.getNIn() > 0 && in.size(axis) != conf.getNIn()) {
            throw new IllegalArgumentException(name() + "input has " + in.size(axis) + " channels on axis " + axis
                    + " but the vertex was configured with nIn = " + conf.getNIn() + " (input shape "
                    + Arrays.toString(in.shape()) + ")");
        }
        return rank;
    }

    /** Prefix of error messages, naming the vertex. */
    private String name() {
        return "RationalVertex '" + getVertexName() + "': ";
    }

    /**
     * Sets the vertex's gradient view and splits it into the per-parameter views [S, m+1] and [S, n'].
     *
     * @param backpropGradientsViewArray this vertex's view of the graph's flattened gradient
     */
    @Override
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
        SDVertexParams vp = conf.getVertexParams();
        gradients = backpropGradientsViewArray;
        gradTable = SameDiffParamInitializer.getInstance().subsetAndReshape(vp.getParameterKeys(),
                vp.getParamShapes(), backpropGradientsViewArray, null, conf);
    }

    /**
     * Keeps the masks and passes them through unchanged.
     *
     * @param maskArrays       the input's masks (may be null)
     * @param currentMaskState the current mask state
     * @param minibatchSize    the minibatch size (unused)
     * @return the first mask (or null) with {@code currentMaskState}
     */
    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                           int minibatchSize) {
        this.maskArrays = maskArrays;
        return conf.feedForwardMaskArrays(maskArrays, currentMaskState, minibatchSize);
    }

    /** Clears the inputs and other per-pass state (DL4J's {@code clearVertex}) and version D's noise. */
    @Override
    public void clearVertex() {
        super.clearVertex();
        if (noise != null) {
            noise.clear();
        }
    }

    /**
     * A description for logs.
     *
     * @return the vertex's name and configuration
     */
    @Override
    public String toString() {
        return "RationalVertexImpl(name=" + getVertexName() + ", " + conf + ")";
    }
}
