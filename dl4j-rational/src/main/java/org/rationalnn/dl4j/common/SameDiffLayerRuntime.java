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

    /**
     * A runtime for this layer configuration; called by the configuration's {@code instantiate}.
     *
     * @param conf     the network's configuration of this layer
     * @param dataType the network's data type (of parameters and activations)
     */
    protected SameDiffLayerRuntime(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /**
     * The gradient views of the parameters, in the parameter table's order; used outside a network's fit (no
     * gradient view assigned yet) it first creates a detached gradient array of its own.
     *
     * @return a new ordered map from each parameter key to its gradient view (views into the layer's flattened
     *         gradient array, written in place by the backward pass)
     */
    protected Map<String, INDArray> gradientViews() {
        if (gradTable == null) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                setBackpropGradientsViewArray(Nd4j.create(params.dataType(), params.shape()));
            }
        }
        return LayerPlumbing.gradientViews(paramTable, gradTable);
    }

    /**
     * The regularization term of the score, from the configuration's per-parameter regularization.
     *
     * @param backpropParamsOnly ignored (every parameter of these layers is a backprop parameter)
     * @return Σ over parameters of their regularizations' scores
     */
    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        return LayerPlumbing.regularizationScore(paramTable, layerConf()::getRegularizationByParam,
                getIterationCount(), getEpochCount());
    }

    /**
     * Assigns {@code val} to the parameter (DL4J's SameDiff runtime only checks the shape).
     *
     * @param key a parameter key of the layer
     * @param val the new values, copied into the parameter's view; same shape as the parameter
     * @throws IllegalArgumentException if the key is unknown or the shape differs (DL4J's checks)
     */
    @Override
    public void setParam(String key, INDArray val) {
        super.setParam(key, val);
        paramTable.get(key).assign(val);
    }
}
