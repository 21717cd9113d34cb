package org.rationalnn.dl4j.samediff;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.learning.config.NoOp;
import org.rationalnn.dl4j.layers.InputKind;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.samediff.RationalDense.Execution;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * DL4J's gradient check in double precision with the NoOp updater for {@link RationalDense}: every version (D with
 * its noise off) × sharing, feed-forward and recurrent NCW/NWC (with masks), minibatch 1 and 3, MultiLayerNetwork
 * and ComputationGraph, one and two stacked layers. A native layer with l1/l2 sits before, so input gradients are
 * checked too (its parameters are perturbed in the layout matrix; elsewhere only ours are, to save time). Both
 * executions: FUSED (affine graph + fused kernel) and SAMEDIFF (whole layer as one graph). These checks fail if
 * DL4J's SameDiff gradient doubling is not corrected.
 */
@ExtendWith(SingleThreadedNd4j.class)
class RationalDenseGradientTest {

    static final InputKind[] KINDS = {InputKind.FF, InputKind.RNN_NCW, InputKind.RNN_NWC};


    static RationalDense dense(RationalSpec spec, Execution execution) {
        return new RationalDense.Builder().nOut(InputKind.HIDDEN).spec(spec).execution(execution).build();
    }

    /** Every case once per execution. */
    static Stream<Arguments> forEachExecution(List<Arguments> cases) {
        List<Arguments> out = new ArrayList<>();
        for (Execution e : Execution.values()) {
            for (Arguments a : cases) {
                Object[] args = java.util.Arrays.copyOf(a.get(), a.get().length + 1);
                args[args.length - 1] = e;
                out.add(Arguments.of(args));
            }
        }
        return out.stream();
    }

    /** Version × sharing with degrees (3,2), rotating input kind, minibatch, network type and stacking. */
    static Stream<Arguments> versionMatrix() {
        List<Arguments> out = new ArrayList<>();
        int i = 0;
        for (RationalVersion v : RationalVersion.values()) {
            for (Sharing s : Sharing.values()) {
                out.add(Arguments.of(v, 3, 2, s, KINDS[i % KINDS.length], i % 2 == 0 ? 3 : 1, i % 3 == 0, i % 4 == 1));
                i++;
            }
        }
        out.add(Arguments.of(RationalVersion.B, 5, 4, Sharing.CHANNEL, InputKind.FF, 3, false, false));
        out.add(Arguments.of(RationalVersion.C, 0, 1, Sharing.LAYER, InputKind.FF, 1, true, false));
        out.add(Arguments.of(RationalVersion.A, 1, 3, Sharing.GROUP, InputKind.RNN_NWC, 3, false, true));
        return forEachExecution(out);
    }

    /**
     * Every input kind × minibatch 1 (MLN) and 3 (CG), two stacked layers, version B (3,2), CHANNEL sharing; all
     * parameters of the network are checked, including the native layers around ours.
     */
    static Stream<Arguments> layoutMatrix() {
        List<Arguments> out = new ArrayList<>();
        for (InputKind kind : KINDS) {
            out.add(Arguments.of(RationalVersion.B, 3, 2, Sharing.CHANNEL, kind, 1, false, true));
            out.add(Arguments.of(RationalVersion.B, 3, 2, Sharing.CHANNEL, kind, 3, true, true));
        }
        return forEachExecution(out);
    }

    @ParameterizedTest(name = "{0} ({1},{2}) {3} {4} mb={5} graph={6} stacked={7} {8}")
    @MethodSource("versionMatrix")
    void versionsAndSharing(RationalVersion v, int m, int n, Sharing sharing, InputKind kind, int mb, boolean graph,
                            boolean stacked, Execution execution) {
        check(SdNets.spec(v, m, n, sharing), kind, mb, graph, stacked, true, execution);
    }

    @ParameterizedTest(name = "{0} ({1},{2}) {3} {4} mb={5} graph={6} stacked={7} {8}")
    @MethodSource("layoutMatrix")
    void inputKindsStacked(RationalVersion v, int m, int n, Sharing sharing, InputKind kind, int mb, boolean graph,
                           boolean stacked, Execution execution) {
        check(SdNets.spec(v, m, n, sharing), kind, mb, graph, stacked, false, execution);
    }

    @ParameterizedTest
    @EnumSource(Execution.class)
    void cnnInputThroughPreprocessor(Execution execution) {
        RationalSpec spec = SdNets.spec(RationalVersion.B, 3, 2, Sharing.GROUP);
        check(spec, InputKind.CNN_NHWC, 2, false, false, true, execution);
    }

    @ParameterizedTest
    @EnumSource(Execution.class)
    void withoutBiasAndSingleInput(Execution execution) {
        RationalSpec spec = SdNets.spec(RationalVersion.N, 2, 2, Sharing.CHANNEL);
        // nIn = 1 takes the broadcast-product path instead of mmul
        MultiLayerNetwork net = new MultiLayerNetwork(
                SdNets.base(new NoOp()).list()
                        .layer(new RationalDense.Builder().nOut(1).spec(spec).execution(execution).build())
                        .layer(new RationalDense.Builder().nOut(4).hasBias(false).spec(spec).execution(execution)
                                .build())
                        .layer(InputKind.FF.output())
                        .setInputType(InputType.feedForward(3)).build());
        net.init();
        SdNets.checkMln(net, InputKind.FF, 3, "nOut=1 then nIn=1 without bias");
    }

    static void check(RationalSpec spec, InputKind kind, int mb, boolean graph, boolean stacked, boolean ownOnly,
                      Execution execution) {
        Layer[] layers = stacked ? new Layer[]{dense(spec, execution), dense(spec, execution)}
                : new Layer[]{dense(spec, execution)};
        String what = spec + " " + kind + " mb=" + mb + " graph=" + graph + " stacked=" + stacked + " " + execution;
        if (graph) {
            SdNets.checkGraph(SdNets.graphOfLayers(kind, new NoOp(), layers), kind, mb, ownOnly, what);
        } else {
            SdNets.checkMln(SdNets.mln(kind, new NoOp(), layers), kind, mb, ownOnly, what);
        }
    }
}
