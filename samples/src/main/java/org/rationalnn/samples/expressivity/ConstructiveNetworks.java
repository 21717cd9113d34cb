package org.rationalnn.samples.expressivity;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.rationalnn.dl4j.layers.RationalActivationLayer;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;

import java.util.function.DoubleUnaryOperator;

/**
 * DL4J networks with explicit (not trained) parameters, in float64: what the constructive part of the expressivity
 * study executes, so that every constructive error it reports is the error of a network built from the library's
 * layers.
 *
 * <ul>
 * <li>{@link #signComposition}: |x| or ReLU from k {@link RationalActivationLayer}s of type (3, 2) (the Zolotarev
 * steps of {@link ZolotarevSign}) and the product x·s = ((x + s)² − (x − s)²)/4, a {@code ComputationGraph}.</li>
 * <li>{@link #singleRational}: dense 1 → 1, one rational layer, dense output 1 → 1 (a {@code MultiLayerNetwork}):
 * the peak η²/(x² + η²) and δ/x exactly.</li>
 * <li>{@link #reluNetwork}: 1 → H → 1 with ReLU, from a continuous piecewise-linear function.</li>
 * </ul>
 */
public final class ConstructiveNetworks {
    private ConstructiveNetworks() {
    }

    /** What the sign composition computes. */
    public enum Output {
        ABS, RELU
    }

    /** The graph's parameter count: 6 per sign layer + 6 (sum/difference) + 4 (square) + 3 (output). */
    public static long signCompositionParameters(int depth) {
        return 6L * depth + 13;
    }

    /**
     * The network x → s_1 → ... → s_k (k rational layers, version N, type (3, 2), one coefficient set each);
     * [x, s_k] → dense 2 → 2 (x + s, x − s) → rational u² (type (2, 1), version N) → output 2 → 1 with weights
     * (1/4, −1/4). For {@link Output#ABS} the last rational is σ·f_k, so the output is σ·x·s_k(x); for
     * {@link Output#RELU} it is (1 + σ f_k)/2, so the output is x·(1 + σ s_k(x))/2.
     */
    public static ComputationGraph signComposition(ZolotarevSign.Emulation e, Output output) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE)
                .updater(new NoOp())
                .graphBuilder()
                .addInputs("x")
                .setInputTypes(InputType.feedForward(1));
        String previous = "x";
        int k = e.steps().size();
        for (int j = 0; j < k; j++) {
            ZolotarevSign.Step st = e.steps().get(j);
            double[] num = st.numerator(1.0);
            double[] den = st.denominator();
            if (j == k - 1) {
                num = st.numerator(e.scale());
                if (output == Output.RELU) {
                    // (1 + σ f(s))/2 = (1 + σ a s + c s² + σ b s³) / (2 (1 + c s²))
                    num = new double[]{0.5, num[1] / 2, st.c() / 2, num[3] / 2};
                }
            }
            String name = "sign" + (j + 1);
            g.addLayer(name, rational(num, den), previous);
            previous = name;
        }
        g.addVertex("pair", new MergeVertex(), "x", previous)
                .addLayer("sumdiff", new DenseLayer.Builder().nIn(2).nOut(2).activation(Activation.IDENTITY).build(),
                        "pair")
                .addLayer("square", rational(new double[]{0, 0, 1}, new double[]{0}), "sumdiff")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(2).nOut(1)
                        .activation(Activation.IDENTITY).build(), "square")
                .setOutputs("out");
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        net.getLayer("sumdiff").setParam(DefaultParamInitializer.WEIGHT_KEY,
                Nd4j.create(new double[][]{{1, 1}, {1, -1}}));
        net.getLayer("sumdiff").setParam(DefaultParamInitializer.BIAS_KEY, Nd4j.zeros(DataType.DOUBLE, 1, 2));
        net.getLayer("out").setParam(DefaultParamInitializer.WEIGHT_KEY,
                Nd4j.create(new double[][]{{0.25}, {-0.25}}));
        net.getLayer("out").setParam(DefaultParamInitializer.BIAS_KEY, Nd4j.zeros(DataType.DOUBLE, 1, 1));
        long expected = signCompositionParameters(k);
        if (net.numParams() != expected) {
            throw new IllegalStateException("sign composition has " + net.numParams() + " parameters, expected "
                    + expected);
        }
        return net;
    }

    /**
     * Dense 1 → 1 (weight w, bias b, identity) → one rational layer (version N) → dense output 1 → 1 (weight 1,
     * bias 0): R(w x + b). Parameters: 2 + (m + 1 + n) + 2.
     */
    public static MultiLayerNetwork singleRational(double w, double b, double[] numerator, double[] denominator) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE)
                .updater(new NoOp())
                .list()
                .layer(new DenseLayer.Builder().nIn(1).nOut(1).activation(Activation.IDENTITY).build())
                .layer(rational(numerator, denominator))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(1).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(1))
                .build());
        net.init();
        net.getLayer(0).setParam(DefaultParamInitializer.WEIGHT_KEY, Nd4j.create(new double[][]{{w}}));
        net.getLayer(0).setParam(DefaultParamInitializer.BIAS_KEY, Nd4j.create(new double[][]{{b}}));
        net.getLayer(2).setParam(DefaultParamInitializer.WEIGHT_KEY, Nd4j.create(new double[][]{{1}}));
        net.getLayer(2).setParam(DefaultParamInitializer.BIAS_KEY, Nd4j.zeros(DataType.DOUBLE, 1, 1));
        return net;
    }

    /**
     * The 1-hidden-layer ReLU network v_0 + s_0·ReLU(x − t_0) + Σ_{p≥1} (s_p − s_{p−1})·ReLU(x − t_p) equal to
     * {@code f} on [t_0, ∞): H = P neurons (P pieces), 3P + 1 parameters.
     */
    public static MultiLayerNetwork reluNetwork(FreeKnotLinear.Function f) {
        int h = f.pieces();
        double[] knots = f.knots();
        double[] values = f.values();
        double[][] w1 = new double[1][h];
        double[][] b1 = new double[1][h];
        double[][] w2 = new double[h][1];
        double previousSlope = 0;
        for (int p = 0; p < h; p++) {
            w1[0][p] = 1;
            b1[0][p] = -knots[p];
            double slope = f.slope(p);
            w2[p][0] = slope - previousSlope;
            previousSlope = slope;
        }
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE)
                .updater(new NoOp())
                .list()
                .layer(new DenseLayer.Builder().nIn(1).nOut(h).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(h).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(1))
                .build());
        net.init();
        net.getLayer(0).setParam(DefaultParamInitializer.WEIGHT_KEY, Nd4j.create(w1));
        net.getLayer(0).setParam(DefaultParamInitializer.BIAS_KEY, Nd4j.create(b1));
        net.getLayer(1).setParam(DefaultParamInitializer.WEIGHT_KEY, Nd4j.create(w2));
        net.getLayer(1).setParam(DefaultParamInitializer.BIAS_KEY, Nd4j.create(new double[][]{{values[0]}}));
        return net;
    }

    /** Parameters of a 1 → H → 1 network: 3H + 1. */
    public static long reluParameters(long hidden) {
        return 3 * hidden + 1;
    }

    /**
     * The network's outputs at the points {@code x}, in float64, in batches of at most {@code 2^22 / width} points
     * (a wide ReLU layer's activations stay below 32 MiB).
     */
    public static double[] output(org.deeplearning4j.nn.api.Model net, double[] x) {
        long width = Math.max(1, net instanceof MultiLayerNetwork m ? m.layerSize(0) : 2);
        int batch = (int) Math.max(1, Math.min(x.length, (1L << 22) / width));
        double[] y = new double[x.length];
        for (int from = 0; from < x.length; from += batch) {
            int n = Math.min(batch, x.length - from);
            INDArray in = Nd4j.create(java.util.Arrays.copyOfRange(x, from, from + n), new long[]{n, 1},
                    DataType.DOUBLE);
            INDArray out = net instanceof ComputationGraph cg ? cg.outputSingle(in)
                    : ((MultiLayerNetwork) net).output(in);
            System.arraycopy(out.castTo(DataType.DOUBLE).reshape(n).toDoubleVector(), 0, y, from, n);
        }
        return y;
    }

    /** max |net(x_i) − f(x_i)| over the points (+∞ for a non-finite output). */
    public static double uniformError(org.deeplearning4j.nn.api.Model net, double[] x, DoubleUnaryOperator f) {
        double[] y = output(net, x);
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            double e = Math.abs(y[i] - f.applyAsDouble(x[i]));
            if (!(e <= max)) {
                max = Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
            }
        }
        return max;
    }

    private static RationalActivationLayer rational(double[] numerator, double[] denominator) {
        return new RationalActivationLayer.Builder()
                .spec(RationalSpec.builder().version(RationalVersion.N).coefficients(numerator, denominator).build())
                .build();
    }
}
