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
    private final String name;
    private final String numeratorKey;
    private final String denominatorKey;
    private final RationalVersion version;
    private final int numeratorDegree;
    private final int denominatorDegree;
    private final int sets;
    private final long channels;

    /**
     * @param name              what the rational is within its layer (e.g. "rational", "r1", "attention")
     * @param numeratorKey      parameter key of the numerator coefficients
     * @param denominatorKey    parameter key of the denominator coefficients
     * @param version           denominator form
     * @param numeratorDegree   m
     * @param denominatorDegree n (PAU's meaning; version C stores n + 1 coefficients)
     * @param sets              number of coefficient sets S
     * @param channels          number of channels C the sets are spread over (S divides C)
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

    public String name() {
        return name;
    }

    public String numeratorKey() {
        return numeratorKey;
    }

    public String denominatorKey() {
        return denominatorKey;
    }

    public RationalVersion version() {
        return version;
    }

    public int numeratorDegree() {
        return numeratorDegree;
    }

    public int denominatorDegree() {
        return denominatorDegree;
    }

    /** Number of coefficient sets S. */
    public int sets() {
        return sets;
    }

    /** Number of channels the sets are spread over (channel c uses set c / (C / S)). */
    public long channels() {
        return channels;
    }

    /** Whether {@code key} is one of this slot's two parameter keys. */
    public boolean holds(String key) {
        return numeratorKey.equals(key) || denominatorKey.equals(key);
    }

    /**
     * The learned function of coefficient set {@code set}, read from a layer's parameter table (e.g.
     * {@code layer.paramTable()} of the runtime layer, or a graph vertex's parameters).
     *
     * @throws IllegalArgumentException if the table lacks the keys or {@code set} is outside [0, S)
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

    @Override
    public String toString() {
        return "RationalSlot{" + name + ": " + numeratorKey + "/" + denominatorKey + ", " + version + " ("
                + numeratorDegree + "," + denominatorDegree + "), " + sets + " sets over " + channels + " channels}";
    }
}
