package org.rationalnn.dl4j.samediff;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * A minimal SameDiff layer y = x ⊙ w (w [1, n]) that runs on DL4J's <em>stock</em> SameDiff layer runtime, used to
 * observe that runtime's gradient factor directly.
 */
public class StockScaleLayer extends SameDiffLayer {
    private long n;

    public StockScaleLayer() {
    }

    StockScaleLayer(long n) {
        this.n = n;
    }

    public long getN() {
        return n;
    }

    public void setN(long n) {
        this.n = n;
    }

    @Override
    public SDVariable defineLayer(SameDiff sameDiff, SDVariable layerInput, Map<String, SDVariable> paramTable,
                                  SDVariable mask) {
        return layerInput.mul(paramTable.get("w"));
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.clear();
        params.addWeightParam("w", 1, n);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.get("w").assign(org.nd4j.linalg.factory.Nd4j.linspace(1, n, n).reshape(1, n));
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return inputType;
    }
}
