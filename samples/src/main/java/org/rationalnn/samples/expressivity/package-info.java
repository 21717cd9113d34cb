/**
 * Targets of the expressivity study ({@link org.rationalnn.samples.ExpressivityStudy}): functions on [−1, 1] and
 * [−1, 1]² with their training sets, evaluation grids and error levels.
 */
package org.rationalnn.samples.expressivity;
