package org.rationalnn.dl4j.activation;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.rational.TargetFunction;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ActivationRationalTest {

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    static MultiLayerNetwork denseNet(ActivationRational act) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER).l2(1e-3).list()
                .layer(new DenseLayer.Builder().nIn(3).nOut(4).activation(act).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).activation(Activation.IDENTITY)
                        .build())
                .build());
        net.init();
        return net;
    }

    @ParameterizedTest
    @EnumSource(RationalVersion.class)
    void insideDenseLayerMatchesReferenceAndPassesGradientCheck(RationalVersion v) {
        RationalSpec spec = RationalSpec.builder().version(v).degrees(3, 2).init(TargetFunction.TANH).build();
        ActivationRational act = new ActivationRational(spec);
        MultiLayerNetwork net = denseNet(act);
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 5, 3);
        INDArray z = x.mmul(net.getParam("0_W")).addiRowVector(net.getParam("0_b"));
        INDArray h = net.feedForward(x, false).get(1);
        RationalFunction f = spec.initialFunction();
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(f.value(z.getDouble(i, j)), h.getDouble(i, j), 1e-12);
            }
        }
        assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(x)
                .labels(Nd4j.randn(DataType.DOUBLE, 5, 2)).epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)));
    }

    @Test
    void jsonRoundTripInsideBuiltInLayers() {
        ActivationRational act = new ActivationRational(RationalVersion.A, Sharing.CHANNEL, false,
                new double[][]{{0.1, 1, 0.5}, {0, 1, 0}, {0.2, 0.9, 0.1}}, new double[][]{{0.3}, {0.1}, {0.7}});
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(3).activation(act).build())
                .layer(new OutputLayer.Builder().nOut(2).activation(new ActivationRational(RationalSpec.defaults()))
                        .build())
                .setInputType(InputType.convolutional(4, 4, 1)).build();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        assertEquals(act, ((ConvolutionLayer) back.getConf(0).getLayer()).getActivationFn());
        assertEquals(conf, MultiLayerConfiguration.fromYaml(conf.toYaml()));
    }

    @Test
    void backpropReturnsCoefficientGradientInLayerLayout() {
        double[][] num = {{0.1, 1, 0.5}, {0, 1, 0}};
        double[][] den = {{0.3, 0.2}, {0.1, -0.4}};
        ActivationRational act = new ActivationRational(RationalVersion.B, Sharing.CHANNEL, false, num, den);
        assertEquals(2 * (3 + 2), act.numParams(17));
        Nd4j.getRandom().setSeed(2);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 4, 2);
        INDArray eps = Nd4j.randn(DataType.DOUBLE, 4, 2);
        Pair<INDArray, INDArray> p = act.backprop(x.dup(), eps);
        double[] grad = p.getSecond().toDoubleVector();
        double[] expected = new double[10];
        double[] ga = new double[3];
        double[] gb = new double[2];
        for (int i = 0; i < 4; i++) {
            for (int c = 0; c < 2; c++) {
                RationalFunction f = act.function(c);
                double d = f.gradients(x.getDouble(i, c), ga, gb);
                assertEquals(eps.getDouble(i, c) * d, p.getFirst().getDouble(i, c), 1e-12);
                for (int j = 0; j < 3; j++) {
                    expected[c * 3 + j] += eps.getDouble(i, c) * ga[j];
                }
                for (int j = 0; j < 2; j++) {
                    expected[6 + c * 2 + j] += eps.getDouble(i, c) * gb[j];
                }
            }
        }
        assertArrayEquals(expected, grad, 1e-12);
    }

    @Test
    void contiguousAndViewInputsGiveTheSameResultInBothPrecisions() {
        ActivationRational act = new ActivationRational(RationalSpec.builder().init(TargetFunction.SILU).build());
        RationalFunction f = act.function(0);
        for (DataType dt : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            Nd4j.getRandom().setSeed(11);
            INDArray base = Nd4j.randn(dt, 6, 10);
            INDArray view = base.dup().get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2, 10));   // strided view, 6 x 5
            INDArray expectedIn = view.dup();
            INDArray viaView = act.getActivation(view, false);
            INDArray viaContiguous = act.getActivation(expectedIn.dup(), false);
            double tol = dt == DataType.FLOAT ? 1e-5 : 1e-12;
            for (int i = 0; i < 6; i++) {
                for (int j = 0; j < 5; j++) {
                    double ref = f.value(expectedIn.getDouble(i, j));
                    assertEquals(ref, viaView.getDouble(i, j), tol * Math.max(1, Math.abs(ref)));
                    assertEquals(ref, viaContiguous.getDouble(i, j), tol * Math.max(1, Math.abs(ref)));
                }
            }
        }
    }

    @Test
    void concurrentInferenceIsConsistent() throws Exception {
        ActivationRational act = new ActivationRational(RationalSpec.builder().init(TargetFunction.GELU).build());
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 64, 16);
        INDArray expected = act.getActivation(x.dup(), false);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        if (!expected.equals(act.getActivation(x.dup(), false))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void validation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ActivationRational(RationalSpec.builder().sharing(Sharing.CHANNEL).build()));
        assertTrue(e.getMessage().contains("channel count"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ActivationRational(RationalVersion.B,
                new double[]{1, 2}, new double[0]));
        assertEquals("denominator degree must be in [1, 16], got 0", e.getMessage());
        ActivationRational channel = new ActivationRational(RationalSpec.builder().sharing(Sharing.CHANNEL).build(), 3);
        e = assertThrows(IllegalArgumentException.class,
                () -> channel.getActivation(Nd4j.zeros(DataType.DOUBLE, 2, 4), false));
        assertTrue(e.getMessage().contains("exactly 3") && e.getMessage().contains("got 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ActivationRational(RationalVersion.B,
                new double[]{1, Double.POSITIVE_INFINITY}, new double[]{0.1}));
        assertTrue(e.getMessage().contains("Infinity"), e.getMessage());
    }
}
