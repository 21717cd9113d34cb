package org.rationalnn.dl4j.common;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.rationalnn.dl4j.rational.RationalFunction;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The plumbing the rational layer types share, written once: channel counts from input types, memory reports,
 * filling coefficient rows, and the SameDiff runtimes' gradient views, gradients and regularization score.
 */
public final class LayerPlumbing {

    private LayerPlumbing() {
    }

    /**
     * The channel count of an element-wise layer's input (the layer keeps the input's shape): FF size, RNN size,
     * CNN channels, or the flattened size of CNNFlat.
     *
     * @param type  the input type of the layer
     * @param where prefix of error messages naming the layer, e.g. {@code "layer 'act': "}
     * @return the channel count c (the size of the channel axis; as DL4J reports it, not checked to be positive)
     * @throws IllegalStateException    if {@code type} is null
     * @throws IllegalArgumentException for any other input type (CNN3D, ...), naming it and the accepted ones
     */
    public static long elementWiseChannels(InputType type, String where) {
        if (type == null) {
            throw new IllegalStateException(where + "input type must not be null");
        }
        switch (type.getType()) {
            case FF:
                return ((InputType.InputTypeFeedForward) type).getSize();
            case RNN:
                return ((InputType.InputTypeRecurrent) type).getSize();
            case CNN:
                return ((InputType.InputTypeConvolutional) type).getChannels();
            case CNNFlat:
                return ((InputType.InputTypeConvolutionalFlat) type).getFlattenedSize();
            default:
                throw new IllegalArgumentException(where + "input type must be one of [FF, RNN, CNN, CNNFlat], got "
                        + type.getType() + " (" + type + ")");
        }
    }

    /**
     * DL4J's memory report of a layer that keeps only its parameters and updater state (no working or cache memory
     * beyond DL4J's own arrays), for a layer whose coefficients may have their own updater: the updater state is
     * that of the layer's updater for the other parameters plus that of the coefficients' updater for the
     * coefficients ({@link RationalLayer#coefficientCount()}).
     *
     * @param name       the layer's name
     * @param layerClass the configuration class
     * @param in         the input type
     * @param out        the output type
     * @param numParams  all parameters of the layer
     * @param layer      the layer (its coefficient count and coefficient updater)
     * @param updater    the layer's updater (null: plain SGD, no state)
     * @return the report
     */
    public static LayerMemoryReport parameterOnlyReport(String name, Class<?> layerClass, InputType in,
                                                        InputType out, long numParams, RationalLayer layer,
                                                        IUpdater updater) {
        IUpdater u = updater == null ? new Sgd() : updater;
        IUpdater cu = layer.coefficientUpdaterOr(u);
        long coefficients = Math.min(numParams, layer.coefficientCount());
        long state = u.stateSize(numParams - coefficients) + cu.stateSize(coefficients);
        return new LayerMemoryReport.Builder(name, layerClass, in, out)
                .standardMemory(numParams, state)
                .workingMemory(0, 0, MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS).build();
    }

    /**
     * Writes {@code values} into every row of {@code target} [S, values.length] (any data type, any view).
     *
     * @param target the array to fill in place, rank 2 with {@code values.length} columns
     * @param values the row to write, cast to the data type of {@code target}
     * @throws IllegalArgumentException if {@code target} is not [S, values.length], naming its shape
     */
    public static void fillRows(INDArray target, double[] values) {
        if (target.rank() != 2 || target.size(1) != values.length) {
            throw new IllegalArgumentException("coefficient array must have shape [S, " + values.length + "], got "
                    + java.util.Arrays.toString(target.shape()));
        }
        INDArray row = Nd4j.createFromArray(values).castTo(target.dataType()).reshape(1, values.length);
        for (int s = 0; s < target.rows(); s++) {
            target.getRow(s, true).assign(row);
        }
    }

    /**
     * Initialises every coefficient set of a rational slot to {@code f}: each row of the numerator array gets
     * a_0..a_m, each row of the denominator array the denominator coefficients of {@code f}.
     *
     * @param params         parameter table holding both arrays
     * @param numeratorKey   key of the numerator coefficients [S, m+1]
     * @param denominatorKey key of the denominator coefficients [S, {@link RationalFunction#denominator()}.length]
     * @param f              the initial function (its type must match the arrays' column counts)
     * @throws IllegalArgumentException if an array's shape does not match {@code f}
     * @throws NullPointerException     if a key is missing from {@code params}
     */
    public static void fillRational(Map<String, INDArray> params, String numeratorKey, String denominatorKey,
                                    RationalFunction f) {
        fillRows(params.get(numeratorKey), f.numerator());
        fillRows(params.get(denominatorKey), f.denominator());
    }

    /**
     * The gradient views of a runtime's parameters, in the order of its parameter table.
     *
     * @param paramTable the runtime's parameters, by key (only the keys and their order are used)
     * @param gradTable  the runtime's gradient views, by key
     * @return a new ordered map from each parameter key to its gradient view (the views themselves, not copies; null
     *         for a key {@code gradTable} lacks)
     */
    public static Map<String, INDArray> gradientViews(Map<String, INDArray> paramTable, Map<String, INDArray> gradTable) {
        Map<String, INDArray> views = new LinkedHashMap<>();
        for (String key : paramTable.keySet()) {
            views.put(key, gradTable.get(key));
        }
        return views;
    }

    /**
     * A DL4J gradient holding these views.
     *
     * @param views gradient arrays by parameter key (not copied)
     * @return a new {@link DefaultGradient} with one entry per view, in the map's order
     */
    public static Gradient gradient(Map<String, INDArray> views) {
        Gradient g = new DefaultGradient();
        for (Map.Entry<String, INDArray> e : views.entrySet()) {
            g.gradientForVariable().put(e.getKey(), e.getValue());
        }
        return g;
    }

    /**
     * The regularization term of the score, Σ over parameters of their regularizations' scores (DL4J's SameDiff
     * runtimes report 0 here although the updater applies the regularization gradients).
     *
     * @param paramTable the parameters, by key
     * @param byParam    the regularizations of a parameter key (e.g. the configuration's
     *                   {@code getRegularizationByParam}); must not return null
     * @param iteration  current iteration count (for scheduled coefficients)
     * @param epoch      current epoch count (for scheduled coefficients)
     * @return the sum of the scores, 0 when no parameter is regularized
     */
    public static double regularizationScore(Map<String, INDArray> paramTable,
                                             Function<String, List<Regularization>> byParam, int iteration,
                                             int epoch) {
        double sum = 0.0;
        for (Map.Entry<String, INDArray> e : paramTable.entrySet()) {
            for (Regularization r : byParam.apply(e.getKey())) {
                sum += r.score(e.getValue(), iteration, epoch);
            }
        }
        return sum;
    }
}
