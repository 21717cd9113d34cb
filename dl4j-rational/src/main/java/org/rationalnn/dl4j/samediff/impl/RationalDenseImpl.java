package org.rationalnn.dl4j.samediff.impl;

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
import org.rationalnn.dl4j.kernel.RationalKernels;
import org.rationalnn.dl4j.common.NumeratorNoise;
import org.rationalnn.dl4j.samediff.ExternalErrorsGraph;
import org.rationalnn.dl4j.samediff.RationalDense;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runtime of {@link RationalDense}. Extends DL4J's SameDiff layer runtime for its parameter handling and replaces its
 * execution: the graph is built per input rank with dynamic batch and time sizes, gradients are exact (via
 * {@link ExternalErrorsGraph}), input dropout is applied, and {@link #setParam} really assigns.
 * <ul>
 * <li>{@link RationalDense.Execution#FUSED}: the graph computes z = x W + b; R and its backward pass (dz and the
 * coefficient gradients) run through {@link RationalKernels}. z of a training forward pass is kept for the
 * backward pass that follows (recomputed if the input changed or its workspace was closed). Version D's noise
 * multiplies the numerator as in the native layer.</li>
 * <li>{@link RationalDense.Execution#SAMEDIFF}: the graph computes the whole layer; version D's noise is a
 * placeholder (fresh in training, ones at inference).</li>
 * </ul>
 * Not for direct use.
 */
public class RationalDenseImpl extends SameDiffLayerRuntime {

    /** Name of the input placeholder. */
    static final String INPUT = "input";
    /** Name of version D's noise placeholder (SAMEDIFF execution). */
    static final String NOISE = "numeratorNoise";

    /** The graph for inputs of rank {@link #graphRank}; null until the first pass. */
    private transient ExternalErrorsGraph graph;
    /** Input rank the graph was built for (2 or 3). */
    private transient int graphRank;
    /** Version D's numerator noise (created with the graph). */
    private transient NumeratorNoise noise;
    /** Whether the graph computes only z = x W + b (FUSED execution). */
    private transient boolean fused;
    /** FUSED: z of the last training forward pass and the input it was computed from. */
    private transient INDArray preActivation;
    /** FUSED: the input {@link #preActivation} was computed from (compared by identity). */
    private transient INDArray preActivationInput;

    /**
     * A runtime for this layer configuration; called by {@link RationalDense#instantiate}, which then sets the
     * listeners, index, parameter views and configuration. The graph is built on the first pass.
     *
     * @param conf     the network's configuration of this layer (its layer is a {@link RationalDense})
     * @param dataType the network's data type (of the parameters, the graph and the output)
     */
    public RationalDenseImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private RationalDense dense() {
        return (RationalDense) layerConf();
    }

    /**
     * y = R(x W + b), after the layer's input dropout (if any, in training). In training, version D draws fresh
     * numerator noise (kept for the following backward pass), and FUSED keeps z for it.
     *
     * @param training     whether this is a training pass
     * @param workspaceMgr DL4J's workspace manager; the output is an {@code ACTIVATIONS} array
     * @return [mb, nOut], or [mb, nOut, T] / [mb, T, nOut] for rank-3 input (the layer's RNN format), in the network's
     *         data type
     * @throws IllegalArgumentException if the input's rank is not 2 or 3 or its size differs from nIn
     */
    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr);
        int rank = checkInput(input);
        ensureGraph(rank);
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(INPUT, input.castTo(dataType));
        if (!fused) {
            if (noise.enabled()) {
                ph.put(NOISE, noise.forForward(training));
            }
            return graph.output(ph, workspaceMgr);
        }
        INDArray z = graph.output(ph, workspaceMgr);
        preActivation = training ? z : null;
        preActivationInput = training ? input : null;
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, z.dataType(), z.shape(), 'c');
        RationalKernels.forward(dense().getSpec(), z, channelsLast(rank), getParam(RationalDense.NUMERATOR_KEY),
                noise.enabled() ? noise.forForward(training) : null, getParam(RationalDense.DENOMINATOR_KEY), out);
        return out;
    }

    /**
     * Exact gradients for the last forward pass's input: writes dL/dW, dL/db and the coefficient gradients into the
     * layer's gradient views (created detached when the layer is used outside a network's fit) and returns dL/dx.
     *
     * @param epsilon      dL/dy, the output's shape
     * @param workspaceMgr DL4J's workspace manager; dL/dx is an {@code ACTIVATION_GRAD} array
     * @return the parameter gradients (the views) and dL/dx, the input's shape, with the dropout mask applied
     * @throws IllegalArgumentException if {@code epsilon}'s shape is not the output shape, or the input is invalid
     * @throws IllegalStateException    if SameDiff returns no gradient for a parameter or the input
     */
    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        int rank = checkInput(input);
        long[] expected = outputShape(input);
        if (!Arrays.equals(epsilon.shape(), expected)) {
            throw new IllegalArgumentException(name() + "epsilon shape " + Arrays.toString(epsilon.shape())
                    + " must equal the output shape " + Arrays.toString(expected));
        }
        ensureGraph(rank);
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(INPUT, input.castTo(dataType));
        if (noise.enabled() && !fused) {
            ph.put(NOISE, noise.forBackward());
        }
        Map<String, INDArray> views = gradientViews();
        INDArray dx;
        if (fused) {
            INDArray dz = rationalBackward(ph, rank, epsilon.castTo(dataType), views, workspaceMgr);
            Map<String, INDArray> affineViews = new LinkedHashMap<>(views);
            affineViews.remove(RationalDense.NUMERATOR_KEY);
            affineViews.remove(RationalDense.DENOMINATOR_KEY);
            dx = graph.backprop(ph, dz, affineViews, workspaceMgr).get(INPUT);
        } else {
            dx = graph.backprop(ph, epsilon.castTo(dataType), views, workspaceMgr).get(INPUT);
        }
        dx = backpropDropOutIfPresent(dx);
        Gradient g = LayerPlumbing.gradient(views);
        return new Pair<>(g, dx);
    }

    /**
     * FUSED: writes the coefficient gradients into their views and returns dL/dz, from z of the training forward
     * pass (recomputed when it is not available).
     */
    private INDArray rationalBackward(Map<String, INDArray> ph, int rank, INDArray epsilon, Map<String, INDArray> views,
                                      LayerWorkspaceMgr workspaceMgr) {
        INDArray z = preActivation;
        if (z == null || preActivationInput != input || !stillValid(z)) {
            z = graph.output(ph, workspaceMgr);
        }
        INDArray dz = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, z.dataType(), z.shape(), 'c');
        RationalKernels.backward(dense().getSpec(), z, channelsLast(rank), getParam(RationalDense.NUMERATOR_KEY),
                noise.enabled() ? noise.forBackward() : null, getParam(RationalDense.DENOMINATOR_KEY), epsilon, dz,
                views.get(RationalDense.NUMERATOR_KEY), views.get(RationalDense.DENOMINATOR_KEY));
        return dz;
    }

    /** Whether {@code a} still holds its values: not closed, and its workspace not reset since it was allocated. */
    private static boolean stillValid(INDArray a) {
        if (a.wasClosed()) {
            return false;
        }
        if (!a.isAttached()) {
            return true;
        }
        MemoryWorkspace ws = a.data().getParentWorkspace();
        return ws != null && ws.getGenerationId() == a.data().getGenerationId();
    }

    /** Whether the channel axis of the layer's output is its last axis (feed-forward counts as channels first). */
    private boolean channelsLast(int rank) {
        return rank == 3 && dense().getRnnDataFormat() == RNNFormat.NWC;
    }

    /** Builds the graph for inputs of this rank (once; again only if the rank changes). */
    private void ensureGraph(int rank) {
        if (graph != null && graphRank == rank) {
            return;
        }
        RationalDense c = dense();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            SameDiff sd = ExternalErrorsGraph.newSameDiff();
            long[] inShape;
            if (rank == 2) {
                inShape = new long[]{-1, c.getNIn()};
            } else {
                inShape = c.getRnnDataFormat() == RNNFormat.NCW ? new long[]{-1, c.getNIn(), -1}
                        : new long[]{-1, -1, c.getNIn()};
            }
            SDVariable in = sd.placeHolder(INPUT, dataType, inShape);
            fused = c.getExecution() == RationalDense.Execution.FUSED;
            Map<String, SDVariable> vars = new LinkedHashMap<>();
            for (Map.Entry<String, INDArray> e : paramTable.entrySet()) {
                if (fused && !RationalDense.WEIGHT_KEY.equals(e.getKey()) && !RationalDense.BIAS_KEY.equals(e.getKey())) {
                    continue;   // the coefficients are used by the kernel, not by the graph
                }
                SDVariable v = sd.var(e.getKey(), dataType, e.getValue().shape());
                sd.associateArrayWithVariable(e.getValue(), v);
                vars.put(e.getKey(), v);
            }
            noise = new NumeratorNoise(c.getSpec(), c.numSets(), dataType);
            SDVariable out;
            if (fused) {
                out = c.defineAffine(sd, in, rank, vars);
            } else {
                SDVariable noiseVar = noise.enabled() ? sd.placeHolder(NOISE, dataType, noise.shape()) : null;
                out = c.define(sd, in, rank, vars, noiseVar);
            }
            graph = new ExternalErrorsGraph(sd, out, INPUT);
            graphRank = rank;
            sameDiff = sd;
            outputKey = out.name();
        }
    }

    /** Builds the graph for the current input's rank (rank 2 when no input is set). */
    @Override
    protected void doInit() {
        ensureGraph(input == null ? 2 : checkInput(input));
    }

    /** Validates rank and input size; returns the rank. */
    private int checkInput(INDArray in) {
        RationalDense c = dense();
        int rank = in.rank();
        int axis;
        if (rank == 2) {
            axis = 1;
        } else if (rank == 3) {
            axis = c.getRnnDataFormat() == RNNFormat.NCW ? 1 : 2;
        } else {
            throw new IllegalArgumentException(name() + "input must have rank 2 ([mb, nIn]) or 3 (RNN "
                    + c.getRnnDataFormat() + "), got rank " + rank + " with shape " + Arrays.toString(in.shape()));
        }
        if (in.size(axis) != c.getNIn()) {
            throw new IllegalArgumentException(name() + "input has " + in.size(axis) + " features on axis " + axis
                    + " but the layer was configured with nIn = " + c.getNIn() + " (input shape "
                    + Arrays.toString(in.shape()) + ")");
        }
        return rank;
    }

    /** The output shape for this input: the input's shape with nOut on the feature axis. */
    private long[] outputShape(INDArray in) {
        long[] s = in.shape().clone();
        int axis = s.length == 3 && dense().getRnnDataFormat() == RNNFormat.NWC ? 2 : 1;
        s[axis] = dense().getNOut();
        return s;
    }

    /** Prefix of error messages, naming the layer. */
    private String name() {
        return "RationalDense layer '" + dense().getLayerName() + "': ";
    }

    /** Forgets version D's noise of the last training pass. */
    @Override
    public void clearNoiseWeightParams() {
        if (noise != null) {
            noise.clear();
        }
    }

    /** Clears the input and other per-pass state (DL4J's {@code clear}), version D's noise and FUSED's kept z. */
    @Override
    public void clear() {
        super.clear();
        clearNoiseWeightParams();
        preActivation = null;
        preActivationInput = null;
    }
}
