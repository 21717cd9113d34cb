/**
 * Converting an existing network to trainable rational activations: {@link org.rationalnn.dl4j.convert.RationalConverter}
 * takes a (trained) {@code MultiLayerNetwork} or {@code ComputationGraph} and returns a new one in which chosen fixed
 * activations are {@link org.rationalnn.dl4j.layers.RationalActivationLayer}s fitted to DL4J's own activation on the
 * pre-activation ranges seen on calibration data, with parameters, updater state, preprocessors and names carried
 * over, and a {@link org.rationalnn.dl4j.convert.ConversionReport} stating how faithful the result is (fit errors,
 * a Lipschitz bound on the output difference, the measured difference). {@link org.rationalnn.dl4j.convert.Dl4jActivations}
 * evaluates DL4J's activations as plain functions.
 */
package org.rationalnn.dl4j.convert;
