package org.rationalnn.dl4j.monitor;

/**
 * Thrown by {@link RationalMonitor} to stop training when a rational's output or a coefficient gradient holds NaN or
 * infinity, naming the layer and the parameter ({@value #OUTPUT} for the output).
 */
public final class RationalDivergenceException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** The parameter name used when the rational's output is not finite. */
    public static final String OUTPUT = "output";

    private final String rational;
    private final String parameter;
    private final int iteration;

    RationalDivergenceException(String rational, String parameter, int iteration, String message) {
        super(message);
        this.rational = rational;
        this.parameter = parameter;
        this.iteration = iteration;
    }

    /** The rational ({@link RationalSite#name()}). */
    public String rational() {
        return rational;
    }

    /** The parameter key whose gradient was not finite, or {@value #OUTPUT}. */
    public String parameter() {
        return parameter;
    }

    /** The network's iteration count when it happened. */
    public int iteration() {
        return iteration;
    }
}
