/**
 * The one contract every layer type that holds trainable rational coefficients follows
 * ({@link org.rationalnn.dl4j.layers.RationalActivationLayer}, {@link org.rationalnn.dl4j.samediff.RationalDense},
 * {@link org.rationalnn.dl4j.samediff.RationalVertex},
 * {@link org.rationalnn.dl4j.transformer.RationalTransformerBlock}), and the one implementation of the plumbing they
 * share: {@link org.rationalnn.dl4j.common.RationalLayer} (the coefficients' own updater and regularization, their
 * parameter keys and roles, reading learned functions back out), {@link org.rationalnn.dl4j.common.CoefficientOptions}
 * (the builder words), {@link org.rationalnn.dl4j.common.LayerPlumbing} (input types, memory reports, parameter rows,
 * regularization scores and gradient views of the runtimes), {@link org.rationalnn.dl4j.common.RationalSlot} (one
 * rational's keys, type and sets), {@link org.rationalnn.dl4j.common.NumeratorNoise} (version D's training noise),
 * {@link org.rationalnn.dl4j.common.CoefficientParamInitializer} (parameter roles of the SameDiff layers) and
 * {@link org.rationalnn.dl4j.common.SameDiffLayerRuntime} (the SameDiff runtimes' shared base), plus
 * {@link org.rationalnn.dl4j.common.SameDiffLayerConfigs} (what the SameDiff layer configurations share: runtime wiring, updaters and
 * regularization per parameter role, equality over the inherited fields, cloning) and {@link org.rationalnn.dl4j.common.SequenceRows} (the
 * sequence-to-rows reshaping of the SameDiff graphs).
 */
package org.rationalnn.dl4j.common;
