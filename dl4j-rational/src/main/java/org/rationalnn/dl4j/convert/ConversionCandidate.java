package org.rationalnn.dl4j.convert;

import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.activations.IActivation;

/**
 * A layer of the network being converted, as {@link RationalConverter}'s selection sees it (the argument of
 * {@link RationalConverter.Builder#where}).
 *
 * @param name       the layer's name (MultiLayerNetwork: its configured name, DL4J's default {@code layer<i>})
 * @param index      its index in a MultiLayerNetwork, -1 in a ComputationGraph
 * @param layer      its configuration (not to be modified)
 * @param activation its activation function (for an {@code ActivationLayer}: the one it applies)
 * @param output     whether it is an output or loss layer, or a network output
 */
public record ConversionCandidate(String name, int index, Layer layer, IActivation activation, boolean output) {

    /**
     * The layer configuration's type, for filters and reports.
     *
     * @return the simple class name of the layer configuration (e.g. {@code DenseLayer})
     */
    public String layerType() {
        return layer.getClass().getSimpleName();
    }
}
