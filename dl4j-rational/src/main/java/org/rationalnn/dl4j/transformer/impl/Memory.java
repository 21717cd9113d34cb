package org.rationalnn.dl4j.transformer.impl;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where the arrays of one pass of the native block live: {@code keep} for what the backward pass reads
 * (ACTIVATIONS in a training forward pass, so it outlives the layer's working memory; BP_WORKING_MEM when the
 * backward pass recomputes the forward; FF_WORKING_MEM at inference, where nothing is kept), {@code work} for
 * temporaries of the pass (FF_WORKING_MEM or BP_WORKING_MEM). Arrays are C-ordered and uninitialised.
 */
final class Memory {
    final LayerWorkspaceMgr mgr;
    final DataType dataType;
    final ArrayType keepType;
    final ArrayType workType;

    Memory(LayerWorkspaceMgr mgr, DataType dataType, ArrayType keepType, ArrayType workType) {
        this.mgr = mgr;
        this.dataType = dataType;
        this.keepType = keepType;
        this.workType = workType;
    }

    /** An array the backward pass reads. */
    INDArray keep(long... shape) {
        return mgr.createUninitialized(keepType, dataType, shape, 'c');
    }

    /** A temporary of this pass. */
    INDArray work(long... shape) {
        return mgr.createUninitialized(workType, dataType, shape, 'c');
    }

    /** {@code a} (of any data type) copied into the keep workspace. */
    INDArray keepCopy(INDArray a) {
        return mgr.dup(keepType, a, 'c');
    }

    /**
     * Whether an array of an earlier pass still holds its values: not closed, and (if it lives in a workspace) the
     * workspace not reset since it was allocated.
     */
    static boolean stillValid(INDArray a) {
        if (a == null || a.wasClosed()) {
            return false;
        }
        if (!a.isAttached()) {
            return true;
        }
        MemoryWorkspace ws = a.data().getParentWorkspace();
        return ws != null && ws.getGenerationId() == a.data().getGenerationId();
    }
}
