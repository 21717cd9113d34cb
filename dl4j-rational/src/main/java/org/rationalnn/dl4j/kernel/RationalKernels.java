package org.rationalnn.dl4j.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;

import java.util.Locale;

/**
 * Chooses the kernel that layers and activations run, and applies it to arrays of any supported layout.
 *
 * <p>The system property {@value #KERNEL_PROPERTY} forces a kernel: {@code nd4j} (ND4J ops, any
 * backend) or {@code auto} (the default: the best kernel available for the active backend). At present
 * {@code auto} selects the ND4J-ops kernel on every backend.
 */
public final class RationalKernels {

    /** System property that forces a kernel: {@code auto} or {@code nd4j}. */
    public static final String KERNEL_PROPERTY = "org.rationalnn.kernel";

    private RationalKernels() {
    }

    /** The kernel used for new calls (read from {@value #KERNEL_PROPERTY} on every call). */
    public static RationalKernel active() {
        String choice = System.getProperty(KERNEL_PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        switch (choice) {
            case "auto":
            case "nd4j":
            case "nd4j-ops":
                return NdOpsRationalKernel.INSTANCE;
            default:
                throw new IllegalArgumentException("system property " + KERNEL_PROPERTY
                        + " must be one of [auto, nd4j], got '" + choice + "'");
        }
    }

    /**
     * Writes R(input) into {@code output} (same shape; must be C-ordered and not a view).
     *
     * @param numerator   [S, m+1]
     * @param denominator [S, n]
     */
    public static void forward(RationalVersion version, INDArray input, boolean channelsLast, Sharing sharing,
                               INDArray numerator, INDArray denominator, INDArray output) {
        int sets = (int) numerator.size(0);
        INDArray x = SetView.of(SetView.contiguous(input), channelsLast, sharing, sets);
        INDArray out = SetView.of(output, channelsLast, sharing, sets);
        active().forward(version, x, cast(numerator, x), cast(denominator, x), out);
    }

    /**
     * Writes dL/dinput into {@code dInput} (same shape as input, C-ordered, not a view) and the coefficient
     * gradients into {@code dNumerator [S, m+1]} and {@code dDenominator [S, n]} (overwritten).
     */
    public static void backward(RationalVersion version, INDArray input, boolean channelsLast, Sharing sharing,
                                INDArray numerator, INDArray denominator, INDArray epsilon, INDArray dInput,
                                INDArray dNumerator, INDArray dDenominator) {
        int sets = (int) numerator.size(0);
        INDArray x = SetView.of(SetView.contiguous(input), channelsLast, sharing, sets);
        INDArray eps = SetView.of(SetView.contiguous(epsilon), channelsLast, sharing, sets);
        INDArray dx = SetView.of(dInput, channelsLast, sharing, sets);
        INDArray dNum = dNumerator.dataType() == x.dataType() ? dNumerator : dNumerator.ulike().castTo(x.dataType());
        INDArray dDen = dDenominator.dataType() == x.dataType() ? dDenominator
                : dDenominator.ulike().castTo(x.dataType());
        active().backward(version, x, cast(numerator, x), cast(denominator, x), cast(eps, x), dx, dNum, dDen);
        if (dNum != dNumerator) {
            dNumerator.assign(dNum);
        }
        if (dDen != dDenominator) {
            dDenominator.assign(dDen);
        }
    }

    private static INDArray cast(INDArray a, INDArray like) {
        return a.dataType() == like.dataType() ? a : a.castTo(like.dataType());
    }
}
