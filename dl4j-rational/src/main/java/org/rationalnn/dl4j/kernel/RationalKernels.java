package org.rationalnn.dl4j.kernel;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;

import java.util.Locale;

/**
 * Chooses the kernel that layers and activations run, and applies it to arrays of any supported layout.
 *
 * <p>Dispatch ({@code auto}, the default): on ND4J's CPU backend, float32 and float64 arrays go to the fused
 * {@link JvmRationalKernel}; everything else (CUDA or any other backend, half precision) goes to the
 * backend-agnostic {@link NdOpsRationalKernel}. The system property {@value #KERNEL_PROPERTY} forces one:
 * {@code vector} (the SIMD {@link VectorRationalKernel} for float32 where the JVM has {@code jdk.incubator.vector},
 * else the scalar fused kernel), {@code scalar} (the fused scalar {@link JvmRationalKernel}) or {@code nd4j} (ND4J
 * ops); the JVM kernels still fall back to ND4J ops for data types they cannot handle. {@code jvm}, the name 0.1.0
 * used for {@code vector}, is still accepted. The property is read on every call, so it can be changed at run time
 * (tests and benchmarks do).
 *
 * <p>Output arrays ({@code output}, {@code dInput}) must be C-ordered and not views: the kernels write their
 * buffers directly, so anything else is rejected with an {@link IllegalArgumentException}.
 */
public final class RationalKernels {

    /** System property that forces a kernel: {@code auto}, {@code vector}, {@code scalar} or {@code nd4j}. */
    public static final String KERNEL_PROPERTY = "org.rationalnn.kernel";

    private static volatile Boolean cpuBackend;

    private RationalKernels() {
    }

    /**
     * The kernel used for float32 arrays, as reported by {@link org.rationalnn.dl4j.util.BackendReport}.
     *
     * @return {@code forDataType(DataType.FLOAT)}
     * @throws IllegalArgumentException if {@value #KERNEL_PROPERTY} has an unknown value
     */
    public static RationalKernel active() {
        return forDataType(DataType.FLOAT);
    }

    /**
     * The kernel that handles arrays of this data type under the current setting of {@value #KERNEL_PROPERTY}.
     *
     * @param dataType the data type of the input
     * @return the fused JVM kernel (SIMD or scalar) for float32/float64 on the CPU backend, ND4J ops otherwise or
     *         when forced
     * @throws IllegalArgumentException if the property is not one of auto, vector, jvm, scalar, nd4j
     * @throws IllegalStateException if the CUDA backend cannot run on the visible GPU (see {@link CudaCompatibility})
     */
    public static RationalKernel forDataType(DataType dataType) {
        String choice = System.getProperty(KERNEL_PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        switch (choice) {
            case "auto":
                return isCpuBackend() ? cpuKernel(dataType, true) : NdOpsRationalKernel.INSTANCE;
            case "vector":
            case "jvm":
                return cpuKernel(dataType, true);
            case "scalar":
                return cpuKernel(dataType, false);
            case "nd4j":
                return NdOpsRationalKernel.INSTANCE;
            default:
                throw new IllegalArgumentException("system property " + KERNEL_PROPERTY
                        + " must be one of [auto, vector, scalar, nd4j], got '" + choice + "'");
        }
    }

    /** The best JVM kernel for this data type: Vector API for float32 when available, else the scalar one. */
    private static RationalKernel cpuKernel(DataType dataType, boolean allowVector) {
        if (dataType == DataType.FLOAT && allowVector && VECTOR_API) {
            return VectorKernelHolder.INSTANCE;
        }
        return JvmRationalKernel.supports(dataType) ? JvmRationalKernel.INSTANCE : NdOpsRationalKernel.INSTANCE;
    }

    /** Whether {@code jdk.incubator.vector} is present (the JVM was started with --add-modules). */
    private static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    /** Loaded only when the Vector API is present, so the class never links against a missing module. */
    private static final class VectorKernelHolder {
        static final RationalKernel INSTANCE = VectorRationalKernel.INSTANCE;
    }

    /**
     * Whether ND4J runs on its native CPU backend; decided once and cached.
     *
     * @return true for nd4j-native, false for CUDA or any other backend
     * @throws IllegalStateException if the backend is a CUDA 11 build and a visible GPU is too new for it
     */
    public static boolean isCpuBackend() {
        Boolean cpu = cpuBackend;
        if (cpu == null) {
            String name = Nd4j.getBackend().getClass().getName().toLowerCase(Locale.ROOT);
            cpu = name.contains("cpu") || name.contains("nativecpu");
            if (!cpu) {
                // fail with a clear message where the GPU build cannot run (e.g. CUDA 11.6 on Hopper)
                CudaCompatibility.check();
            }
            cpuBackend = cpu;
        }
        return cpu;
    }

    /**
     * Writes R(input) into {@code output}.
     *
     * @param version      the denominator form
     * @param input        activations, rank 2 ([mb, c]), 3 (NCW/NWC) or 4 (NCHW/NHWC); copied if not C-contiguous
     * @param channelsLast whether the channel axis is the last one (NWC, NHWC)
     * @param sharing      how channels map to coefficient sets
     * @param numerator    [S, m+1], cast to the input's data type if needed
     * @param denominator  [S, d] with d = {@link RationalVersion#denominatorLength(int)}
     * @param output       destination, shape of {@code input}, C-ordered and not a view
     * @throws IllegalArgumentException if {@code output} is a view, not C-ordered or shaped unlike the input, or
     *                                  the input has rank below 2
     */
    public static void forward(RationalVersion version, INDArray input, boolean channelsLast, Sharing sharing,
                               INDArray numerator, INDArray denominator, INDArray output) {
        requireWritable("output", output, input);
        int sets = (int) numerator.size(0);
        INDArray x = SetView.of(SetView.contiguous(input), channelsLast, sharing, sets);
        INDArray out = SetView.of(output, channelsLast, sharing, sets);
        forDataType(x.dataType()).forward(version, x, cast(numerator, x), cast(denominator, x), out);
    }

    /**
     * Writes dL/dinput into {@code dInput} (same shape as input, C-ordered, not a view) and the coefficient
     * gradients into {@code dNumerator [S, m+1]} and {@code dDenominator [S, d]} (overwritten, summed over every
     * element that shares a set).
     *
     * @param version      the denominator form
     * @param input        activations of the forward pass
     * @param channelsLast whether the channel axis is the last one
     * @param sharing      how channels map to coefficient sets
     * @param numerator    [S, m+1]
     * @param denominator  [S, d]
     * @param epsilon      dL/doutput, shape of {@code input}
     * @param dInput       destination of dL/dinput, shape of {@code input}, C-ordered and not a view
     * @param dNumerator   destination of dL/da, [S, m+1] (any data type; cast back if it differs from the input's)
     * @param dDenominator destination of dL/db, [S, d]
     * @throws IllegalArgumentException if {@code dInput} is a view, not C-ordered or shaped unlike the input
     */
    public static void backward(RationalVersion version, INDArray input, boolean channelsLast, Sharing sharing,
                                INDArray numerator, INDArray denominator, INDArray epsilon, INDArray dInput,
                                INDArray dNumerator, INDArray dDenominator) {
        requireWritable("dInput", dInput, input);
        int sets = (int) numerator.size(0);
        INDArray x = SetView.of(SetView.contiguous(input), channelsLast, sharing, sets);
        INDArray eps = SetView.of(SetView.contiguous(epsilon), channelsLast, sharing, sets);
        INDArray dx = SetView.of(dInput, channelsLast, sharing, sets);
        RationalKernel kernel = forDataType(x.dataType());
        intoGradients(x, dNumerator, dDenominator, (dNum, dDen) -> kernel.backward(version, x, cast(numerator, x),
                cast(denominator, x), cast(eps, x), dx, dNum, dDen));
    }

    /** A kernel call that writes coefficient gradients in the input's data type. */
    private interface GradientWriter {
        void write(INDArray dNumerator, INDArray dDenominator);
    }

    /**
     * Runs {@code body} on the coefficient-gradient arrays, or on temporaries of {@code x}'s data type that are then
     * copied into them when their data type differs.
     */
    private static void intoGradients(INDArray x, INDArray dNumerator, INDArray dDenominator, GradientWriter body) {
        INDArray dNum = dNumerator.dataType() == x.dataType() ? dNumerator : dNumerator.ulike().castTo(x.dataType());
        INDArray dDen = dDenominator.dataType() == x.dataType() ? dDenominator
                : dDenominator.ulike().castTo(x.dataType());
        body.write(dNum, dDen);
        if (dNum != dNumerator) {
            dNumerator.assign(dNum);
        }
        if (dDen != dDenominator) {
            dDenominator.assign(dDen);
        }
    }

    /**
     * {@link #forward(RationalVersion, INDArray, boolean, Sharing, INDArray, INDArray, INDArray)} with the spec's
     * version and sharing and the numerator multiplied element-wise by version D's {@code numeratorNoise}
     * ([S, m+1]; null for none): the forward pass of the trainable layers.
     *
     * @param spec           supplies version and sharing
     * @param input          activations, rank 2 to 4
     * @param channelsLast   whether the channel axis is the last one
     * @param numerator      [S, m+1], the noise-free numerator coefficients
     * @param numeratorNoise [S, m+1] multiplicative noise, or null
     * @param denominator    [S, d]
     * @param output         destination, shape of {@code input}, C-ordered and not a view
     * @throws IllegalArgumentException as {@link #forward(RationalVersion, INDArray, boolean, Sharing, INDArray,
     *                                  INDArray, INDArray)}
     */
    public static void forward(RationalSpec spec, INDArray input, boolean channelsLast, INDArray numerator,
                               INDArray numeratorNoise, INDArray denominator, INDArray output) {
        forward(spec.getVersion(), input, channelsLast, spec.getSharing(), noisy(numerator, numeratorNoise),
                denominator, output);
    }

    /**
     * The backward pass matching {@link #forward(RationalSpec, INDArray, boolean, INDArray, INDArray, INDArray,
     * INDArray)}: {@code dNumerator} is the gradient with respect to the noise-free numerator (the noisy one's
     * gradient times the noise).
     *
     * @param spec           supplies version and sharing
     * @param input          activations of the forward pass
     * @param channelsLast   whether the channel axis is the last one
     * @param numerator      [S, m+1], noise-free
     * @param numeratorNoise the noise of the forward pass, [S, m+1], or null
     * @param denominator    [S, d]
     * @param epsilon        dL/doutput, shape of {@code input}
     * @param dInput         destination of dL/dinput, C-ordered and not a view
     * @param dNumerator     destination of dL/da for the noise-free numerator, [S, m+1]
     * @param dDenominator   destination of dL/db, [S, d]
     * @throws IllegalArgumentException if {@code dInput} is not writable as required
     */
    public static void backward(RationalSpec spec, INDArray input, boolean channelsLast, INDArray numerator,
                                INDArray numeratorNoise, INDArray denominator, INDArray epsilon, INDArray dInput,
                                INDArray dNumerator, INDArray dDenominator) {
        backward(spec.getVersion(), input, channelsLast, spec.getSharing(), noisy(numerator, numeratorNoise),
                denominator, epsilon, dInput, dNumerator, dDenominator);
        if (numeratorNoise != null) {
            dNumerator.muli(numeratorNoise);
        }
    }

    /**
     * The gate of a rational GLU, channels first: {@code output = R(input) ⊙ up} in one pass where the kernel allows
     * (the SIMD kernel; the others compose {@link #forward} and a product). Used by the transformer block's
     * RATIONAL_GLU feed-forward, whose hidden activations [N, H] have their channels on axis 1.
     *
     * @param spec        the rational's version and sharing
     * @param input       gate pre-activation, rank 2 to 4, channels on axis 1
     * @param numerator   [S, m+1] (S from the spec's sharing)
     * @param denominator [S, n]
     * @param up          the linear branch, shaped like {@code input}
     * @param output      shaped like {@code input}, C-ordered, not a view, aliasing neither input
     * @throws IllegalArgumentException if an output is a view, not C-ordered or shaped unlike the input, or
     *                                  {@code up} is shaped unlike the input
     */
    public static void gatedForward(RationalSpec spec, INDArray input, INDArray numerator, INDArray denominator,
                                    INDArray up, INDArray output) {
        requireWritable("output", output, input);
        requireShape("up", up, input);
        int sets = (int) numerator.size(0);
        Sharing sharing = spec.getSharing();
        INDArray x = channelsFirst(input, sharing, sets);
        INDArray u = channelsFirst(up, sharing, sets);
        INDArray out = SetView.of(output, false, sharing, sets);
        forDataType(x.dataType()).gatedForward(spec.getVersion(), x, cast(numerator, x), cast(denominator, x),
                cast(u, x), out);
    }

    /**
     * Backward pass of {@link #gatedForward} for {@code epsilon = dL/doutput}: {@code dUp = epsilon ⊙ R(input)},
     * {@code dInput = epsilon ⊙ up ⊙ R'(input)}, and the coefficient gradients into {@code dNumerator [S, m+1]} and
     * {@code dDenominator [S, n]} (overwritten); one pass with the SIMD kernel.
     *
     * @param spec         the rational's version and sharing
     * @param input        gate pre-activation, rank 2 to 4, channels on axis 1
     * @param numerator    [S, m+1] (S from the spec's sharing)
     * @param denominator  [S, n]
     * @param up           the linear branch, shaped like {@code input}
     * @param epsilon      dL/doutput, shaped like {@code input}
     * @param dInput       receives dL/dinput: shaped like {@code input}, C-ordered, not a view
     * @param dUp          receives dL/dup: shaped like {@code input}, C-ordered, not a view
     * @param dNumerator   receives the numerator gradients [S, m+1] (overwritten)
     * @param dDenominator receives the denominator gradients [S, n] (overwritten)
     * @throws IllegalArgumentException if {@code dInput} or {@code dUp} is a view, not C-ordered or shaped unlike
     *                                  the input, or {@code up} or {@code epsilon} is shaped unlike the input
     */
    public static void gatedBackward(RationalSpec spec, INDArray input, INDArray numerator, INDArray denominator,
                                     INDArray up, INDArray epsilon, INDArray dInput, INDArray dUp,
                                     INDArray dNumerator, INDArray dDenominator) {
        requireWritable("dInput", dInput, input);
        requireWritable("dUp", dUp, input);
        requireShape("up", up, input);
        requireShape("epsilon", epsilon, input);
        int sets = (int) numerator.size(0);
        Sharing sharing = spec.getSharing();
        INDArray x = channelsFirst(input, sharing, sets);
        INDArray u = channelsFirst(up, sharing, sets);
        INDArray eps = channelsFirst(epsilon, sharing, sets);
        INDArray dx = SetView.of(dInput, false, sharing, sets);
        INDArray du = SetView.of(dUp, false, sharing, sets);
        RationalKernel kernel = forDataType(x.dataType());
        intoGradients(x, dNumerator, dDenominator, (dNum, dDen) -> kernel.gatedBackward(spec.getVersion(), x,
                cast(numerator, x), cast(denominator, x), cast(u, x), cast(eps, x), dx, du, dNum, dDen));
    }

    /** The canonical set view of a channels-first input (a C-ordered copy first if it is not contiguous). */
    private static INDArray channelsFirst(INDArray a, Sharing sharing, int sets) {
        return SetView.of(SetView.contiguous(a), false, sharing, sets);
    }

    private static void requireShape(String what, INDArray a, INDArray like) {
        if (!java.util.Arrays.equals(a.shape(), like.shape())) {
            throw new IllegalArgumentException(what + " must have the input's shape "
                    + java.util.Arrays.toString(like.shape()) + ", got " + java.util.Arrays.toString(a.shape()));
        }
    }

    /** The kernels write whole buffers: an output must be C-ordered, not a view, and shaped like the input. */
    private static void requireWritable(String what, INDArray out, INDArray like) {
        if (out.isView() || out.ordering() != 'c') {
            throw new IllegalArgumentException(what + " must be a C-ordered array that is not a view, got "
                    + (out.isView() ? "a view" : "ordering '" + out.ordering() + "'") + " of shape "
                    + java.util.Arrays.toString(out.shape()) + " (use dup('c') or Nd4j.createUninitialized)");
        }
        if (!java.util.Arrays.equals(out.shape(), like.shape())) {
            throw new IllegalArgumentException(what + " must have the input's shape "
                    + java.util.Arrays.toString(like.shape()) + ", got " + java.util.Arrays.toString(out.shape()));
        }
    }

    private static INDArray noisy(INDArray numerator, INDArray numeratorNoise) {
        return numeratorNoise == null ? numerator : numerator.mul(numeratorNoise);
    }

    private static INDArray cast(INDArray a, INDArray like) {
        return a.dataType() == like.dataType() ? a : a.castTo(like.dataType());
    }
}
