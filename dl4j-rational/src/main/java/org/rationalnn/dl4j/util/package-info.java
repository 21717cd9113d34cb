/**
 * Operational helpers: what backend and kernel run ({@link org.rationalnn.dl4j.util.BackendReport}), the CUDA
 * build/GPU compatibility check ({@link org.rationalnn.dl4j.util.CudaCompatibility}) and crash-safe model saving
 * ({@link org.rationalnn.dl4j.util.ModelFiles}).
 */
package org.rationalnn.dl4j.util;
