package org.rationalnn.dl4j.pau;

import org.deeplearning4j.nn.api.Model;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.rationalnn.dl4j.monitor.RationalSite;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A coefficient table in the layout of PAU's {@code rationals_config.json} (the {@code rational_activations} library
 * of Molina et al., arXiv:1907.06732): top-level keys {@code "Rational_version_<V><m>/<n>"}, under each a key per
 * function name with {@code init_w_numerator} (a_0..a_m), {@code init_w_denominator} and the fit bounds {@code lb},
 * {@code ub}:
 *
 * <pre>{@code
 * { "Rational_version_B5/4": {
 *     "leaky_relu": { "init_w_numerator": [a0, ..., a5], "init_w_denominator": [b1, ..., b4], "ub": 3, "lb": -3 } } }
 * }</pre>
 *
 * <p>The coefficients mean what they mean in PAU, for every version (A, B, C, D, N; {@link RationalVersion}): the
 * denominator list holds b_1..b_n for A, B, D, N and b_0..b_n (n + 1 values) for C, so an entry becomes a
 * {@link RationalSpec} with explicit coefficients unchanged. Other top-level keys (PAU's table has a stray
 * {@code "identity"} entry at the top) are skipped.
 *
 * <p>{@link #of(Model)} writes a network's learned rationals in the same layout, one function name per rational
 * (its layer name, with {@code #k} for coefficient set k when there are several), so that PAU's
 * {@code Rational(approx_func=name, degrees=(m, n), version=V)} can start from them.
 */
public final class PauTable {
    private static final Logger LOG = LoggerFactory.getLogger(PauTable.class);
    private static final Pattern KEY = Pattern.compile("Rational_version_([ABCDN])(\\d+)/(\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One function of the table.
     *
     * @param version     denominator form
     * @param m           numerator degree
     * @param n           denominator degree (PAU's: version C stores n + 1 coefficients)
     * @param name        PAU's function name (e.g. {@code leaky_relu}, {@code gelu}) or a layer name
     * @param numerator   a_0..a_m
     * @param denominator the denominator coefficients in PAU's (and this library's) order
     * @param lower       {@code lb}, the lower end of the fit interval (NaN if absent)
     * @param upper       {@code ub}, the upper end (NaN if absent)
     */
    public record Entry(RationalVersion version, int m, int n, String name, double[] numerator,
                        double[] denominator, double lower, double upper) {
        /**
         * Creates an entry; the arrays are copied.
         *
         * @param version     denominator form
         * @param m           numerator degree in [0, 16]
         * @param n           denominator degree
         * @param name        function or layer name
         * @param numerator   a_0..a_m, m + 1 values
         * @param denominator {@link RationalVersion#denominatorLength(int)} values
         * @param lower       lower end of the fit interval, or NaN
         * @param upper       upper end of the fit interval, or NaN
         * @throws NullPointerException     if the version, the name or an array is null
         * @throws IllegalArgumentException if an array length does not match the type, or a degree is out of range
         */
        public Entry {
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(name, "name");
            numerator = numerator.clone();
            denominator = denominator.clone();
            if (numerator.length != m + 1) {
                throw new IllegalArgumentException("'" + key(version, m, n) + "' / '" + name + "': init_w_numerator "
                        + "must have m + 1 = " + (m + 1) + " values, got " + numerator.length);
            }
            if (denominator.length != version.denominatorLength(n)) {
                throw new IllegalArgumentException("'" + key(version, m, n) + "' / '" + name
                        + "': init_w_denominator must have " + version.denominatorLength(n) + " values for version "
                        + version + " (" + (version == RationalVersion.C ? "b_0..b_n" : "b_1..b_n") + "), got "
                        + denominator.length);
            }
            RationalSpec.checkDegrees(version, m, n);
        }

        /**
         * The numerator coefficients.
         *
         * @return a copy of a_0..a_m
         */
        @Override
        public double[] numerator() {
            return numerator.clone();
        }

        /**
         * The stored denominator coefficients.
         *
         * @return a copy, in PAU's order (b_1..b_n, or b_0..b_n for version C)
         */
        @Override
        public double[] denominator() {
            return denominator.clone();
        }

        /**
         * The rational function of this entry.
         *
         * @return a new function of this entry's version and coefficients
         * @throws IllegalArgumentException if a coefficient is not finite
         */
        public RationalFunction function() {
            return new RationalFunction(version, numerator, denominator);
        }

        /**
         * A spec with these explicit coefficients (and the fit interval as the spec's, when the entry has one), to
         * refine with {@code toBuilder()} (sharing, noise).
         *
         * @return a validated spec initialised with exactly this entry's coefficients
         * @throws IllegalArgumentException if a coefficient is not finite or the interval is too wide
         */
        public RationalSpec spec() {
            RationalSpec.Builder b = RationalSpec.builder().coefficients(function());
            if (Double.isFinite(lower) && Double.isFinite(upper) && lower != upper) {
                b.fitInterval(Math.min(lower, upper), Math.max(lower, upper));
            }
            return b.build();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && e.version == version && e.m == m && e.n == n && e.name.equals(name)
                    && Arrays.equals(e.numerator, numerator) && Arrays.equals(e.denominator, denominator)
                    && Double.compare(e.lower, lower) == 0 && Double.compare(e.upper, upper) == 0;
        }

        @Override
        public int hashCode() {
            return Objects.hash(version, m, n, name, Arrays.hashCode(numerator), Arrays.hashCode(denominator));
        }

        @Override
        public String toString() {
            return key(version, m, n) + "/" + name + ": P=" + Arrays.toString(numerator) + ", Q="
                    + Arrays.toString(denominator);
        }
    }

    private final List<Entry> entries;

    private PauTable(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * A table of these entries.
     *
     * @param entries the entries, copied, in the order {@link #toJson()} writes them
     * @return the table
     * @throws NullPointerException if the list or an entry is null
     */
    public static PauTable of(List<Entry> entries) {
        return new PauTable(entries);
    }

    /**
     * PAU's top-level key for a version and type.
     *
     * @param version denominator form
     * @param m numerator degree
     * @param n denominator degree
     * @return e.g. {@code Rational_version_B5/4}
     */
    public static String key(RationalVersion version, int m, int n) {
        return "Rational_version_" + version + m + "/" + n;
    }

    /**
     * Reads a table from a file (UTF-8 JSON in PAU's layout).
     *
     * @param file the JSON file
     * @return the table, entries in file order
     * @throws IOException naming the file on read or parse errors, including invalid entries
     */
    public static PauTable read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("cannot read PAU table " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a table from a stream (UTF-8 JSON); the stream is read to its end, not closed.
     *
     * @param in the stream
     * @return the table, entries in stream order
     * @throws IOException on read errors or malformed JSON
     * @throws IllegalArgumentException for entries with missing or wrongly sized coefficient lists
     */
    public static PauTable read(InputStream in) throws IOException {
        return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }

    /**
     * Parses a table. Top-level keys that are not {@code Rational_version_<V><m>/<n>} are skipped (logged at
     * DEBUG).
     *
     * @param json the JSON text
     * @return the table, entries in text order
     * @throws IOException              for malformed JSON or a top level that is not an object
     * @throws IllegalArgumentException for entries with missing or wrongly sized coefficient lists
     */
    public static PauTable parse(String json) throws IOException {
        JsonNode root = JSON.readTree(json);
        if (root == null || !root.isObject()) {
            throw new IOException("a PAU table must be a JSON object");
        }
        List<Entry> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> top = it.next();
            Matcher m = KEY.matcher(top.getKey());
            if (!m.matches() || !top.getValue().isObject()) {
                LOG.debug("skipping top-level key '{}' (not Rational_version_<V><m>/<n>)", top.getKey());
                continue;
            }
            RationalVersion v = RationalVersion.valueOf(m.group(1));
            int deg = Integer.parseInt(m.group(2));
            int den = Integer.parseInt(m.group(3));
            for (Iterator<Map.Entry<String, JsonNode>> f = top.getValue().fields(); f.hasNext(); ) {
                Map.Entry<String, JsonNode> e = f.next();
                JsonNode node = e.getValue();
                String where = "'" + top.getKey() + "' / '" + e.getKey() + "'";
                out.add(new Entry(v, deg, den, e.getKey(), doubles(node.get("init_w_numerator"), where
                        + " init_w_numerator"), doubles(node.get("init_w_denominator"), where
                        + " init_w_denominator"), number(node.get("lb")), number(node.get("ub"))));
            }
        }
        return new PauTable(out);
    }

    static double[] doubles(JsonNode node, String where) {
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException(where + " must be a list of numbers, got " + node);
        }
        double[] d = new double[node.size()];
        for (int i = 0; i < d.length; i++) {
            if (!node.get(i).isNumber()) {
                throw new IllegalArgumentException(where + "[" + i + "] must be a number, got " + node.get(i));
            }
            d[i] = node.get(i).asDouble();
        }
        return d;
    }

    private static double number(JsonNode node) {
        return node != null && node.isNumber() ? node.asDouble() : Double.NaN;
    }

    /**
     * Every entry.
     *
     * @return an unmodifiable list, in file order
     */
    public List<Entry> entries() {
        return entries;
    }

    /**
     * Looks up an entry.
     *
     * @param version denominator form
     * @param m numerator degree
     * @param n denominator degree
     * @param name function name (e.g. {@code leaky_relu})
     * @return the first matching entry, or empty
     */
    public Optional<Entry> find(RationalVersion version, int m, int n, String name) {
        return entries.stream().filter(e -> e.version == version && e.m == m && e.n == n && e.name.equals(name))
                .findFirst();
    }

    /**
     * The entry for a version, type and function name.
     *
     * @param version denominator form
     * @param m numerator degree
     * @param n denominator degree
     * @param name function name
     * @return the first matching entry
     * @throws IllegalArgumentException if absent, listing what the table holds for that version and type
     */
    public Entry get(RationalVersion version, int m, int n, String name) {
        return find(version, m, n, name).orElseThrow(() -> new IllegalArgumentException("no entry '" + name
                + "' under '" + key(version, m, n) + "'; the table has " + entries.stream()
                .filter(e -> e.version == version && e.m == m && e.n == n).map(Entry::name)
                .collect(Collectors.toList()) + " there"));
    }

    /**
     * The spec of an entry (see {@link Entry#spec()}).
     *
     * @param version denominator form
     * @param m numerator degree
     * @param n denominator degree
     * @param name function name
     * @return a spec with that entry's coefficients
     * @throws IllegalArgumentException if the entry is absent
     */
    public RationalSpec spec(RationalVersion version, int m, int n, String name) {
        return get(version, m, n, name).spec();
    }

    /**
     * A table of a network's current rationals (one entry per rational and coefficient set; names as described on
     * the class), with the fit interval of each layer's spec as {@code lb}/{@code ub}.
     *
     * @param network an initialised MultiLayerNetwork or ComputationGraph
     * @return the table; empty if the network has no rationals
     * @throws IllegalArgumentException if the model is neither a MultiLayerNetwork nor a ComputationGraph
     */
    public static PauTable of(Model network) {
        List<Entry> out = new ArrayList<>();
        for (RationalSite s : RationalSite.find(network)) {
            int sets = (int) s.numerator().size(0);
            double[] iv = s.fitInterval();
            for (int k = 0; k < sets; k++) {
                RationalFunction f = s.function(k);
                out.add(new Entry(f.version(), f.numeratorDegree(), f.denominatorDegree(),
                        sets == 1 ? s.name() : s.name() + "#" + k, f.numerator(), f.denominator(),
                        iv == null ? Double.NaN : iv[0], iv == null ? Double.NaN : iv[1]));
            }
        }
        return new PauTable(out);
    }

    /**
     * The table as JSON in PAU's layout.
     *
     * @return pretty-printed JSON, doubles written exactly (they read back bit for bit)
     */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        for (Entry e : entries) {
            String key = key(e.version, e.m, e.n);
            ObjectNode group = root.has(key) ? (ObjectNode) root.get(key) : root.putObject(key);
            ObjectNode f = group.putObject(e.name);
            ArrayNode num = f.putArray("init_w_numerator");
            for (double d : e.numerator) {
                num.add(d);
            }
            ArrayNode den = f.putArray("init_w_denominator");
            for (double d : e.denominator) {
                den.add(d);
            }
            if (!Double.isNaN(e.upper)) {
                f.put("ub", e.upper);
            }
            if (!Double.isNaN(e.lower)) {
                f.put("lb", e.lower);
            }
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a PAU table: " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@link #toJson()} to a file (UTF-8), replacing it if it exists.
     *
     * @param file the destination
     * @throws IOException if the file cannot be written
     */
    public void write(Path file) throws IOException {
        Files.writeString(file, toJson(), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "PauTable{" + entries.size() + " entries}";
    }
}
