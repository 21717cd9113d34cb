package org.rationalnn.dl4j.samediff;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.learning.config.NoOp;
import org.rationalnn.dl4j.layers.InputKind;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * DL4J's gradient check in double precision with the NoOp updater for {@link RationalVertex}: every version (D with
 * its noise off) × sharing, every input kind (FF, RNN NCW/NWC with masks, CNN NCHW/NHWC), minibatch 1 and 3, one and
 * two stacked vertices, and a {@link RationalDense} layer followed by a vertex.
 */
@ExtendWith(SingleThreadedNd4j.class)
class RationalVertexGradientTest {


    static Stream<Arguments> versionMatrix() {
        List<Arguments> out = new ArrayList<>();
        int i = 0;
        for (RationalVersion v : RationalVersion.values()) {
            for (Sharing s : Sharing.values()) {
                InputKind kind = InputKind.values()[i % InputKind.values().length];
                out.add(Arguments.of(v, 3, 2, s, kind, i % 2 == 0 ? 3 : 1, i % 4 == 3));
                i++;
            }
        }
        out.add(Arguments.of(RationalVersion.D, 5, 4, Sharing.CHANNEL, InputKind.RNN_NWC, 3, false));
        out.add(Arguments.of(RationalVersion.N, 0, 2, Sharing.GROUP, InputKind.CNN_NCHW, 1, false));
        return out.stream();
    }

    static Stream<Arguments> layoutMatrix() {
        List<Arguments> out = new ArrayList<>();
        int i = 0;
        for (InputKind kind : InputKind.values()) {
            int mb = i++ % 2 == 0 ? 3 : 1;
            out.add(Arguments.of(RationalVersion.B, 3, 2, mb == 1 ? Sharing.CHANNEL : Sharing.GROUP, kind, mb, true));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} ({1},{2}) {3} {4} mb={5} stacked={6}")
    @MethodSource("versionMatrix")
    void versionsAndSharing(RationalVersion v, int m, int n, Sharing sharing, InputKind kind, int mb,
                            boolean stacked) {
        check(SdNets.spec(v, m, n, sharing), kind, mb, stacked, true);
    }

    @ParameterizedTest(name = "{0} ({1},{2}) {3} {4} mb={5} stacked={6}")
    @MethodSource("layoutMatrix")
    void inputKindsStacked(RationalVersion v, int m, int n, Sharing sharing, InputKind kind, int mb,
                           boolean stacked) {
        check(SdNets.spec(v, m, n, sharing), kind, mb, stacked, false);
    }

    @Test
    void denseLayerThenVertex() {
        RationalSpec spec = SdNets.spec(RationalVersion.B, 3, 2, Sharing.CHANNEL);
        for (InputKind kind : new InputKind[]{InputKind.FF, InputKind.RNN_NWC}) {
            ComputationGraphConfiguration conf = SdNets.base(new NoOp()).graphBuilder().addInputs("in")
                    .setInputTypes(kind.inputType())
                    .addLayer("dense", new RationalDense.Builder().nOut(InputKind.HIDDEN).spec(spec).build(), "in")
                    .addVertex("rational", new RationalVertex.Builder().spec(spec).build(), "dense")
                    .addLayer("out", kind.output(), "rational").setOutputs("out").build();
            ComputationGraph g = new ComputationGraph(conf);
            g.init();
            SdNets.checkGraph(g, kind, 3, true, "RationalDense -> RationalVertex " + kind);
        }
    }

    static void check(RationalSpec spec, InputKind kind, int mb, boolean stacked, boolean ownOnly) {
        GraphVertex[] vertices = stacked
                ? new GraphVertex[]{new RationalVertex.Builder().spec(spec).build(),
                new RationalVertex.Builder().spec(spec).build()}
                : new GraphVertex[]{new RationalVertex.Builder().spec(spec).build()};
        SdNets.checkGraph(SdNets.graphOfVertices(kind, new NoOp(), vertices), kind, mb, ownOnly,
                spec + " " + kind + " mb=" + mb + " stacked=" + stacked);
    }
}
