package org.rationalnn.dl4j.common;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.samediff.SameDiffLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * What the runtimes of the SameDiff rational layers ({@code RationalDense}, {@code RationalTransformerBlock}) share
 * on top of DL4J's SameDiff layer runtime: gradient views that exist also outside a network's {@code fit}, a
 * regularization term of the score that DL4J's runtime leaves at 0, and a {@link #setParam} that really assigns.
 */
public abstract class SameDiffLayerRuntime extends SameDiffLayer {

    protected SameDiffLayerRuntime(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /**
     * The gradient views of the parameters, in the parameter table's order; used outside a network's fit (no
     * gradient view assigned yet) it first creates a detached gradient array of its own.
     */
    protected Map<String, INDArray> gradientViews() {
        if (gradTable == null) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                setBackpropGradientsViewArray(Nd4j.create(params.dataType(), params.shape()));
            }
        }
        return LayerPlumbing.gradientViews(paramTable, gradTable);
    }

    /** The regularization term of the score, from the configuration's per-parameter regularization. */
    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        return LayerPlumbing.regularizationScore(paramTable, layerConf()::getRegularizationByParam,
                getIterationCount(), getEpochCount());
    }

    /** Assigns {@code val} to the parameter (DL4J's SameDiff runtime only checks the shape). */
    @Override
    public void setParam(String key, INDArray val) {
        super.setParam(key, val);
        paramTable.get(key).assign(val);
    }
}
