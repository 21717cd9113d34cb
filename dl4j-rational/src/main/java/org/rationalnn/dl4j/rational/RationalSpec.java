package org.rationalnn.dl4j.rational;

import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * Immutable description of a rational activation: numerator degree m, denominator degree n,
 * {@link RationalVersion}, initial coefficients (fitted to a {@link TargetFunction} on an interval, or
 * given explicitly), {@link Sharing} mode and the training-noise amplitude of version D.
 *
 * <p>Supported degrees: m in [{@value #MIN_NUMERATOR_DEGREE}, {@value #MAX_NUMERATOR_DEGREE}], n in
 * [{@value #MIN_DENOMINATOR_DEGREE}, {@value #MAX_DENOMINATOR_DEGREE}] ([0, {@value #MAX_DENOMINATOR_DEGREE}] for
 * version C). The type (m, n) means what PAU's tables mean: the denominator polynomial has degree n, so version C
 * stores n + 1 denominator coefficients b_0..b_n and the other versions n ({@link RationalVersion}).
 *
 * <p>Defaults: type (5,4), version B (the "safe" form P/(1+|Q̃|) used by arXiv:2602.12390), initialised
 * to LeakyReLU (slope 0.01) by a near-minimax fit on [-3, 3] (the interval of the PAU tables), LAYER
 * sharing, D-noise 0.1.
 *
 * <p>The spec is stored inside DL4J layer configurations and serialized to JSON by field, so its field
 * names are part of the saved-model format. Format versions: 1 (release 0.1.0), where a version-C spec's
 * {@code denominatorDegree} counted its stored coefficients; 2 (since 0.2.0), where it is PAU's degree n. A
 * version-1 spec is upgraded when it is read (version C: denominator degree − 1, same coefficients, identical
 * outputs); a format version above {@link #FORMAT_VERSION} is rejected with a message.
 */
public final class RationalSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Smallest numerator degree m (a constant numerator a_0). */
    public static final int MIN_NUMERATOR_DEGREE = 0;
    /** Largest numerator degree m. */
    public static final int MAX_NUMERATOR_DEGREE = 16;
    /** Smallest denominator degree n of versions A, B, D and N (version C also accepts 0: Q = 0.1 + |b_0|). */
    public static final int MIN_DENOMINATOR_DEGREE = 1;
    /** Largest denominator degree n of every version. */
    public static final int MAX_DENOMINATOR_DEGREE = 16;
    /** Version of the persisted form of this class; written into every saved spec (see the class Javadoc). */
    public static final int FORMAT_VERSION = 2;
    /** Largest accepted |fit bound|. */
    public static final double MAX_FIT_BOUND = 1e4;

    /** Format version this spec was written with; specs read from format 1 are upgraded to the current one. */
    private int formatVersion = FORMAT_VERSION;
    /** Numerator degree m (m + 1 coefficients a_0..a_m); default 5. */
    private int numeratorDegree = 5;
    /** Denominator degree n in PAU's sense (see the class Javadoc); default 4. */
    private int denominatorDegree = 4;
    /** Denominator form; default {@link RationalVersion#B}. */
    private RationalVersion version = RationalVersion.B;
    /** Function the initial coefficients are fitted to, null when explicit coefficients are given. */
    private TargetFunction initFunction = TargetFunction.LEAKY_RELU;
    /** Parameter of {@link #initFunction}; NaN selects that function's default. */
    private double initParameter = Double.NaN;
    /** Explicit initial numerator coefficients a_0..a_m, or null when fitted. */
    private double[] numeratorInit;
    /** Explicit initial denominator coefficients (b_1..b_n, or b_0..b_n for version C), or null when fitted. */
    private double[] denominatorInit;
    /** Lower end of the fit interval; default -3. */
    private double fitLower = -3.0;
    /** Upper end of the fit interval; default 3. */
    private double fitUpper = 3.0;
    /** How coefficient sets are shared across channels; default {@link Sharing#LAYER}. */
    private Sharing sharing = Sharing.LAYER;
    /** Group count g for {@link Sharing#GROUP}; 1 for the other modes. */
    private int groups = 1;
    /** Half-width s of version D's numerator noise U[1-s, 1+s]; default 0.1. */
    private double noise = 0.1;

    private RationalSpec() {
    }

    /**
     * JSON reader: takes every persisted field (absent ones keep their defaults) and upgrades format version 1
     * (0.1.0: a version-C spec counted its n stored denominator coefficients as its degree) to the current form.
     * Not validated here: layers validate their spec when they are instantiated, with a message that names the
     * layer.
     */
    @JsonCreator
    static RationalSpec fromJson(@JsonProperty("formatVersion") Integer formatVersion,
                                 @JsonProperty("numeratorDegree") Integer numeratorDegree,
                                 @JsonProperty("denominatorDegree") Integer denominatorDegree,
                                 @JsonProperty("version") RationalVersion version,
                                 @JsonProperty("initFunction") TargetFunction initFunction,
                                 @JsonProperty("initParameter") Double initParameter,
                                 @JsonProperty("numeratorInit") double[] numeratorInit,
                                 @JsonProperty("denominatorInit") double[] denominatorInit,
                                 @JsonProperty("fitLower") Double fitLower,
                                 @JsonProperty("fitUpper") Double fitUpper,
                                 @JsonProperty("sharing") Sharing sharing,
                                 @JsonProperty("groups") Integer groups,
                                 @JsonProperty("noise") Double noise) {
        RationalSpec s = new RationalSpec();
        s.formatVersion = formatVersion != null ? formatVersion : 1;
        s.numeratorDegree = numeratorDegree != null ? numeratorDegree : s.numeratorDegree;
        s.denominatorDegree = denominatorDegree != null ? denominatorDegree : s.denominatorDegree;
        s.version = version;
        s.initFunction = initFunction;
        s.initParameter = initParameter != null ? initParameter : Double.NaN;
        s.numeratorInit = numeratorInit;
        s.denominatorInit = denominatorInit;
        s.fitLower = fitLower != null ? fitLower : s.fitLower;
        s.fitUpper = fitUpper != null ? fitUpper : s.fitUpper;
        s.sharing = sharing;
        s.groups = groups != null ? groups : s.groups;
        s.noise = noise != null ? noise : s.noise;
        if (s.formatVersion == 1) {
            if (version == RationalVersion.C) {
                s.denominatorDegree -= 1;
            }
            s.formatVersion = FORMAT_VERSION;
        }
        return s;
    }

    /**
     * The default spec.
     *
     * @return type (5,4), version B, LeakyReLU (slope 0.01) init on [-3,3], LAYER sharing, D-noise 0.1
     */
    public static RationalSpec defaults() {
        return builder().build();
    }

    /**
     * A new builder.
     *
     * @return a builder holding the defaults listed on this class
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder pre-filled with this spec's values; this spec is not changed by it.
     *
     * @return a builder whose {@link Builder#build()} returns a spec equal to this one until a setter is called
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.s = copy();
        return b;
    }

    private RationalSpec copy() {
        RationalSpec c = new RationalSpec();
        c.formatVersion = formatVersion;
        c.numeratorDegree = numeratorDegree;
        c.denominatorDegree = denominatorDegree;
        c.version = version;
        c.initFunction = initFunction;
        c.initParameter = initParameter;
        c.numeratorInit = numeratorInit == null ? null : numeratorInit.clone();
        c.denominatorInit = denominatorInit == null ? null : denominatorInit.clone();
        c.fitLower = fitLower;
        c.fitUpper = fitUpper;
        c.sharing = sharing;
        c.groups = groups;
        c.noise = noise;
        return c;
    }

    /**
     * Format version of the persisted form.
     *
     * @return {@link #FORMAT_VERSION} for specs built or read by this release (format-1 specs are upgraded when read)
     */
    public int getFormatVersion() {
        return formatVersion;
    }

    /**
     * Numerator degree m.
     *
     * @return m in [{@value #MIN_NUMERATOR_DEGREE}, {@value #MAX_NUMERATOR_DEGREE}]; default 5
     */
    public int getNumeratorDegree() {
        return numeratorDegree;
    }

    /**
     * Denominator degree n, as PAU's tables count it (version C stores n + 1 coefficients).
     *
     * @return n in [1, {@value #MAX_DENOMINATOR_DEGREE}] ([0, {@value #MAX_DENOMINATOR_DEGREE}] for version C);
     *         default 4
     */
    public int getDenominatorDegree() {
        return denominatorDegree;
    }

    /**
     * Denominator form.
     *
     * @return the version; default {@link RationalVersion#B}
     */
    public RationalVersion getVersion() {
        return version;
    }

    /**
     * The function the initial coefficients are fitted to.
     *
     * @return the target function (default {@link TargetFunction#LEAKY_RELU}), or null when explicit coefficients
     *         are given
     */
    public TargetFunction getInitFunction() {
        return initFunction;
    }

    /**
     * Parameter of the init function (e.g. LeakyReLU's slope, ELU's alpha).
     *
     * @return the parameter, or NaN for the function's own default ({@link TargetFunction#defaultParameter()})
     */
    public double getInitParameter() {
        return initParameter;
    }

    /**
     * Explicit initial numerator coefficients.
     *
     * @return a copy of a_0..a_m (length m + 1), or null when the coefficients are fitted
     */
    public double[] getNumeratorInit() {
        return numeratorInit == null ? null : numeratorInit.clone();
    }

    /**
     * Explicit initial denominator coefficients.
     *
     * @return a copy of b_1..b_n (b_0..b_n for version C; length {@link #denominatorLength()}), or null when the
     *         coefficients are fitted
     */
    public double[] getDenominatorInit() {
        return denominatorInit == null ? null : denominatorInit.clone();
    }

    /**
     * Lower end of the interval the init function is fitted on.
     *
     * @return the lower bound; default -3
     */
    public double getFitLower() {
        return fitLower;
    }

    /**
     * Upper end of the interval the init function is fitted on.
     *
     * @return the upper bound; default 3
     */
    public double getFitUpper() {
        return fitUpper;
    }

    /**
     * How coefficient sets are shared across channels.
     *
     * @return the sharing mode; default {@link Sharing#LAYER}
     */
    public Sharing getSharing() {
        return sharing;
    }

    /**
     * Group count for {@link Sharing#GROUP}.
     *
     * @return g ≥ 1 for GROUP sharing, 1 for the other modes
     */
    public int getGroups() {
        return groups;
    }

    /**
     * Half-width s of version D's multiplicative numerator noise U[1-s, 1+s] (ignored by the other versions).
     *
     * @return s in [0, 1); 0 disables the noise; default 0.1
     */
    public double getNoise() {
        return noise;
    }

    /**
     * Number of numerator coefficients.
     *
     * @return m + 1
     */
    public int numeratorLength() {
        return numeratorDegree + 1;
    }

    /**
     * Number of stored denominator coefficients.
     *
     * @return n, or n + 1 for version C (b_0..b_n)
     */
    public int denominatorLength() {
        return version.denominatorLength(denominatorDegree);
    }

    /**
     * Number of coefficient sets S for an input with the given channel count.
     *
     * @param channels channel (feature) count of the input, ≥ 1
     * @return 1 for LAYER, {@code channels} for CHANNEL, g for GROUP
     * @throws IllegalArgumentException if the channel count does not suit the sharing mode (CHANNEL: not in
     *                                  [1, Integer.MAX_VALUE]; GROUP: not a positive multiple of g)
     */
    public int numSets(long channels) {
        return sharing.numSets(channels, groups);
    }

    /**
     * The initial rational function: the explicit coefficients if given, else the (cached) near-minimax fit
     * of the init function on [fitLower, fitUpper]. Version D is fitted as B (its inference form).
     *
     * @return the function every coefficient set starts from
     * @throws IllegalArgumentException if the spec is invalid (see {@link #validate()})
     */
    public RationalFunction initialFunction() {
        validate();
        if (numeratorInit != null) {
            return new RationalFunction(version, numeratorInit, denominatorInit);
        }
        return RationalFit.fit(initFunction, initParameter, version, numeratorDegree, denominatorDegree, fitLower,
                fitUpper).function();
    }

    /**
     * Checks every field; called by {@link Builder#build()} and again by layers when they are instantiated
     * (JSON deserialization bypasses the builder).
     *
     * @throws IllegalArgumentException naming the offending value and the accepted range
     */
    public void validate() {
        if (formatVersion < 1 || formatVersion > FORMAT_VERSION) {
            throw new IllegalArgumentException("RationalSpec format version must be in [1, " + FORMAT_VERSION
                    + "] for this release of dl4j-rational, got " + formatVersion
                    + " (saved by a newer release? upgrade dl4j-rational)");
        }
        if (version == null) {
            throw new IllegalArgumentException("version must be one of " + Arrays.toString(RationalVersion.values())
                    + ", got null");
        }
        checkDegrees(version, numeratorDegree, denominatorDegree);
        if (sharing == null) {
            throw new IllegalArgumentException("sharing must be one of " + Arrays.toString(Sharing.values())
                    + ", got null");
        }
        if (groups < 1) {
            throw new IllegalArgumentException("group count must be in [1, " + Integer.MAX_VALUE + "], got " + groups);
        }
        if (sharing != Sharing.GROUP && groups != 1) {
            throw new IllegalArgumentException("group count " + groups + " is only meaningful with Sharing.GROUP, got "
                    + sharing);
        }
        if (!(noise >= 0 && noise < 1)) {
            throw new IllegalArgumentException("noise must be in [0, 1), got " + noise);
        }
        if ((numeratorInit == null) != (denominatorInit == null)) {
            throw new IllegalArgumentException("explicit coefficients need both numerator and denominator arrays");
        }
        if (numeratorInit != null) {
            if (numeratorInit.length != numeratorDegree + 1) {
                throw new IllegalArgumentException("numerator coefficient array must have length m+1 = "
                        + (numeratorDegree + 1) + ", got " + numeratorInit.length);
            }
            if (denominatorInit.length != denominatorLength()) {
                throw new IllegalArgumentException("denominator coefficient array of version " + version
                        + " must have length " + (version.firstPower() == 0 ? "n+1 = " : "n = ") + denominatorLength()
                        + ", got " + denominatorInit.length);
            }
            checkFinite("numerator", numeratorInit);
            checkFinite("denominator", denominatorInit);
        } else {
            if (initFunction == null) {
                throw new IllegalArgumentException("either an init function or explicit coefficients are required");
            }
            initFunction.resolveParameter(initParameter);
            checkInterval(fitLower, fitUpper);
        }
    }

    /**
     * Checks a type (m, n) of the given version: m in [0, 16], n in [{@link RationalVersion#minDenominatorDegree()},
     * 16] (0 is allowed for version C only).
     *
     * @param version the denominator form, not null
     * @param m numerator degree
     * @param n denominator degree in PAU's sense
     * @throws NullPointerException if {@code version} is null
     * @throws IllegalArgumentException if m or n is outside the supported range, naming the value and the range
     */
    public static void checkDegrees(RationalVersion version, int m, int n) {
        Objects.requireNonNull(version, "version");
        if (version.minDenominatorDegree() == 0) {
            if (n < 0 || n > MAX_DENOMINATOR_DEGREE) {
                throw new IllegalArgumentException("denominator degree must be in [0, " + MAX_DENOMINATOR_DEGREE
                        + "] for version " + version + ", got " + n);
            }
            checkDegrees(m, Math.max(n, MIN_DENOMINATOR_DEGREE));
            return;
        }
        checkDegrees(m, n);
    }

    /**
     * Checks m and n against the ranges of versions A, B, D and N (n ≥ 1); see
     * {@link #checkDegrees(RationalVersion, int, int)} for version C.
     *
     * @param m numerator degree, accepted in [{@value #MIN_NUMERATOR_DEGREE}, {@value #MAX_NUMERATOR_DEGREE}]
     * @param n denominator degree, accepted in [{@value #MIN_DENOMINATOR_DEGREE}, {@value #MAX_DENOMINATOR_DEGREE}]
     * @throws IllegalArgumentException if m or n is outside the supported range
     */
    public static void checkDegrees(int m, int n) {
        if (m < MIN_NUMERATOR_DEGREE || m > MAX_NUMERATOR_DEGREE) {
            throw new IllegalArgumentException("numerator degree must be in [" + MIN_NUMERATOR_DEGREE + ", "
                    + MAX_NUMERATOR_DEGREE + "], got " + m);
        }
        if (n < MIN_DENOMINATOR_DEGREE || n > MAX_DENOMINATOR_DEGREE) {
            throw new IllegalArgumentException("denominator degree must be in [" + MIN_DENOMINATOR_DEGREE + ", "
                    + MAX_DENOMINATOR_DEGREE + "], got " + n);
        }
    }

    /**
     * Checks a fit interval.
     *
     * @param lo lower bound, finite with |lo| ≤ {@value #MAX_FIT_BOUND}
     * @param hi upper bound, finite with |hi| ≤ {@value #MAX_FIT_BOUND} and lo &lt; hi
     * @throws IllegalArgumentException if the interval is empty, reversed, not finite or too wide
     */
    public static void checkInterval(double lo, double hi) {
        if (!(Math.abs(lo) <= MAX_FIT_BOUND) || !(Math.abs(hi) <= MAX_FIT_BOUND)) {
            throw new IllegalArgumentException("fit interval bounds must be finite and in [-" + MAX_FIT_BOUND + ", "
                    + MAX_FIT_BOUND + "], got [" + lo + ", " + hi + "]");
        }
        if (!(lo < hi)) {
            throw new IllegalArgumentException("fit interval must satisfy lower < upper, got [" + lo + ", " + hi + "]");
        }
    }

    /**
     * Checks that every coefficient is finite.
     *
     * @param what name of the array used in the message, e.g. "numerator"
     * @param values the coefficients
     * @throws IllegalArgumentException naming the first non-finite entry and its index
     */
    public static void checkFinite(String what, double[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException(what + " coefficient " + i + " must be finite, got " + values[i]);
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RationalSpec)) {
            return false;
        }
        RationalSpec s = (RationalSpec) o;
        return formatVersion == s.formatVersion && numeratorDegree == s.numeratorDegree
                && denominatorDegree == s.denominatorDegree
                && version == s.version && initFunction == s.initFunction
                && Double.compare(initParameter, s.initParameter) == 0
                && Arrays.equals(numeratorInit, s.numeratorInit) && Arrays.equals(denominatorInit, s.denominatorInit)
                && Double.compare(fitLower, s.fitLower) == 0 && Double.compare(fitUpper, s.fitUpper) == 0
                && sharing == s.sharing && groups == s.groups && Double.compare(noise, s.noise) == 0;
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(formatVersion, numeratorDegree, denominatorDegree, version, initFunction, initParameter,
                fitLower,
                fitUpper, sharing, groups, noise);
        return 31 * (31 * h + Arrays.hashCode(numeratorInit)) + Arrays.hashCode(denominatorInit);
    }

    @Override
    public String toString() {
        return "RationalSpec{(" + numeratorDegree + "," + denominatorDegree + ") " + version
                + (numeratorInit != null ? ", explicit coefficients"
                : ", init=" + initFunction + (Double.isNaN(initParameter) ? "" : "(" + initParameter + ")")
                + " on [" + fitLower + ", " + fitUpper + "]")
                + ", sharing=" + sharing + (sharing == Sharing.GROUP ? "(" + groups + ")" : "")
                + (version.hasTrainingNoise() ? ", noise=" + noise : "") + "}";
    }

    /** Builder with the defaults listed on {@link RationalSpec}. */
    public static final class Builder {
        private RationalSpec s = new RationalSpec();

        private Builder() {
        }

        /**
         * Sets the type (m, n); checked by {@link #build()}. Ignored when explicit coefficients are given (their
         * lengths decide the degrees).
         *
         * @param m numerator degree in [{@value #MIN_NUMERATOR_DEGREE}, {@value #MAX_NUMERATOR_DEGREE}]; default 5
         * @param n denominator degree in [1, {@value #MAX_DENOMINATOR_DEGREE}] ([0, 16] for version C); default 4
         * @return this builder
         */
        public Builder degrees(int m, int n) {
            s.numeratorDegree = m;
            s.denominatorDegree = n;
            return this;
        }

        /**
         * Sets the denominator form.
         *
         * @param version the version; default {@link RationalVersion#B}; null is rejected by {@link #build()}
         * @return this builder
         */
        public Builder version(RationalVersion version) {
            s.version = version;
            return this;
        }

        /**
         * Initialise by fitting this function with its default parameter (clears explicit coefficients).
         *
         * @param function the target; default {@link TargetFunction#LEAKY_RELU}
         * @return this builder
         */
        public Builder init(TargetFunction function) {
            return init(function, Double.NaN);
        }

        /**
         * Initialise by fitting this function with a parameter (clears explicit coefficients).
         *
         * @param function the target
         * @param parameter the function's parameter (e.g. LeakyReLU slope); NaN: its default; checked by
         *                  {@link #build()} against the function's accepted range
         * @return this builder
         */
        public Builder init(TargetFunction function, double parameter) {
            s.initFunction = function;
            s.initParameter = parameter;
            s.numeratorInit = null;
            s.denominatorInit = null;
            return this;
        }

        /**
         * Explicit initial coefficients: numerator a_0..a_m and denominator (b_1..b_n, or b_0..b_n for version C;
         * see {@link RationalVersion}). The degrees are taken from the array lengths when the spec is built (so
         * the order of {@code version(...)} and this call does not matter); clears the init function.
         *
         * @param numerator a_0..a_m, copied
         * @param denominator the version's denominator coefficients, copied
         * @return this builder
         * @throws NullPointerException if either array is null
         */
        public Builder coefficients(double[] numerator, double[] denominator) {
            Objects.requireNonNull(numerator, "numerator");
            Objects.requireNonNull(denominator, "denominator");
            s.numeratorInit = numerator.clone();
            s.denominatorInit = denominator.clone();
            s.initFunction = null;
            s.initParameter = Double.NaN;
            return this;
        }

        /**
         * Explicit initial coefficients taken from a function (its version is used too).
         *
         * @param f the function whose version and coefficients are copied
         * @return this builder
         */
        public Builder coefficients(RationalFunction f) {
            s.version = f.version();
            return coefficients(f.numerator(), f.denominator());
        }

        /**
         * Interval on which the init function is fitted; checked by {@link #build()} (finite, lower &lt; upper,
         * |bounds| ≤ {@value RationalSpec#MAX_FIT_BOUND}).
         *
         * @param lower lower bound; default -3
         * @param upper upper bound; default 3
         * @return this builder
         */
        public Builder fitInterval(double lower, double upper) {
            s.fitLower = lower;
            s.fitUpper = upper;
            return this;
        }

        /**
         * LAYER or CHANNEL sharing (resets the group count to 1); use {@link #groups(int)} for GROUP.
         *
         * @param sharing the mode; default {@link Sharing#LAYER}
         * @return this builder
         */
        public Builder sharing(Sharing sharing) {
            s.sharing = sharing;
            if (sharing != Sharing.GROUP) {
                s.groups = 1;
            }
            return this;
        }

        /**
         * GROUP sharing with g groups of contiguous channels (the channel count must be a multiple of g).
         *
         * @param g group count ≥ 1, checked by {@link #build()}
         * @return this builder
         */
        public Builder groups(int g) {
            s.sharing = Sharing.GROUP;
            s.groups = g;
            return this;
        }

        /**
         * Version D's noise half-width: numerator coefficients × U[1-s, 1+s] in training.
         *
         * @param s half-width in [0, 1), checked by {@link #build()}; default 0.1
         * @return this builder
         */
        public Builder noise(double s) {
            this.s.noise = s;
            return this;
        }

        /**
         * Builds and validates the spec; the builder can be reused afterwards.
         *
         * @return an immutable spec
         * @throws IllegalArgumentException for any invalid field, naming the value and its range
         */
        public RationalSpec build() {
            RationalSpec out = s.copy();
            if (out.numeratorInit != null && out.version != null) {
                out.numeratorDegree = out.numeratorInit.length - 1;
                out.denominatorDegree = out.version.denominatorDegree(out.denominatorInit.length);
            }
            out.validate();
            return out;
        }
    }
}
