package org.rationalnn.dl4j.layers;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.rational.TargetFunction;
import org.rationalnn.dl4j.samediff.SingleThreadedNd4j;
import org.rationalnn.dl4j.testutil.GradientMatrix;
import org.rationalnn.dl4j.testutil.GradientMatrix.SpecChoice;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Randomized gradient-check matrix of {@link RationalActivationLayer} (DL4J's {@link GradientCheckUtil}, double
 * precision, NoOp updater, no dropout; tolerances of {@link GradientMatrix}).
 *
 * <p>The matrix: version A/B/C/N/D (noise 0) × numerator degree 0..6 × denominator degree 1..5 (C: 0..5, PAU's type
 * with n + 1 stored coefficients) × every {@link TargetFunction} as initialisation × sharing LAYER/CHANNEL/GROUP ×
 * input kinds FF, RNN NCW/NWC (with or without a mask), CNN NCHW/NHWC × MultiLayerNetwork/ComputationGraph ×
 * minibatch 1..3 × coefficients at their fitted initial values or perturbed. The cross product is far too big;
 * {@link #randomCases()} draws {@value #RANDOM_DRAWS} configurations afresh on every run from
 * {@link GradientMatrix#seed()} (printed; replay with {@code -Drational.test.seed=...}). {@link #fixedCases()} always
 * runs the configurations found failing: version A fitted to GELU (4,4), SiLU (3,2), softplus (6,3) and (5,2), tanh
 * (4,3) and (6,4) in FF, RNN and CNN nets, MLN and CG; and B, C, D fitted to the identity.
 *
 * <p>The input is scaled so that the largest |input| of the rational is {@value GradientMatrix#INPUT_MAX_ABS} (the
 * layers before it are linear with zero bias at initialisation), covering the fit interval [-3, 3]. Every coefficient
 * of the rational is checked; of the layers around it, the bias of the layer before (its gradient is the rational's
 * input gradient summed), or in "all params" cases every parameter of the network.
 */
@ExtendWith(SingleThreadedNd4j.class)
class RationalActivationLayerGradientMatrixTest {

    static final int RANDOM_DRAWS = 40;

    /** One configuration of the matrix. */
    record Case(String origin, SpecChoice spec, InputKind kind, boolean graph, int mb, boolean masked,
                boolean perturbed, boolean allParams, long dataSeed) {
        @Override
        public String toString() {
            return origin + ": " + spec + " " + kind + (masked ? " masked" : "") + " " + (graph ? "CG" : "MLN")
                    + " mb=" + mb + (perturbed ? " perturbed" : " at init") + (allParams ? " all-params" : "")
                    + " data=" + dataSeed;
        }
    }

    /** The configurations found failing, always checked (fixed data; independent of the seed). */
    static List<Case> fixedCases() {
        List<Case> out = new ArrayList<>();
        Object[][] fittedA = {{TargetFunction.GELU, 4, 4}, {TargetFunction.SILU, 3, 2},
                {TargetFunction.SOFTPLUS, 6, 3}, {TargetFunction.SOFTPLUS, 5, 2}, {TargetFunction.TANH, 4, 3},
                {TargetFunction.TANH, 6, 4}};
        int i = 0;
        for (int j = 0; j < fittedA.length; j++) {
            Object[] f = fittedA[j];
            InputKind[] kinds = {InputKind.FF, j % 2 == 0 ? InputKind.RNN_NCW : InputKind.RNN_NWC,
                    j % 2 == 0 ? InputKind.CNN_NHWC : InputKind.CNN_NCHW};
            for (InputKind kind : kinds) {
                for (boolean graph : new boolean[]{false, true}) {
                    Sharing sharing = Sharing.values()[i % 3];
                    out.add(new Case("fitted A", new SpecChoice(RationalVersion.A, (int) f[1], (int) f[2],
                            (TargetFunction) f[0], sharing), kind, graph, 2, kind.isRnn(), false, false, 1000 + i));
                    i++;
                }
            }
        }
        int[][] degrees = {{3, 2}, {5, 4}, {2, 1}};
        RationalVersion[] versions = {RationalVersion.B, RationalVersion.C, RationalVersion.D};
        for (int j = 0; j < versions.length; j++) {
            RationalVersion v = versions[j];
            InputKind[] kinds = {InputKind.FF, j % 2 == 0 ? InputKind.RNN_NWC : InputKind.RNN_NCW,
                    j % 2 == 0 ? InputKind.CNN_NCHW : InputKind.CNN_NHWC};
            for (int k = 0; k < kinds.length; k++) {
                out.add(new Case("identity", new SpecChoice(v, degrees[k][0], degrees[k][1], TargetFunction.IDENTITY,
                        Sharing.values()[i % 3]), kinds[k], i % 2 == 1, 2, kinds[k].isRnn(), false, false, 1000 + i));
                i++;
            }
        }
        return out;
    }

    /** {@value #RANDOM_DRAWS} configurations drawn from the seed. */
    static List<Case> randomCases() {
        Random r = GradientMatrix.random("RationalActivationLayer");
        List<Case> out = new ArrayList<>();
        int n = GradientMatrix.draws(RANDOM_DRAWS);
        for (int i = 0; i < n; i++) {
            SpecChoice spec = GradientMatrix.randomSpec(r, 6, 5);
            InputKind kind = GradientMatrix.pick(r, InputKind.values());
            out.add(new Case("random #" + i, spec, kind, r.nextBoolean(), GradientMatrix.between(r, 1, 3),
                    kind.isRnn() && r.nextBoolean(), r.nextInt(3) == 0, r.nextInt(3) == 0, r.nextLong()));
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixedCases")
    void fixed(Case c) {
        check(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("randomCases")
    void random(Case c) {
        check(c);
    }

    static void check(Case c) {
        String what = c + " " + GradientMatrix.replay();
        GradientMatrix.LOG.info("gradient check: {}", what);
        RationalActivationLayer layer = new RationalActivationLayer.Builder().spec(c.spec().build()).build();
        INDArray x = c.kind().input(c.mb(), c.dataSeed());
        INDArray y = c.kind().labels(c.mb(), c.dataSeed());
        INDArray mask = c.masked() ? c.kind().mask(c.mb()) : null;
        boolean ok;
        if (c.graph()) {
            ComputationGraph g = c.kind().graph(layer);
            GradientMatrix.scaleInput(x, g.feedForward(new INDArray[]{x}, false).get("before").amaxNumber()
                    .doubleValue());
            if (c.perturbed()) {
                GradientMatrix.perturb(g.paramTable(), GradientMatrix::isCoefficientKey, c.dataSeed() + 1);
            }
            GradientCheckUtil.GraphConfig gc = new GradientCheckUtil.GraphConfig().net(g).inputs(new INDArray[]{x})
                    .labels(new INDArray[]{y}).epsilon(GradientMatrix.EPSILON).maxRelError(GradientMatrix.MAX_REL_ERROR)
                    .minAbsoluteError(GradientMatrix.MIN_ABS_ERROR).print(GradientCheckUtil.PrintMode.FAILURES_ONLY);
            if (!c.allParams()) {
                gc.excludeParams(GradientMatrix.graphExclusions(g.paramTable().keySet(),
                        GradientMatrix.ownAndInputBias("before_", "out_")));
            }
            if (mask != null) {
                gc.inputMask(new INDArray[]{mask}).labelMask(new INDArray[]{mask});
            }
            ok = GradientCheckUtil.checkGradients(gc);
        } else {
            MultiLayerNetwork net = c.kind().mln(layer);
            GradientMatrix.scaleInput(x, net.feedForward(x, false).get(1).amaxNumber().doubleValue());
            if (c.perturbed()) {
                GradientMatrix.perturb(net.paramTable(), GradientMatrix::isCoefficientKey, c.dataSeed() + 1);
            }
            GradientCheckUtil.MLNConfig mc = new GradientCheckUtil.MLNConfig().net(net).input(x).labels(y)
                    .epsilon(GradientMatrix.EPSILON).maxRelError(GradientMatrix.MAX_REL_ERROR)
                    .minAbsoluteError(GradientMatrix.MIN_ABS_ERROR).print(GradientCheckUtil.PrintMode.FAILURES_ONLY);
            if (!c.allParams()) {
                mc.excludeParams(GradientMatrix.mlnExclusions(net.paramTable().keySet(),
                        GradientMatrix.ownAndInputBias("0_", "2_")));
            }
            if (mask != null) {
                mc.inputMask(mask).labelMask(mask);
            }
            ok = GradientCheckUtil.checkGradients(mc);
        }
        assertTrue(ok, "gradient check failed: " + what);
    }
}
