package org.rationalnn.dl4j.samediff;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.rational.TargetFunction;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RationalSameDiff} against the scalar reference formula ({@link RationalFunction}): values and all gradients
 * (input, numerator, denominator), for every version × sharing mode, each with three of the layouts (rank 2, NCW,
 * NWC, NCHW, NHWC; every layout appears with every version and every sharing mode) and several degrees, in plain
 * SameDiff with the loss Σ R(x) ⊙ ε (no DL4J runtime involved).
 */
@ExtendWith(SingleThreadedNd4j.class)
class RationalSameDiffTest {


    /** Layouts: shape of a C = 4 channel input and whether the channel axis is last. */
    enum Layout {
        FF(new long[]{5, 4}, false),
        NCW(new long[]{2, 4, 3}, false),
        NWC(new long[]{2, 3, 4}, true),
        NCHW(new long[]{2, 4, 2, 3}, false),
        NHWC(new long[]{2, 2, 3, 4}, true);

        final long[] shape;
        final boolean channelsLast;

        Layout(long[] shape, boolean channelsLast) {
            this.shape = shape;
            this.channelsLast = channelsLast;
        }
    }

    static Stream<Arguments> matrix() {
        List<Arguments> out = new ArrayList<>();
        int[][] degrees = {{3, 2}, {5, 4}, {0, 1}, {1, 3}, {7, 6}};
        int i = 0;
        for (RationalVersion v : RationalVersion.values()) {
            for (Sharing s : Sharing.values()) {
                for (int k = 0; k < 3; k++) {
                    Layout l = Layout.values()[(i + 2 * k) % Layout.values().length];
                    int[] d = degrees[(i + k) % degrees.length];
                    out.add(Arguments.of(v, s, l, d[0], d[1]));
                }
                i++;
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2} ({3},{4})")
    @MethodSource("matrix")
    void matchesReferenceFormula(RationalVersion v, Sharing sharing, Layout layout, int m, int n) {
        RationalSpec.Builder sb = RationalSpec.builder().version(v).degrees(m, n).init(TargetFunction.GELU);
        if (sharing == Sharing.GROUP) {
            sb.groups(2);
        } else {
            sb.sharing(sharing);
        }
        RationalSpec spec = sb.build();
        long channels = 4;
        int sets = spec.numSets(channels);
        RationalFunction f = spec.initialFunction();
        Nd4j.getRandom().setSeed(11 + m);
        INDArray num = Nd4j.createFromArray(f.numerator()).reshape(1, m + 1).repeat(0, sets)
                .addi(Nd4j.rand(DataType.DOUBLE, sets, m + 1).subi(0.5).muli(0.2));
        int nb = spec.denominatorLength();
        INDArray den = Nd4j.createFromArray(f.denominator()).reshape(1, nb).repeat(0, sets)
                .addi(Nd4j.rand(DataType.DOUBLE, sets, nb).subi(0.5).muli(0.2));
        INDArray x = Nd4j.randn(DataType.DOUBLE, layout.shape).muli(1.5);
        x.putScalar(0, 0.0); // the subgradient at x = 0 (A: |x|) must match too
        INDArray eps = Nd4j.randn(DataType.DOUBLE, layout.shape);

        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("x", DataType.DOUBLE, dynamicShape(layout));
        SDVariable e = sd.placeHolder("eps", DataType.DOUBLE, dynamicShape(layout));
        SDVariable a = sd.var("a", num.dup());
        SDVariable b = sd.var("b", den.dup());
        SDVariable out = RationalSameDiff.apply(sd, in, a, b, spec, channels, layout.shape.length,
                layout.channelsLast);
        sd.setLossVariables(out.mul(e).sum());
        QuietStdout.createGradFunction(sd, "x");
        Map<String, INDArray> ph = Map.of("x", x, "eps", eps);
        INDArray y = sd.output(ph, out.name()).get(out.name());
        Map<String, INDArray> g = sd.calculateGradients(ph, "x", "a", "b");

        Reference.Result ref = Reference.rational(v, toMatrix(x, layout), num, den, sharing, toMatrix(eps, layout));
        String what = spec + " " + layout;
        Reference.assertClose(fromMatrix(ref.y, layout), y, 1e-10, what + " value");
        Reference.assertClose(fromMatrix(ref.dx, layout), g.get("x"), 1e-9, what + " dL/dx");
        Reference.assertClose(ref.dNumerator, g.get("a"), 1e-9, what + " dL/dnumerator");
        Reference.assertClose(ref.dDenominator, g.get("b"), 1e-9, what + " dL/ddenominator");
    }

    @Test
    void noiseMultipliesTheNumerator() {
        SameDiff sd = SameDiff.create();
        SDVariable a = sd.var("a", Nd4j.createFromArray(new double[][]{{1, 2}}));
        SDVariable s = sd.placeHolder("s", DataType.DOUBLE, 1, 2);
        SDVariable out = RationalSameDiff.noisyNumerator(a, s);
        INDArray r = sd.output(Map.of("s", Nd4j.createFromArray(new double[][]{{0.9, 1.1}})), out.name())
                .get(out.name());
        assertArrayEquals(new double[]{0.9, 2.2}, r.toDoubleVector(), 1e-15);
    }

    @Test
    void rejectsInconsistentArguments() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 6);
        SDVariable a = sd.var("a", DataType.DOUBLE, 2, 4);
        SDVariable b = sd.var("b", DataType.DOUBLE, 2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RationalSameDiff.apply(sd,
                x, a, b, RationalVersion.B, 3, 2, 4, 6, 2, true));
        assertEquals("coefficient set count must be a positive divisor of the channel count 6, got 4", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RationalSameDiff.apply(sd, x, a, b, RationalVersion.B,
                3, 2, 3, 6, 2, true));
        assertEquals("numerator coefficients must have shape [3, 4], got [2, 4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RationalSameDiff.apply(sd, x, a, b, RationalVersion.B,
                17, 2, 2, 6, 2, true));
        assertEquals("numerator degree must be in [0, 16], got 17", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RationalSameDiff.apply(sd, x, a, b, RationalVersion.B,
                3, 2, 2, 6, 0, true));
        assertEquals("input rank must be in [1, 8], got 0", e.getMessage());
    }

    @Test
    void expansionMatrixFollowsContiguousGroups() {
        INDArray e = RationalSameDiff.expansionMatrix(DataType.DOUBLE, 6, 3);
        for (int c = 0; c < 6; c++) {
            for (int s = 0; s < 3; s++) {
                assertEquals(Sharing.GROUP.setOf(c, 6, 3) == s ? 1.0 : 0.0, e.getDouble(c, s));
            }
        }
        assertArrayEquals(new long[]{1}, RationalSameDiff.columnShape(1, 6, 4, false));
        assertArrayEquals(new long[]{6, 1, 1}, RationalSameDiff.columnShape(6, 6, 4, false));
        assertArrayEquals(new long[]{6}, RationalSameDiff.columnShape(3, 6, 4, true));
        assertTrue(RationalSameDiff.columnShape(6, 6, 2, false).length == 1);
        assertFalse(RationalSameDiff.columnShape(6, 6, 3, false).length == 1);
    }

    static long[] dynamicShape(Layout l) {
        long[] s = new long[l.shape.length];
        java.util.Arrays.fill(s, -1);
        s[l.channelsLast ? s.length - 1 : 1] = 4;
        return s;
    }

    /** [N, C] with the channel axis moved last. */
    static INDArray toMatrix(INDArray a, Layout l) {
        return channelsLastView(a, l).dup('c').reshape('c', -1, 4);
    }

    static INDArray fromMatrix(INDArray m, Layout l) {
        if (l.channelsLast || l.shape.length == 2) {
            return m.reshape('c', l.shape);
        }
        long[] perm = permutedShape(l);
        INDArray p = m.reshape('c', perm);
        int r = l.shape.length;
        int[] back = new int[r];
        back[0] = 0;
        back[1] = r - 1;
        for (int i = 2; i < r; i++) {
            back[i] = i - 1;
        }
        return p.permute(back);
    }

    private static INDArray channelsLastView(INDArray a, Layout l) {
        if (l.channelsLast || l.shape.length == 2) {
            return a;
        }
        int r = l.shape.length;
        int[] perm = new int[r];
        perm[0] = 0;
        for (int i = 1; i < r - 1; i++) {
            perm[i] = i + 1;
        }
        perm[r - 1] = 1;
        return a.permute(perm);
    }

    private static long[] permutedShape(Layout l) {
        int r = l.shape.length;
        long[] s = new long[r];
        s[0] = l.shape[0];
        for (int i = 1; i < r - 1; i++) {
            s[i] = l.shape[i + 1];
        }
        s[r - 1] = l.shape[1];
        return s;
    }
}
