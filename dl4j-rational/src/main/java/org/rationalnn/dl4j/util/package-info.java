/**
 * Operational helpers: what backend and kernel run ({@link org.rationalnn.dl4j.util.BackendReport}, which reads the
 * kernel package's dispatch and CUDA check; the kernel package never imports this one) and crash-safe model saving
 * ({@link org.rationalnn.dl4j.util.ModelFiles}).
 */
package org.rationalnn.dl4j.util;
