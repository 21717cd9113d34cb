package org.rationalnn.dl4j.samediff;

import org.deeplearning4j.nn.layers.samediff.DL4JSameDiffMemoryMgr;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.array.SingleThreadArrayHolder;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.SessionMemMgr;
import org.nd4j.autodiff.util.SameDiffUtils;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.ExternalErrorsFunction;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A SameDiff graph run inside a DL4J layer or vertex: its output receives the gradient dL/d(output) from outside
 * (DL4J's epsilon) through an {@link ExternalErrorsFunction}, exactly as DL4J's own SameDiff layer runtime does,
 * and its arrays live in DL4J's workspaces. Unlike DL4J's runtime it returns <b>exact</b> gradients:
 * <ul>
 *   <li>the gradient factor of the external-errors mechanism (2 in DL4J 1.0.0-M2.1, where the output gradient is
 *   counted twice) is measured once per JVM by {@link SameDiffGradientScale} and divided out of epsilon before the
 *   backward pass (all gradients are linear in it) — detected, not assumed, so a DL4J release that repairs the
 *   defect is handled too;</li>
 *   <li>the gradient function is created without SameDiff's "Added differentiated op" stdout lines.</li>
 * </ul>
 * Use {@link #newSameDiff()} to create the instance, declare placeholders and parameter variables (associate the
 * DL4J parameter views with {@code sameDiff.associateArrayWithVariable}), build the output, then wrap it.
 * Not thread-safe (like DL4J's layers).
 */
public final class ExternalErrorsGraph {

    private final SameDiff sameDiff;
    private final String outputName;
    private final ExternalErrorsFunction externalErrors;
    private final List<String> inputs;

    /**
     * Wraps a built graph: attaches the external-errors function to {@code output} (outside any workspace). The
     * gradient function itself is created on the first backward pass.
     *
     * @param sameDiff the graph (from {@link #newSameDiff()})
     * @param output   the variable whose gradient comes from outside
     * @param inputs   placeholders whose gradients are needed (the layer inputs)
     */
    public ExternalErrorsGraph(SameDiff sameDiff, SDVariable output, String... inputs) {
        this.sameDiff = sameDiff;
        this.outputName = output.name();
        this.inputs = List.copyOf(Arrays.asList(inputs));
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            this.externalErrors = SameDiffUtils.externalErrors(sameDiff, null, output);
            this.externalErrors.outputVariable();
        }
    }

    /**
     * A new SameDiff instance configured like DL4J's SameDiff layers: single-thread array holders, so that the
     * variables can be backed by views of DL4J's flattened parameter array.
     *
     * @return an empty SameDiff instance
     */
    public static SameDiff newSameDiff() {
        SameDiff sd = SameDiff.create();
        sd.setArrayHolders(new SingleThreadArrayHolder(), new SingleThreadArrayHolder(), false);
        return sd;
    }

    /**
     * The SameDiff instance.
     *
     * @return the graph given to the constructor
     */
    public SameDiff sameDiff() {
        return sameDiff;
    }

    /**
     * Name of the output variable.
     *
     * @return the name of the variable whose gradient comes from outside
     */
    public String outputName() {
        return outputName;
    }

    /**
     * Forward pass: the output for these placeholder values, in the workspace of DL4J's activations (or detached
     * when activations are scoped out). The placeholders are cleared afterwards.
     *
     * @param placeholders values of the graph's placeholders (the layer inputs, and any noise), by name
     * @param workspaceMgr DL4J's workspace manager of the calling layer; working memory goes to
     *                     {@code FF_WORKING_MEM}
     * @return the output, an {@code ACTIVATIONS} array
     * @throws IllegalStateException if {@code ACTIVATIONS} has neither a workspace nor is scoped out
     */
    public INDArray output(Map<String, INDArray> placeholders, LayerWorkspaceMgr workspaceMgr) {
        SessionMemMgr mmgr = memoryManager(workspaceMgr, ArrayType.FF_WORKING_MEM, ArrayType.ACTIVATIONS);
        InferenceSession session = sameDiff.getSessions().get(Thread.currentThread().getId());
        if (session == null) {
            session = SameDiff.getInferenceFactory().create(sameDiff);
            sameDiff.getSessions().put(Thread.currentThread().getId(), session);
        }
        session.setMmgr(mmgr);
        try {
            INDArray result = sameDiff.output(placeholders, outputName).get(outputName);
            return intoWorkspace(result, workspaceMgr, ArrayType.ACTIVATIONS);
        } finally {
            sameDiff.clearPlaceholders(true);
            sameDiff.clearOpInputs();
        }
    }

    /**
     * Backward pass with exact gradients. Writes the parameter gradients into {@code parameterGradients} (DL4J's
     * gradient views, keyed by variable name; overwritten) and returns dL/d(input) for each input placeholder, in
     * DL4J's activation-gradient workspace.
     *
     * @param placeholders       the placeholder values of the forward pass
     * @param epsilon            dL/d(output), shape of the output; not modified
     * @param parameterGradients gradient arrays to fill, keyed by parameter variable name (their keys are the
     *                           parameters whose gradients are computed)
     * @param workspaceMgr       DL4J's workspace manager of the calling layer; working memory goes to
     *                           {@code BP_WORKING_MEM}
     * @return dL/d(input) for each input placeholder given to the constructor, by name, as
     *         {@code ACTIVATION_GRAD} arrays
     * @throws IllegalStateException if SameDiff returns no gradient for a parameter or an input (never reported as
     *                               0), if the gradient factor cannot be measured ({@link SameDiffGradientScale}), or
     *                               if {@code ACTIVATION_GRAD} has neither a workspace nor is scoped out
     */
    public Map<String, INDArray> backprop(Map<String, INDArray> placeholders, INDArray epsilon,
                                          Map<String, INDArray> parameterGradients, LayerWorkspaceMgr workspaceMgr) {
        double factor = SameDiffGradientScale.factor();
        ensureGradientFunction();
        SessionMemMgr mmgr = memoryManager(workspaceMgr, ArrayType.BP_WORKING_MEM, ArrayType.ACTIVATION_GRAD);
        SameDiff gradFn = sameDiff.getFunction("grad");
        Map<Long, InferenceSession> sessions = gradFn.getSessions();
        InferenceSession session = sessions.get(Thread.currentThread().getId());
        if (session == null) {
            session = SameDiff.getInferenceFactory().create(gradFn);
            sessions.put(Thread.currentThread().getId(), session);
        }
        session.setMmgr(mmgr);

        List<String> required = new ArrayList<>(inputs);
        required.addAll(parameterGradients.keySet());
        // Every gradient is linear in epsilon, so dividing epsilon by the mechanism's factor makes all of them
        // exact at the cost of one pass (and exactly so for a power of two).
        INDArray eps = epsilon;
        if (factor != 1.0) {
            eps = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, epsilon.dataType(), epsilon.shape(), 'c');
            epsilon.div(factor, eps);
        }
        try {
            Map<String, INDArray> raw = sameDiff.calculateGradients(withEpsilon(placeholders, eps), required);
            for (Map.Entry<String, INDArray> e : parameterGradients.entrySet()) {
                INDArray g = raw.get(e.getKey());
                if (g == null) {
                    // every parameter of these graphs is on the path to the output: a missing gradient is a defect
                    throw new IllegalStateException("SameDiff returned no gradient for parameter '" + e.getKey()
                            + "' (of " + parameterGradients.keySet() + "); refusing to report it as 0");
                } else {
                    e.getValue().assign(g);
                }
            }
            Map<String, INDArray> out = new LinkedHashMap<>();
            for (String in : inputs) {
                INDArray g = raw.get(in);
                if (g == null) {
                    throw new IllegalStateException("SameDiff returned no gradient for input '" + in + "'");
                }
                out.put(in, intoWorkspace(g, workspaceMgr, ArrayType.ACTIVATION_GRAD));
            }
            return out;
        } finally {
            sameDiff.clearPlaceholders(true);
            sameDiff.clearOpInputs();
        }
    }

    /**
     * Gradients exactly as SameDiff's external-errors mechanism returns them (no correction, no DL4J workspaces).
     * Used by {@link SameDiffGradientScale} to measure the mechanism's factor.
     */
    Map<String, INDArray> rawGradients(Map<String, INDArray> placeholders, INDArray epsilon,
                                       Collection<String> variables) {
        ensureGradientFunction();
        try {
            Map<String, INDArray> raw = sameDiff.calculateGradients(withEpsilon(placeholders, epsilon), variables);
            Map<String, INDArray> out = new HashMap<>();
            for (Map.Entry<String, INDArray> e : raw.entrySet()) {
                out.put(e.getKey(), e.getValue().dup());
            }
            return out;
        } finally {
            sameDiff.clearPlaceholders(true);
            sameDiff.clearOpInputs();
        }
    }

    /** Creates SameDiff's gradient function once, outside any workspace and without its stdout lines. */
    private void ensureGradientFunction() {
        if (!sameDiff.hasGradientFunction()) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                QuietStdout.createGradFunction(sameDiff, inputs.toArray(new String[0]));
            }
        }
    }

    /** The placeholders plus epsilon under the external-errors function's gradient placeholder. */
    private Map<String, INDArray> withEpsilon(Map<String, INDArray> placeholders, INDArray epsilon) {
        Map<String, INDArray> ph = new HashMap<>(placeholders);
        ph.put(externalErrors.getGradPlaceholderName(), epsilon);
        return ph;
    }

    /** SameDiff memory manager over DL4J's workspaces of {@code working} and {@code output} arrays. */
    private static SessionMemMgr memoryManager(LayerWorkspaceMgr mgr, ArrayType working, ArrayType output) {
        String wsWorking = mgr.getWorkspaceName(working);
        String wsOutput = mgr.getWorkspaceName(output);
        if (!mgr.isScopedOut(output) && wsOutput == null) {
            throw new IllegalStateException(output + " arrays must have a workspace or be scoped out");
        }
        return new DL4JSameDiffMemoryMgr(wsWorking, wsOutput, mgr.getConfiguration(working),
                mgr.getConfiguration(output));
    }

    /** The array in the workspace of {@code type} (or detached when that type is scoped out). */
    private static INDArray intoWorkspace(INDArray result, LayerWorkspaceMgr mgr, ArrayType type) {
        if (mgr.isScopedOut(type)) {
            return result.isAttached() ? result.detach() : result;
        }
        String ws = mgr.getWorkspaceName(type);
        boolean inPlace = result.isAttached() && result.data().getParentWorkspace() != null
                && ws.equals(result.data().getParentWorkspace().getId());
        return inPlace ? result : mgr.dup(type, result);
    }
}
