package org.rationalnn.dl4j.convert;

import java.util.List;
import java.util.Locale;

/**
 * What {@link RationalConverter} did and how faithful the converted network is before any training.
 *
 * <p><b>Fidelity.</b> {@link #outputBound()} bounds max |y' − y| over the output elements of any calibration example
 * (y: the original network's output, y': the converted one's, both in inference mode). It chains, layer by layer in
 * the maximum norm, the replaced activations' errors ({@link ReplacedActivation#activationErrorBound()}) through the
 * Lipschitz constants of what follows them: dense and convolution weights (largest absolute row sum), batch
 * normalization's scale, pooling, fixed activations (largest |f'|), softmax (1/2), the rationals themselves (largest
 * |R'| on the reachable range), residual additions (sum of the branches' bounds) and merges (largest bound). Where a
 * layer downstream of a replacement has no known constant (recurrent layers, attention, products of two branches)
 * the bound is NaN and {@link #boundNote()} names the layer. Grid-based suprema (|R'|, |f'|, the fit error) are
 * taken on dense grids, so the bound is a computed, not a proven, one. It holds for inputs whose pre-activations stay
 * in the ranges the calibration data produced.
 *
 * @param replaced                  the replaced activations, in network order
 * @param notConvertible            selected layers left unchanged, with reasons
 * @param outputBound               bound on max |y' − y| (NaN if not computable, see {@code boundNote})
 * @param boundNote                 how the bound was obtained, or why it could not be
 * @param measuredMaxDifference     max |y' − y| measured over the calibration data (NaN without calibration data)
 * @param calibrationExamples       number of calibration examples
 * @param frozenLayers              layers frozen by {@code trainOnlyRationals} (FrozenLayerWithBackprop)
 * @param updaterStateParameters    number of parameter arrays whose updater state was carried over
 */
public record ConversionReport(List<ReplacedActivation> replaced, List<NotConvertible> notConvertible,
                               double outputBound, String boundNote, double measuredMaxDifference,
                               long calibrationExamples, List<String> frozenLayers, int updaterStateParameters) {

    /**
     * Creates a report; the three lists are copied (unmodifiable, null entries rejected).
     *
     * @param replaced               the replaced activations, in network order
     * @param notConvertible         selected layers left unchanged, with reasons
     * @param outputBound            bound on max |y' − y|, or NaN
     * @param boundNote              how the bound was obtained, or why it could not be
     * @param measuredMaxDifference  max |y' − y| over the calibration data, or NaN
     * @param calibrationExamples    number of calibration examples, ≥ 0
     * @param frozenLayers           layers frozen by {@code trainOnlyRationals}
     * @param updaterStateParameters number of parameter arrays whose updater state was carried over
     * @throws NullPointerException if a list or one of its entries is null
     */
    public ConversionReport {
        replaced = List.copyOf(replaced);
        notConvertible = List.copyOf(notConvertible);
        frozenLayers = List.copyOf(frozenLayers);
    }

    /**
     * Whether the measured difference respects the bound.
     *
     * @return {@code measuredMaxDifference <= outputBound}; true when either is NaN (nothing to contradict)
     */
    public boolean measuredWithinBound() {
        return !(measuredMaxDifference > outputBound);
    }

    /**
     * Looks up one replaced activation.
     *
     * @param name the name of the layer whose activation was replaced (the original layer's name)
     * @return its entry, or null if that layer's activation was not replaced
     */
    public ReplacedActivation replaced(String name) {
        for (ReplacedActivation r : replaced) {
            if (r.layerName().equals(name)) {
                return r;
            }
        }
        return null;
    }

    /** A readable table: one line per replaced activation, the unconverted layers, the bound and the measurement. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Rational conversion: ").append(replaced.size())
                .append(" activation(s) replaced\n");
        sb.append(String.format(Locale.ROOT, "  %-18s %-14s %-22s %-20s %-20s %10s %10s %10s%n", "layer", "type",
                "activation", "fit interval", "observed", "fit err", "dev in", "dev out"));
        for (ReplacedActivation r : replaced) {
            sb.append(String.format(Locale.ROOT, "  %-18s %-14s %-22s [%8.4g, %8.4g] [%8.4g, %8.4g] %10.3g %10.3g %10.3g%n",
                    r.layerName(), r.layerType(), shorten(r.activation(), 22), r.fitLower(), r.fitUpper(),
                    r.observedMin(), r.observedMax(), r.activationErrorBound(), r.inputDeviationBound(),
                    r.outputDeviationBound()));
        }
        for (NotConvertible n : notConvertible) {
            sb.append("  not convertible: ").append(n.layerName()).append(" (").append(n.layerType()).append(", ")
                    .append(n.activation()).append("): ").append(n.reason()).append('\n');
        }
        if (!frozenLayers.isEmpty()) {
            sb.append("  frozen (FrozenLayerWithBackprop): ").append(String.join(", ", frozenLayers)).append('\n');
        }
        sb.append(String.format(Locale.ROOT, "  output bound %.4g; measured max |difference| %.4g on %d calibration "
                + "examples%n", outputBound, measuredMaxDifference, calibrationExamples));
        sb.append("  ").append(boundNote).append('\n');
        sb.append("  updater state carried over for ").append(updaterStateParameters).append(" parameter arrays");
        return sb.toString();
    }

    private static String shorten(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }
}
