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
 * {@link Words}.
 */
public final class CoefficientOptions {
    private IUpdater updater;
    private final List<Regularization> regularization = new ArrayList<>();

    /** The coefficients' updater (null: the layer's). */
    public IUpdater updater() {
        return updater;
    }

    /** A copy of the coefficients' regularization. */
    public List<Regularization> regularization() {
        return new ArrayList<>(regularization);
    }

    /**
     * The builder words of the contract; a layer builder implements {@link #coefficientOptions()} and gets the rest.
     *
     * @param <B> the builder type (returned for chaining)
     */
    public interface Words<B> {

        /** The builder's coefficient options (held by the builder). */
        CoefficientOptions coefficientOptions();

        /**
         * The coefficients' own updater (default: the layer's updater; arXiv:2602.12390 gives the coefficients half
         * the learning rate).
         */
        @SuppressWarnings("unchecked")
        default B coefficientUpdater(IUpdater updater) {
            coefficientOptions().updater = updater;
            return (B) this;
        }

        /** Regularization of the coefficients (default none; added to what was set before). */
        @SuppressWarnings("unchecked")
        default B coefficientRegularization(Regularization... regularization) {
            for (Regularization r : regularization) {
                coefficientOptions().regularization.add(Objects.requireNonNull(r, "regularization"));
            }
            return (B) this;
        }

        /** L1 regularization of the coefficients with coefficient {@code l1} ≥ 0 (0: none). */
        default B coefficientL1(double l1) {
            return coefficientRegularization(nonNegative("coefficient l1", l1, L1Regularization::new));
        }

        /** L2 regularization of the coefficients with coefficient {@code l2} ≥ 0 (0: none). */
        default B coefficientL2(double l2) {
            return coefficientRegularization(nonNegative("coefficient l2", l2, L2Regularization::new));
        }

        /** Weight decay of the coefficients, as DL4J's {@code WeightDecay(coefficient, true)} (scaled by the learning rate). */
        default B coefficientWeightDecay(double coefficient) {
            return coefficientRegularization(nonNegative("coefficient weight decay", coefficient,
                    c -> new WeightDecay(c, true)));
        }
    }

    private static Regularization[] nonNegative(String what, double value,
                                                java.util.function.DoubleFunction<Regularization> make) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(what + " must be finite and in [0, ∞), got " + value);
        }
        return value == 0 ? new Regularization[0] : new Regularization[]{make.apply(value)};
    }

    @Override
    public String toString() {
        return "CoefficientOptions{updater=" + updater + ", regularization=" + Arrays.toString(regularization.toArray())
                + "}";
    }
}
