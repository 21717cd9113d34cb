/**
 * Runtime (DL4J {@code Layer}) of {@link org.rationalnn.dl4j.transformer.RationalTransformerBlock}; not for direct use.
 * {@code RationalTransformerBlockImpl} is the layer (masks, dropout multipliers, workspaces, both executions);
 * {@code NativeBlock}, {@code NativeAttention} and {@code NativeFeedForward} are the NATIVE execution's forward and
 * backward passes; {@code BlockMath} their dense pieces over ND4J ops, with fused float32 CPU loops in
 * {@code VectorBlockOps}.
 */
package org.rationalnn.dl4j.transformer.impl;
