package org.rationalnn.dl4j.convert;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationCube;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationGELU;
import org.nd4j.linalg.activations.impl.ActivationHardSigmoid;
import org.nd4j.linalg.activations.impl.ActivationHardTanH;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationMish;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationRationalTanh;
import org.nd4j.linalg.activations.impl.ActivationRectifiedTanh;
import org.nd4j.linalg.activations.impl.ActivationSELU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftPlus;
import org.nd4j.linalg.activations.impl.ActivationSoftSign;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationSwish;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.activations.impl.ActivationThresholdedReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.activation.ActivationRational;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleUnaryOperator;

/**
 * DL4J's own activation functions as plain functions of one variable: exact values (DL4J's
 * {@link IActivation#getActivation} on a double-precision array, so LeakyReLU's slope, ELU's alpha and DL4J's GELU
 * form are exactly DL4J's), exact derivatives (its {@link IActivation#backprop}), and Lipschitz constants for the
 * conversion's fidelity bound.
 *
 * <p>Element-wise activations are those whose value at an element depends on that element alone and not on
 * training-time randomness: every DL4J activation except softmax, PReLU (learned per-channel slopes) and RReLU
 * (random slopes in training), plus {@link ActivationRational}.
 */
public final class Dl4jActivations {

    /**
     * The activations {@link RationalConverter} replaces by default: ReLU, LeakyReLU, ELU, SELU, GELU, SiLU/Swish,
     * Mish, Softplus, tanh and sigmoid.
     */
    public static final List<Class<? extends IActivation>> DEFAULT_CONVERTIBLE = List.of(ActivationReLU.class,
            ActivationLReLU.class, ActivationELU.class, ActivationSELU.class, ActivationGELU.class,
            ActivationSwish.class, ActivationMish.class, ActivationSoftPlus.class, ActivationTanH.class,
            ActivationSigmoid.class);

    /** Every element-wise DL4J activation (the default ones and the rest). */
    private static final List<Class<? extends IActivation>> ELEMENT_WISE = List.of(ActivationReLU.class,
            ActivationLReLU.class, ActivationELU.class, ActivationSELU.class, ActivationGELU.class,
            ActivationSwish.class, ActivationMish.class, ActivationSoftPlus.class, ActivationTanH.class,
            ActivationSigmoid.class, ActivationReLU6.class, ActivationHardTanH.class, ActivationHardSigmoid.class,
            ActivationSoftSign.class, ActivationRationalTanh.class, ActivationRectifiedTanh.class,
            ActivationCube.class, ActivationThresholdedReLU.class, ActivationIdentity.class,
            ActivationRational.class);

    /** Half-width of the grid on which global Lipschitz constants of fixed activations are taken. */
    static final double GLOBAL_RANGE = 50.0;
    /** Points of that grid. */
    private static final int GLOBAL_POINTS = 100_001;

    /** Values remembered per function. */
    private static final int MEMO_LIMIT = 1 << 20;

    private static final Map<IActivation, Double> GLOBAL_LIPSCHITZ = new ConcurrentHashMap<>();

    private Dl4jActivations() {
    }

    /**
     * Whether an activation is applied element by element, deterministically (see the class comment).
     *
     * @param a a DL4J activation, may be null
     * @return true if its class is one of the known element-wise DL4J activations; false for null
     */
    public static boolean isElementWise(IActivation a) {
        return a != null && ELEMENT_WISE.contains(a.getClass());
    }

    /**
     * Whether an activation is converted by default.
     *
     * @param a a DL4J activation, may be null
     * @return true if its class is one of {@link #DEFAULT_CONVERTIBLE}; false for null
     */
    public static boolean isDefaultConvertible(IActivation a) {
        return a != null && DEFAULT_CONVERTIBLE.contains(a.getClass());
    }

    /**
     * DL4J's activation as a function of one variable, evaluated exactly by DL4J (one element at a time, in double
     * precision, through a reused 1-element array), remembering the values it computed (a fit asks for the same
     * points several times). Thread-safe; a few microseconds per new point.
     *
     * @param a an element-wise DL4J activation
     * @return x ↦ a(x), whose {@code toString} is the activation's
     * @throws IllegalArgumentException if the activation is not element-wise
     */
    public static DoubleUnaryOperator function(IActivation a) {
        requireElementWise(a);
        final IActivation act = a;
        final INDArray buffer;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            buffer = Nd4j.create(DataType.DOUBLE, 1, 1);
        }
        final Map<Long, Double> memo = new java.util.HashMap<>();
        return new DoubleUnaryOperator() {
            @Override
            public synchronized double applyAsDouble(double x) {
                Long key = Double.doubleToLongBits(x);
                Double known = memo.get(key);
                if (known != null) {
                    return known;
                }
                double y;
                try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                    buffer.putScalar(0, x);
                    y = act.getActivation(buffer, false).getDouble(0);
                }
                if (memo.size() < MEMO_LIMIT) {
                    memo.put(key, y);
                }
                return y;
            }

            @Override
            public String toString() {
                return act.toString();
            }
        };
    }

    /**
     * DL4J's values at every point of {@code xs} (one batch call, double precision).
     *
     * @param a an element-wise DL4J activation
     * @param xs the points
     * @return a(xs[i]) for every i, same length as {@code xs}
     * @throws IllegalArgumentException if the activation is not element-wise
     */
    public static double[] values(IActivation a, double[] xs) {
        requireElementWise(a);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray in = Nd4j.createFromArray(xs).reshape(1, xs.length);
            return a.getActivation(in, false).toDoubleVector();
        }
    }

    /**
     * DL4J's derivative f'(x) at every point of {@code xs} (its backprop with a unit epsilon, one batch call).
     *
     * @param a an element-wise DL4J activation
     * @param xs the points
     * @return a'(xs[i]) for every i, as DL4J's backprop computes it
     * @throws IllegalArgumentException if the activation is not element-wise
     */
    public static double[] derivatives(IActivation a, double[] xs) {
        requireElementWise(a);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray in = Nd4j.createFromArray(xs).reshape(1, xs.length);
            INDArray eps = Nd4j.ones(DataType.DOUBLE, 1, xs.length);
            return a.backprop(in, eps).getFirst().toDoubleVector();
        }
    }

    /**
     * A Lipschitz constant of the activation in the maximum norm (the largest factor by which it can stretch a
     * perturbation of its input vector): for element-wise ones sup |f'| over a grid of {@value #GLOBAL_POINTS}
     * points on [-{@value #GLOBAL_RANGE}, {@value #GLOBAL_RANGE}] (exact for the piecewise and saturating DL4J
     * activations, whose steepest point lies near 0); 1/2 for softmax (its Jacobian diag(p) − p pᵀ has row sums
     * 2 p_i (1 − p_i) ≤ 1/2); NaN where no constant is known (PReLU, RReLU, other classes).
     *
     * @param a a DL4J activation
     * @return the constant (1 for identity), or NaN
     * @throws NullPointerException if {@code a} is null
     */
    public static double lipschitz(IActivation a) {
        Objects.requireNonNull(a, "activation");
        if (a instanceof ActivationIdentity) {
            return 1.0;
        }
        if (a instanceof ActivationSoftmax) {
            return 0.5;
        }
        if (!isElementWise(a)) {
            return Double.NaN;
        }
        return GLOBAL_LIPSCHITZ.computeIfAbsent(a, k -> {
            double[] xs = new double[GLOBAL_POINTS];
            for (int i = 0; i < GLOBAL_POINTS; i++) {
                xs[i] = -GLOBAL_RANGE + 2 * GLOBAL_RANGE * i / (GLOBAL_POINTS - 1);
            }
            double max = 0;
            for (double d : derivatives(k, xs)) {
                max = Math.max(max, Math.abs(d));
            }
            return max;
        });
    }

    private static void requireElementWise(IActivation a) {
        Objects.requireNonNull(a, "activation");
        if (!isElementWise(a)) {
            throw new IllegalArgumentException("activation must be element-wise (not softmax, PReLU or RReLU), got "
                    + a + " (" + a.getClass().getName() + ")");
        }
    }
}
