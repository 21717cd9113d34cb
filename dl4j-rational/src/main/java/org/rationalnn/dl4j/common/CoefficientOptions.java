package org.rationalnn.dl4j.common;

import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.L1Regularization;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a layer builder collects about the coefficients' training (their own updater and regularization), and the
 * builder words of {@link RationalLayer}'s contract, implemented once for all four layer builders through
 * {@link Words}. A builder holds one instance (mutable, not thread-safe) and copies its values into the layer
 * configuration when it builds the layer. Defaults: no updater of its own (null), no regularization.
 */
public final class CoefficientOptions {
    /** The coefficients' own updater; null (the default) means the layer's updater. */
    private IUpdater updater;
    /** Regularization of the coefficients, in the order it was added; empty (the default) means none. */
    private final List<Regularization> regularization = new ArrayList<>();

    /**
     * The coefficients' own updater, as set by {@link Words#coefficientUpdater(IUpdater)}.
     *
     * @return the updater, or null (the default) when the coefficients use the layer's updater
     */
    public IUpdater updater() {
        return updater;
    }

    /**
     * The coefficients' regularization, as added by {@link Words#coefficientRegularization(Regularization...)} and
     * the {@code coefficientL1/L2/WeightDecay} words.
     *
     * @return a new mutable list (a copy; changing it does not change these options), empty when none was set
     */
    public List<Regularization> regularization() {
        return new ArrayList<>(regularization);
    }

    /**
     * The builder words of the contract; a layer builder implements {@link #coefficientOptions()} and gets the rest.
     * Every word returns the builder itself (cast to {@code B}), so it chains with the builder's own words.
     *
     * @param <B> the builder type (returned for chaining); must be the type of the implementing builder
     */
    public interface Words<B> {

        /**
         * The builder's coefficient options, which the default words below write into.
         *
         * @return the options held by the builder (always the same instance, never null)
         */
        CoefficientOptions coefficientOptions();

        /**
         * The coefficients' own updater (default: the layer's updater; arXiv:2602.12390 gives the coefficients half
         * the learning rate). Replaces an updater set before. The updater is not copied: do not change it afterwards.
         *
         * @param updater the updater of the numerator and denominator coefficients, or null for the layer's updater
         * @return this builder
         */
        @SuppressWarnings("unchecked")
        default B coefficientUpdater(IUpdater updater) {
            coefficientOptions().updater = updater;
            return (B) this;
        }

        /**
         * Regularization of the coefficients (default none; added to what was set before, never replacing it).
         *
         * @param regularization regularizations to add (e.g. DL4J's {@code L1Regularization},
         *                       {@code L2Regularization}, {@code WeightDecay}); none adds nothing
         * @return this builder
         * @throws NullPointerException if the array or one of its entries is null
         */
        @SuppressWarnings("unchecked")
        default B coefficientRegularization(Regularization... regularization) {
            for (Regularization r : regularization) {
                coefficientOptions().regularization.add(Objects.requireNonNull(r, "regularization"));
            }
            return (B) this;
        }

        /**
         * L1 regularization of the coefficients (DL4J's {@code L1Regularization}: score l1 · Σ|c|), added to the
         * regularization set before. Default: none.
         *
         * @param l1 the L1 coefficient, finite and ≥ 0; 0 adds nothing
         * @return this builder
         * @throws IllegalArgumentException if {@code l1} is negative, NaN or infinite (the message names the value)
         */
        default B coefficientL1(double l1) {
            return coefficientRegularization(nonNegative("coefficient l1", l1, L1Regularization::new));
        }

        /**
         * L2 regularization of the coefficients (DL4J's {@code L2Regularization}: score l2/2 · Σc²), added to the
         * regularization set before. Default: none.
         *
         * @param l2 the L2 coefficient, finite and ≥ 0; 0 adds nothing
         * @return this builder
         * @throws IllegalArgumentException if {@code l2} is negative, NaN or infinite (the message names the value)
         */
        default B coefficientL2(double l2) {
            return coefficientRegularization(nonNegative("coefficient l2", l2, L2Regularization::new));
        }

        /**
         * Weight decay of the coefficients, as DL4J's {@code WeightDecay(coefficient, true)}: each step subtracts
         * coefficient · learning rate · c from every coefficient c. Added to the regularization set before. Default:
         * none.
         *
         * @param coefficient the decay coefficient, finite and ≥ 0; 0 adds nothing
         * @return this builder
         * @throws IllegalArgumentException if {@code coefficient} is negative, NaN or infinite (the message names the
         *                                  value)
         */
        default B coefficientWeightDecay(double coefficient) {
            return coefficientRegularization(nonNegative("coefficient weight decay", coefficient,
                    c -> new WeightDecay(c, true)));
        }
    }

    /** The regularization {@code make(value)}, none for 0; rejects a negative, NaN or infinite value. */
    private static Regularization[] nonNegative(String what, double value,
                                                java.util.function.DoubleFunction<Regularization> make) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(what + " must be finite and in [0, ∞), got " + value);
        }
        return value == 0 ? new Regularization[0] : new Regularization[]{make.apply(value)};
    }

    /**
     * A description for logs.
     *
     * @return the updater and the regularization list
     */
    @Override
    public String toString() {
        return "CoefficientOptions{updater=" + updater + ", regularization=" + Arrays.toString(regularization.toArray())
                + "}";
    }
}
