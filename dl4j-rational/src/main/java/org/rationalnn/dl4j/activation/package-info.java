/**
 * {@link org.rationalnn.dl4j.activation.ActivationRational}: a rational activation with fixed coefficients for
 * any DL4J layer that takes an {@link org.nd4j.linalg.activations.IActivation}.
 */
package org.rationalnn.dl4j.activation;
