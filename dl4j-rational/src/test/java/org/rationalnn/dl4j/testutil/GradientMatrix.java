package org.rationalnn.dl4j.testutil;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.rational.TargetFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Shared machinery of the randomized gradient-check matrices ({@code *GradientMatrixTest}): one seed per test JVM,
 * drawn afresh on every run unless {@value #SEED_PROPERTY} is set, printed once (stdout and slf4j at INFO) with the
 * command-line option that replays it, and named in every failure message.
 *
 * <p>Each matrix draws its configurations from its own {@link Random}, derived from the seed and the matrix's name,
 * so a replayed seed gives every matrix the same configurations and the same input values whatever other tests run
 * in the same JVM and in whatever order. {@value #DRAWS_PROPERTY} (a factor, default 1) scales the number of random
 * draws of every matrix, e.g. {@code -Drational.test.draws=10} for a long run.
 *
 * <p>Tolerances (DL4J's own gradient-check defaults, never relaxed per case): epsilon {@value #EPSILON}, maximum
 * relative error {@value #MAX_REL_ERROR}, minimum absolute error {@value #MIN_ABS_ERROR}.
 */
public final class GradientMatrix {
    /** Logs the seed and, before each check, its configuration (so GradientCheckUtil's failure lines can be read). */
    public static final Logger LOG = LoggerFactory.getLogger(GradientMatrix.class);

    /** System property that replays a seed. */
    public static final String SEED_PROPERTY = "rational.test.seed";
    /** System property: factor on the number of random draws (default 1). */
    public static final String DRAWS_PROPERTY = "rational.test.draws";

    public static final double EPSILON = 1e-6;
    public static final double MAX_REL_ERROR = 1e-3;
    public static final double MIN_ABS_ERROR = 1e-8;

    /** The input of the rational under test is scaled so that its largest |value| is this (fit interval [-3, 3]). */
    public static final double INPUT_MAX_ABS = 2.9;
    /** Half-width of the uniform perturbation of the coefficients in "perturbed" cases. */
    public static final double PERTURBATION = 0.05;

    private static Long seed;

    private GradientMatrix() {
    }

    /** The seed of this JVM's matrices: {@value #SEED_PROPERTY} if set, else a fresh random one (logged once). */
    public static synchronized long seed() {
        if (seed == null) {
            String p = System.getProperty(SEED_PROPERTY);
            boolean replay = p != null && !p.isBlank();
            seed = replay ? Long.decode(p.trim()) : new SecureRandom().nextLong() & Long.MAX_VALUE;
            String line = "gradient matrix seed = " + seed + "; replay with -D" + SEED_PROPERTY + "=" + seed
                    + (replay ? " (replayed from the system property)" : " (drawn afresh for this run)");
            System.out.println(line);
            LOG.info(line);
        }
        return seed;
    }

    /** Text appended to every failure message (and logged before every check): the seed and how to replay it. */
    public static String replay() {
        return "[gradient matrix seed = " + seed() + "; replay with -D" + SEED_PROPERTY + "=" + seed() + "]";
    }

    /** The random source of one matrix, derived from the seed and the matrix's name. */
    public static Random random(String matrix) {
        long h = 1125899906842597L;
        for (int i = 0; i < matrix.length(); i++) {
            h = 31 * h + matrix.charAt(i);
        }
        return new Random(mix(seed() ^ mix(h)));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The number of random draws of a matrix: {@code base} times {@value #DRAWS_PROPERTY} (at least 1). */
    public static int draws(int base) {
        String p = System.getProperty(DRAWS_PROPERTY);
        double factor = p == null || p.isBlank() ? 1.0 : Double.parseDouble(p.trim());
        return Math.max(1, (int) Math.round(base * factor));
    }

    public static <T> T pick(Random r, T[] values) {
        return values[r.nextInt(values.length)];
    }

    /** Uniform integer in [lo, hi]. */
    public static int between(Random r, int lo, int hi) {
        return lo + r.nextInt(hi - lo + 1);
    }

    /**
     * A spec of the given version, type (m, n), init and sharing (GROUP: 2 groups), D's noise off, fitted on the
     * default interval [-3, 3].
     */
    public static RationalSpec spec(RationalVersion v, int m, int n, TargetFunction init, Sharing sharing) {
        RationalSpec.Builder b = RationalSpec.builder().version(v).degrees(m, n).init(init).noise(0.0);
        if (sharing == Sharing.GROUP) {
            b.groups(2);
        } else {
            b.sharing(sharing);
        }
        return b.build();
    }

    /**
     * A random rational type: any version, numerator degree in [0, mMax], denominator degree in [1, nMax] ([0, nMax]
     * for version C, whose type (m, n) stores b_0..b_n), any {@link TargetFunction} as init, any sharing. The spec
     * itself is built when the test runs ({@link SpecChoice#build()}), so a configuration the library rejects fails
     * its own test instead of the whole matrix.
     */
    public static SpecChoice randomSpec(Random r, int mMax, int nMax) {
        RationalVersion v = pick(r, RationalVersion.values());
        int m = between(r, 0, mMax);
        int n = between(r, v == RationalVersion.C ? 0 : 1, nMax);
        return new SpecChoice(v, m, n, pick(r, TargetFunction.values()), pick(r, Sharing.values()));
    }

    /** Version, type (m, n), init and sharing of a rational under test; GROUP means 2 groups; D's noise is off. */
    public record SpecChoice(RationalVersion version, int m, int n, TargetFunction init, Sharing sharing) {

        public RationalSpec build() {
            return spec(version, m, n, init, sharing);
        }

        /** "A(4,4) GELU CHANNEL". */
        @Override
        public String toString() {
            return version + "(" + m + "," + n + ") " + init + " " + (sharing == Sharing.GROUP ? "GROUP(2)" : sharing);
        }
    }

    /** Multiplies {@code x} in place so that {@code maxAbsOfRationalInput} (measured for x) becomes {@value #INPUT_MAX_ABS}. */
    public static void scaleInput(INDArray x, double maxAbsOfRationalInput) {
        if (maxAbsOfRationalInput > 0 && Double.isFinite(maxAbsOfRationalInput)) {
            x.muli(INPUT_MAX_ABS / maxAbsOfRationalInput);
        }
    }

    /**
     * Adds U(-{@value #PERTURBATION}, {@value #PERTURBATION}) noise, drawn from {@code seed}, to every parameter whose
     * key matches (so the coefficient sets differ from each other and from the fitted initialisation).
     */
    public static void perturb(Map<String, INDArray> paramTable, Predicate<String> which, long seed) {
        Nd4j.getRandom().setSeed(seed);
        for (Map.Entry<String, INDArray> e : paramTable.entrySet()) {
            if (which.test(e.getKey())) {
                INDArray p = e.getValue();
                p.addi(Nd4j.rand(p.dataType(), p.shape()).subi(0.5).muli(2 * PERTURBATION));
            }
        }
    }

    /**
     * The parameter keys to exclude from a ComputationGraph gradient check that should check the arrays
     * {@code wanted} selects. Works around a quirk of DL4J 1.0.0-M2.1's {@code checkGradients(GraphConfig)}: after an
     * excluded array it skips the first element of the next array (the MultiLayerNetwork check does not). The array
     * just before each rational coefficient array is therefore checked too (a small bias in the networks of these
     * tests), so that every coefficient is checked; other wanted arrays may lose their first element.
     *
     * @param orderedKeys the graph's {@code paramTable().keySet()} in flattened-parameter order
     */
    public static Set<String> graphExclusions(Collection<String> orderedKeys, Predicate<String> wanted) {
        List<String> keys = new ArrayList<>(orderedKeys);
        Set<String> excluded = new LinkedHashSet<>();
        for (int i = 0; i < keys.size(); i++) {
            String k = keys.get(i);
            boolean predecessorOfCoefficients = i + 1 < keys.size() && isCoefficientKey(keys.get(i + 1))
                    && wanted.test(keys.get(i + 1));
            if (!wanted.test(k) && !predecessorOfCoefficients) {
                excluded.add(k);
            }
        }
        return excluded;
    }

    /** The parameter keys to exclude from a MultiLayerNetwork gradient check that should check {@code wanted}. */
    public static Set<String> mlnExclusions(Collection<String> keys, Predicate<String> wanted) {
        Set<String> excluded = new LinkedHashSet<>();
        for (String k : keys) {
            if (!wanted.test(k)) {
                excluded.add(k);
            }
        }
        return excluded;
    }

    /**
     * The parameters these matrices check by default: everything except the layers before and after the one under
     * test, but including the bias of the layer before (its gradient is the input gradient of the layer under test,
     * summed over examples and positions).
     */
    public static Predicate<String> ownAndInputBias(String beforePrefix, String afterPrefix) {
        return k -> !k.startsWith(afterPrefix) && (!k.startsWith(beforePrefix) || k.equals(beforePrefix + "b"));
    }

    /** True for the keys of rational coefficient arrays (…numerator, …Numerator, …denominator, …Denominator). */
    public static boolean isCoefficientKey(String key) {
        String k = key.toLowerCase(java.util.Locale.ROOT);
        return k.endsWith("numerator") || k.endsWith("denominator");
    }
}
