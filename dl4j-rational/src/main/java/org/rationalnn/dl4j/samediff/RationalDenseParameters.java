package org.rationalnn.dl4j.samediff;

import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInitXavier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.rationalnn.dl4j.common.LayerPlumbing;
import org.rationalnn.dl4j.common.SameDiffLayerConfigs.Role;

import java.util.Map;

/**
 * The parameters of a {@link RationalDense} configuration: their keys, shapes and order, their initial values and
 * their roles (which decide updater and regularization). W [nIn, nOut] ('f' order), b [1, nOut] (with a bias), the
 * numerator [S, m+1] and the denominator [S, n'] (n' = n, or n + 1 for version C), S coefficient sets over the nOut
 * channels. Reads the configuration when it is called.
 */
final class RationalDenseParameters {

    private final RationalDense layer;

    /**
     * The parameters of this layer.
     *
     * @param layer the configuration whose sizes, spec, bias and initialisations they follow
     */
    RationalDenseParameters(RationalDense layer) {
        this.layer = layer;
    }

    /**
     * Registers the parameters in the order of the flattened parameter vector; the coefficients as biases (the
     * only other kind {@code SDLayerParams} knows; the layer's initializer reports their true role).
     *
     * @param params DL4J's parameter table to fill (cleared first)
     * @throws IllegalStateException if nIn is still unknown
     */
    void register(SDLayerParams params) {
        if (layer.getNIn() < 1) {
            throw new IllegalStateException(layer.where() + "nIn is unknown; set it with .nIn(...) or give the network "
                    + "an input type (setInputType / setInputTypes)");
        }
        params.clear();
        params.addWeightParam(RationalDense.WEIGHT_KEY, layer.getNIn(), layer.getNOut());
        if (layer.isHasBias()) {
            params.addBiasParam(RationalDense.BIAS_KEY, 1, layer.getNOut());
        }
        params.addBiasParam(RationalDense.NUMERATOR_KEY, layer.numSets(), layer.getSpec().numeratorLength());
        params.addBiasParam(RationalDense.DENOMINATOR_KEY, layer.numSets(), layer.getSpec().denominatorLength());
    }

    /**
     * Writes the initial values: W from {@link #weightInit()} (fan-in nIn, fan-out nOut, 'f' order), b = the bias
     * init (0 when unresolved), every coefficient set = the spec's initial function.
     *
     * @param params the parameter views, by key
     * @throws IllegalArgumentException if the spec is invalid
     */
    void initialize(Map<String, INDArray> params) {
        long nIn = layer.getNIn();
        long nOut = layer.getNOut();
        weightInit().init(nIn, nOut, new long[]{nIn, nOut}, 'f', params.get(RationalDense.WEIGHT_KEY));
        if (layer.isHasBias()) {
            double b = layer.getBiasInit();
            params.get(RationalDense.BIAS_KEY).assign(Double.isNaN(b) ? 0.0 : b);
        }
        LayerPlumbing.fillRational(params, RationalDense.NUMERATOR_KEY, RationalDense.DENOMINATOR_KEY,
                layer.getSpec().initialFunction());
    }

    /**
     * The weight initialisation of W.
     *
     * @return the per-parameter init of W, else the layer's weight init, else Xavier
     */
    IWeightInit weightInit() {
        Map<String, IWeightInit> perParam = layer.getParamWeightInit();
        if (perParam != null && perParam.get(RationalDense.WEIGHT_KEY) != null) {
            return perParam.get(RationalDense.WEIGHT_KEY);
        }
        if (layer.getWeightInit() != null) {
            return layer.getWeightInit().getWeightInitFunction();
        }
        return new WeightInitXavier();
    }

    /**
     * The role of a parameter key.
     *
     * @param key a parameter key
     * @return WEIGHT for W, BIAS for b, COEFFICIENTS for the numerator and denominator, null for any other key
     */
    static Role role(String key) {
        switch (key) {
            case RationalDense.WEIGHT_KEY:
                return Role.WEIGHT;
            case RationalDense.BIAS_KEY:
                return Role.BIAS;
            case RationalDense.NUMERATOR_KEY:
            case RationalDense.DENOMINATOR_KEY:
                return Role.COEFFICIENTS;
            default:
                return null;
        }
    }
}
