package org.rationalnn.dl4j.common;

import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.Collections;
import java.util.List;

/**
 * The contract of every layer configuration that holds trainable rational coefficients (the native
 * {@link org.rationalnn.dl4j.layers.RationalActivationLayer}, the SameDiff
 * {@link org.rationalnn.dl4j.samediff.RationalDense} and {@link org.rationalnn.dl4j.samediff.RationalVertex}, the
 * {@link org.rationalnn.dl4j.transformer.RationalTransformerBlock}).
 *
 * <p><b>Builder words, the same in all four</b> ({@link CoefficientOptions}):
 * <ul>
 * <li>{@code .coefficientUpdater(IUpdater)}: the coefficients' own updater. Default: the layer's updater (its own
 * {@code .updater(...)}, else the network's). The paper's recipe (arXiv:2602.12390) is half the learning rate.</li>
 * <li>{@code .coefficientRegularization(Regularization...)}, {@code .coefficientL1/.coefficientL2/
 * .coefficientWeightDecay(double)}: regularization of the coefficients. Default: none.</li>
 * <li>The layer's plain {@code .updater(...)} is the updater of all its parameters, coefficients included unless
 * {@code coefficientUpdater} is set.</li>
 * <li>The layer's plain {@code .l1/.l2/.weightDecay} (and the network's global ones) apply to its weights only (the
 * matrices of {@code RationalDense} and the transformer block; their {@code Bias} variants to biases), never to the
 * coefficients. {@code RationalActivationLayer} and {@code RationalVertex} have no weights: the activation layer's
 * builder rejects these words with a message that points to {@code coefficientRegularization}, and the vertex's
 * builder does not offer them.</li>
 * </ul>
 *
 * <p><b>Parameters.</b> Each rational has a numerator key and a denominator key ({@link #rationalSlots()}); for a
 * single rational they are {@value #NUMERATOR_KEY} and {@value #DENOMINATOR_KEY}. Coefficients are neither weights
 * nor biases in DL4J's sense: weight constraints, bias constraints, DropConnect and weight noise never touch them;
 * only {@code constrainAllParameters(...)} (an explicit request for every parameter) does.
 */
public interface RationalLayer {

    /** Parameter key of a layer's numerator coefficients a_0..a_m, [S, m+1]. */
    String NUMERATOR_KEY = "numerator";
    /** Parameter key of a layer's denominator coefficients, [S, n] ([S, n+1] for version C). */
    String DENOMINATOR_KEY = "denominator";

    /**
     * The coefficients' own updater, set with the builder word {@code .coefficientUpdater(IUpdater)}. Default: null.
     *
     * @return the updater of every coefficient parameter of the layer, or null when the coefficients use the layer's
     *         updater (its own {@code .updater(...)}, else the network's)
     */
    IUpdater getCoefficientUpdater();

    /**
     * Regularization of the coefficients, set with the builder words {@code .coefficientRegularization(...)} and
     * {@code .coefficientL1/L2/WeightDecay(double)}. Default: empty.
     *
     * @return the regularizations applied to every coefficient parameter, in the order they were added (empty or null:
     *         none; use {@link #coefficientRegularizationOrEmpty()} for a list that is never null)
     */
    List<Regularization> getCoefficientRegularization();

    /**
     * The rationals this layer holds, with their parameter keys, versions, types and coefficient sets. Needs the
     * layer's sizes (known once the network has set them from its input type).
     *
     * @return one slot per rational of the layer (exactly one for {@code RationalActivationLayer},
     *         {@code RationalVertex} and {@code RationalDense}; for the transformer block, as many as its options use)
     * @throws IllegalStateException if CHANNEL or GROUP sharing needs a channel count the layer does not know yet
     */
    List<RationalSlot> rationalSlots();

    /**
     * Whether {@code key} names rational coefficients of this layer. The default decides by the name alone
     * ({@link #isCoefficientKeyName(String)}), which agrees with the keys of {@link #rationalSlots()} for every layer
     * of this library and needs no sizes.
     *
     * @param key a parameter key (null gives false)
     * @return true for numerator and denominator coefficient keys
     */
    default boolean isCoefficientKey(String key) {
        return isCoefficientKeyName(key);
    }

    /**
     * Whether a parameter key names rational coefficients: {@value #NUMERATOR_KEY}, {@value #DENOMINATOR_KEY}, or a
     * prefixed form ending in "Numerator"/"Denominator" (the transformer block's {@code r1Numerator}, ...). Depends on
     * the key alone, so it holds before a layer knows its sizes.
     *
     * @param key a parameter key (null gives false)
     * @return true if the key names numerator or denominator coefficients
     */
    static boolean isCoefficientKeyName(String key) {
        return key != null && (key.equals(NUMERATOR_KEY) || key.equals(DENOMINATOR_KEY) || key.endsWith("Numerator")
                || key.endsWith("Denominator"));
    }

    /**
     * Number of rational coefficients the layer holds: Σ over {@link #rationalSlots()} of S·(m + 1 + stored
     * denominator coefficients).
     *
     * @return the coefficient count
     */
    default long coefficientCount() {
        long sum = 0;
        for (RationalSlot slot : rationalSlots()) {
            sum += (long) slot.sets() * (slot.numeratorDegree() + 1
                    + slot.version().denominatorLength(slot.denominatorDegree()));
        }
        return sum;
    }

    /**
     * The updater of the coefficients: {@link #getCoefficientUpdater()} if set, else {@code layerUpdater}.
     *
     * @param layerUpdater the updater of the layer's other parameters (may be null)
     * @return the coefficients' updater (null only if both are null)
     */
    default IUpdater coefficientUpdaterOr(IUpdater layerUpdater) {
        IUpdater u = getCoefficientUpdater();
        return u != null ? u : layerUpdater;
    }

    /**
     * The coefficients' regularization, never null.
     *
     * @return {@link #getCoefficientRegularization()}, or an empty immutable list when that is null
     */
    default List<Regularization> coefficientRegularizationOrEmpty() {
        List<Regularization> r = getCoefficientRegularization();
        return r == null ? Collections.emptyList() : r;
    }
}
