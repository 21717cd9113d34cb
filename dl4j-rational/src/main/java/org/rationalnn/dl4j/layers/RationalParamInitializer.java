package org.rationalnn.dl4j.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.rationalnn.dl4j.common.LayerPlumbing;
import org.rationalnn.dl4j.common.RationalLayer;
import org.rationalnn.dl4j.rational.RationalFunction;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters of {@link RationalActivationLayer}: {@value #NUMERATOR_KEY} [S, m+1] followed by
 * {@value #DENOMINATOR_KEY} [S, n] ([S, n+1] for version C) in the flattened parameter vector, S = number of
 * coefficient sets. Every set starts from the spec's initial function. The coefficients are neither weights nor
 * biases in DL4J's sense ({@link RationalLayer}'s contract), so weight noise (DropConnect), weight and bias
 * constraints and global regularization never touch them.
 */
public final class RationalParamInitializer implements ParamInitializer {

    /** Key of the numerator coefficients a_0..a_m, shape [S, m+1]. */
    public static final String NUMERATOR_KEY = RationalLayer.NUMERATOR_KEY;
    /** Key of the denominator coefficients, shape [S, n] ([S, n+1] for version C). */
    public static final String DENOMINATOR_KEY = RationalLayer.DENOMINATOR_KEY;

    private static final RationalParamInitializer INSTANCE = new RationalParamInitializer();
    private static final List<String> KEYS = List.of(NUMERATOR_KEY, DENOMINATOR_KEY);

    private RationalParamInitializer() {
    }

    /**
     * The initializer (stateless, shared by every {@link RationalActivationLayer}).
     *
     * @return the single instance
     */
    public static RationalParamInitializer getInstance() {
        return INSTANCE;
    }

    /**
     * Number of parameters of the layer of {@code conf}.
     *
     * @param conf a configuration whose layer is a {@link RationalActivationLayer}
     * @return S·(m+1+n'), n' the number of denominator coefficients per set
     * @throws ClassCastException    if the layer is of another type
     * @throws IllegalStateException for CHANNEL or GROUP sharing while the channel count is unknown
     */
    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    /**
     * Number of parameters of a {@link RationalActivationLayer}: S·(m+1) numerator plus S·n' denominator
     * coefficients (n' = n, or n + 1 for version C).
     *
     * @param layer a {@link RationalActivationLayer}
     * @return S·(m+1+n')
     * @throws ClassCastException    if the layer is of another type
     * @throws IllegalStateException for CHANNEL or GROUP sharing while the channel count is unknown
     */
    @Override
    public long numParams(Layer layer) {
        RationalActivationLayer l = (RationalActivationLayer) layer;
        return (long) l.numSets() * (l.getSpec().numeratorLength() + l.getSpec().denominatorLength());
    }

    /**
     * The parameter keys, in the order of the flattened parameter vector.
     *
     * @param layer the layer (unused)
     * @return [{@value #NUMERATOR_KEY}, {@value #DENOMINATOR_KEY}] (immutable)
     */
    @Override
    public List<String> paramKeys(Layer layer) {
        return KEYS;
    }

    /**
     * No weights: the coefficients are neither weights nor biases.
     *
     * @param layer the layer (unused)
     * @return an empty list
     */
    @Override
    public List<String> weightKeys(Layer layer) {
        return Collections.emptyList();
    }

    /**
     * No biases: the coefficients are neither weights nor biases.
     *
     * @param layer the layer (unused)
     * @return an empty list
     */
    @Override
    public List<String> biasKeys(Layer layer) {
        return Collections.emptyList();
    }

    /**
     * No parameter is a weight.
     *
     * @param layer the layer (unused)
     * @param key   a parameter key (unused)
     * @return false
     */
    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return false;
    }

    /**
     * No parameter is a bias.
     *
     * @param layer the layer (unused)
     * @param key   a parameter key (unused)
     * @return false
     */
    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return false;
    }

    /**
     * Splits the layer's parameter view into the two coefficient arrays and, if asked, writes the spec's initial
     * function into every coefficient set.
     *
     * @param conf             a configuration whose layer is a {@link RationalActivationLayer}
     * @param paramsView       the layer's view of the network's flattened parameters, length S·(m+1+n')
     * @param initializeParams whether to write the initial coefficients (false when the values are loaded)
     * @return views {@value #NUMERATOR_KEY} [S, m+1] and {@value #DENOMINATOR_KEY} [S, n'] into {@code paramsView}
     * @throws IllegalStateException    if the view's length is not S·(m+1+n'), naming expected and actual
     * @throws IllegalArgumentException if the spec is invalid (initial function requested)
     */
    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        RationalActivationLayer layer = (RationalActivationLayer) conf.getLayer();
        Map<String, INDArray> views = split(layer, paramsView);
        if (initializeParams) {
            RationalFunction f = layer.getSpec().initialFunction();
            LayerPlumbing.fillRational(views, NUMERATOR_KEY, DENOMINATOR_KEY, f);
        }
        conf.addVariable(NUMERATOR_KEY);
        conf.addVariable(DENOMINATOR_KEY);
        return views;
    }

    /**
     * Splits the layer's gradient view like the parameters.
     *
     * @param conf         a configuration whose layer is a {@link RationalActivationLayer}
     * @param gradientView the layer's view of the network's flattened gradient, length S·(m+1+n')
     * @return views {@value #NUMERATOR_KEY} [S, m+1] and {@value #DENOMINATOR_KEY} [S, n'] into {@code gradientView}
     * @throws IllegalStateException if the view's length is not S·(m+1+n'), naming expected and actual
     */
    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return split((RationalActivationLayer) conf.getLayer(), gradientView);
    }

    /** Views [S, m+1] and [S, n'] (C order) of the flat array, after checking its length. */
    private Map<String, INDArray> split(RationalActivationLayer layer, INDArray flat) {
        long expected = numParams(layer);
        if (flat.length() != expected) {
            throw new IllegalStateException("parameter view of layer '" + layer.getLayerName() + "' must have length "
                    + expected + ", got " + flat.length());
        }
        int sets = layer.numSets();
        int m1 = layer.getSpec().numeratorLength();
        int n = layer.getSpec().denominatorLength();
        INDArray row = flat.rank() == 1 ? flat : flat.reshape('c', flat.length());
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put(NUMERATOR_KEY, row.get(NDArrayIndex.interval(0, (long) sets * m1)).reshape('c', sets, m1));
        out.put(DENOMINATOR_KEY, row.get(NDArrayIndex.interval((long) sets * m1, expected)).reshape('c', sets, n));
        return out;
    }
}
