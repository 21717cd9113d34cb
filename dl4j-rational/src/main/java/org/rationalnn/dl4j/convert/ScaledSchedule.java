package org.rationalnn.dl4j.convert;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * A schedule multiplied by a constant: {@code valueAt(i, e) = factor × base.valueAt(i, e)}. {@link RationalConverter}
 * uses it for the paper's recipe (arXiv:2602.12390: the rational coefficients train at half the learning rate) when the
 * layer's updater follows a learning-rate schedule. Serializable with the network's JSON configuration.
 */
public final class ScaledSchedule implements ISchedule {
    private static final long serialVersionUID = 1L;

    /** The schedule that is scaled. */
    private final ISchedule base;
    /** The constant multiplier, finite and &gt; 0. */
    private final double factor;

    /**
     * Creates {@code factor × base}.
     *
     * @param base   the schedule to scale
     * @param factor the multiplier, finite and &gt; 0
     * @throws NullPointerException if {@code base} is null
     * @throws IllegalArgumentException if the factor is not finite and positive
     */
    @JsonCreator
    public ScaledSchedule(@JsonProperty("base") ISchedule base, @JsonProperty("factor") double factor) {
        this.base = Objects.requireNonNull(base, "base schedule");
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("schedule factor must be finite and in (0, ∞), got " + factor);
        }
        this.factor = factor;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return factor * base.valueAt(iteration, epoch);
    }

    @Override
    public ISchedule clone() {
        return new ScaledSchedule(base.clone(), factor);
    }

    /**
     * The schedule that is scaled.
     *
     * @return the base schedule
     */
    public ISchedule getBase() {
        return base;
    }

    /**
     * The constant multiplier.
     *
     * @return the factor, finite and &gt; 0
     */
    public double getFactor() {
        return factor;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScaledSchedule && ((ScaledSchedule) o).base.equals(base)
                && Double.compare(((ScaledSchedule) o).factor, factor) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * base.hashCode() + Double.hashCode(factor);
    }

    @Override
    public String toString() {
        return "ScaledSchedule(" + factor + " × " + base + ")";
    }
}
