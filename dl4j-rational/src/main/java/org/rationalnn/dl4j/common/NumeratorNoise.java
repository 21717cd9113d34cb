package org.rationalnn.dl4j.common;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.rational.RationalSpec;

/**
 * Version D's multiplicative numerator noise, the one implementation every runtime uses: fresh U[1-s, 1+s] values
 * [S, m+1] for each training forward pass, reused by the backward pass that follows it, and ones at inference. The
 * arrays are detached from workspaces so that they outlive the forward pass. Not thread-safe (one per layer
 * instance, like DL4J's own per-layer state).
 */
public final class NumeratorNoise {

    private final boolean enabled;
    private final double amplitude;
    private final long[] shape;
    private final DataType dataType;
    private INDArray current;
    private INDArray ones;

    /**
     * @param spec     the layer's spec (noise on for version D with noise &gt; 0)
     * @param numSets  coefficient sets S
     * @param dataType data type of the numerator
     */
    public NumeratorNoise(RationalSpec spec, int numSets, DataType dataType) {
        this.enabled = spec.getVersion().hasTrainingNoise() && spec.getNoise() > 0;
        this.amplitude = spec.getNoise();
        this.shape = new long[]{numSets, spec.numeratorLength()};
        this.dataType = dataType;
    }

    /** Whether the graph has a noise placeholder (version D with noise &gt; 0). */
    public boolean enabled() {
        return enabled;
    }

    /** [S, m+1]. */
    public long[] shape() {
        return shape.clone();
    }

    /** Noise for a forward pass: fresh noise in training, ones at inference. */
    public INDArray forForward(boolean training) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (training) {
                current = Nd4j.rand(dataType, shape).muli(2 * amplitude).addi(1 - amplitude);
                return current;
            }
            current = null;
            return ones();
        }
    }

    /** The noise of the last training forward pass (ones if there was none). */
    public INDArray forBackward() {
        if (current != null) {
            return current;
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return ones();
        }
    }

    /** The noise of the last training forward pass, or null if the last pass was not a noisy training pass. */
    public INDArray lastTrainingNoise() {
        return current;
    }

    /** Forgets the last training noise. */
    public void clear() {
        current = null;
    }

    private INDArray ones() {
        if (ones == null) {
            ones = Nd4j.ones(dataType, shape);
        }
        return ones;
    }
}
