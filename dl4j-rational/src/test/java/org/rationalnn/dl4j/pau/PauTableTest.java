package org.rationalnn.dl4j.pau;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.rationalnn.dl4j.layers.RationalActivationLayer;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.TargetFunction;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PAU's published coefficient table (a subset of {@code rational_activations}' {@code rationals_config.json}, in
 * {@code src/test/resources/pau}) read as it is: the DL4J layer built from each entry computes what PAU's formulas,
 * written out independently here, compute; and the published fits approximate the functions they are named after,
 * which they only do if every coefficient means what it means in PAU.
 */
class PauTableTest {

    private static DataType before;

    @BeforeAll
    static void doublePrecision() {
        before = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(before, before);
    }

    static PauTable published() throws IOException {
        try (InputStream in = PauTableTest.class.getResourceAsStream("/pau/rationals_config.json")) {
            return PauTable.read(in);
        }
    }

    /** PAU's formulas, written from its definition (P / Q with Q per version), independent of the library. */
    static double pau(RationalVersion v, double[] a, double[] b, double x) {
        double p = 0;
        for (int i = 0; i < a.length; i++) {
            p += a[i] * Math.pow(x, i);
        }
        double q;
        switch (v) {
            case A: {
                q = 1;
                for (int k = 1; k <= b.length; k++) {
                    q += Math.abs(b[k - 1]) * Math.pow(Math.abs(x), k);
                }
                break;
            }
            case B:
            case D: {
                double s = 0;
                for (int k = 1; k <= b.length; k++) {
                    s += b[k - 1] * Math.pow(x, k);
                }
                q = 1 + Math.abs(s);
                break;
            }
            case C: {
                double s = 0;
                for (int k = 0; k < b.length; k++) {
                    s += b[k] * Math.pow(x, k);
                }
                q = 0.1 + Math.abs(s);
                break;
            }
            default: {
                q = 1;
                for (int k = 1; k <= b.length; k++) {
                    q += b[k - 1] * Math.pow(x, k);
                }
            }
        }
        return p / q;
    }

    /** The layer's outputs for the grid, from a MultiLayerNetwork holding one RationalActivationLayer. */
    static double[] layerOutputs(RationalSpec spec, double[] x) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .updater(new Sgd(0.1)).list()
                .layer(new RationalActivationLayer.Builder().spec(spec).build())
                .layer(new LossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        INDArray in = Nd4j.createFromArray(x).reshape(1, x.length);
        return net.output(in).toDoubleVector();
    }

    private static double[] grid(double lo, double hi, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = lo + (hi - lo) * i / (n - 1);
        }
        return x;
    }

    @Test
    void readsPausLayoutAndSkipsTheStrayTopLevelEntry() throws IOException {
        PauTable t = published();
        assertEquals(16, t.entries().size());
        PauTable.Entry c = t.get(RationalVersion.C, 5, 4, "relu");
        assertEquals(5, c.denominator().length, "version C (5,4) holds b_0..b_4");
        assertEquals(-3.0, c.lower());
        assertEquals(3.0, c.upper());
        RationalSpec s = t.spec(RationalVersion.B, 5, 4, "leaky_relu");
        assertEquals(RationalVersion.B, s.getVersion());
        assertEquals(5, s.getNumeratorDegree());
        assertEquals(4, s.getDenominatorDegree());
        assertArrayEquals(t.get(RationalVersion.B, 5, 4, "leaky_relu").numerator(), s.getNumeratorInit());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.get(RationalVersion.B, 5, 4, "mish"));
        assertTrue(e.getMessage().contains("leaky_relu") && e.getMessage().contains("Rational_version_B5/4"),
                e.getMessage());
    }

    @Test
    void layerOutputsEqualPausFormulaForEveryVersion() throws IOException {
        double[] x = grid(-4, 4, 801);
        int checked = 0;
        for (PauTable.Entry e : published().entries()) {
            double[] y = layerOutputs(e.spec(), x);
            for (int i = 0; i < x.length; i++) {
                double expected = pau(e.version(), e.numerator(), e.denominator(), x[i]);
                assertEquals(expected, y[i], 1e-12 * Math.max(1, Math.abs(expected)), e + " at x = " + x[i]);
                assertEquals(expected, e.function().value(x[i]), 1e-12 * Math.max(1, Math.abs(expected)));
            }
            checked++;
        }
        assertEquals(16, checked);
    }

    @Test
    void publishedFitsApproximateTheirFunctions() throws IOException {
        PauTable t = published();
        double[] x = grid(-3, 3, 2001);
        record Case(RationalVersion v, int m, int n, String name, TargetFunction f, double p, double tolerance) {
        }
        List<Case> cases = List.of(
                new Case(RationalVersion.B, 5, 4, "leaky_relu", TargetFunction.LEAKY_RELU, 0.01, 0.05),
                new Case(RationalVersion.B, 5, 4, "relu", TargetFunction.RELU, Double.NaN, 0.05),
                new Case(RationalVersion.B, 5, 4, "tanh", TargetFunction.TANH, Double.NaN, 0.01),
                new Case(RationalVersion.A, 5, 4, "leaky_relu", TargetFunction.LEAKY_RELU, 0.01, 0.05),
                new Case(RationalVersion.A, 5, 4, "gelu", TargetFunction.GELU, Double.NaN, 0.01),
                new Case(RationalVersion.C, 5, 4, "relu", TargetFunction.RELU, Double.NaN, 0.05),
                new Case(RationalVersion.C, 5, 4, "tanh", TargetFunction.TANH, Double.NaN, 0.01),
                new Case(RationalVersion.N, 5, 4, "tanh", TargetFunction.TANH, Double.NaN, 0.01),
                new Case(RationalVersion.D, 5, 4, "relu", TargetFunction.RELU, Double.NaN, 0.05),
                new Case(RationalVersion.A, 3, 2, "leaky_relu", TargetFunction.LEAKY_RELU, 0.01, 0.12), // PAU: 0.114 at 0
                new Case(RationalVersion.C, 3, 2, "leaky_relu_0.1", TargetFunction.LEAKY_RELU, 0.1, 0.12)); // PAU: 0.111
        for (Case c : cases) {
            PauTable.Entry e = t.get(c.v, c.m, c.n, c.name);
            double max = 0;
            for (double xi : x) {
                max = Math.max(max, Math.abs(e.function().value(xi) - c.f.apply(xi, c.p)));
            }
            assertTrue(max < c.tolerance, e + ": max error " + max + " vs " + c.f);
        }
    }

    @Test
    void writesTheSameLayoutBack(@TempDir Path dir) throws IOException {
        PauTable t = published();
        Path f = dir.resolve("rationals_config.json");
        t.write(f);
        PauTable back = PauTable.read(f);
        assertEquals(t.entries(), back.entries());
        String json = t.toJson();
        assertTrue(json.contains("\"Rational_version_C5/4\"") && json.contains("\"init_w_denominator\""), json);
    }

    @Test
    void rejectsWronglySizedLists() throws IOException {
        String bad = "{\"Rational_version_C5/4\": {\"f\": {\"init_w_numerator\": [0,1,0,0,0,0],"
                + " \"init_w_denominator\": [1,0,0,0]}}}";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PauTable.parse(bad));
        assertTrue(e.getMessage().contains("5 values for version C"), e.getMessage());
        assertThrows(IOException.class, () -> PauTable.parse("[1, 2]"));
        assertEquals(List.of(), PauTable.parse("{}").entries().stream().map(PauTable.Entry::name)
                .collect(Collectors.toList()));
    }
}
