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

    static final String NOISE = "numeratorNoise";

    private final RationalVertex conf;
    private ExternalErrorsGraph graph;
    private int graphRank;
    private NumeratorNoise noise;

    public RationalVertexImpl(RationalVertex config, ComputationGraph graph, String name, int vertexIndex,
                              INDArray paramsView, boolean initParams, DataType dataType) {
        super(config, graph, name, vertexIndex, paramsView, initParams, dataType);
        this.conf = config;
    }

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

    private String name() {
        return "RationalVertex '" + getVertexName() + "': ";
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
        SDVertexParams vp = conf.getVertexParams();
        gradients = backpropGradientsViewArray;
        gradTable = SameDiffParamInitializer.getInstance().subsetAndReshape(vp.getParameterKeys(),
                vp.getParamShapes(), backpropGradientsViewArray, null, conf);
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                           int minibatchSize) {
        this.maskArrays = maskArrays;
        return conf.feedForwardMaskArrays(maskArrays, currentMaskState, minibatchSize);
    }

    @Override
    public void clearVertex() {
        super.clearVertex();
        if (noise != null) {
            noise.clear();
        }
    }

    @Override
    public String toString() {
        return "RationalVertexImpl(name=" + getVertexName() + ", " + conf + ")";
    }
}
