package org.rationalnn.dl4j.transformer.impl;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.rationalnn.dl4j.common.LayerPlumbing;
import org.rationalnn.dl4j.common.SameDiffLayerRuntime;
import org.rationalnn.dl4j.samediff.ExternalErrorsGraph;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runtime of {@link RationalTransformerBlock}. Extends DL4J's SameDiff layer runtime for its parameter handling and
 * replaces its execution: one graph with dynamic batch and time sizes, exact gradients via
 * {@link ExternalErrorsGraph}, padding and causal masks and dropout multipliers fed as placeholders (computed here,
 * reused by the backward pass that follows a training forward pass). Not for direct use.
 */
public class RationalTransformerBlockImpl extends SameDiffLayerRuntime {

    static final String INPUT = "input";
    static final String ATTN_MASK = "attentionMask";
    static final String OUT_MASK = "outputMask";
    static final String ATTN_DROP = "attentionDropoutMask";
    static final String RES_DROP1 = "residualDropoutMask1";
    static final String RES_DROP2 = "residualDropoutMask2";

    private transient ExternalErrorsGraph graph;
    /** Placeholders of the last forward pass (dropout multipliers are reused by backprop). */
    private transient Map<String, INDArray> lastDropout;

    public RationalTransformerBlockImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private RationalTransformerBlock block() {
        return (RationalTransformerBlock) layerConf();
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr);
        checkInput(input);
        ensureGraph();
        Map<String, INDArray> ph = placeholders();
        lastDropout = dropout(training);
        ph.putAll(lastDropout);
        return graph.output(ph, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        checkInput(input);
        if (!Arrays.equals(epsilon.shape(), input.shape())) {
            throw new IllegalArgumentException(name() + "epsilon shape " + Arrays.toString(epsilon.shape())
                    + " must equal the output shape " + Arrays.toString(input.shape()));
        }
        ensureGraph();
        Map<String, INDArray> ph = placeholders();
        ph.putAll(lastDropout != null ? lastDropout : dropout(false));
        Map<String, INDArray> views = gradientViews();
        INDArray dx = graph.backprop(ph, epsilon.castTo(dataType), views, workspaceMgr).get(INPUT);
        dx = backpropDropOutIfPresent(dx);
        Gradient g = LayerPlumbing.gradient(views);
        return new Pair<>(g, dx);
    }

    private boolean ncw() {
        return block().getRnnDataFormat() == RNNFormat.NCW;
    }

    /** Input, attention mask [mb*h, T, T] and output mask [mb, T, 1] (detached). */
    private Map<String, INDArray> placeholders() {
        RationalTransformerBlock c = block();
        long mb = input.size(0);
        long t = input.size(ncw() ? 2 : 1);
        int h = c.getHeads();
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(INPUT, input.castTo(dataType));
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray pad = maskArray == null ? Nd4j.ones(dataType, mb, t) : maskArray.castTo(dataType).dup();
            if (pad.rank() != 2 || pad.size(0) != mb || pad.size(1) != t) {
                throw new IllegalArgumentException(name() + "padding mask must have shape [mb, T] = [" + mb + ", " + t
                        + "], got " + Arrays.toString(pad.shape()));
            }
            // keys: M[b*h + i, q, k] = pad[b, k] (× [k ≤ q] when causal)
            INDArray keys = pad.reshape(mb, 1, 1, t);
            INDArray m = Nd4j.ones(dataType, mb, h, t, t).muli(keys);
            if (c.isCausal()) {
                m.muli(causalMask(t).castTo(dataType).reshape(1, 1, t, t));
            }
            ph.put(ATTN_MASK, m.reshape(mb * h, t, t));
            ph.put(OUT_MASK, pad.reshape(mb, t, 1));
        }
        return ph;
    }

    /** [T, T] lower-triangular ones (key k visible to query q iff k ≤ q), built in one bulk copy. */
    static INDArray causalMask(long t) {
        int n = Math.toIntExact(t);
        double[] tril = new double[n * n];
        for (int q = 0; q < n; q++) {
            java.util.Arrays.fill(tril, q * n, q * n + q + 1, 1.0);
        }
        return Nd4j.createFromArray(tril).reshape(n, n);
    }

    /** Inverted-dropout multipliers (ones outside training) for the configured dropout placeholders. */
    private Map<String, INDArray> dropout(boolean training) {
        RationalTransformerBlock c = block();
        long mb = input.size(0);
        long t = input.size(ncw() ? 2 : 1);
        long d = c.getDModel();
        Map<String, INDArray> ph = new HashMap<>();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (c.getAttentionDropout() > 0) {
                ph.put(ATTN_DROP, multipliers(training, c.getAttentionDropout(), mb * c.getHeads(), t, t));
            }
            if (c.getResidualDropout() > 0) {
                ph.put(RES_DROP1, multipliers(training, c.getResidualDropout(), mb * t, d));
                ph.put(RES_DROP2, multipliers(training, c.getResidualDropout(), mb * t, d));
            }
        }
        return ph;
    }

    private INDArray multipliers(boolean training, double p, long... shape) {
        if (!training) {
            return Nd4j.ones(dataType, shape);
        }
        INDArray keep = Nd4j.rand(dataType, shape).gt(p).castTo(dataType);
        return keep.muli(1.0 / (1.0 - p));
    }

    /** Builds the graph (once). */
    private void ensureGraph() {
        if (graph != null) {
            return;
        }
        RationalTransformerBlock c = block();
        long d = c.getDModel();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            SameDiff sd = ExternalErrorsGraph.newSameDiff();
            long[] inShape = ncw() ? new long[]{-1, d, -1} : new long[]{-1, -1, d};
            SDVariable in = sd.placeHolder(INPUT, dataType, inShape);
            Map<String, SDVariable> vars = new LinkedHashMap<>();
            for (Map.Entry<String, INDArray> e : paramTable.entrySet()) {
                SDVariable v = sd.var(e.getKey(), dataType, e.getValue().shape());
                sd.associateArrayWithVariable(e.getValue(), v);
                vars.put(e.getKey(), v);
            }
            RationalTransformerBlock.Inputs inputs = new RationalTransformerBlock.Inputs();
            inputs.attentionMask = sd.placeHolder(ATTN_MASK, dataType, -1, -1, -1);
            inputs.outputMask = sd.placeHolder(OUT_MASK, dataType, -1, -1, 1);
            if (c.getAttentionDropout() > 0) {
                inputs.attentionDropout = sd.placeHolder(ATTN_DROP, dataType, -1, -1, -1);
            }
            if (c.getResidualDropout() > 0) {
                inputs.residualDropout1 = sd.placeHolder(RES_DROP1, dataType, -1, d);
                inputs.residualDropout2 = sd.placeHolder(RES_DROP2, dataType, -1, d);
            }
            SDVariable out = c.define(sd, in, vars, inputs);
            graph = new ExternalErrorsGraph(sd, out, INPUT);
            sameDiff = sd;
            outputKey = out.name();
        }
    }

    @Override
    protected void doInit() {
        ensureGraph();
    }

    private void checkInput(INDArray in) {
        RationalTransformerBlock c = block();
        if (in.rank() != 3) {
            throw new IllegalArgumentException(name() + "input must have rank 3 ([mb, dModel, T] NCW or "
                    + "[mb, T, dModel] NWC), got rank " + in.rank() + " with shape " + Arrays.toString(in.shape()));
        }
        int axis = ncw() ? 1 : 2;
        if (in.size(axis) != c.getDModel()) {
            throw new IllegalArgumentException(name() + "input has " + in.size(axis) + " features on axis " + axis
                    + " (" + c.getRnnDataFormat() + ") but dModel = " + c.getDModel() + " (input shape "
                    + Arrays.toString(in.shape()) + ")");
        }
    }

    private String name() {
        return "RationalTransformerBlock '" + block().getLayerName() + "': ";
    }

    @Override
    public void clearNoiseWeightParams() {
        lastDropout = null;
    }

    @Override
    public void clear() {
        super.clear();
        lastDropout = null;
    }
}
