package org.rationalnn.dl4j.pau;

import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.rationalnn.dl4j.monitor.RationalSite;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Trained rational layers, exchanged with PyTorch as JSON: one object per layer, keyed by its name, with the PAU
 * module's {@code version}, {@code degrees} [m, n] and its {@code numerator} / {@code denominator} parameters
 * exactly as a PAU {@code Rational} module holds them (the same coefficient order and meaning as PAU's tables, see
 * {@link PauTable}):
 *
 * <pre>{@code
 * { "features.3": { "version": "A", "degrees": [5, 4],
 *                   "numerator": [a0, ..., a5], "denominator": [b1, ..., b4] } }
 * }</pre>
 *
 * A layer with several coefficient sets (CHANNEL/GROUP sharing here, group rationals elsewhere) writes lists of lists
 * [S][m+1] and [S][n]; PAU's own modules have one set. The README gives the few lines of Python that write this file
 * from a PyTorch model (or a bare {@code state_dict}) and read it back into one.
 *
 * <p>{@link #of(Model)} exports a DL4J network's rationals; {@link #apply(Model)} loads coefficients into a DL4J
 * network whose rational layers have the same names, versions and types; {@link Layer#spec()} turns one layer into a
 * {@link RationalSpec} to build a new network from.
 */
public final class PauLayers {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One rational layer.
     *
     * @param name        its name (PyTorch module path, or DL4J layer name)
     * @param version     denominator form
     * @param m           numerator degree
     * @param n           denominator degree (PAU's; version C has n + 1 denominator coefficients)
     * @param numerator   [S][m+1], one row per coefficient set
     * @param denominator [S][denominator length]
     */
    public record Layer(String name, RationalVersion version, int m, int n, double[][] numerator,
                        double[][] denominator) {
        /**
         * Creates a layer; the arrays are copied.
         *
         * @param name        the rational's name
         * @param version     denominator form
         * @param m           numerator degree in [0, 16]
         * @param n           denominator degree
         * @param numerator   [S][m+1], S ≥ 1
         * @param denominator [S][denominator length]
         * @throws NullPointerException     if the name, the version or an array is null
         * @throws IllegalArgumentException if a degree is out of range, the set counts differ or are 0, or a set has
         *                                  the wrong number of coefficients
         */
        public Layer {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(version, "version");
            RationalSpec.checkDegrees(version, m, n);
            if (numerator.length == 0 || numerator.length != denominator.length) {
                throw new IllegalArgumentException("layer '" + name + "': numerator and denominator must have the "
                        + "same number (≥ 1) of coefficient sets, got " + numerator.length + " and "
                        + denominator.length);
            }
            numerator = Arrays.stream(numerator).map(double[]::clone).toArray(double[][]::new);
            denominator = Arrays.stream(denominator).map(double[]::clone).toArray(double[][]::new);
            for (int s = 0; s < numerator.length; s++) {
                if (numerator[s].length != m + 1 || denominator[s].length != version.denominatorLength(n)) {
                    throw new IllegalArgumentException("layer '" + name + "' (" + version + " (" + m + "," + n
                            + ")): set " + s + " must have " + (m + 1) + " numerator and "
                            + version.denominatorLength(n) + " denominator coefficients, got "
                            + numerator[s].length + " and " + denominator[s].length);
                }
            }
        }

        /**
         * Number of coefficient sets.
         *
         * @return S ≥ 1
         */
        public int sets() {
            return numerator.length;
        }

        /**
         * The function of one coefficient set.
         *
         * @param set index in [0, S)
         * @return a new function of that set's coefficients
         * @throws ArrayIndexOutOfBoundsException if {@code set} is outside [0, S)
         * @throws IllegalArgumentException if a coefficient is not finite
         */
        public RationalFunction function(int set) {
            return new RationalFunction(version, numerator[set], denominator[set]);
        }

        /**
         * A spec with the coefficients of set 0, LAYER sharing (PAU's modules); a layer with several sets must be
         * loaded with {@link PauLayers#apply(Model)} into a network built with CHANNEL/GROUP sharing.
         *
         * @return a validated spec with set 0's coefficients
         * @throws IllegalArgumentException if a coefficient is not finite
         */
        public RationalSpec spec() {
            return RationalSpec.builder().coefficients(function(0)).sharing(Sharing.LAYER).build();
        }

        /**
         * The numerator coefficients.
         *
         * @return a deep copy, [S][m+1]
         */
        @Override
        public double[][] numerator() {
            return Arrays.stream(numerator).map(double[]::clone).toArray(double[][]::new);
        }

        /**
         * The stored denominator coefficients.
         *
         * @return a deep copy, [S][denominator length]
         */
        @Override
        public double[][] denominator() {
            return Arrays.stream(denominator).map(double[]::clone).toArray(double[][]::new);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Layer l && l.name.equals(name) && l.version == version && l.m == m && l.n == n
                    && Arrays.deepEquals(l.numerator, numerator) && Arrays.deepEquals(l.denominator, denominator);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, version, m, n, Arrays.deepHashCode(numerator), Arrays.deepHashCode(denominator));
        }

        @Override
        public String toString() {
            return "PauLayers.Layer{" + name + ": " + version + " (" + m + "," + n + "), " + numerator.length
                    + " set(s)}";
        }
    }

    private final Map<String, Layer> layers;

    private PauLayers(Map<String, Layer> layers) {
        this.layers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(layers));
    }

    /**
     * A collection of these layers.
     *
     * @param layers the layers, kept by name in list order
     * @return the collection
     * @throws IllegalArgumentException if two layers have the same name
     */
    public static PauLayers of(List<Layer> layers) {
        Map<String, Layer> m = new LinkedHashMap<>();
        for (Layer l : layers) {
            if (m.put(l.name(), l) != null) {
                throw new IllegalArgumentException("duplicate layer name '" + l.name() + "'");
            }
        }
        return new PauLayers(m);
    }

    /**
     * The layers by name.
     *
     * @return an unmodifiable map in file (or list) order
     */
    public Map<String, Layer> layers() {
        return layers;
    }

    /**
     * The layer of this name.
     *
     * @param name the rational's name
     * @return the layer
     * @throws IllegalArgumentException if absent, listing the names present
     */
    public Layer get(String name) {
        Layer l = layers.get(name);
        if (l == null) {
            throw new IllegalArgumentException("no rational layer '" + name + "'; present: " + layers.keySet());
        }
        return l;
    }

    /**
     * Reads the JSON file (UTF-8, the layout described on the class).
     *
     * @param file the file
     * @return the layers in file order
     * @throws IOException naming the file on read or parse errors, including invalid layers
     */
    public static PauLayers read(Path file) throws IOException {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("cannot read rational layers from " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses the JSON layout described on the class.
     *
     * @param json the JSON text
     * @return the layers in text order
     * @throws IOException              for malformed JSON or a top level that is not an object
     * @throws IllegalArgumentException for missing fields, unknown versions or wrongly sized lists
     */
    public static PauLayers parse(String json) throws IOException {
        JsonNode root = JSON.readTree(json);
        if (root == null || !root.isObject()) {
            throw new IOException("rational layers must be a JSON object of layer name → layer");
        }
        Map<String, Layer> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode n = e.getValue();
            String where = "layer '" + e.getKey() + "'";
            JsonNode v = n.get("version");
            JsonNode d = n.get("degrees");
            if (v == null || !v.isTextual() || d == null || !d.isArray() || d.size() != 2) {
                throw new IllegalArgumentException(where + " needs \"version\" (one of A, B, C, D, N) and "
                        + "\"degrees\" [m, n], got " + n);
            }
            RationalVersion version;
            try {
                version = RationalVersion.valueOf(v.asText().trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException x) {
                throw new IllegalArgumentException(where + ": version must be one of "
                        + Arrays.toString(RationalVersion.values()) + ", got '" + v.asText() + "'");
            }
            out.put(e.getKey(), new Layer(e.getKey(), version, d.get(0).asInt(), d.get(1).asInt(),
                    sets(n.get("numerator"), where + " numerator"), sets(n.get("denominator"),
                    where + " denominator")));
        }
        return new PauLayers(out);
    }

    private static double[][] sets(JsonNode node, String where) {
        if (node == null || !node.isArray() || node.size() == 0) {
            throw new IllegalArgumentException(where + " must be a non-empty list, got " + node);
        }
        if (node.get(0).isArray()) {
            double[][] out = new double[node.size()][];
            for (int s = 0; s < out.length; s++) {
                out[s] = PauTable.doubles(node.get(s), where + "[" + s + "]");
            }
            return out;
        }
        return new double[][]{PauTable.doubles(node, where)};
    }

    /**
     * The layers as JSON in the layout described on the class.
     *
     * @return pretty-printed JSON (one set: flat lists; several: lists of lists), doubles written exactly
     */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        for (Layer l : layers.values()) {
            ObjectNode o = root.putObject(l.name());
            o.put("version", l.version().name());
            o.putArray("degrees").add(l.m()).add(l.n());
            write(o.putArray("numerator"), l.numerator);
            write(o.putArray("denominator"), l.denominator);
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write rational layers: " + e.getMessage(), e);
        }
    }

    private static void write(ArrayNode a, double[][] sets) {
        if (sets.length == 1) {
            for (double d : sets[0]) {
                a.add(d);
            }
            return;
        }
        for (double[] s : sets) {
            ArrayNode row = a.addArray();
            for (double d : s) {
                row.add(d);
            }
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

    /**
     * Every rational of a DL4J network with its current coefficients, named by {@link RationalSite#name()} (the
     * layer name, or {@code layer/slot} for layers holding several rationals).
     *
     * @param network an initialised MultiLayerNetwork or ComputationGraph
     * @return one layer per rational, coefficients in double precision; empty if the network has none
     * @throws IllegalArgumentException if the model is neither a MultiLayerNetwork nor a ComputationGraph
     */
    public static PauLayers of(Model network) {
        Map<String, Layer> out = new LinkedHashMap<>();
        for (RationalSite s : RationalSite.find(network)) {
            double[][] num = s.numerator().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleMatrix();
            double[][] den = s.denominator().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleMatrix();
            out.put(s.name(), new Layer(s.name(), s.slot().version(), s.slot().numeratorDegree(),
                    s.slot().denominatorDegree(), num, den));
        }
        return new PauLayers(out);
    }

    /**
     * Loads these coefficients into the rationals of {@code network} with the same names (see {@link #of(Model)}).
     * A layer with one set fills every coefficient set of the DL4J rational.
     *
     * @param network an initialised MultiLayerNetwork or ComputationGraph; its parameters are changed in place
     * @return the names of the rationals that were set
     * @throws IllegalArgumentException if a layer's version, type or set count does not match the network's rational
     *                                  of that name, or a name is not in the network
     */
    public List<String> apply(Model network) {
        Map<String, RationalSite> sites = RationalSite.find(network).stream()
                .collect(Collectors.toMap(RationalSite::name, s -> s, (a, b) -> a, LinkedHashMap::new));
        for (Layer l : layers.values()) {
            RationalSite s = sites.get(l.name());
            if (s == null) {
                throw new IllegalArgumentException("network has no rational '" + l.name() + "'; its rationals: "
                        + sites.keySet());
            }
            if (s.slot().version() != l.version() || s.slot().numeratorDegree() != l.m()
                    || s.slot().denominatorDegree() != l.n()) {
                throw new IllegalArgumentException("rational '" + l.name() + "' is " + s.slot().version() + " ("
                        + s.slot().numeratorDegree() + "," + s.slot().denominatorDegree() + ") in the network but "
                        + l.version() + " (" + l.m() + "," + l.n() + ") in the file");
            }
            long sets = s.numerator().size(0);
            if (l.sets() != 1 && l.sets() != sets) {
                throw new IllegalArgumentException("rational '" + l.name() + "' has " + sets + " coefficient sets "
                        + "in the network but " + l.sets() + " in the file");
            }
        }
        for (Layer l : layers.values()) {
            RationalSite s = sites.get(l.name());
            INDArray num = s.numerator();
            INDArray den = s.denominator();
            for (int k = 0; k < num.size(0); k++) {
                int src = l.sets() == 1 ? 0 : k;
                num.getRow(k).assign(Nd4j.createFromArray(l.numerator[src]).castTo(num.dataType()));
                den.getRow(k).assign(Nd4j.createFromArray(l.denominator[src]).castTo(den.dataType()));
            }
        }
        return List.copyOf(layers.keySet());
    }

    @Override
    public String toString() {
        return "PauLayers" + layers.values();
    }
}
