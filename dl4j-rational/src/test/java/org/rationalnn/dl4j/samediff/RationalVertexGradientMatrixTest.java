package org.rationalnn.dl4j.samediff;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;
import org.rationalnn.dl4j.layers.InputKind;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.rational.TargetFunction;
import org.rationalnn.dl4j.testutil.GradientMatrix;
import org.rationalnn.dl4j.testutil.GradientMatrix.SpecChoice;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Randomized gradient-check matrix of {@link RationalVertex} in a ComputationGraph (DL4J's {@link GradientCheckUtil},
 * double precision, NoOp updater; tolerances of {@link GradientMatrix}): version × degrees (0..6, 1..5; C 0..5) ×
 * every {@link TargetFunction} as init × sharing × FF, RNN NCW/NWC (with or without a mask), CNN NCHW/NHWC ×
 * minibatch 1..3 × coefficients at init or perturbed. {@link #randomCases()} draws {@value #RANDOM_DRAWS}
 * configurations from {@link GradientMatrix#seed()} on every run; {@link #fixedCases()} always checks a fitted
 * version-A init (TANH (6,4)) and an identity init (C (3,2)).
 *
 * <p>The input is scaled so that the largest |input| of the vertex is {@value GradientMatrix#INPUT_MAX_ABS}. Every
 * coefficient is checked, plus the bias of the layer before the vertex (its input gradient), or in "all params"
 * cases every parameter of the graph.
 */
@ExtendWith(SingleThreadedNd4j.class)
class RationalVertexGradientMatrixTest {

    static final int RANDOM_DRAWS = 10;

    record Case(String origin, SpecChoice spec, InputKind kind, int mb, boolean masked, boolean perturbed,
                boolean allParams, long dataSeed) {
        @Override
        public String toString() {
            return origin + ": " + spec + " " + kind + (masked ? " masked" : "") + " mb=" + mb
                    + (perturbed ? " perturbed" : " at init") + (allParams ? " all-params" : "") + " data=" + dataSeed;
        }
    }

    static List<Case> fixedCases() {
        List<Case> out = new ArrayList<>();
        out.add(new Case("fitted A", new SpecChoice(RationalVersion.A, 6, 4, TargetFunction.TANH, Sharing.GROUP),
                InputKind.CNN_NHWC, 2, false, false, false, 3000));
        out.add(new Case("identity", new SpecChoice(RationalVersion.C, 3, 2, TargetFunction.IDENTITY,
                Sharing.CHANNEL), InputKind.RNN_NCW, 2, true, false, false, 3001));
        return out;
    }

    static List<Case> randomCases() {
        Random r = GradientMatrix.random("RationalVertex");
        List<Case> out = new ArrayList<>();
        int n = GradientMatrix.draws(RANDOM_DRAWS);
        for (int i = 0; i < n; i++) {
            SpecChoice spec = GradientMatrix.randomSpec(r, 6, 5);
            InputKind kind = GradientMatrix.pick(r, InputKind.values());
            out.add(new Case("random #" + i, spec, kind, GradientMatrix.between(r, 1, 3),
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
        ComputationGraph g = SdNets.graphOfVertices(c.kind(), new NoOp(),
                new RationalVertex.Builder().spec(c.spec().build()).build());
        INDArray x = c.kind().input(c.mb(), c.dataSeed());
        INDArray y = c.kind().labels(c.mb(), c.dataSeed());
        INDArray mask = c.masked() ? c.kind().mask(c.mb()) : null;
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
        assertTrue(GradientCheckUtil.checkGradients(gc), "gradient check failed: " + what);
    }
}
