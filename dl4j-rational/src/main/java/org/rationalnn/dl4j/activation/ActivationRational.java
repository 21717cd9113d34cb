package org.rationalnn.dl4j.activation;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.rationalnn.dl4j.kernel.RationalKernels;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;

import java.util.Arrays;
import java.util.Objects;

/**
 * A rational activation R(x) = P(x)/Q(x) with fixed coefficients, usable anywhere DL4J takes an
 * {@link org.nd4j.linalg.activations.IActivation} ({@code DenseLayer}, {@code ConvolutionLayer},
 * {@code LSTM}, {@code ActivationLayer}, ...). The formula and versions are those of {@link RationalVersion}.
 *
 * <p>Coefficients: {@code numerator [S][m+1]} (a_0..a_m) and {@code denominator [S][n]} ([S][n+1], b_0..b_n, for
 * version C; see {@link RationalVersion#denominatorLength(int)}), with S coefficient sets shared as given by
 * {@link Sharing}: S = 1 (LAYER), S = c (CHANNEL: set i for channel i) or S = g (GROUP: channel i uses set
 * i / (c/g)). Input: rank 2, 3 or 4, any floating-point type; the output has the input's shape. With CHANNEL or
 * GROUP sharing the channel axis is axis 1 (DL4J's default NCW / NCHW layouts and feed-forward activations), or the
 * last axis if {@code channelsLast} is set.
 *
 * <p>DL4J's built-in layers drop an activation's parameter gradient, so the coefficients stay fixed there;
 * use {@link org.rationalnn.dl4j.layers.RationalActivationLayer} to train them. {@link #backprop} still
 * returns the coefficient gradient as a row vector laid out like that layer's parameters: the numerator
 * block [S, m+1] then the denominator block [S, n] ([S, n+1] for version C), both C-ordered. Version D is
 * evaluated without noise here (the IActivation contract recomputes the forward pass in backprop, so noise would
 * not match); the trainable layer applies D's training noise.
 *
 * <p>Immutable and thread-safe: concurrent inference from several threads is supported. Serialized to JSON (inside
 * a layer's configuration) by its fields {@code version}, {@code sharing}, {@code channelsLast}, {@code numerator}
 * and {@code denominator}; a saved configuration is validated again when it is read.
 */
public final class ActivationRational extends BaseActivationFunction {
    private static final long serialVersionUID = 1L;

    /** Denominator form (JSON field {@code version}). */
    private RationalVersion version;
    /** How the coefficient sets map to channels (JSON field {@code sharing}; LAYER when absent). */
    private Sharing sharing;
    /** Whether the channel axis is the last axis rather than axis 1 (JSON field {@code channelsLast}). */
    private boolean channelsLast;
    /** Numerator coefficients a_0..a_m per set, [S][m+1] (JSON field {@code numerator}). */
    private double[][] numerator;
    /** Denominator coefficients per set, [S][n] or [S][n+1] for version C (JSON field {@code denominator}). */
    private double[][] denominator;
    /** Per-data-type ND4J copies of the coefficients; never serialized. */
    private transient volatile java.util.Map<DataType, INDArray[]> coefficientCache;

    private ActivationRational() {
    }

    /**
     * JSON reader: every field, validated like the public constructors (a hand-edited or corrupted configuration
     * fails here, naming the bad value, instead of computing something wrong later).
     *
     * @throws IllegalArgumentException for invalid coefficients, degrees or sharing
     */
    @JsonCreator
    static ActivationRational fromJson(@JsonProperty("version") RationalVersion version,
                                       @JsonProperty("sharing") Sharing sharing,
                                       @JsonProperty("channelsLast") boolean channelsLast,
                                       @JsonProperty("numerator") double[][] numerator,
                                       @JsonProperty("denominator") double[][] denominator) {
        if (version == null) {
            throw new IllegalArgumentException("ActivationRational: version must be one of "
                    + Arrays.toString(RationalVersion.values()) + ", got null");
        }
        return new ActivationRational(version, sharing == null ? Sharing.LAYER : sharing, channelsLast,
                numerator, denominator);
    }

    /**
     * From a spec with LAYER sharing (one coefficient set), initialised as the spec says (its explicit coefficients,
     * or its fit of the init function).
     *
     * @param spec the rational's type, version and initialisation; must use LAYER sharing
     * @throws IllegalArgumentException for CHANNEL or GROUP sharing (use {@link #ActivationRational(RationalSpec,
     *                                  int)}), or an invalid spec
     * @throws NullPointerException     if {@code spec} is null
     */
    public ActivationRational(RationalSpec spec) {
        this(spec, requireLayerSharing(spec));
    }

    /**
     * From a spec, for an input with {@code channels} channels on axis 1 (channels first: [mb, c], NCW, NCHW).
     * Every coefficient set starts from the spec's initial function.
     *
     * @param spec     the rational's type, version, initialisation and sharing
     * @param channels channel count c of the input: S = 1 (LAYER, c is then not used), c (CHANNEL) or the spec's
     *                 group count g (GROUP, g must divide c)
     * @throws IllegalArgumentException for an invalid spec, or a channel count that does not fit the sharing
     * @throws NullPointerException     if {@code spec} is null
     */
    public ActivationRational(RationalSpec spec, int channels) {
        spec.validate();
        int sets = spec.numSets(channels);
        RationalFunction f = spec.initialFunction();
        this.version = spec.getVersion();
        this.sharing = spec.getSharing();
        this.numerator = repeat(f.numerator(), sets);
        this.denominator = repeat(f.denominator(), sets);
    }

    /**
     * One coefficient set (LAYER sharing) from a rational function.
     *
     * @param f the function; its version and coefficients are copied
     * @throws NullPointerException if {@code f} is null
     */
    public ActivationRational(RationalFunction f) {
        this(f.version(), Sharing.LAYER, false, new double[][]{f.numerator()}, new double[][]{f.denominator()});
    }

    /**
     * One coefficient set (LAYER sharing) from explicit coefficients (copied).
     *
     * @param version     the denominator form
     * @param numerator   a_0..a_m, m in [0, 16], finite
     * @param denominator the version's denominator coefficients: b_1..b_n (n in [1, 16]), or b_0..b_n for version C
     *                    (n in [0, 16]); finite
     * @throws IllegalArgumentException for unsupported degrees or a non-finite coefficient, naming the value
     * @throws NullPointerException     if an argument is null
     */
    public ActivationRational(RationalVersion version, double[] numerator, double[] denominator) {
        this(version, Sharing.LAYER, false, new double[][]{numerator}, new double[][]{denominator});
    }

    /**
     * Explicit coefficient sets (deep-copied).
     *
     * @param version      the denominator form
     * @param sharing      how the S sets map to the channels; LAYER needs S = 1, CHANNEL needs S = c and GROUP S
     *                     dividing c (the channel count is checked on each input)
     * @param channelsLast whether the channel axis is the last one (NWC, NHWC) for CHANNEL/GROUP sharing
     * @param numerator    S ≥ 1 rows of m+1 coefficients a_0..a_m (m in [0, 16]), finite
     * @param denominator  S rows of n coefficients b_1..b_n (n in [1, 16]), or of n+1 coefficients b_0..b_n for
     *                     version C (n in [0, 16]); finite
     * @throws IllegalArgumentException if the row counts differ or are 0, LAYER sharing has more than one set, the
     *                                  rows have different lengths, the degrees are unsupported or a coefficient is
     *                                  not finite (the message names the value)
     * @throws NullPointerException     if an argument or a row is null
     */
    public ActivationRational(RationalVersion version, Sharing sharing, boolean channelsLast, double[][] numerator,
                              double[][] denominator) {
        this.version = Objects.requireNonNull(version, "version");
        this.sharing = Objects.requireNonNull(sharing, "sharing");
        this.channelsLast = channelsLast;
        this.numerator = deepCopy(numerator, "numerator");
        this.denominator = deepCopy(denominator, "denominator");
        validate();
    }

    private static int requireLayerSharing(RationalSpec spec) {
        if (spec.getSharing() != Sharing.LAYER) {
            throw new IllegalArgumentException("sharing " + spec.getSharing() + " needs the channel count: use "
                    + "new ActivationRational(spec, channels)");
        }
        return 1;
    }

    private void validate() {
        if (numerator.length < 1 || numerator.length != denominator.length) {
            throw new IllegalArgumentException("numerator and denominator must have the same number (>= 1) of "
                    + "coefficient sets, got " + numerator.length + " and " + denominator.length);
        }
        if (sharing == Sharing.LAYER && numerator.length != 1) {
            throw new IllegalArgumentException("LAYER sharing needs exactly 1 coefficient set, got " + numerator.length);
        }
        int m1 = numerator[0].length;
        int n = denominator[0].length;
        RationalSpec.checkDegrees(version, m1 - 1, version.denominatorDegree(n));
        for (int s = 0; s < numerator.length; s++) {
            if (numerator[s].length != m1 || denominator[s].length != n) {
                throw new IllegalArgumentException("coefficient set " + s + " must have " + m1 + " numerator and " + n
                        + " denominator coefficients, got " + numerator[s].length + " and " + denominator[s].length);
            }
            RationalSpec.checkFinite("numerator", numerator[s]);
            RationalSpec.checkFinite("denominator", denominator[s]);
        }
    }

    /**
     * The denominator form Q of every coefficient set.
     *
     * @return the version, never null
     */
    public RationalVersion getVersion() {
        return version;
    }

    /**
     * How the coefficient sets are shared across channels.
     *
     * @return LAYER, CHANNEL or GROUP, never null
     */
    public Sharing getSharing() {
        return sharing;
    }

    /**
     * Whether the channel axis is the last axis (NWC, NHWC) rather than axis 1; only used with CHANNEL or GROUP
     * sharing. Default false (constructors from a spec, a function or a single set).
     *
     * @return true for channels last
     */
    public boolean isChannelsLast() {
        return channelsLast;
    }

    /**
     * Number of coefficient sets S.
     *
     * @return S ≥ 1 (1 for LAYER sharing)
     */
    public int numSets() {
        return numerator.length;
    }

    /**
     * Numerator coefficients a_0..a_m of every set.
     *
     * @return a deep copy, [S][m+1]
     */
    public double[][] getNumerator() {
        return deepCopy(numerator, "numerator");
    }

    /**
     * Denominator coefficients of every set (b_1..b_n, or b_0..b_n for version C).
     *
     * @return a deep copy, [S][n] ([S][n+1] for version C)
     */
    public double[][] getDenominator() {
        return deepCopy(denominator, "denominator");
    }

    /**
     * The rational function of coefficient set {@code s}.
     *
     * @param s the set, in [0, S)
     * @return a new function with a copy of the set's coefficients
     * @throws ArrayIndexOutOfBoundsException if {@code s} is outside [0, S)
     */
    public RationalFunction function(int s) {
        return new RationalFunction(version, numerator[s], denominator[s]);
    }

    /**
     * R(x) element-wise, written into {@code in} (DL4J's activation contract: the input array is overwritten and
     * returned). Version D is evaluated without noise, in training too.
     *
     * @param in       pre-activations of rank 2, 3 or 4, any floating-point type; overwritten with R(in)
     * @param training ignored (the coefficients are fixed and there is no noise)
     * @return {@code in}, now holding R(in)
     * @throws IllegalArgumentException if the rank is not 2, 3 or 4, or the channel count does not fit the sharing
     */
    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        checkInput(in);
        INDArray[] coef = coefficients(in.dataType());
        if (writableInPlace(in)) {
            // every kernel reads an element before writing it, so the input can be the output
            RationalKernels.forward(version, in, channelsLast, sharing, coef[0], coef[1], in);
            return in;
        }
        INDArray out = Nd4j.createUninitialized(in.dataType(), in.shape(), 'c');
        RationalKernels.forward(version, in, channelsLast, sharing, coef[0], coef[1], out);
        in.assign(out);
        return in;
    }

    private static boolean writableInPlace(INDArray in) {
        return in.ordering() == 'c' && !in.isView() && in.length() == in.data().length();
    }

    /**
     * Gradients for the pre-activations {@code in}: dL/dx = ε · R'(x), written into {@code in}, and the coefficient
     * gradient (see the class Javadoc for its layout), which DL4J's built-in layers ignore.
     *
     * @param in      pre-activations of the forward pass, rank 2, 3 or 4; overwritten with dL/dx
     * @param epsilon dL/d(output), same shape as {@code in}; not modified
     * @return {@code in} (now dL/dx) and a new row vector [1, S·(m+1+n')] of coefficient gradients, n' the number of
     *         denominator coefficients per set
     * @throws IllegalStateException    if the shapes of {@code in} and {@code epsilon} differ
     * @throws IllegalArgumentException if the rank is not 2, 3 or 4, or the channel count does not fit the sharing
     */
    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        checkInput(in);
        int sets = numerator.length;
        int m1 = numerator[0].length;
        int n = denominator[0].length;
        // every kernel reads an element (and its epsilon) before it writes that element's gradient, so dL/dx goes
        // straight into the input, as DL4J's own activations do; only a view or a non-C array needs a buffer
        boolean inPlace = writableInPlace(in) && in != epsilon;
        INDArray dx = inPlace ? in : Nd4j.createUninitialized(in.dataType(), in.shape(), 'c');
        INDArray grad = Nd4j.create(in.dataType(), 1, (long) sets * (m1 + n));
        INDArray dNum = grad.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, (long) sets * m1))
                .reshape('c', sets, m1);
        INDArray dDen = grad.get(NDArrayIndex.point(0), NDArrayIndex.interval((long) sets * m1, (long) sets * (m1 + n)))
                .reshape('c', sets, n);
        INDArray[] coef = coefficients(in.dataType());
        RationalKernels.backward(version, in, channelsLast, sharing, coef[0], coef[1], epsilon, dx, dNum, dDen);
        if (!inPlace) {
            in.assign(dx);
        }
        return new Pair<>(in, grad);
    }

    /**
     * Number of coefficients S·(m+1+n) (S·(m+2+n) for version C); independent of the input size.
     *
     * @param inputSize ignored
     * @return the total number of numerator and denominator coefficients
     */
    @Override
    public int numParams(int inputSize) {
        return numerator.length * (numerator[0].length + denominator[0].length);
    }

    private void checkInput(INDArray in) {
        if (in.rank() < 2 || in.rank() > 4) {
            throw new IllegalArgumentException("rational activation input must have rank 2, 3 or 4, got rank "
                    + in.rank() + " with shape " + Arrays.toString(in.shape()));
        }
        if (sharing != Sharing.LAYER) {
            long c = channelsLast ? in.size(in.rank() - 1) : in.size(1);
            int sets = numerator.length;
            boolean ok = sharing == Sharing.CHANNEL ? c == sets : c % sets == 0;
            if (!ok) {
                throw new IllegalArgumentException(sharing + " sharing with " + sets + " coefficient sets needs "
                        + (sharing == Sharing.CHANNEL ? "exactly " + sets : "a multiple of " + sets)
                        + " channels on axis " + (channelsLast ? in.rank() - 1 : 1) + ", got " + c
                        + " (input shape " + Arrays.toString(in.shape()) + ")");
            }
        }
    }

    /**
     * The coefficients as ND4J arrays of this data type, created once outside any workspace and reused
     * (read-only, so shared safely between threads).
     */
    private INDArray[] coefficients(DataType dataType) {
        java.util.Map<DataType, INDArray[]> cache = coefficientCache;
        if (cache == null) {
            synchronized (this) {
                if (coefficientCache == null) {
                    coefficientCache = new java.util.concurrent.ConcurrentHashMap<>();
                }
                cache = coefficientCache;
            }
        }
        return cache.computeIfAbsent(dataType, dt -> {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                return new INDArray[]{Nd4j.createFromArray(numerator).castTo(dt),
                        Nd4j.createFromArray(denominator).castTo(dt)};
            }
        });
    }

    /** {@code times} copies of {@code row}. */
    private static double[][] repeat(double[] row, int times) {
        double[][] out = new double[times][];
        for (int i = 0; i < times; i++) {
            out[i] = row.clone();
        }
        return out;
    }

    /** A copy of every row; NullPointerException naming {@code what} for a null array or row. */
    private static double[][] deepCopy(double[][] a, String what) {
        Objects.requireNonNull(a, what);
        double[][] out = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = Objects.requireNonNull(a[i], what + " row " + i).clone();
        }
        return out;
    }

    /**
     * Equal if version, sharing, channel axis and every coefficient are equal.
     *
     * @param o another object
     * @return true for an {@code ActivationRational} that computes the same function in the same layout
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ActivationRational)) {
            return false;
        }
        ActivationRational a = (ActivationRational) o;
        return version == a.version && sharing == a.sharing && channelsLast == a.channelsLast
                && Arrays.deepEquals(numerator, a.numerator) && Arrays.deepEquals(denominator, a.denominator);
    }

    /**
     * A hash over the fields {@link #equals} compares.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return Objects.hash(version, sharing, channelsLast, Arrays.deepHashCode(numerator),
                Arrays.deepHashCode(denominator));
    }

    /**
     * A short description for logs and DL4J's configuration summaries.
     *
     * @return {@code rational(<version>, (<m>,<n>), <sharing>, sets=<S>)}, with (m, n) the type in PAU's meaning
     *         (version C stores n + 1 denominator coefficients)
     */
    @Override
    public String toString() {
        return "rational(" + version + ", (" + (numerator[0].length - 1) + ","
                + version.denominatorDegree(denominator[0].length) + "), " + sharing + ", sets=" + numerator.length
                + ")";
    }
}
