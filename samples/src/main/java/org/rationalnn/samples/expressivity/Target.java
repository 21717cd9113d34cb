package org.rationalnn.samples.expressivity;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A function on [−1, 1]^d (d = 1 or 2) that the networks of the expressivity study learn, with its training and
 * evaluation grids.
 *
 * <p>The four targets of the study cover both directions of arXiv:2602.12390's claim:
 * <ul>
 * <li>{@code abs}: |x|, which ReLU networks represent exactly with two neurons (the forward direction: rational
 * networks should keep up with a small overhead);</li>
 * <li>{@code relu-net}: a fixed random ReLU network 1 → 6 → 6 → 1 (seed 20260212), scaled to [−1, 1]: again
 * the home ground of ReLU;</li>
 * <li>{@code peak}: η²/(x² + η²), the paper's reverse-direction family: one rational neuron of type (0, 2)
 * represents it exactly, fixed activations need Ω(log 1/ε) parameters;</li>
 * <li>{@code ridge}: η²/(η² + (y − x²)²) on [−1, 1]², a sharp ridge along a parabola.</li>
 * </ul>
 */
public final class Target {
    /** Seed of the random ReLU network target. */
    public static final long RELU_NET_SEED = 20260212L;

    /** The target's identifiers, in the study's order. */
    public static final List<String> IDS = List.of("abs", "relu-net", "peak", "ridge");

    private final String id;
    private final String label;
    private final int dims;
    private final double width;
    private final Function f;

    /** f(x) for d = 1 (y ignored) or f(x, y) for d = 2. */
    @FunctionalInterface
    interface Function {
        double value(double x, double y);
    }

    private Target(String id, String label, int dims, double width, Function f) {
        this.id = id;
        this.label = label;
        this.dims = dims;
        this.width = width;
        this.f = f;
    }

    /**
     * The target with this id.
     *
     * @param id       one of {@link #IDS}
     * @param eta      the width η of the peak
     * @param ridgeEta the width η of the ridge
     * @throws IllegalArgumentException for an unknown id or a width outside (0, 1]
     */
    public static Target of(String id, double eta, double ridgeEta) {
        if (!(eta > 0 && eta <= 1) || !(ridgeEta > 0 && ridgeEta <= 1)) {
            throw new IllegalArgumentException("the widths of the peak and the ridge must be in (0, 1], got " + eta
                    + " and " + ridgeEta);
        }
        double e2 = eta * eta;
        double r2 = ridgeEta * ridgeEta;
        switch (id) {
            case "abs":
                return new Target(id, "|x|", 1, Double.NaN, (x, y) -> Math.abs(x));
            case "relu-net":
                return new Target(id, "random ReLU net 1-6-6-1", 1, Double.NaN, randomReluNet());
            case "peak":
                return new Target(id, "peak η²/(x²+η²), η=" + format(eta), 1, eta, (x, y) -> e2 / (x * x + e2));
            case "ridge":
                return new Target(id, "ridge η²/(η²+(y−x²)²), η=" + format(ridgeEta), 2, ridgeEta, (x, y) -> {
                    double d = y - x * x;
                    return r2 / (r2 + d * d);
                });
            default:
                throw new IllegalArgumentException("unknown target '" + id + "', expected one of " + IDS);
        }
    }

    private static String format(double v) {
        return org.rationalnn.samples.harness.Fmt.g(v);
    }

    /** Short identifier ("peak"). */
    public String id() {
        return id;
    }

    /** Human-readable description. */
    public String label() {
        return label;
    }

    /** The width η of the peak or the ridge (NaN for the other targets). */
    public double width() {
        return width;
    }

    /** Input dimension d. */
    public int dims() {
        return dims;
    }

    /** f at one point (x for d = 1, (x, y) for d = 2). */
    public double value(double x, double y) {
        return f.value(x, y);
    }

    /**
     * Points of a uniform grid on [−1, 1]^d: {@code perAxis} points for d = 1, perAxis² for d = 2; as [N, d] in
     * float64 (cast to the network's type where needed).
     */
    public INDArray grid(int perAxis) {
        int n = dims == 1 ? perAxis : perAxis * perAxis;
        double[][] x = new double[n][dims];
        for (int i = 0; i < n; i++) {
            x[i][0] = -1.0 + 2.0 * (i % perAxis) / (perAxis - 1);
            if (dims == 2) {
                x[i][1] = -1.0 + 2.0 * (i / perAxis) / (perAxis - 1);
            }
        }
        return Nd4j.create(x).castTo(DataType.DOUBLE);
    }

    /** f at every row of {@code x} ([N, d]), as [N, 1]. */
    public INDArray values(INDArray x) {
        long n = x.rows();
        double[] y = new double[(int) n];
        for (int i = 0; i < n; i++) {
            y[i] = f.value(x.getDouble(i, 0), dims == 2 ? x.getDouble(i, 1) : 0.0);
        }
        return Nd4j.create(y, new long[]{n, 1}).castTo(x.dataType());
    }

    /**
     * A fixed ReLU network 1 → 6 → 6 → 1 with Gaussian weights, biases placing the kinks inside [−1, 1], and the
     * output scaled to span [−1, 1] on the interval.
     */
    static Function randomReluNet() {
        Random r = new Random(RELU_NET_SEED);
        int h = 6;
        double[] w1 = new double[h];
        double[] b1 = new double[h];
        for (int i = 0; i < h; i++) {
            w1[i] = r.nextGaussian();
            b1[i] = -w1[i] * (2 * r.nextDouble() - 1); // kink at a uniform point of [−1, 1]
        }
        double[][] w2 = new double[h][h];
        double[] b2 = new double[h];
        double[] w3 = new double[h];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < h; j++) {
                w2[i][j] = r.nextGaussian() / Math.sqrt(h);
            }
            b2[i] = 0.1 * r.nextGaussian();
            w3[i] = r.nextGaussian();
        }
        Function raw = (x, y) -> {
            double[] a = new double[h];
            for (int i = 0; i < h; i++) {
                a[i] = Math.max(0, w1[i] * x + b1[i]);
            }
            double out = 0;
            for (int i = 0; i < h; i++) {
                double s = b2[i];
                for (int j = 0; j < h; j++) {
                    s += w2[i][j] * a[j];
                }
                out += w3[i] * Math.max(0, s);
            }
            return out;
        };
        List<Double> samples = new ArrayList<>();
        for (int i = 0; i <= 10000; i++) {
            samples.add(raw.value(-1 + 2.0 * i / 10000, 0));
        }
        double lo = samples.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double hi = samples.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        double mid = (hi + lo) / 2;
        double half = Math.max((hi - lo) / 2, 1e-12);
        return (x, y) -> (raw.value(x, y) - mid) / half;
    }
}
