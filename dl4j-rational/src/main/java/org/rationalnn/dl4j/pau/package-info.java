/**
 * Interoperation with PAU, the Padé Activation Units of Molina, Schramowski and Kersting (arXiv:1907.06732) and their
 * PyTorch library {@code rational_activations}: {@link org.rationalnn.dl4j.pau.PauTable} reads and writes coefficient
 * tables in PAU's {@code rationals_config.json} layout, {@link org.rationalnn.dl4j.pau.PauLayers} the coefficients of
 * trained layers (version, degrees, numerator, denominator per layer, as a PyTorch {@code state_dict} holds them), both
 * in PAU's own coefficient order and meaning, so that coefficients move between PyTorch and DL4J unchanged.
 */
package org.rationalnn.dl4j.pau;
