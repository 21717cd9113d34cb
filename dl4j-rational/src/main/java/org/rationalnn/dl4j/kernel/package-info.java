/**
 * Kernels that apply a rational function and its gradients to ND4J arrays, all built from the switches of
 * {@link org.rationalnn.dl4j.rational.RationalVersion} and tested against the scalar reference: a SIMD float32
 * kernel on the JDK Vector API, a fused scalar JVM kernel (float32/float64), and a backend-agnostic kernel of
 * ND4J ops (CUDA). {@link org.rationalnn.dl4j.kernel.RationalKernels} dispatches between them and
 * {@link org.rationalnn.dl4j.kernel.SetView} maps every input layout and sharing mode to one canonical view;
 * {@link org.rationalnn.dl4j.kernel.CudaCompatibility} fails clearly where the CUDA build cannot run on the GPU.
 */
package org.rationalnn.dl4j.kernel;
