/**
 * Runtimes of the SameDiff layer {@link org.rationalnn.dl4j.samediff.RationalDense} and vertex
 * {@link org.rationalnn.dl4j.samediff.RationalVertex}: they extend DL4J's SameDiff runtimes for parameter handling
 * and run their graphs through {@link org.rationalnn.dl4j.samediff.ExternalErrorsGraph} (exact gradients, DL4J
 * workspaces, no stdout). Not for direct use.
 */
package org.rationalnn.dl4j.samediff.impl;
