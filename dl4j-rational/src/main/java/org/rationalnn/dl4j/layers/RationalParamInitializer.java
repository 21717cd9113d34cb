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

    public static RationalParamInitializer getInstance() {
        return INSTANCE;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        RationalActivationLayer l = (RationalActivationLayer) layer;
        return (long) l.numSets() * (l.getSpec().numeratorLength() + l.getSpec().denominatorLength());
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return KEYS;
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return Collections.emptyList();
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return Collections.emptyList();
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return false;
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return false;
    }

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

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return split((RationalActivationLayer) conf.getLayer(), gradientView);
    }

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
