package org.rationalnn.dl4j.layers;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.rational.TargetFunction;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DL4J's own gradient check, in double precision with the NoOp updater, over the layer's whole matrix:
 * every version (D with its noise off) × degrees (2,2), (3,2), (5,4) × every sharing mode, and every input
 * kind and layout × sharing × minibatch 1 and 3 × MultiLayerNetwork and ComputationGraph, with l1/l2 on the
 * weights of the layers around it and masks on recurrent inputs.
 */
class RationalActivationLayerGradientTest {

    private static final int[][] DEGREES = {{2, 2}, {3, 2}, {5, 4}};

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    static RationalSpec spec(RationalVersion v, int m, int n, Sharing sharing) {
        RationalSpec.Builder b = RationalSpec.builder().degrees(m, n).version(v).init(TargetFunction.LEAKY_RELU, 0.1)
                .noise(0.0);
        if (sharing == Sharing.GROUP) {
            b.groups(2);
        } else {
            b.sharing(sharing);
        }
        return b.build();
    }

    /** Version × degrees × sharing, rotating input kind, minibatch and network type so each value appears. */
    static Stream<Arguments> versionMatrix() {
        List<Arguments> out = new ArrayList<>();
        int i = 0;
        for (RationalVersion v : RationalVersion.values()) {
            for (int[] d : DEGREES) {
                for (Sharing s : Sharing.values()) {
                    InputKind kind = InputKind.values()[i % InputKind.values().length];
                    out.add(Arguments.of(v, d[0], d[1], s, kind, i % 2 == 0 ? 3 : 1, i % 3 == 0));
                    i++;
                }
            }
        }
        return out.stream();
    }

    /** Every input kind × sharing × minibatch 1, 3 × MLN and CG with type (3,2) version B. */
    static Stream<Arguments> layoutMatrix() {
        List<Arguments> out = new ArrayList<>();
        for (InputKind kind : InputKind.values()) {
            for (Sharing s : Sharing.values()) {
                for (int mb : new int[]{1, 3}) {
                    for (boolean graph : new boolean[]{false, true}) {
                        out.add(Arguments.of(RationalVersion.B, 3, 2, s, kind, mb, graph));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} ({1},{2}) {3} {4} mb={5} graph={6}")
    @MethodSource("versionMatrix")
    void versionsDegreesSharing(RationalVersion v, int m, int n, Sharing sharing, InputKind kind, int mb,
                                boolean graph) {
        check(spec(v, m, n, sharing), kind, mb, graph);
    }

    @ParameterizedTest(name = "{0} ({1},{2}) {3} {4} mb={5} graph={6}")
    @MethodSource("layoutMatrix")
    void inputKindsAndLayouts(RationalVersion v, int m, int n, Sharing sharing, InputKind kind, int mb,
                              boolean graph) {
        check(spec(v, m, n, sharing), kind, mb, graph);
    }

    /** The same checks on the backend-agnostic ND4J-ops kernel (the path CUDA takes) and the scalar JVM kernel. */
    @ParameterizedTest(name = "{0} {1} {2} {3}")
    @MethodSource("otherKernels")
    void otherKernelPaths(String kernel, RationalVersion v, Sharing sharing, InputKind kind) {
        String before = System.getProperty(org.rationalnn.dl4j.kernel.RationalKernels.KERNEL_PROPERTY);
        System.setProperty(org.rationalnn.dl4j.kernel.RationalKernels.KERNEL_PROPERTY, kernel);
        try {
            check(spec(v, 3, 2, sharing), kind, 3, false);
            check(spec(v, 5, 4, sharing), kind, 1, true);
        } finally {
            if (before == null) {
                System.clearProperty(org.rationalnn.dl4j.kernel.RationalKernels.KERNEL_PROPERTY);
            } else {
                System.setProperty(org.rationalnn.dl4j.kernel.RationalKernels.KERNEL_PROPERTY, before);
            }
        }
    }

    static Stream<Arguments> otherKernels() {
        List<Arguments> out = new ArrayList<>();
        int i = 0;
        for (String kernel : new String[]{"nd4j", "scalar"}) {
            for (RationalVersion v : RationalVersion.values()) {
                Sharing s = Sharing.values()[i % 3];
                InputKind kind = InputKind.values()[i % InputKind.values().length];
                out.add(Arguments.of(kernel, v, s, kind));
                i++;
            }
        }
        return out.stream();
    }

    static void check(RationalSpec spec, InputKind kind, int mb, boolean graph) {
        RationalActivationLayer layer = new RationalActivationLayer.Builder().spec(spec).build();
        INDArray x = kind.input(mb, 42 + mb);
        INDArray y = kind.labels(mb, 42 + mb);
        INDArray mask = kind.mask(mb);
        boolean ok;
        if (graph) {
            ComputationGraph g = kind.graph(layer);
            perturbCoefficients(g.getParam("rational_numerator"), g.getParam("rational_denominator"));
            GradientCheckUtil.GraphConfig c = new GradientCheckUtil.GraphConfig().net(g)
                    .inputs(new INDArray[]{x}).labels(new INDArray[]{y}).epsilon(1e-6).maxRelError(1e-5)
                    .minAbsoluteError(1e-9).print(GradientCheckUtil.PrintMode.FAILURES_ONLY);
            if (mask != null) {
                c.inputMask(new INDArray[]{mask}).labelMask(new INDArray[]{mask});
            }
            ok = GradientCheckUtil.checkGradients(c);
        } else {
            MultiLayerNetwork net = kind.mln(layer);
            perturbCoefficients(net.getParam("1_numerator"), net.getParam("1_denominator"));
            GradientCheckUtil.MLNConfig c = new GradientCheckUtil.MLNConfig().net(net).input(x).labels(y)
                    .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9).print(GradientCheckUtil.PrintMode.FAILURES_ONLY);
            if (mask != null) {
                c.inputMask(mask).labelMask(mask);
            }
            ok = GradientCheckUtil.checkGradients(c);
        }
        assertTrue(ok, "gradient check failed for " + spec + " " + kind + " mb=" + mb + " graph=" + graph);
    }

    /**
     * Makes the coefficient sets differ from each other (so a gradient sent to the wrong set is caught) while
     * staying close to the fitted initialisation.
     */
    static void perturbCoefficients(INDArray numerator, INDArray denominator) {
        Nd4j.getRandom().setSeed(7);
        numerator.addi(Nd4j.rand(numerator.dataType(), numerator.shape()).subi(0.5).muli(0.1));
        denominator.addi(Nd4j.rand(denominator.dataType(), denominator.shape()).subi(0.5).muli(0.1));
    }
}
