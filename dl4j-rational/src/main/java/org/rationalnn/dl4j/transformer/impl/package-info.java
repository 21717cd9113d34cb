/**
 * Runtime (DL4J {@code Layer}) of {@link org.rationalnn.dl4j.transformer.RationalTransformerBlock}; not for direct use.
 */
package org.rationalnn.dl4j.transformer.impl;
