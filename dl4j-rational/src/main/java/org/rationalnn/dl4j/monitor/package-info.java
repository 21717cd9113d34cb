/**
 * Watching rationals while they train: {@link org.rationalnn.dl4j.monitor.RationalMonitor} (a DL4J
 * {@code TrainingListener} for any network holding rational layers: input ranges, smallest |Q|, inputs outside the fit
 * interval, coefficient norms and their change, pole warnings for version N, and a stop with a named layer and
 * parameter on NaN/Inf), its records {@link org.rationalnn.dl4j.monitor.RationalStats},
 * {@link org.rationalnn.dl4j.monitor.RationalPlots} (one PNG of every rational's learned function against its
 * initial one, with an input histogram; java.awt only) and {@link org.rationalnn.dl4j.monitor.RationalSite} (where the
 * rationals of a network are, shared with the PAU export).
 */
package org.rationalnn.dl4j.monitor;
