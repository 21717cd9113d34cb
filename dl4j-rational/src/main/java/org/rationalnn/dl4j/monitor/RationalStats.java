package org.rationalnn.dl4j.monitor;

import org.rationalnn.dl4j.rational.RationalVersion;

import java.util.Locale;

/**
 * What {@link RationalMonitor} measured about one rational at one iteration. Input statistics are over the
 * minibatch of that iteration (every element, or a strided subsample of {@link RationalMonitor.Builder#maxElements}
 * of them; for the rationals inside a transformer block without masked positions), NaN where no input was observed
 * (no activations for the layer, or every position masked).
 *
 * @param iteration         the network's iteration count
 * @param epoch             the network's epoch count
 * @param name              the rational ({@link RationalSite#name()})
 * @param version           its denominator form
 * @param sets              its number of coefficient sets
 * @param inputMin          smallest input value
 * @param inputMax          largest input value
 * @param elements          number of input values examined
 * @param minAbsQ           smallest |Q(x)| over the inputs (any set)
 * @param minAbsQSet        the coefficient set where it occurred
 * @param qChangesSign      version N only: Q took both signs on the inputs (a pole lies inside their range)
 * @param fractionOutside   fraction of inputs outside the spec's fit interval (NaN if the interval is unknown)
 * @param numeratorNorm     L2 norm of all numerator coefficients
 * @param denominatorNorm   L2 norm of all denominator coefficients
 * @param numeratorChange   L2 norm of the numerator's change since the previous report
 * @param denominatorChange L2 norm of the denominator's change since the previous report
 * @param changeSinceStart  L2 norm of the change of all coefficients since the monitor first saw them
 * @param poleWarning       version N only: min |Q| fell below the threshold or Q changed sign
 */
public record RationalStats(int iteration, int epoch, String name, RationalVersion version, int sets,
                            double inputMin, double inputMax, long elements, double minAbsQ, int minAbsQSet,
                            boolean qChangesSign, double fractionOutside, double numeratorNorm,
                            double denominatorNorm, double numeratorChange, double denominatorChange,
                            double changeSinceStart, boolean poleWarning) {

    /**
     * Whether the input statistics were observed.
     *
     * @return true when at least one input value was examined; false when the iteration gave no inputs for the
     *         rational
     */
    public boolean inputObserved() {
        return elements > 0;
    }

    /**
     * One log line with every statistic.
     *
     * @return the iteration, the rational, its input range and min |Q| (when observed), coefficient norms and
     *         changes, and a pole warning where one was raised
     */
    public String summary() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "iteration %d: rational '%s' (%s, %d set%s)",
                iteration, name, version, sets, sets == 1 ? "" : "s"));
        if (inputObserved()) {
            sb.append(String.format(Locale.ROOT, " inputs [%.4g, %.4g], min|Q| %.4g (set %d), %.2f%% outside the fit "
                    + "interval", inputMin, inputMax, minAbsQ, minAbsQSet, 100 * fractionOutside));
        } else {
            sb.append(" (no inputs observed)");
        }
        sb.append(String.format(Locale.ROOT, "; |P coef| %.4g, |Q coef| %.4g, change %.3g/%.3g, since start %.3g",
                numeratorNorm, denominatorNorm, numeratorChange, denominatorChange, changeSinceStart));
        if (poleWarning) {
            sb.append(qChangesSign ? " — POLE inside the input range (Q changes sign)" : " — close to a POLE");
        }
        return sb.toString();
    }
}
