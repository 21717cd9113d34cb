package org.rationalnn.dl4j.monitor;

/**
 * Thrown by {@link RationalMonitor} to stop training when a rational's output or a coefficient gradient holds NaN or
 * infinity, naming the layer and the parameter ({@value #OUTPUT} for the output).
 */
public final class RationalDivergenceException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** The parameter name used when the rational's output is not finite. */
    public static final String OUTPUT = "output";

    /** The rational's name ({@link RationalSite#name()}). */
    private final String rational;
    /** The parameter key whose gradient was not finite, or {@value #OUTPUT}. */
    private final String parameter;
    /** The network's iteration count when the divergence was detected. */
    private final int iteration;

    RationalDivergenceException(String rational, String parameter, int iteration, String message) {
        super(message);
        this.rational = rational;
        this.parameter = parameter;
        this.iteration = iteration;
    }

    /**
     * The rational that diverged.
     *
     * @return its name ({@link RationalSite#name()})
     */
    public String rational() {
        return rational;
    }

    /**
     * What held a non-finite value.
     *
     * @return the parameter key whose gradient was not finite (e.g. "numerator"), or {@value #OUTPUT}
     */
    public String parameter() {
        return parameter;
    }

    /**
     * When the divergence was detected.
     *
     * @return the network's iteration count at that point
     */
    public int iteration() {
        return iteration;
    }
}
