package org.rationalnn.dl4j.samediff;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Measures, once per JVM, the factor by which SameDiff's external-errors mechanism (the one DL4J's SameDiff layers
 * and vertices use to receive dL/d(output)) scales every gradient. In DL4J 1.0.0-M2.1 it is 2: the
 * {@code ExternalErrorsFunction} registers the incoming gradient and then adds it again, so each SameDiff layer
 * doubles the true gradient of its parameters and its input (stacked layers compound to 2^k). A release that
 * repairs the defect gives 1.
 *
 * <p><b>Probe.</b> A tiny graph out = in ⊙ w (float64, in = [[1, 2]], w = [[3, 5]]) is run through
 * {@link ExternalErrorsGraph} with epsilon = [[0.5, 0.25]]; the four returned gradients are divided by their exact
 * values dL/dw = ε ⊙ in and dL/din = ε ⊙ w. They must agree (relative 1e-12) and be finite and positive; that common
 * ratio is the factor, and {@link ExternalErrorsGraph#backprop} divides it out (exactly, for a power of two).
 * Anything else means the mechanism changed in a way that cannot be corrected by scaling, and
 * {@link #factor()} throws rather than let gradients be silently wrong.
 */
public final class SameDiffGradientScale {

    private static final Logger log = LoggerFactory.getLogger(SameDiffGradientScale.class);
    private static volatile Double factor;

    private SameDiffGradientScale() {
    }

    /**
     * The gradient factor of SameDiff's external-errors mechanism in this JVM (2.0 on DL4J 1.0.0-M2.1), measured on
     * first use (thread-safe; later calls return the cached value).
     *
     * @return the factor, finite and positive (1.0 when the mechanism is exact)
     * @throws IllegalStateException if the gradients are not a common multiple of the true ones (not cached: the
     *                               next call measures again)
     */
    public static double factor() {
        Double f = factor;
        if (f == null) {
            synchronized (SameDiffGradientScale.class) {
                f = factor;
                if (f == null) {
                    f = measure();
                    factor = f;
                    if (f != 1.0) {
                        log.debug("SameDiff external-errors gradients are scaled by {} in this DL4J version "
                                + "(DL4J 1.0.0-M2.1 defect); dl4j-rational's SameDiff layers divide it out", f);
                    }
                }
            }
        }
        return f;
    }

    /** Runs the probe (uncached) and returns the factor. */
    static double measure() {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            SameDiff sd = ExternalErrorsGraph.newSameDiff();
            SDVariable in = sd.placeHolder("in", DataType.DOUBLE, -1, 2);
            SDVariable w = sd.var("w", Nd4j.createFromArray(new double[][]{{3, 5}}));
            ExternalErrorsGraph graph = new ExternalErrorsGraph(sd, in.mul(w), "in");
            INDArray x = Nd4j.createFromArray(new double[][]{{1, 2}});
            INDArray eps = Nd4j.createFromArray(new double[][]{{0.5, 0.25}});
            Map<String, INDArray> g = graph.rawGradients(Map.of("in", x), eps, List.of("in", "w"));
            double[] measured = {g.get("w").getDouble(0, 0), g.get("w").getDouble(0, 1),
                    g.get("in").getDouble(0, 0), g.get("in").getDouble(0, 1)};
            double[] exact = {0.5 * 1, 0.25 * 2, 0.5 * 3, 0.25 * 5};
            return commonRatio(measured, exact);
        }
    }

    /**
     * The common ratio measured[i] / exact[i].
     *
     * @throws IllegalStateException if the ratios differ (relative 1e-12) or are not finite and positive
     */
    static double commonRatio(double[] measured, double[] exact) {
        double r0 = measured[0] / exact[0];
        for (int i = 0; i < measured.length; i++) {
            double r = measured[i] / exact[i];
            if (!(Double.isFinite(r) && r > 0) || Math.abs(r - r0) > 1e-12 * Math.abs(r0)) {
                throw new IllegalStateException("SameDiff's external-errors gradients are not a common positive "
                        + "multiple of the true gradients in this DL4J version (measured "
                        + Arrays.toString(measured) + ", exact " + Arrays.toString(exact)
                        + "); dl4j-rational's SameDiff layers cannot correct this");
            }
        }
        return r0;
    }
}
