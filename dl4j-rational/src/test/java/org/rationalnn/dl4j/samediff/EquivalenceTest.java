package org.rationalnn.dl4j.samediff;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.rationalnn.dl4j.layers.InputKind;
import org.rationalnn.dl4j.layers.RationalActivationLayer;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;

import java.util.Map;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link RationalDense} equals {@code DenseLayer(identity)} + {@link RationalActivationLayer}, and
 * {@link RationalVertex} equals {@link RationalActivationLayer}, with the parameters copied across (the flattened
 * parameter vectors have the same layout): same outputs, same score, same gradients, and the same parameters after a
 * few Adam steps (double precision, relative 1e-6), with global l1/l2 on and masks on recurrent inputs.
 */
@ExtendWith(SingleThreadedNd4j.class)
class EquivalenceTest {

    static final double TOL = 1e-6;
    static final int STEPS = 3;


    static RationalSpec spec(RationalVersion v, Sharing s) {
        return SdNets.spec(v, 3, 2, s);
    }

    static Stream<Arguments> denseCases() {
        return RationalDenseGradientTest.forEachExecution(List.of(
                Arguments.of(RationalVersion.B, Sharing.LAYER, InputKind.FF, false),
                Arguments.of(RationalVersion.A, Sharing.CHANNEL, InputKind.RNN_NCW, false),
                Arguments.of(RationalVersion.C, Sharing.GROUP, InputKind.RNN_NWC, true),
                Arguments.of(RationalVersion.N, Sharing.CHANNEL, InputKind.FF, true),
                Arguments.of(RationalVersion.D, Sharing.GROUP, InputKind.RNN_NWC, false)));
    }

    static Stream<Arguments> vertexCases() {
        return Stream.of(
                Arguments.of(RationalVersion.B, Sharing.CHANNEL, InputKind.FF),
                Arguments.of(RationalVersion.A, Sharing.GROUP, InputKind.RNN_NCW),
                Arguments.of(RationalVersion.C, Sharing.LAYER, InputKind.RNN_NWC),
                Arguments.of(RationalVersion.N, Sharing.CHANNEL, InputKind.CNN_NHWC),
                Arguments.of(RationalVersion.D, Sharing.GROUP, InputKind.CNN_NCHW));
    }

    @ParameterizedTest(name = "{0} {1} {2} graph={3} {4}")
    @MethodSource("denseCases")
    void rationalDenseEqualsDenseThenRationalLayer(RationalVersion v, Sharing sharing, InputKind kind,
                                                   boolean graph, RationalDense.Execution execution) {
        RationalSpec spec = spec(v, sharing);
        RationalDense sdLayer = new RationalDense.Builder().nOut(InputKind.HIDDEN).spec(spec).execution(execution)
                .build();
        DenseLayer dense = new DenseLayer.Builder().nOut(InputKind.HIDDEN).activation(Activation.IDENTITY).build();
        RationalActivationLayer rational = new RationalActivationLayer.Builder().spec(spec).build();
        Model sd;
        Model ref;
        if (graph) {
            sd = SdNets.graphOfLayers(kind, new Adam(1e-2), sdLayer);
            ref = SdNets.graphOfLayers(kind, new Adam(1e-2), dense, rational);
        } else {
            sd = SdNets.mln(kind, new Adam(1e-2), sdLayer);
            ref = SdNets.mln(kind, new Adam(1e-2), dense, rational);
        }
        compare(sd, ref, kind, spec + " " + kind + " graph=" + graph + " " + execution);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("vertexCases")
    void rationalVertexEqualsRationalLayer(RationalVersion v, Sharing sharing, InputKind kind) {
        RationalSpec spec = spec(v, sharing);
        ComputationGraph sd = SdNets.graphOfVertices(kind, new Adam(1e-2),
                new RationalVertex.Builder().spec(spec).build());
        ComputationGraph ref = SdNets.graphOfLayers(kind, new Adam(1e-2),
                new RationalActivationLayer.Builder().spec(spec).build());
        compare(sd, ref, kind, spec + " " + kind);
    }

    static void compare(Model sd, Model ref, InputKind kind, String what) {
        assertEquals(ref.params().length(), sd.params().length(), what + ": parameter count");
        SdNets.perturbCoefficients(paramTable(sd));
        ref.setParams(sd.params());
        INDArray x = kind.input(3, 17);
        INDArray y = kind.labels(3, 17);
        INDArray mask = kind.mask(3);
        DataSet ds = new DataSet(x, y, mask, mask);

        Reference.assertClose(output(ref, x, mask), output(sd, x, mask), TOL, what + ": output");
        setInputs(sd, ds);
        setInputs(ref, ds);
        computeGradientAndScore(sd);
        computeGradientAndScore(ref);
        assertEquals(ref.score(), sd.score(), TOL * Math.max(1, Math.abs(ref.score())), what + ": score");
        Reference.assertClose(ref.gradient().gradient(), sd.gradient().gradient(), TOL, what + ": gradient");

        for (int i = 0; i < STEPS; i++) {
            fit(sd, ds);
            fit(ref, ds);
        }
        Reference.assertClose(ref.params(), sd.params(), TOL, what + ": parameters after " + STEPS + " Adam steps");
    }

    static Map<String, INDArray> paramTable(Model m) {
        return m instanceof MultiLayerNetwork ? ((MultiLayerNetwork) m).paramTable() : ((ComputationGraph) m).paramTable();
    }

    static INDArray output(Model m, INDArray x, INDArray mask) {
        if (m instanceof MultiLayerNetwork) {
            return ((MultiLayerNetwork) m).output(x, false, mask, null);
        }
        ComputationGraph g = (ComputationGraph) m;
        return g.output(false, new INDArray[]{x}, mask == null ? null : new INDArray[]{mask})[0];
    }

    static void setInputs(Model m, DataSet ds) {
        if (m instanceof MultiLayerNetwork) {
            MultiLayerNetwork n = (MultiLayerNetwork) m;
            n.setInput(ds.getFeatures());
            n.setLabels(ds.getLabels());
            n.setLayerMaskArrays(ds.getFeaturesMaskArray(), ds.getLabelsMaskArray());
        } else {
            ComputationGraph g = (ComputationGraph) m;
            g.setInputs(ds.getFeatures());
            g.setLabels(ds.getLabels());
            g.setLayerMaskArrays(ds.getFeaturesMaskArray() == null ? null : new INDArray[]{ds.getFeaturesMaskArray()},
                    ds.getLabelsMaskArray() == null ? null : new INDArray[]{ds.getLabelsMaskArray()});
        }
    }

    static void computeGradientAndScore(Model m) {
        if (m instanceof MultiLayerNetwork) {
            ((MultiLayerNetwork) m).computeGradientAndScore();
        } else {
            ((ComputationGraph) m).computeGradientAndScore();
        }
    }

    static void fit(Model m, DataSet ds) {
        if (m instanceof MultiLayerNetwork) {
            ((MultiLayerNetwork) m).fit(ds);
        } else {
            ((ComputationGraph) m).fit(ds);
        }
    }
}
