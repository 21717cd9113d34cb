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
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.rationalnn.dl4j.activation.ActivationRational;
import org.rationalnn.dl4j.kernel.RationalKernels;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;

import java.util.concurrent.TimeUnit;

/**
 * Element-wise cost, side by side in one run: DL4J's ReLU and tanh against the rational (5,4) ({@code version} A or
 * B, {@code sharing} LAYER or CHANNEL), on 8M elements ({@code dataType} float32 or float64) laid out
 * [32, 64, 4096] (NCW-like, 64 channels), plus a plain copy as the memory-bandwidth yardstick. The {@code kernel}
 * parameter selects the rational kernel ({@code auto} = the SIMD kernel when the Vector API is on, {@code scalar},
 * {@code nd4j}). {@code activationForwardBackward} is the same work through the {@code IActivation}
 * ({@link ActivationRational}, which writes in place as DL4J's activations do, so the input is copied first, as a
 * layer does), {@code kernelForwardBackwardWithCopies} the kernels alone with the same two copies: their ratio is the
 * cost of the {@code IActivation} contract.
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
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class ActivationBenchmark {

    /** Elements: 32 × 64 × 4096 = 8,388,608. */
    static final long[] SHAPE = {32, 64, 4096};

    /** The rational kernel; by default the SIMD one only ({@code -p kernel=auto,scalar,nd4j} compares all). */
    @Param({"auto"})
    public String kernel;
    @Param({"A", "B"})
    public String version;
    @Param({"CHANNEL", "LAYER"})
    public String sharing;
    @Param({"FLOAT", "DOUBLE"})
    public String dataType;

    RationalVersion v;
    Sharing share;
    ActivationRational activation;
    INDArray actBuf;

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
        DataType dt = DataType.valueOf(dataType);
        v = RationalVersion.valueOf(version);
        share = Sharing.valueOf(sharing);
        Nd4j.getRandom().setSeed(1);
        x = Nd4j.rand(dt, SHAPE).subi(0.5).muli(6);
        out = x.ulike();
        eps = Nd4j.randn(dt, SHAPE);
        dx = x.ulike();
        double[] a = RationalSpec.builder().version(v).build().initialFunction().numerator();
        double[] b = RationalSpec.builder().version(v).build().initialFunction().denominator();
        int c = share == Sharing.CHANNEL ? (int) SHAPE[1] : 1;
        numerator = Nd4j.create(dt, c, a.length);
        denominator = Nd4j.create(dt, c, b.length);
        double[][] as = new double[c][];
        double[][] bs = new double[c][];
        for (int i = 0; i < c; i++) {
            numerator.getRow(i).assign(Nd4j.createFromArray(a).castTo(dt));
            denominator.getRow(i).assign(Nd4j.createFromArray(b).castTo(dt));
            as[i] = a;
            bs[i] = b;
        }
        activation = new ActivationRational(v, share, false, as, bs);
        actBuf = x.dup();
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
        RationalKernels.forward(v, x, false, share, numerator, denominator, out);
        return out;
    }

    @Benchmark
    public INDArray rationalForwardInPlace() {
        RationalKernels.forward(v, rationalBuf, false, share, numerator, denominator, rationalBuf);
        return rationalBuf;
    }

    @Benchmark
    public INDArray reluForwardWithCopy() {
        return relu.getActivation(out.assign(x), false);
    }

    @Benchmark
    public void rationalForwardBackward(Blackhole bh) {
        RationalKernels.forward(v, x, false, share, numerator, denominator, out);
        RationalKernels.backward(v, x, false, share, numerator, denominator, eps, dx, dNumerator, dDenominator);
        bh.consume(out);
        bh.consume(dx);
    }

    /** Forward + backward through the IActivation (in place; the input copied first each time, as a layer does). */
    @Benchmark
    public void activationForwardBackward(Blackhole bh) {
        bh.consume(activation.getActivation(actBuf.assign(x), true));
        bh.consume(activation.backprop(actBuf.assign(x), eps));
    }

    /** The kernels alone with the same two copies as {@link #activationForwardBackward}. */
    @Benchmark
    public void kernelForwardBackwardWithCopies(Blackhole bh) {
        actBuf.assign(x);
        RationalKernels.forward(v, actBuf, false, share, numerator, denominator, out);
        actBuf.assign(x);
        RationalKernels.backward(v, actBuf, false, share, numerator, denominator, eps, dx, dNumerator, dDenominator);
        bh.consume(out);
        bh.consume(dx);
    }
}
