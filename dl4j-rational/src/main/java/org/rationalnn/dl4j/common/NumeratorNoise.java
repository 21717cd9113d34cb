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

    /** Whether noise is drawn at all (version D with a noise half-width &gt; 0). */
    private final boolean enabled;
    /** Half-width s of U[1-s, 1+s], in [0, 1). */
    private final double amplitude;
    /** [S, m+1], the shape of the numerator coefficients. */
    private final long[] shape;
    /** Data type of the noise arrays (that of the numerator). */
    private final DataType dataType;
    /** Noise of the last training forward pass, or null. */
    private INDArray current;
    /** Ones [S, m+1], created on first use and reused. */
    private INDArray ones;

    /**
     * Noise for one layer's numerator; draws nothing yet.
     *
     * @param spec     the layer's spec (noise on for version D with noise &gt; 0; s = {@link RationalSpec#getNoise()})
     * @param numSets  coefficient sets S
     * @param dataType data type of the numerator
     * @throws NullPointerException if {@code spec} or its version is null
     */
    public NumeratorNoise(RationalSpec spec, int numSets, DataType dataType) {
        this.enabled = spec.getVersion().hasTrainingNoise() && spec.getNoise() > 0;
        this.amplitude = spec.getNoise();
        this.shape = new long[]{numSets, spec.numeratorLength()};
        this.dataType = dataType;
    }

    /**
     * Whether noise is applied: version D with noise &gt; 0. When false, layers feed no noise (and the SameDiff graphs
     * have no noise placeholder). Callers check this first: {@link #forForward(boolean)} does not, and in training
     * returns U[1-s, 1+s] values whatever the version.
     *
     * @return true for version D with a positive noise half-width
     */
    public boolean enabled() {
        return enabled;
    }

    /**
     * Shape of the noise arrays, that of the numerator coefficients.
     *
     * @return [S, m+1] (a copy)
     */
    public long[] shape() {
        return shape.clone();
    }

    /**
     * Noise for a forward pass: fresh noise in training, ones at inference. The training noise is kept for
     * {@link #forBackward()}; an inference pass forgets it. The array is detached from every workspace.
     *
     * @param training whether this is a training pass
     * @return [S, m+1]: fresh U[1-s, 1+s] values in training, the shared ones array otherwise (do not modify it)
     */
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

    /**
     * The noise of the last training forward pass (ones if there was none), for the backward pass that follows it.
     *
     * @return [S, m+1]: the array {@link #forForward(boolean)} returned in training, else the shared ones array
     */
    public INDArray forBackward() {
        if (current != null) {
            return current;
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return ones();
        }
    }

    /**
     * The noise of the last training forward pass, or null if the last pass was not a noisy training pass.
     *
     * @return [S, m+1], or null (the kernels then use the clean numerator)
     */
    public INDArray lastTrainingNoise() {
        return current;
    }

    /** Forgets the last training noise (a following backward pass uses ones). */
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
