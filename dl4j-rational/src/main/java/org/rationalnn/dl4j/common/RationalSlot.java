package org.rationalnn.dl4j.common;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.rational.RationalVersion;

import java.util.Map;
import java.util.Objects;

/**
 * One trainable rational inside a layer: the parameter keys of its numerator [S, m+1] and denominator
 * [S, {@link RationalVersion#denominatorLength(int)}] coefficients, its version and type (m, n) and its S coefficient
 * sets over C channels. A layer lists its slots with {@link RationalLayer#rationalSlots()}.
 */
public final class RationalSlot {
    /** What the rational is within its layer. */
    private final String name;
    /** Parameter key of the numerator coefficients. */
    private final String numeratorKey;
    /** Parameter key of the denominator coefficients. */
    private final String denominatorKey;
    /** Denominator form. */
    private final RationalVersion version;
    /** Numerator degree m. */
    private final int numeratorDegree;
    /** Denominator degree n (PAU's meaning). */
    private final int denominatorDegree;
    /** Number of coefficient sets S. */
    private final int sets;
    /** Number of channels C the sets are spread over. */
    private final long channels;

    /**
     * A slot as a layer describes it; the values are stored as given (only the nulls are checked), so they must
     * describe the layer's parameter arrays.
     *
     * @param name              what the rational is within its layer (e.g. "rational", "r1", "attention")
     * @param numeratorKey      parameter key of the numerator coefficients
     * @param denominatorKey    parameter key of the denominator coefficients
     * @param version           denominator form
     * @param numeratorDegree   m
     * @param denominatorDegree n (PAU's meaning; version C stores n + 1 coefficients)
     * @param sets              number of coefficient sets S
     * @param channels          number of channels C the sets are spread over (S divides C)
     * @throws NullPointerException if {@code name}, a key or {@code version} is null
     */
    public RationalSlot(String name, String numeratorKey, String denominatorKey, RationalVersion version,
                        int numeratorDegree, int denominatorDegree, int sets, long channels) {
        this.name = Objects.requireNonNull(name, "name");
        this.numeratorKey = Objects.requireNonNull(numeratorKey, "numeratorKey");
        this.denominatorKey = Objects.requireNonNull(denominatorKey, "denominatorKey");
        this.version = Objects.requireNonNull(version, "version");
        this.numeratorDegree = numeratorDegree;
        this.denominatorDegree = denominatorDegree;
        this.sets = sets;
        this.channels = channels;
    }

    /**
     * What the rational is within its layer.
     *
     * @return e.g. {@code "rational"} for the single rational of a layer, {@code "r1"}/{@code "r2"} in the
     *         transformer block
     */
    public String name() {
        return name;
    }

    /**
     * Parameter key of the numerator coefficients a_0..a_m.
     *
     * @return the key of the [S, m+1] array in the layer's parameter table (e.g. {@code "numerator"})
     */
    public String numeratorKey() {
        return numeratorKey;
    }

    /**
     * Parameter key of the denominator coefficients.
     *
     * @return the key of the [S, {@link RationalVersion#denominatorLength(int) denominatorLength(n)}] array in the
     *         layer's parameter table (e.g. {@code "denominator"})
     */
    public String denominatorKey() {
        return denominatorKey;
    }

    /**
     * The denominator form of this rational.
     *
     * @return the version, never null
     */
    public RationalVersion version() {
        return version;
    }

    /**
     * Numerator degree m of the type (m, n).
     *
     * @return m, in [0, 16] for a valid layer; the numerator array has m + 1 columns
     */
    public int numeratorDegree() {
        return numeratorDegree;
    }

    /**
     * Denominator degree n of the type (m, n), in PAU's meaning.
     *
     * @return n, in [1, 16] ([0, 16] for version C) for a valid layer; the denominator array has n columns (n + 1 for
     *         version C)
     */
    public int denominatorDegree() {
        return denominatorDegree;
    }

    /**
     * Number of coefficient sets S: 1 (LAYER sharing), C (CHANNEL) or g (GROUP).
     *
     * @return S, the row count of both coefficient arrays
     */
    public int sets() {
        return sets;
    }

    /**
     * Number of channels the sets are spread over (channel c uses set c / (C / S)).
     *
     * @return C (1 for a LAYER-shared rational whose layer does not know its channel count)
     */
    public long channels() {
        return channels;
    }

    /**
     * Whether {@code key} is one of this slot's two parameter keys.
     *
     * @param key a parameter key (null gives false)
     * @return true if {@code key} equals {@link #numeratorKey()} or {@link #denominatorKey()}
     */
    public boolean holds(String key) {
        return numeratorKey.equals(key) || denominatorKey.equals(key);
    }

    /**
     * The learned function of coefficient set {@code set}, read from a layer's parameter table (e.g.
     * {@code layer.paramTable()} of the runtime layer, or a graph vertex's parameters).
     *
     * @param params the parameter table holding this slot's two keys (arrays [S, m+1] and [S, n] or [S, n+1])
     * @param set    the coefficient set, in [0, S)
     * @return a new function of this slot's version with the set's current coefficients (a snapshot)
     * @throws IllegalArgumentException if the table lacks the keys, {@code set} is outside [0, S), or the
     *                                  coefficients do not form a valid function (wrong length, not finite)
     */
    public RationalFunction function(Map<String, INDArray> params, int set) {
        INDArray num = params.get(numeratorKey);
        INDArray den = params.get(denominatorKey);
        if (num == null || den == null) {
            throw new IllegalArgumentException("parameter table must hold '" + numeratorKey + "' and '"
                    + denominatorKey + "', got keys " + params.keySet());
        }
        if (set < 0 || set >= num.size(0)) {
            throw new IllegalArgumentException("coefficient set must be in [0, " + num.size(0) + "), got " + set);
        }
        return new RationalFunction(version, num.getRow(set).toDoubleVector(), den.getRow(set).toDoubleVector());
    }

    /**
     * A description for logs.
     *
     * @return name, keys, version, type (m,n), sets and channels
     */
    @Override
    public String toString() {
        return "RationalSlot{" + name + ": " + numeratorKey + "/" + denominatorKey + ", " + version + " ("
                + numeratorDegree + "," + denominatorDegree + "), " + sets + " sets over " + channels + " channels}";
    }
}
