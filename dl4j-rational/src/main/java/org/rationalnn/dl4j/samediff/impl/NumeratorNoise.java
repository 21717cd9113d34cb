package org.rationalnn.dl4j.samediff.impl;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.rational.RationalSpec;

/**
 * Version D's multiplicative numerator noise for the SameDiff runtimes: fresh U[1-s, 1+s] values [S, m+1] for each
 * training forward pass, reused by the backward pass that follows it, and ones at inference. The arrays are
 * detached from workspaces so that they outlive the forward pass.
 */
final class NumeratorNoise {

    private final boolean enabled;
    private final double amplitude;
    private final long[] shape;
    private final DataType dataType;
    private INDArray current;
    private INDArray ones;

    NumeratorNoise(RationalSpec spec, int numSets, DataType dataType) {
        this.enabled = spec.getVersion().hasTrainingNoise() && spec.getNoise() > 0;
        this.amplitude = spec.getNoise();
        this.shape = new long[]{numSets, spec.numeratorLength()};
        this.dataType = dataType;
    }

    /** Whether the graph has a noise placeholder (version D with noise &gt; 0). */
    boolean enabled() {
        return enabled;
    }

    long[] shape() {
        return shape.clone();
    }

    /** Noise for a forward pass: fresh noise in training, ones at inference. */
    INDArray forForward(boolean training) {
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
    INDArray forBackward() {
        if (current != null) {
            return current;
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return ones();
        }
    }

    void clear() {
        current = null;
    }

    private INDArray ones() {
        if (ones == null) {
            ones = Nd4j.ones(dataType, shape);
        }
        return ones;
    }
}
