package org.rationalnn.dl4j.common;

import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.params.SameDiffParamInitializer;

import java.util.ArrayList;
import java.util.List;

/**
 * DL4J's SameDiff parameter initializer with the roles of {@link RationalLayer}'s contract: a parameter the layer
 * registered as a weight or a bias keeps that role unless it holds rational coefficients, which are neither (so
 * weight and bias constraints, DropConnect and weight noise never touch them). {@code SDLayerParams} itself knows
 * only weights and biases, so the SameDiff rational layers register coefficients as biases and this initializer
 * reports their true role.
 */
public final class CoefficientParamInitializer extends SameDiffParamInitializer {

    /** The one instance (stateless). */
    public static final CoefficientParamInitializer INSTANCE = new CoefficientParamInitializer();

    private CoefficientParamInitializer() {
    }

    /**
     * The weight keys of DL4J's SameDiff initializer without the coefficient keys.
     *
     * @param layer the layer configuration
     * @return the keys of the layer's weights (e.g. {@code RationalDense}'s {@code W}), never a coefficient key
     */
    @Override
    public List<String> weightKeys(Layer layer) {
        return withoutCoefficients(layer, super.weightKeys(layer));
    }

    /**
     * The bias keys of DL4J's SameDiff initializer without the coefficient keys (which the SameDiff rational layers
     * register as biases).
     *
     * @param layer the layer configuration
     * @return the keys of the layer's true biases (e.g. {@code RationalDense}'s {@code b}), never a coefficient key
     */
    @Override
    public List<String> biasKeys(Layer layer) {
        return withoutCoefficients(layer, super.biasKeys(layer));
    }

    /**
     * Whether {@code key} is a weight: registered as one and not rational coefficients.
     *
     * @param layer the layer configuration
     * @param key   a parameter key of the layer
     * @return true for weights, false for coefficients and every other parameter
     */
    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return super.isWeightParam(layer, key) && !isCoefficient(layer, key);
    }

    /**
     * Whether {@code key} is a bias: registered as one and not rational coefficients.
     *
     * @param layer the layer configuration
     * @param key   a parameter key of the layer
     * @return true for true biases, false for coefficients and every other parameter
     */
    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return super.isBiasParam(layer, key) && !isCoefficient(layer, key);
    }

    /** The layer's own answer for a {@link RationalLayer} (by default from the key's name), else the name alone. */
    private static boolean isCoefficient(Layer layer, String key) {
        return layer instanceof RationalLayer ? ((RationalLayer) layer).isCoefficientKey(key)
                : RationalLayer.isCoefficientKeyName(key);
    }

    private static List<String> withoutCoefficients(Layer layer, List<String> keys) {
        List<String> out = new ArrayList<>(keys.size());
        for (String k : keys) {
            if (!isCoefficient(layer, k)) {
                out.add(k);
            }
        }
        return out;
    }
}
