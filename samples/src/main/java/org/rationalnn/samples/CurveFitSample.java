package org.rationalnn.samples;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.rationalnn.dl4j.layers.RationalActivationLayer;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.TargetFunction;
import org.rationalnn.dl4j.util.BackendReport;
import org.rationalnn.samples.harness.Cli;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Fits 1-D targets that are hard for fixed activations (|x|, a sharp peak 1/(x²+η²), a sine wave) with small
 * networks of equal shape whose hidden activation is a trainable rational or ReLU / tanh / GELU, and prints
 * the uniform (max) error each reaches on a dense grid after the same number of Adam steps.
 *
 * <p>The smallest sample: how a {@link RationalActivationLayer} goes into a network. {@link ExpressivityStudy} is
 * the full version of this comparison. Run: {@code mvn -B -q -pl samples -am compile exec:java
 * -Dexec.mainClass=org.rationalnn.samples.CurveFitSample} (options after {@code -Dexec.args="..."}).
 */
public final class CurveFitSample {
    private static final Logger log = LoggerFactory.getLogger(CurveFitSample.class);

    private CurveFitSample() {
    }

    /** Options of a run (command-line flags via picocli). */
    @Command(name = "curve-fit", mixinStandardHelpOptions = true,
            description = "Rational vs fixed activations on 1-D function fitting (equal networks, equal steps).")
    public static final class Options {
        @Option(names = "--steps", description = "Adam steps per network (default ${DEFAULT-VALUE})")
        public int steps = 1500;
        @Option(names = "--width", description = "hidden width (default ${DEFAULT-VALUE})")
        public int width = 8;
        @Option(names = "--points", description = "training points on [-1, 1] (default ${DEFAULT-VALUE})")
        public int points = 400;
        @Option(names = "--seed", description = "random seed (default ${DEFAULT-VALUE})")
        public long seed = 42;
        @Option(names = "--lr", description = "Adam learning rate (default ${DEFAULT-VALUE})")
        public double learningRate = 5e-3;
    }

    /** Result of a run: uniform error per target and activation, and parameter counts. */
    public static final class Result {
        /** target -> activation -> uniform error on a dense grid. */
        public final Map<String, Map<String, Double>> uniformError = new LinkedHashMap<>();
        /** activation -> number of trainable parameters of its network. */
        public final Map<String, Long> parameters = new LinkedHashMap<>();

        public double error(String target, String activation) {
            return uniformError.get(target).get(activation);
        }
    }

    public static void main(String[] args) {
        Cli.main(args, new Options(), CurveFitSample::run);
    }

    static final Map<String, java.util.function.DoubleUnaryOperator> TARGETS = new LinkedHashMap<>();

    static {
        TARGETS.put("|x|", Math::abs);
        TARGETS.put("peak 1/(x^2+0.1^2)/100", x -> 1.0 / (x * x + 0.01) / 100.0);
        TARGETS.put("sin(6x)", x -> Math.sin(6 * x));
    }

    static final String[] ACTIVATIONS = {"rational", "relu", "tanh", "gelu"};

    /** Runs the comparison and prints a table. */
    public static Result run(Options o) {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        log.info("{}", BackendReport.current());
        Result result = new Result();
        INDArray x = Nd4j.linspace(-1, 1, o.points, DataType.FLOAT).reshape(o.points, 1);
        int grid = 4001;
        INDArray xGrid = Nd4j.linspace(-1, 1, grid, DataType.FLOAT).reshape(grid, 1);
        for (Map.Entry<String, java.util.function.DoubleUnaryOperator> t : TARGETS.entrySet()) {
            INDArray y = apply(x, t.getValue());
            INDArray yGrid = apply(xGrid, t.getValue());
            Map<String, Double> row = new LinkedHashMap<>();
            for (String act : ACTIVATIONS) {
                MultiLayerNetwork net = network(act, o);
                result.parameters.put(act, net.numParams());
                DataSet ds = new DataSet(x, y);
                long t0 = System.nanoTime();
                for (int i = 0; i < o.steps; i++) {
                    net.fit(ds);
                }
                double err = Transforms.abs(net.output(xGrid).subi(yGrid)).maxNumber().doubleValue();
                row.put(act, err);
                log.info("{} {}: uniform error {} ({} steps, {} s)", t.getKey(), act,
                        String.format(Locale.ROOT, "%.4g", err), o.steps,
                        String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9));
            }
            result.uniformError.put(t.getKey(), row);
        }
        System.out.println(table(result));
        return result;
    }

    static String table(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%n%-24s", "uniform error on [-1,1]"));
        for (String a : ACTIVATIONS) {
            sb.append(String.format(Locale.ROOT, "%12s", a + "(" + r.parameters.get(a) + "p)"));
        }
        sb.append('\n');
        for (Map.Entry<String, Map<String, Double>> e : r.uniformError.entrySet()) {
            sb.append(String.format(Locale.ROOT, "%-24s", e.getKey()));
            for (String a : ACTIVATIONS) {
                sb.append(String.format(Locale.ROOT, "%12.4g", e.getValue().get(a)));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static INDArray apply(INDArray x, java.util.function.DoubleUnaryOperator f) {
        INDArray y = x.ulike();
        for (int i = 0; i < x.rows(); i++) {
            y.putScalar(i, 0, f.applyAsDouble(x.getDouble(i, 0)));
        }
        return y;
    }

    /** 1 -> width -> act -> width -> act -> 1; the rational networks add 2 × 7 coefficients (type (3,2)). */
    static MultiLayerNetwork network(String activation, Options o) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(o.seed)
                .dataType(DataType.FLOAT).updater(new Adam(o.learningRate)).list();
        for (int layer = 0; layer < 2; layer++) {
            if ("rational".equals(activation)) {
                b.layer(new DenseLayer.Builder().nOut(o.width).activation(Activation.IDENTITY).build());
                b.layer(new RationalActivationLayer.Builder().spec(RationalSpec.builder().degrees(3, 2)
                        .version(RationalVersion.B).init(TargetFunction.RELU).fitInterval(-1, 1).build()).build());
            } else {
                b.layer(new DenseLayer.Builder().nOut(o.width).activation(Activation.valueOf(
                        activation.toUpperCase(Locale.ROOT))).build());
            }
        }
        b.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1).activation(Activation.IDENTITY)
                .build());
        MultiLayerNetwork net = new MultiLayerNetwork(b.setInputType(InputType.feedForward(1)).build());
        net.init();
        return net;
    }
}
