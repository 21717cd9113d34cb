package org.rationalnn.dl4j.convert;

import java.util.List;
import java.util.Locale;

/**
 * What {@link RationalConverter} did and how faithful the converted network is before any training.
 *
 * <p><b>Fidelity.</b> {@link #outputBound()} bounds max |y' − y| over the output elements of any calibration example
 * (y: the original network's output, y': the converted one's, both in inference mode). Derivation: write
 * e_k = max |R_k(z) − f_k(z)| for the k-th replaced activation f_k and its rational R_k, the maximum over the fit
 * interval ({@link ReplacedActivation#activationErrorBound()}), and δ_v for a bound on max |a'_v − a_v| over the
 * elements of what layer or vertex v outputs. Going through the network in topological order, starting from δ = 0
 * at the inputs:
 * <ul>
 * <li>a layer x ↦ φ(x W + b) (dense, convolution with W as [nOut, nIn·k]): |φ(x'W + b) − φ(xW + b)| ≤ L_φ ‖W‖ δ_in,
 * with ‖W‖ = max over outputs of Σ |W_ij| (the operator norm for the maximum norm) and L_φ = sup |φ'| of the
 * layer's fixed activation (1 for ReLU and tanh, 1/4 for sigmoid, ...); batch normalization (whose configured activation DL4J never applies): max
 * |γ|/σ over channels; max/average pooling, dropout at inference, padding and cropping: 1; sum pooling: the window
 * size; softmax: 1/2;</li>
 * <li>a replaced activation, R(z') against f(z): |R(z') − f(z)| ≤ |R(z') − R(z)| + |R(z) − f(z)| ≤ L_R δ_in + e_k,
 * with L_R = max |R'| over the range z' can reach (the observed range widened by δ_in);</li>
 * <li>element-wise addition or subtraction of branches: the sum of their δ; merge, subset, stack and similar
 * vertices: the largest δ of their inputs.</li>
 * </ul>
 * The output's δ is the bound. {@link ReplacedActivation#inputDeviationBound()} and
 * {@link ReplacedActivation#outputDeviationBound()} are the δ before and after each replacement. Where a layer
 * downstream of a replacement has no known constant (recurrent layers, attention, products of two branches) the
 * bound is NaN and {@link #boundNote()} names the layer. The suprema (|R'|, |f'|, the fit error) are taken on dense
 * grids, so the bound is a computed, not a proven, one; it holds for inputs whose pre-activations stay in the ranges
 * the calibration data produced.
 *
 * <p>It is a worst case over every input deviation pattern allowed by δ, so it grows with the product of the
 * downstream operator norms and can exceed the measured difference ({@link #measuredMaxDifference()}) by orders of
 * magnitude in deep or wide networks (on the tests' ResNet-style graph 7.5·10^3 against 0.015); the measured value is
 * the practical number. Ratios |g(x') − g(x)| / |x' − x| observed on the calibration data would be smaller, but
 * they underestimate the true constants and would not give a bound; a tighter true bound would propagate one δ per
 * unit or channel instead of one per layer.
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
