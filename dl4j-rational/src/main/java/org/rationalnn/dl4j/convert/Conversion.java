package org.rationalnn.dl4j.convert;

import org.deeplearning4j.nn.api.Model;

import java.util.Objects;

/**
 * The outcome of {@link RationalConverter#convert}: a new network (the original is not modified) and what was done.
 *
 * @param network the converted network, initialised, with the original's parameters (and updater state)
 * @param report  per replaced activation: interval, fit error, deviation bounds; the layers that could not be
 *                converted; the output bound and the measured output difference on the calibration data
 * @param <N>     MultiLayerNetwork or ComputationGraph
 */
public record Conversion<N extends Model>(N network, ConversionReport report) {
    /**
     * Creates an outcome.
     *
     * @param network the converted network
     * @param report  what the conversion did
     * @throws NullPointerException if {@code network} or {@code report} is null
     */
    public Conversion {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(report, "report");
    }
}
