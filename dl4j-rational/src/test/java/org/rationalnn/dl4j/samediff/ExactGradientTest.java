package org.rationalnn.dl4j.samediff;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.rationalnn.dl4j.layers.InputKind;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gradient doubling of DL4J's SameDiff runtime: it is detected (the probe agrees with DL4J's stock runtime),
 * corrected (the layers' gradients equal the reference formula exactly, through the public layer API, so these tests
 * fail if the doubling ever comes back unhandled), and SameDiff's stdout lines never reach the console.
 */
@ExtendWith(SingleThreadedNd4j.class)
class ExactGradientTest {


    @Test
    void probeAgreesWithDl4jStockRuntime() {
        double factor = SameDiffGradientScale.factor();
        assertEquals(factor, SameDiffGradientScale.measure(), 0.0, "the probe is deterministic");

        MultiLayerNetwork net = new MultiLayerNetwork(SdNets.base(new NoOp()).list()
                .layer(new StockScaleLayer(3))
                .layer(new LossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(3)).build());
        net.init();
        net.initGradientsView();
        Layer stock = net.getLayer(0);
        INDArray x = Nd4j.createFromArray(new double[][]{{1, -2, 3}, {0.5, 4, -1}});
        INDArray eps = Nd4j.createFromArray(new double[][]{{0.25, 1, -0.5}, {2, -1, 0.125}});
        INDArray w = stock.getParam("w").dup();
        Pair<Gradient, INDArray> p;
        PrintStream original = System.out;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)); // stock stdout
        try {
            stock.activate(x, true, LayerWorkspaceMgr.noWorkspaces());
            p = stock.backpropGradient(eps, LayerWorkspaceMgr.noWorkspaces());
        } finally {
            System.setOut(original);
        }
        INDArray exactDw = eps.mul(x).sum(true, 0);
        INDArray exactDx = eps.mulRowVector(w);
        double ratioW = p.getFirst().getGradientFor("w").getDouble(0, 0) / exactDw.getDouble(0, 0);
        double ratioX = p.getSecond().getDouble(1, 1) / exactDx.getDouble(1, 1);
        assertEquals(factor, ratioW, 1e-12 * factor, "stock runtime's parameter gradient factor");
        assertEquals(factor, ratioX, 1e-12 * factor, "stock runtime's input gradient factor");
        assertTrue(factor == 1.0 || factor == 2.0, "factor " + factor);
    }

    @Test
    void commonRatioRejectsWhatScalingCannotFix() {
        assertEquals(2.0, SameDiffGradientScale.commonRatio(new double[]{2, 4, -6}, new double[]{1, 2, -3}));
        assertThrows(IllegalStateException.class,
                () -> SameDiffGradientScale.commonRatio(new double[]{2, 2, 1}, new double[]{1, 1, 1}));
        assertThrows(IllegalStateException.class,
                () -> SameDiffGradientScale.commonRatio(new double[]{-2}, new double[]{1}));
        assertThrows(IllegalStateException.class,
                () -> SameDiffGradientScale.commonRatio(new double[]{Double.NaN}, new double[]{1}));
    }

    enum Case {
        B_CHANNEL_FF(RationalVersion.B, Sharing.CHANNEL, null),
        A_GROUP_FF(RationalVersion.A, Sharing.GROUP, null),
        C_LAYER_NCW(RationalVersion.C, Sharing.LAYER, RNNFormat.NCW),
        N_CHANNEL_NWC(RationalVersion.N, Sharing.CHANNEL, RNNFormat.NWC),
        D_GROUP_NWC(RationalVersion.D, Sharing.GROUP, RNNFormat.NWC);

        final RationalVersion version;
        final Sharing sharing;
        final RNNFormat rnn;

        Case(RationalVersion version, Sharing sharing, RNNFormat rnn) {
            this.version = version;
            this.sharing = sharing;
            this.rnn = rnn;
        }
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> denseFormulaCases() {
        return RationalDenseGradientTest.forEachExecution(java.util.Arrays.stream(Case.values())
                .map(org.junit.jupiter.params.provider.Arguments::of).collect(java.util.stream.Collectors.toList()));
    }

    /** Output, dW, db, dnumerator, ddenominator and dx of RationalDense equal the reference formula (both executions). */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("denseFormulaCases")
    void rationalDenseMatchesFormula(Case c, RationalDense.Execution execution) {
        RationalSpec spec = SdNets.spec(c.version, 3, 2, c.sharing);
        int nIn = 3;
        int nOut = 4;
        InputType type = c.rnn == null ? InputType.feedForward(nIn) : InputType.recurrent(nIn, c.rnn);
        MultiLayerNetwork net = new MultiLayerNetwork(SdNets.base(new NoOp()).list()
                .layer(new RationalDense.Builder().nOut(nOut).spec(spec).execution(execution).build())
                .layer(new LossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build())
                .setInputType(type).build());
        net.init();
        SdNets.perturbCoefficients(net.paramTable());
        net.getParam("0_b").assign(Nd4j.linspace(DataType.DOUBLE, -0.2, 0.5 / (nOut - 1), nOut).reshape(1, nOut));
        Layer layer = net.getLayer(0);

        Nd4j.getRandom().setSeed(5);
        long[] xShape = c.rnn == null ? new long[]{5, nIn} : c.rnn == RNNFormat.NCW ? new long[]{2, nIn, 3}
                : new long[]{2, 3, nIn};
        INDArray x = Nd4j.randn(DataType.DOUBLE, xShape);
        INDArray xm = matrix(x, c.rnn, nIn);
        INDArray w = layer.getParam("W");
        INDArray z = xm.mmul(w).addiRowVector(layer.getParam("b"));
        INDArray epsM = Nd4j.randn(DataType.DOUBLE, z.shape());
        Reference.Result ref = Reference.rational(c.version, z, layer.getParam("numerator"),
                layer.getParam("denominator"), c.sharing, epsM);

        INDArray y = layer.activate(x, true, LayerWorkspaceMgr.noWorkspaces());
        Reference.assertClose(ref.y, matrix(y, c.rnn, nOut), 1e-12, c + " output");
        Pair<Gradient, INDArray> p = layer.backpropGradient(unmatrix(epsM, c.rnn, y.shape()),
                LayerWorkspaceMgr.noWorkspaces());
        Gradient g = p.getFirst();
        Reference.assertClose(xm.transpose().mmul(ref.dx), g.getGradientFor("W"), 1e-12, c + " dW");
        Reference.assertClose(ref.dx.sum(true, 0), g.getGradientFor("b"), 1e-12, c + " db");
        Reference.assertClose(ref.dNumerator, g.getGradientFor("numerator"), 1e-12, c + " dnumerator");
        Reference.assertClose(ref.dDenominator, g.getGradientFor("denominator"), 1e-12, c + " ddenominator");
        Reference.assertClose(ref.dx.mmul(w.transpose()), matrix(p.getSecond(), c.rnn, nIn), 1e-12, c + " dx");
    }

    /** Output, dnumerator, ddenominator and dx of RationalVertex equal the reference formula. */
    @ParameterizedTest
    @EnumSource(Case.class)
    void rationalVertexMatchesFormula(Case c) {
        RationalSpec spec = SdNets.spec(c.version, 3, 2, c.sharing);
        InputKind kind = c.rnn == null ? InputKind.FF : c.rnn == RNNFormat.NCW ? InputKind.RNN_NCW : InputKind.RNN_NWC;
        ComputationGraph g = SdNets.graphOfVertices(kind, new NoOp(), new RationalVertex.Builder().spec(spec).build());
        SdNets.perturbCoefficients(g.paramTable());
        GraphVertex v = g.getVertex("v0");
        Nd4j.getRandom().setSeed(6);
        int c4 = InputKind.HIDDEN;
        long[] shape = c.rnn == null ? new long[]{3, c4} : c.rnn == RNNFormat.NCW ? new long[]{2, c4, 3}
                : new long[]{2, 3, c4};
        INDArray in = Nd4j.randn(DataType.DOUBLE, shape).muli(1.5);
        INDArray e = Nd4j.randn(DataType.DOUBLE, shape);
        Reference.Result ref = Reference.rational(c.version, matrix(in, c.rnn, c4),
                v.paramTable(false).get("numerator"), v.paramTable(false).get("denominator"), c.sharing,
                matrix(e, c.rnn, c4));
        v.setInputs(in);
        INDArray y = v.doForward(true, LayerWorkspaceMgr.noWorkspaces());
        Reference.assertClose(ref.y, matrix(y, c.rnn, c4), 1e-12, c + " output");
        v.setEpsilon(e);
        Pair<Gradient, INDArray[]> p = v.doBackward(false, LayerWorkspaceMgr.noWorkspaces());
        Reference.assertClose(ref.dNumerator, p.getFirst().getGradientFor("numerator"), 1e-12, c + " dnumerator");
        Reference.assertClose(ref.dDenominator, p.getFirst().getGradientFor("denominator"), 1e-12,
                c + " ddenominator");
        Reference.assertClose(ref.dx, matrix(p.getSecond()[0], c.rnn, c4), 1e-12, c + " dx");
    }

    @Test
    void noSameDiffLinesOnStdout() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            RationalSpec spec = SdNets.spec(RationalVersion.B, 3, 2, Sharing.CHANNEL);
            MultiLayerNetwork net = SdNets.mln(InputKind.RNN_NWC, new Adam(1e-2),
                    new RationalDense.Builder().nOut(InputKind.HIDDEN).spec(spec).build());
            net.fit(new DataSet(InputKind.RNN_NWC.input(2, 1), InputKind.RNN_NWC.labels(2, 1)));
            MultiLayerNetwork whole = SdNets.mln(InputKind.FF, new Adam(1e-2), new RationalDense.Builder()
                    .nOut(InputKind.HIDDEN).spec(spec).execution(RationalDense.Execution.SAMEDIFF).build());
            whole.fit(new DataSet(InputKind.FF.input(2, 1), InputKind.FF.labels(2, 1)));
            ComputationGraph g = SdNets.graphOfVertices(InputKind.CNN_NCHW, new Adam(1e-2),
                    new RationalVertex.Builder().spec(spec).build());
            g.fit(new DataSet(InputKind.CNN_NCHW.input(2, 1), InputKind.CNN_NCHW.labels(2, 1)));
            System.out.println("a line of the user's own");
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertFalse(out.contains(QuietStdout.SAMEDIFF_PREFIX), out);
        assertTrue(out.contains("a line of the user's own"), out);
    }

    @Test
    void stdoutFilterPassesOtherLinesAndThreads() throws InterruptedException {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream target = new PrintStream(captured, true, StandardCharsets.UTF_8);
        QuietStdout.Filter f = new QuietStdout.Filter(target, Thread.currentThread());
        f.println(QuietStdout.SAMEDIFF_PREFIX + " x");
        f.println("kept");
        Thread t = new Thread(() -> f.println(QuietStdout.SAMEDIFF_PREFIX + " from another thread"));
        t.start();
        t.join();
        f.flush();
        String out = captured.toString(StandardCharsets.UTF_8);
        assertEquals("kept" + System.lineSeparator() + QuietStdout.SAMEDIFF_PREFIX + " from another thread"
                + System.lineSeparator(), out);
        assertEquals(1, f.suppressed);
    }

    /** [N, C] with channels last from FF [mb, C] or RNN in the given format. */
    static INDArray matrix(INDArray a, RNNFormat rnn, long channels) {
        if (rnn == null) {
            return a;
        }
        INDArray nwc = rnn == RNNFormat.NCW ? a.permute(0, 2, 1) : a;
        return nwc.dup('c').reshape('c', -1, channels);
    }

    static INDArray unmatrix(INDArray m, RNNFormat rnn, long[] shape) {
        if (rnn == null) {
            return m;
        }
        if (rnn == RNNFormat.NWC) {
            return m.reshape('c', shape);
        }
        return m.reshape('c', shape[0], shape[2], shape[1]).permute(0, 2, 1).dup('c');
    }
}
