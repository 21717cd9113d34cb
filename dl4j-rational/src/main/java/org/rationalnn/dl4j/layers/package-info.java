/**
 * The trainable native layer {@link org.rationalnn.dl4j.layers.RationalActivationLayer} (configuration) with its
 * parameter initializer; the runtime lives in {@code layers.impl}. Follows DL4J's PReLU pattern and works in
 * {@code MultiLayerNetwork} and {@code ComputationGraph}.
 */
package org.rationalnn.dl4j.layers;
