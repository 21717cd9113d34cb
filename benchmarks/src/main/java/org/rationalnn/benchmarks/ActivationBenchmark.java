package org.rationalnn.benchmarks;

import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import org.rationalnn.dl4j.kernel.RationalKernels;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;

import java.util.concurrent.TimeUnit;

/**
 * Element-wise cost, side by side in one run: DL4J's ReLU and tanh against the rational (5,4) version A with
 * CHANNEL sharing, on 8M float32 elements laid out [32, 64, 4096] (NCW-like, 64 channels), plus a plain copy
 * as the memory-bandwidth yardstick. The {@code kernel} parameter selects the rational kernel
 * ({@code auto} = the SIMD kernel when the Vector API is on, {@code scalar}, {@code nd4j}).
 *
 * <p>Bytes moved: copy and forward read 32 MB and write 32 MB; forward+backward reads x twice and eps once
 * and writes out and dx (160 MB). DL4J's ReLU forward works in place (32 MB read and written in one buffer, which
 * a large last-level cache may hold); {@code rationalForwardInPlace} is the rational's like-for-like counterpart
 * (the in-place path {@code ActivationRational} uses; repeated application keeps the values finite) and
 * {@code reluForwardWithCopy} is what DL4J's {@code ActivationLayer} does (dup, then ReLU in place).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class ActivationBenchmark {

    /** Elements: 32 × 64 × 4096 = 8,388,608. */
    static final long[] SHAPE = {32, 64, 4096};

    @Param({"auto", "scalar", "nd4j"})
    public String kernel;

    INDArray x;
    INDArray out;
    INDArray eps;
    INDArray dx;
    INDArray numerator;
    INDArray denominator;
    INDArray dNumerator;
    INDArray dDenominator;
    INDArray reluBuf;
    INDArray tanhBuf;
    INDArray tanhGradBuf;
    INDArray rationalBuf;
    final ActivationReLU relu = new ActivationReLU();
    final ActivationTanH tanh = new ActivationTanH();

    @Setup(Level.Trial)
    public void setUp() {
        System.setProperty(RationalKernels.KERNEL_PROPERTY, kernel);
        Nd4j.getRandom().setSeed(1);
        x = Nd4j.rand(DataType.FLOAT, SHAPE).subi(0.5).muli(6);
        out = x.ulike();
        eps = Nd4j.randn(DataType.FLOAT, SHAPE);
        dx = x.ulike();
        double[] a = RationalSpec.builder().version(RationalVersion.A).build().initialFunction().numerator();
        double[] b = RationalSpec.builder().version(RationalVersion.A).build().initialFunction().denominator();
        int c = (int) SHAPE[1];
        numerator = Nd4j.create(DataType.FLOAT, c, a.length);
        denominator = Nd4j.create(DataType.FLOAT, c, b.length);
        for (int i = 0; i < c; i++) {
            numerator.getRow(i).assign(Nd4j.createFromArray(a).castTo(DataType.FLOAT));
            denominator.getRow(i).assign(Nd4j.createFromArray(b).castTo(DataType.FLOAT));
        }
        dNumerator = numerator.ulike();
        dDenominator = denominator.ulike();
        reluBuf = x.dup();
        tanhBuf = x.dup();
        tanhGradBuf = x.dup();
        rationalBuf = x.dup();
    }

    @Benchmark
    public INDArray copy() {
        return out.assign(x);
    }

    @Benchmark
    public INDArray reluForward() {
        return relu.getActivation(reluBuf, false);
    }

    @Benchmark
    public INDArray tanhForward() {
        return tanh.getActivation(tanhBuf.assign(x), false);
    }

    @Benchmark
    public void tanhForwardBackward(Blackhole bh) {
        bh.consume(tanh.getActivation(tanhBuf.assign(x), true));
        bh.consume(tanh.backprop(tanhGradBuf.assign(x), eps).getFirst());
    }

    @Benchmark
    public INDArray rationalForward() {
        RationalKernels.forward(RationalVersion.A, x, false, Sharing.CHANNEL, numerator, denominator, out);
        return out;
    }

    @Benchmark
    public INDArray rationalForwardInPlace() {
        RationalKernels.forward(RationalVersion.A, rationalBuf, false, Sharing.CHANNEL, numerator, denominator,
                rationalBuf);
        return rationalBuf;
    }

    @Benchmark
    public INDArray reluForwardWithCopy() {
        return relu.getActivation(out.assign(x), false);
    }

    @Benchmark
    public void rationalForwardBackward(Blackhole bh) {
        RationalKernels.forward(RationalVersion.A, x, false, Sharing.CHANNEL, numerator, denominator, out);
        RationalKernels.backward(RationalVersion.A, x, false, Sharing.CHANNEL, numerator, denominator, eps, dx,
                dNumerator, dDenominator);
        bh.consume(out);
        bh.consume(dx);
    }
}
