/**
 * Transformer-style blocks whose nonlinearities are trainable rational functions:
 * {@link org.rationalnn.dl4j.transformer.RationalTransformerBlock} (multi-head self-attention plus a feed-forward
 * part gated by a rational, KAT arXiv:2409.10594 / arXiv:2602.12390), a SameDiff layer usable in
 * {@code MultiLayerNetwork} and {@code ComputationGraph} with exact gradients on DL4J 1.0.0-M2.1, executed by a
 * hand-written forward and backward pass (NATIVE, default) or as one SameDiff graph (SAMEDIFF).
 */
package org.rationalnn.dl4j.transformer;
