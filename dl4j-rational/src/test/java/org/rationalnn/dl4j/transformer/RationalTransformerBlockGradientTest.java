package org.rationalnn.dl4j.transformer;

import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.TargetFunction;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock.Attention;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock.Execution;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock.FeedForward;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock.Normalization;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * DL4J's gradient check (double, NoOp, no dropout) for {@link RationalTransformerBlock}: every feed-forward kind,
 * every normalization, both attention nonlinearities, padding mask on/off, causal on/off, NCW and NWC,
 * MultiLayerNetwork and ComputationGraph, one and two stacked blocks. dModel 4, 2 heads, hidden 4, T 3. A native
 * dense layer sits before the block, so the block's input gradient is checked too. Every parameter array is sampled (GradientCheckUtil subset, about 2 elements per array, to keep the
 * run short on 2 cores); during development all elements of all arrays were checked once (~50 s per case).
 * Every case runs with both executions of the block ({@link Execution#NATIVE}, the hand-written backward pass, and
 * {@link Execution#SAMEDIFF}, which fails if DL4J's SameDiff gradient doubling is not corrected).
 */
class RationalTransformerBlockGradientTest {

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    static RationalTransformerBlock block(FeedForward ffn, Normalization norm, Attention att, boolean causal,
                                          Execution execution) {
        RationalSpec spec = RationalSpec.builder().degrees(3, 2).init(TargetFunction.SILU).build();
        return new RationalTransformerBlock.Builder().heads(2).hidden(4).feedForward(ffn).normalization(norm)
                .attention(att).causal(causal).spec(spec).attentionDegrees(2, 2).execution(execution).build();
    }

    /** execution, ffn, norm, attention, masked, causal, format, mb, graph, stacked. */
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Execution e : Execution.values()) {
            for (Arguments a : blockCases()) {
                Object[] args = new Object[a.get().length + 1];
                args[0] = e;
                System.arraycopy(a.get(), 0, args, 1, a.get().length);
                out.add(Arguments.of(args));
            }
        }
        return out.stream();
    }

    /** ffn, norm, attention, masked, causal, format, mb, graph, stacked. */
    static List<Arguments> blockCases() {
        List<Arguments> out = new ArrayList<>();
        int i = 0;
        for (FeedForward f : FeedForward.values()) {
            // each FFN kind, PRE norm, mask + causal, mb 2
            out.add(Arguments.of(f, Normalization.PRE, Attention.SOFTMAX, true, true, RNNFormat.NCW, 2, i % 2 == 1,
                    false));
            i++;
        }
        // the other norm kinds, no mask, not causal, mb 1
        out.add(Arguments.of(FeedForward.RATIONAL_GLU, Normalization.POST, Attention.SOFTMAX, false, false,
                RNNFormat.NCW, 1, false, false));
        out.add(Arguments.of(FeedForward.SWIGLU, Normalization.POST, Attention.SOFTMAX, true, false, RNNFormat.NWC, 2,
                true, true));
        out.add(Arguments.of(FeedForward.RATIONAL_GLU, Normalization.PRE, Attention.RATIONAL, true, true,
                RNNFormat.NCW, 2, false, false));
        out.add(Arguments.of(FeedForward.GELU, Normalization.POST, Attention.RATIONAL, false, false, RNNFormat.NCW, 1,
                true, false));
        out.add(Arguments.of(FeedForward.RATIONAL, Normalization.NONE, Attention.RATIONAL, true, false,
                RNNFormat.NCW, 2, true, false));
        return out;
    }

    @ParameterizedTest(name = "{0} {1} {2} {3} mask={4} causal={5} {6} mb={7} graph={8} stacked={9}")
    @MethodSource("cases")
    void gradients(Execution execution, FeedForward ffn, Normalization norm, Attention att, boolean masked,
                   boolean causal, RNNFormat format, int mb, boolean graph, boolean stacked) {
        Layer[] blocks = stacked ? new Layer[]{block(ffn, norm, att, causal, execution),
                block(ffn, norm, att, causal, execution)} : new Layer[]{block(ffn, norm, att, causal, execution)};
        String what = execution + " " + ffn + " " + norm + " " + att + " mask=" + masked + " causal=" + causal + " "
                + format + " mb=" + mb + " graph=" + graph + " stacked=" + stacked;
        if (graph) {
            BlockNets.checkGraph(BlockNets.graph(format, blocks), format, mb, 3, masked, what);
        } else {
            BlockNets.checkMln(BlockNets.mln(format, blocks), format, mb, 3, masked, what);
        }
    }
}
