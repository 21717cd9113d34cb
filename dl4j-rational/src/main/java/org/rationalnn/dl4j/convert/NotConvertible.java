package org.rationalnn.dl4j.convert;

/**
 * A selected layer whose activation {@link RationalConverter} could not replace, with the reason (its activation sits
 * inside a recurrent cell, it is an output layer, its activation is not element-wise, ...).
 *
 * @param layerName  the layer's name
 * @param layerType  its configuration's simple class name
 * @param activation the activation(s) concerned
 * @param reason     why it was left unchanged
 */
public record NotConvertible(String layerName, String layerType, String activation, String reason) {
}
