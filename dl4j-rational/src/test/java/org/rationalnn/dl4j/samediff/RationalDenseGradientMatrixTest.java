package org.rationalnn.dl4j.samediff;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;
import org.rationalnn.dl4j.layers.InputKind;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.rational.TargetFunction;
import org.rationalnn.dl4j.samediff.RationalDense.Execution;
import org.rationalnn.dl4j.testutil.GradientMatrix;
import org.rationalnn.dl4j.testutil.GradientMatrix.SpecChoice;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Randomized gradient-check matrix of {@link RationalDense} (DL4J's {@link GradientCheckUtil}, double precision,
 * NoOp updater; tolerances of {@link GradientMatrix}): version × degrees (0..6, 1..5; C 0..5) × every
 * {@link TargetFunction} as init × sharing × FF / RNN NCW / RNN NWC (with or without a mask) × MultiLayerNetwork /
 * ComputationGraph × execution FUSED / SAMEDIFF × bias on/off × minibatch 1..3 × coefficients at init or perturbed.
 * {@link #randomCases()} draws {@value #RANDOM_DRAWS} configurations from {@link GradientMatrix#seed()} on every run;
 * {@link #fixedCases()} always checks a fitted version-A init (GELU (4,4)) and an identity init (B (3,2)) with both
 * executions.
 *
 * <p>The input is scaled so that the largest |x W + b| of the layer is {@value GradientMatrix#INPUT_MAX_ABS}. Every
 * parameter of the layer (W, b, coefficients) is checked, plus the bias of the native layer before it (the layer's
 * input gradient), or in "all params" cases every parameter of the network.
 */
@ExtendWith(SingleThreadedNd4j.class)
class RationalDenseGradientMatrixTest {

    static final int RANDOM_DRAWS = 12;
    static final InputKind[] KINDS = {InputKind.FF, InputKind.RNN_NCW, InputKind.RNN_NWC};

    record Case(String origin, SpecChoice spec, InputKind kind, boolean graph, Execution execution, boolean hasBias,
                int mb, boolean masked, boolean perturbed, boolean allParams, long dataSeed) {
        @Override
        public String toString() {
            return origin + ": " + spec + " " + execution + (hasBias ? "" : " no-bias") + " " + kind
                    + (masked ? " masked" : "") + " " + (graph ? "CG" : "MLN") + " mb=" + mb
                    + (perturbed ? " perturbed" : " at init") + (allParams ? " all-params" : "") + " data=" + dataSeed;
        }
    }

    static List<Case> fixedCases() {
        List<Case> out = new ArrayList<>();
        SpecChoice a = new SpecChoice(RationalVersion.A, 4, 4, TargetFunction.GELU, Sharing.CHANNEL);
        SpecChoice b = new SpecChoice(RationalVersion.B, 3, 2, TargetFunction.IDENTITY, Sharing.LAYER);
        out.add(new Case("fitted A", a, InputKind.FF, false, Execution.FUSED, true, 2, false, false, false, 2000));
        out.add(new Case("fitted A", a, InputKind.RNN_NWC, true, Execution.SAMEDIFF, true, 2, true, false, false,
                2001));
        out.add(new Case("identity", b, InputKind.FF, true, Execution.SAMEDIFF, true, 2, false, false, false, 2002));
        out.add(new Case("identity", b, InputKind.RNN_NCW, false, Execution.FUSED, false, 2, true, false, false,
                2003));
        return out;
    }

    static List<Case> randomCases() {
        Random r = GradientMatrix.random("RationalDense");
        List<Case> out = new ArrayList<>();
        int n = GradientMatrix.draws(RANDOM_DRAWS);
        for (int i = 0; i < n; i++) {
            SpecChoice spec = GradientMatrix.randomSpec(r, 6, 5);
            InputKind kind = GradientMatrix.pick(r, KINDS);
            out.add(new Case("random #" + i, spec, kind, r.nextBoolean(), GradientMatrix.pick(r, Execution.values()),
                    r.nextBoolean(), GradientMatrix.between(r, 1, 3), kind.isRnn() && r.nextBoolean(),
                    r.nextInt(3) == 0, r.nextInt(3) == 0, r.nextLong()));
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
        RationalDense dense = new RationalDense.Builder().nOut(InputKind.HIDDEN).spec(c.spec().build())
                .execution(c.execution()).hasBias(c.hasBias()).build();
        INDArray x = c.kind().input(c.mb(), c.dataSeed());
        INDArray y = c.kind().labels(c.mb(), c.dataSeed());
        INDArray mask = c.masked() ? c.kind().mask(c.mb()) : null;
        boolean ok;
        if (c.graph()) {
            ComputationGraph g = SdNets.graphOfLayers(c.kind(), new NoOp(), dense);
            INDArray before = g.feedForward(new INDArray[]{x}, false).get("before");
            GradientMatrix.scaleInput(x, maxAbsPreActivation(before, c.kind(), g.paramTable(), "l0_"));
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
            MultiLayerNetwork net = SdNets.mln(c.kind(), new NoOp(), dense);
            INDArray before = net.feedForward(x, false).get(1);
            GradientMatrix.scaleInput(x, maxAbsPreActivation(before, c.kind(), net.paramTable(), "1_"));
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

    /** max |x W + b| of the dense layer for its input {@code in} (FF [mb, nIn] or RNN in the kind's layout). */
    static double maxAbsPreActivation(INDArray in, InputKind kind, Map<String, INDArray> params, String prefix) {
        INDArray rows;
        if (kind == InputKind.FF) {
            rows = in;
        } else {
            INDArray nwc = kind == InputKind.RNN_NCW ? in.permute(0, 2, 1) : in;
            rows = nwc.dup('c').reshape(-1, nwc.size(2));
        }
        INDArray z = rows.mmul(params.get(prefix + RationalDense.WEIGHT_KEY));
        INDArray b = params.get(prefix + RationalDense.BIAS_KEY);
        if (b != null) {
            z.addiRowVector(b);
        }
        return z.amaxNumber().doubleValue();
    }
}
