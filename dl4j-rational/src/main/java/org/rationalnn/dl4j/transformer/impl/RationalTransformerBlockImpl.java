package org.rationalnn.dl4j.transformer.impl;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
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
 * replaces its execution, by the configuration's {@link RationalTransformerBlock.Execution}:
 * <ul>
 * <li>NATIVE ({@link NativeBlock}): hand-written forward and backward passes on the rows [mb·T, d]. A training
 * forward pass keeps what the backward pass needs in DL4J's ACTIVATIONS workspace (which lives until the backward
 * pass of the same iteration); the backward pass uses it if it is still current (same input, workspace not reset),
 * else recomputes the forward pass in BP_WORKING_MEM with the same dropout multipliers. Temporaries live in
 * FF_WORKING_MEM / BP_WORKING_MEM, the output in ACTIVATIONS, dL/dinput in ACTIVATION_GRAD.</li>
 * <li>SAMEDIFF: one graph with dynamic batch and time sizes, exact gradients via {@link ExternalErrorsGraph}.</li>
 * </ul>
 * Both get the padding and causal masks and the dropout multipliers from here (computed once per training forward
 * pass, reused by the backward pass that follows), so they see the same ones. Not for direct use.
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
    /** NATIVE: the execution, the cache of the last training forward pass and the input it was computed from. */
    private transient NativeBlock nativeBlock;
    private transient NativeBlock.Cache cache;
    private transient INDArray cacheInput;
    /** NATIVE: the causal mask (without padding) of the last sequence length, detached. */
    private transient NativeAttention.Masks causalMasks;

    /**
     * A runtime for this layer configuration; called by {@link RationalTransformerBlock#instantiate}, which then
     * sets the listeners, index, parameter views and configuration. Graphs and caches are built on the first pass.
     *
     * @param conf     the network's configuration of this layer (its layer is a {@link RationalTransformerBlock})
     * @param dataType the network's data type (of the parameters and the output)
     */
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
        if (isNative()) {
            // at inference there is no dropout at all (SAMEDIFF feeds multipliers of ones)
            lastDropout = training ? dropout(true) : Map.of();
            return nativeForward(training, workspaceMgr);
        }
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
        Map<String, INDArray> views = gradientViews();
        INDArray dx;
        if (isNative()) {
            dx = nativeBackward(epsilon.castTo(dataType), views, workspaceMgr);
        } else {
            ensureGraph();
            Map<String, INDArray> ph = placeholders();
            ph.putAll(lastDropout != null ? lastDropout : dropout(false));
            dx = graph.backprop(ph, epsilon.castTo(dataType), views, workspaceMgr).get(INPUT);
        }
        dx = backpropDropOutIfPresent(dx);
        Gradient g = LayerPlumbing.gradient(views);
        return new Pair<>(g, dx);
    }

    private boolean isNative() {
        return block().getExecution() != RationalTransformerBlock.Execution.SAMEDIFF;
    }

    // ---------------------------------------------------------------- NATIVE execution

    private NativeBlock nativeBlock() {
        if (nativeBlock == null) {
            nativeBlock = new NativeBlock(block());
        }
        return nativeBlock;
    }

    /** The output of the NATIVE execution (in ACTIVATIONS); a training pass keeps its cache for the backward pass. */
    private INDArray nativeForward(boolean training, LayerWorkspaceMgr mgr) {
        long mb = input.size(0);
        long t = input.size(ncw() ? 2 : 1);
        long d = block().getDModel();
        Memory m = training ? new Memory(mgr, dataType, ArrayType.ACTIVATIONS, ArrayType.FF_WORKING_MEM)
                : new Memory(mgr, dataType, ArrayType.FF_WORKING_MEM, ArrayType.FF_WORKING_MEM);
        INDArray x = rows(input.castTo(dataType), m.keep(mb * t, d));
        NativeBlock.Extras extras = extras(mb, t, lastDropout);
        INDArray out;
        if (ncw()) {
            INDArray y = m.work(mb * t, d);
            NativeBlock.Cache c = nativeBlock().forward(x, mb, t, extras, paramTable, y, m);
            remember(training, c);
            out = BlockMath.rowsToSteps(y, mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType,
                    new long[]{mb, d, t}, 'c'));
        } else {
            out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, new long[]{mb, t, d}, 'c');
            NativeBlock.Cache c = nativeBlock().forward(x, mb, t, extras, paramTable, out.reshape('c', mb * t, d), m);
            remember(training, c);
        }
        return out;
    }

    private void remember(boolean training, NativeBlock.Cache c) {
        cache = training ? c : null;
        cacheInput = training ? input : null;
    }

    /** dL/dinput of the NATIVE execution (in ACTIVATION_GRAD); the parameter gradients go into their views. */
    private INDArray nativeBackward(INDArray epsilon, Map<String, INDArray> views, LayerWorkspaceMgr mgr) {
        long mb = input.size(0);
        long t = input.size(ncw() ? 2 : 1);
        long d = block().getDModel();
        Memory m = new Memory(mgr, dataType, ArrayType.BP_WORKING_MEM, ArrayType.BP_WORKING_MEM);
        NativeBlock.Cache c = cache;
        if (c == null || cacheInput != input || c.mb != mb || c.t != t || !Memory.stillValid(c.witness)
                || !Memory.stillValid(c.source)) {
            // no current training forward pass: recompute it (same dropout multipliers as the last forward pass)
            INDArray x = rows(input.castTo(dataType), m.keep(mb * t, d));
            c = nativeBlock().forward(x, mb, t, extras(mb, t, lastDropout != null ? lastDropout : dropout(false)),
                    paramTable, m.work(mb * t, d), m);
        }
        INDArray dRows = nativeBlock().backward(c, rows(epsilon, m.work(mb * t, d)), paramTable, views, m);
        INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, input.shape(), 'c');
        if (ncw()) {
            BlockMath.rowsToSteps(dRows, dx);
        } else {
            dx.assign(dRows.reshape('c', mb, t, d));
        }
        return dx;
    }

    /** [mb, d, T] (NCW) or [mb, T, d] (NWC) → rows [mb·T, d] ordered by example, then step (into {@code out}). */
    private INDArray rows(INDArray a, INDArray out) {
        if (ncw()) {
            return BlockMath.stepsToRows(a, out);
        }
        out.reshape('c', a.size(0), a.size(1), a.size(2)).assign(a);
        return out;
    }

    /** Masks and dropout multipliers of a NATIVE pass (detached, so a recomputation can reuse them). */
    private NativeBlock.Extras extras(long mb, long t, Map<String, INDArray> dropout) {
        RationalTransformerBlock c = block();
        NativeBlock.Extras e = new NativeBlock.Extras();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (maskArray != null) {
                INDArray pad = checkedPadding(mb, t);
                INDArray m = Nd4j.ones(dataType, mb, 1, t, t).muli(pad.reshape(mb, 1, 1, t));
                if (c.isCausal()) {
                    m.muli(causalMask(t).castTo(dataType).reshape(1, 1, t, t));
                }
                e.masks = new NativeAttention.Masks(m);
                e.rowMask = pad.reshape('c', mb * t, 1);
            } else if (c.isCausal()) {
                if (causalMasks == null || causalMasks.mask.size(3) != t || causalMasks.mask.dataType() != dataType) {
                    causalMasks = new NativeAttention.Masks(causalMask(t).castTo(dataType).reshape(1, 1, t, t));
                }
                e.masks = causalMasks;
            } else {
                e.masks = new NativeAttention.Masks(null);
            }
        }
        e.attentionDropout = dropout.get(ATTN_DROP);
        e.residualDropout1 = dropout.get(RES_DROP1);
        e.residualDropout2 = dropout.get(RES_DROP2);
        return e;
    }

    /** The padding mask as a detached C-ordered [mb, T] array of the layer's data type, shape checked. */
    private INDArray checkedPadding(long mb, long t) {
        INDArray pad = maskArray.castTo(dataType).dup('c');
        if (pad.rank() != 2 || pad.size(0) != mb || pad.size(1) != t) {
            throw new IllegalArgumentException(name() + "padding mask must have shape [mb, T] = [" + mb + ", " + t
                    + "], got " + Arrays.toString(pad.shape()));
        }
        return pad;
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
        if (!isNative()) {
            ensureGraph();
        }
    }

    /**
     * The values every rational of the block is applied to, for the block input {@code blockInput}: the forward pass
     * is recomputed with the NATIVE formula (which both executions compute), the current parameters, the layer's
     * current padding mask and, when their shapes fit the input, the dropout multipliers of the last forward pass (so
     * that during a training iteration, e.g. from a listener's {@code onForwardPass}, the values are the ones that
     * iteration's rationals saw). Positions the masks exclude are left out ({@link BlockRationalInputs}). Detached
     * arrays; the layer's state is not changed.
     *
     * @param blockInput the block's input, [mb, dModel, T] (NCW) or [mb, T, dModel] (NWC)
     * @return by slot name ({@link RationalTransformerBlock#rationalSlots()}): "rational" (the RATIONAL_GLU gate's
     *         pre-activations [rows, hidden]), "r1" [rows, dModel] and "r2" [rows, hidden] (RATIONAL), "attention"
     *         (the shifted scores of rational attention, [kept entries]); rows are the unpadded positions
     * @throws IllegalArgumentException if the input's rank or feature count does not fit the block, or the padding
     *                                  mask does not fit the input
     */
    public Map<String, INDArray> rationalInputs(INDArray blockInput) {
        checkInput(blockInput);
        long mb = blockInput.size(0);
        long t = blockInput.size(ncw() ? 2 : 1);
        long d = block().getDModel();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            Memory m = new Memory(LayerWorkspaceMgr.noWorkspaces(), dataType, ArrayType.FF_WORKING_MEM,
                    ArrayType.FF_WORKING_MEM);
            INDArray x = rows(blockInput.castTo(dataType), m.keep(mb * t, d));
            Map<String, INDArray> drop = lastDropout != null
                    && BlockRationalInputs.dropoutFits(lastDropout, mb, t, block()) ? lastDropout : Map.of();
            NativeBlock.Cache c = nativeBlock().forward(x, mb, t, extras(mb, t, drop), paramTable, m.work(mb * t, d),
                    m);
            return BlockRationalInputs.collect(block(), c);
        }
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
        cache = null;
        cacheInput = null;
    }
}
